import Link from 'next/link';
import type { Candidate, CandidateSummary, Draft, JsonObject, KindInfo, Release } from '@/lib/api';
import { getEngine } from '@/lib/engine-client';
import { workspaceItems } from '@/lib/item-state';
import { requirePrincipal } from '@/lib/session';
import { AdminOnly } from '@/components/admin-only';
import { ProblemView } from '@/components/problem-view';
import { when } from '@/components/format';

type Search = { q?: string; kind?: string; state?: string };

const nameOf = (content: JsonObject) => (typeof content.name === 'string' ? content.name : typeof content.title === 'string' ? content.title : '');

export default async function WorkspacePage({ searchParams }: { searchParams: Promise<Search> }) {
  const principal = await requirePrincipal();
  const { q = '', kind = '', state = '' } = await searchParams;
  const [drafts, kinds, current] = await Promise.all([
    getEngine<{ items: Draft[] }>('/metadata/drafts'),
    getEngine<{ items: KindInfo[] }>('/metadata/kinds'),
    getEngine<Release>('/metadata/releases/current'),
  ]);
  // Items in an open candidate (validated, in review or approved): a few candidates at a time.
  const open = await getEngine<{ items: CandidateSummary[] }>('/metadata/release-candidates');
  const openCandidates = await Promise.all((open.ok ? open.data.items : [])
    .filter((c) => c.state === 'validated' || c.state === 'in-review' || c.state === 'approved').slice(0, 10)
    .map((c) => getEngine<Candidate>(`/metadata/release-candidates/${c.candidateId}`)));
  const inCandidate = new Map<string, Candidate>();
  for (const c of openCandidates) if (c.ok) for (const i of c.data.items) if (!inCandidate.has(`${i.kind}/${i.key}`)) inCandidate.set(`${i.kind}/${i.key}`, c.data);
  const titles = new Map((kinds.ok ? kinds.data.items : []).map((k) => [k.kind, k.title]));
  const release = current.ok ? current.data : undefined;
  const needle = q.trim().toLowerCase();
  const all = workspaceItems(drafts.ok ? drafts.data.items : [], release);
  const rows = all.filter((item) => (!kind || item.kind === kind)
    && (!needle || `${item.key} ${nameOf(item.content)} ${item.kind}`.toLowerCase().includes(needle))
    && (!state || item.state.label === state));

  const draftCount = drafts.ok ? drafts.data.items.length : 0;
  return (
    <AdminOnly principal={principal}>
      <div className="page-head">
        <h1>Workspace</h1>
        <Link className="button" href="/drafts/new">New draft</Link>
      </div>
      <form className="panel row" role="search" aria-label="Filter drafts">
        <div>
          <label htmlFor="q">Search</label>
          <input id="q" name="q" type="search" defaultValue={q} placeholder="key or name" />
        </div>
        <div>
          <label htmlFor="kind">Kind</label>
          <select id="kind" name="kind" defaultValue={kind}>
            <option value="">All kinds ({titles.size})</option>
            {[...titles].map(([k, title]) => <option key={k} value={k}>{title}</option>)}
          </select>
        </div>
        <div>
          <label htmlFor="state">State</label>
          <select id="state" name="state" defaultValue={state}>
            <option value="">Any state</option>
            <option value="new">New draft</option>
            <option value="changed">Draft changing a release</option>
            <option value="published">Published as is</option>
          </select>
        </div>
        <button type="submit">Filter</button>
      </form>
      {!drafts.ok ? <ProblemView problem={drafts.problem} /> : null}
      {!kinds.ok ? <ProblemView problem={kinds.problem} /> : null}
      {drafts.ok && rows.length === 0 ? (
        <div className="panel" data-testid="empty">
          <p><strong>No items{needle || kind || state ? ' match these filters' : ' yet'}.</strong></p>
          <p className="muted">Create one with “New draft”; it takes effect only once a reviewed release candidate is published.</p>
        </div>
      ) : null}
      {rows.length > 0 ? (
        <table aria-label="Items">
          <thead><tr><th>Kind</th><th>Key</th><th>Name</th><th>State</th><th>Draft version</th><th>Draft last saved</th></tr></thead>
          <tbody>
            {rows.map((item) => (
              <tr key={`${item.kind}/${item.key}`}>
                <td>{titles.get(item.kind as KindInfo['kind']) ?? item.kind}</td>
                <td><Link href={`/drafts/${item.kind}/${item.key}`}>{item.key}</Link></td>
                <td>{nameOf(item.content)}</td>
                <td>
                  <span className={`badge state-${item.state.label}`}>{item.state.text}</span>
                  {inCandidate.has(`${item.kind}/${item.key}`) ? (() => {
                    const c = inCandidate.get(`${item.kind}/${item.key}`)!;
                    return <> <Link className="badge admin" href={`/candidates/${c.candidateId}`}>in candidate “{c.title}” ({c.state})</Link></>;
                  })() : null}
                </td>
                <td>{item.draft?.version ?? <span className="muted">no draft</span>}</td>
                <td>{item.draft ? <>{item.draft.updatedBy} <span className="muted">{when(item.draft.updatedAt)}</span></> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <p className="muted">{rows.length} of {all.length} items, {draftCount} draft{draftCount === 1 ? '' : 's'}. {release ? `Current release: ${release.releaseNumber}.` : 'Nothing published yet.'}</p>
    </AdminOnly>
  );
}
