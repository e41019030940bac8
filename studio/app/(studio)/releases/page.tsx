import Link from 'next/link';
import type { ReleaseHeader } from '@/lib/api';
import { getEngine } from '@/lib/engine-client';
import { requirePrincipal } from '@/lib/session';
import { ProblemView } from '@/components/problem-view';
import { when } from '@/components/format';

/** Release history: every published release of the tenant, who published and approved it, when, its hash. */
export default async function ReleasesPage() {
  await requirePrincipal();
  const releases = await getEngine<{ items: ReleaseHeader[] }>('/metadata/releases');
  if (!releases.ok) return <ProblemView problem={releases.problem} />;
  const items = releases.data.items;
  return (
    <>
      <h1>Release history</h1>
      {items.length === 0 ? (
        <div className="panel" data-testid="empty"><p><strong>Nothing has been published yet.</strong></p><p className="muted">Admins publish a reviewed release candidate to make the first release.</p></div>
      ) : (
        <table aria-label="Releases">
          <thead><tr><th>Release</th><th>Published</th><th>Published by</th><th>Approved by</th><th>Items</th><th>Content hash</th><th>Camunda deployment</th></tr></thead>
          <tbody>
            {items.map((r, i) => (
              <tr key={r.releaseId} data-testid={`release-${r.releaseNumber}`}>
                <td><Link href={`/releases/${r.releaseId}`}><strong>{r.releaseNumber}</strong></Link>{i === 0 ? <> <span className="badge state-published">current</span></> : null}</td>
                <td>{when(r.publishedAt)}</td>
                <td>{r.publishedBy}</td>
                <td>{r.approvedBy}</td>
                <td>{r.itemCount}</td>
                <td><code title={r.contentHash}>{r.contentHash.slice(0, 16)}…</code></td>
                <td>{r.camundaDeploymentId ?? <span className="muted">none</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
