import type { AuditEntry, KindInfo, Release, ReleaseHeader } from '@/lib/api';
import { getEngine } from '@/lib/engine-client';
import { ProblemView } from '@/components/problem-view';
import { AuditTable } from './audit-table';
import { RollForwardButton } from './roll-forward-button';

/** Kinds' schemas by kind, for naming changed fields. */
export const schemasOf = (kinds: KindInfo[]) => Object.fromEntries(kinds.map((k) => [k.kind, k.schema]));

/** A release's page for admins: roll forward to its content (unless it is current) and how it came to be (the audit). */
export async function ReleaseReview({ release }: { release: Release }) {
  const [audit, kinds, releases] = await Promise.all([
    getEngine<{ items: AuditEntry[] }>(`/metadata/releases/${encodeURIComponent(release.releaseId)}/audit`),
    getEngine<{ items: KindInfo[] }>('/metadata/kinds'),
    getEngine<{ items: ReleaseHeader[] }>('/metadata/releases'),
  ]);
  const current = releases.ok ? releases.data.items[0] : undefined;
  return (
    <>
      {current && current.releaseId !== release.releaseId ? (
        <RollForwardButton releaseId={release.releaseId} releaseNumber={release.releaseNumber} currentNumber={current.releaseNumber} />
      ) : null}
      <h2>Who made this release</h2>
      {!audit.ok ? <ProblemView problem={audit.problem} /> : (
        <AuditTable entries={audit.data.items} schemas={kinds.ok ? schemasOf(kinds.data.items) : {}} caption={`Audit of release ${release.releaseNumber}`} />
      )}
    </>
  );
}

/** An item's history (drafts, edits with the fields changed, releases), for its page. */
export async function ItemHistory({ kind, itemKey }: { kind: string; itemKey: string }) {
  const [audit, kinds] = await Promise.all([
    getEngine<{ items: AuditEntry[] }>(`/metadata/items/${encodeURIComponent(kind)}/${encodeURIComponent(itemKey)}/audit`),
    getEngine<{ items: KindInfo[] }>('/metadata/kinds'),
  ]);
  return (
    <section aria-label="History" style={{ marginTop: 24 }}>
      <h2>History</h2>
      {!audit.ok ? <ProblemView problem={audit.problem} /> : (
        <AuditTable entries={audit.data.items} schemas={kinds.ok ? schemasOf(kinds.data.items) : {}} caption={`History of ${kind} ${itemKey}`} />
      )}
    </section>
  );
}
