import Link from 'next/link';
import type { ApiSchema } from '@cpq/contracts/api-types';
import type { KindInfo, Release } from '@/lib/api';
import { getEngine } from '@/lib/engine-client';
import { requirePrincipal } from '@/lib/session';
import { ProblemView } from '@/components/problem-view';
import { when } from '@/components/format';
import { ReleaseReview, schemasOf } from '@/components/review/release-review';
import { shown } from '@/components/review/field-changes';
import { contentAt, labelOf } from '@/components/review/schema-labels';

type Diff = ApiSchema<'ReleaseDiff'>;

/** One release: who, when, its hash, and what changed from the release it was based on (field by field). */
export default async function ReleasePage({ params }: { params: Promise<{ id: string }> }) {
  const principal = await requirePrincipal();
  const { id } = await params;
  const release = await getEngine<Release>(`/metadata/releases/${encodeURIComponent(id)}`);
  if (!release.ok) return <ProblemView problem={release.problem} />;
  const r = release.data;
  const [diff, kinds] = await Promise.all([
    r.baseReleaseId ? getEngine<Diff>(`/metadata/releases/${encodeURIComponent(id)}/diff?from=${encodeURIComponent(r.baseReleaseId)}`) : undefined,
    // Every role may read the kinds' schemas: the changed fields by their readable names.
    getEngine<{ items: KindInfo[] }>('/metadata/kinds'),
  ]);
  const schemas = kinds.ok ? schemasOf(kinds.data.items) : {};
  const contentOf = (kind: string, key: string) => r.items.find((i) => i.kind === kind && i.key === key)?.content;
  return (
    <>
      <p><Link href="/releases">← Release history</Link></p>
      <h1>Release {r.releaseNumber}</h1>
      <p>
        Published {when(r.publishedAt)} by <strong>{r.publishedBy}</strong>, approved by <strong>{r.approvedBy}</strong> · {r.itemCount} items ·
        hash <code data-testid="release-hash">{r.contentHash}</code>
        {r.camundaDeploymentId ? <> · Camunda deployment <code>{r.camundaDeploymentId}</code></> : null}
      </p>
      <h2>Changes from the release before</h2>
      {!diff ? <p className="muted">The first release: everything was added.</p> : !diff.ok ? <ProblemView problem={diff.problem} /> : (
        <>
          {diff.data.added.length > 0 ? <p>Added: {diff.data.added.map((i) => `${i.kind}/${i.key}`).join(', ')}</p> : null}
          {diff.data.removed.length > 0 ? <p>Removed: {diff.data.removed.map((i) => `${i.kind}/${i.key}`).join(', ')}</p> : null}
          {diff.data.changed.length === 0 ? <p className="muted">No item changed.</p> : (
            <table aria-label="Changed fields">
              <thead><tr><th>Item</th><th>Field</th><th>Before</th><th>After</th></tr></thead>
              <tbody>
                {diff.data.changed.flatMap((c) => c.changes.map((change, i) => (
                  <tr key={`${c.kind}/${c.key}/${i}`}>
                    <td>{c.kind} / {c.key}</td>
                    <td>{labelOf(schemas[c.kind], change.pointer, change.to === undefined ? contentAt(change.pointer, change.from) : contentOf(c.kind, c.key))} <code className="muted">{change.pointer}</code></td>
                    <td><code>{shown(change.from)}</code></td><td><code>{shown(change.to)}</code></td>
                  </tr>
                )))}
              </tbody>
            </table>
          )}
        </>
      )}
      {/* Roll forward and the audit are for admins (the engine refuses them to other roles). */}
      {principal.roles.includes('admin') ? <ReleaseReview release={r} /> : null}
    </>
  );
}
