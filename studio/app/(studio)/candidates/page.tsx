import { redirect } from 'next/navigation';
import Link from 'next/link';
import type { CandidateSummary, Draft } from '@/lib/api';
import { getEngine } from '@/lib/engine-client';
import { requirePrincipal } from '@/lib/session';
import { AdminOnly } from '@/components/admin-only';
import { CreateCandidateForm } from '@/components/create-candidate-form';
import { ProblemView } from '@/components/problem-view';
import { when } from '@/components/format';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function CandidatesPage({ searchParams }: { searchParams: Promise<{ open?: string }> }) {
  const principal = await requirePrincipal();
  const { open = '' } = await searchParams;
  if (UUID.test(open.trim())) redirect(`/candidates/${open.trim()}`);
  const [drafts, candidates] = await Promise.all([
    getEngine<{ items: Draft[] }>('/metadata/drafts'),
    getEngine<{ items: CandidateSummary[] }>('/metadata/release-candidates'),
  ]);
  return (
    <AdminOnly principal={principal}>
      <h1>Release candidates</h1>
      <p className="muted">
        A candidate snapshots drafts and validates them together with the current release. Another admin reviews it (four-eyes), then it is published as an immutable, numbered release.
      </p>
      {!drafts.ok ? <ProblemView problem={drafts.problem} /> : <CreateCandidateForm drafts={drafts.data.items.map((d) => ({ kind: d.kind, key: d.key }))} />}
      <h2>Candidates</h2>
      {!candidates.ok ? <ProblemView problem={candidates.problem} /> : candidates.data.items.length === 0 ? (
        <div className="panel" data-testid="no-candidates"><p className="muted">No candidates yet.</p></div>
      ) : (
        <table aria-label="Candidates">
          <thead><tr><th>Title</th><th>State</th><th>Issues</th><th>Made by</th><th>Review requested by</th><th>Decided by</th><th>Made</th></tr></thead>
          <tbody>
            {candidates.data.items.map((c) => (
              <tr key={c.candidateId}>
                <td><Link href={`/candidates/${c.candidateId}`}>{c.title}</Link></td>
                <td><span className={`badge ${c.state === 'in-review' ? 'admin' : ''}`}>{c.state === 'in-review' ? 'awaiting review' : c.state}</span></td>
                <td>{c.issueCount}</td>
                <td>{c.createdBy}</td>
                <td>{c.reviewRequestedBy ?? ''}</td>
                <td>{c.decidedBy ?? ''}</td>
                <td>{when(c.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="panel" aria-label="Open a candidate" style={{ marginTop: 16 }}>
        <h2>Review a candidate</h2>
        <p className="muted">Paste the candidate&apos;s id or the address its author sent you.</p>
        {open && !UUID.test(open.trim()) ? <p role="alert" className="problem">“{open}” is not a candidate id.</p> : null}
        <div className="row">
          <div>
            <label htmlFor="open">Candidate id</label>
            <input id="open" name="open" size={40} defaultValue={open} />
          </div>
          <button type="submit">Open</button>
        </div>
      </form>
    </AdminOnly>
  );
}
