import type { PrismaClient, TransactionClient } from '@cpq/prisma';
import { DomainError } from '../../http/errors';
import { mergeItems, type ReleaseHeader, type ReleaseItem, type ReleaseStore } from './release-store';

export type CandidateRelease = {
  /** Every item the candidate's release would hold. */
  items: (ReleaseItem & { draftVersion?: number })[];
  /** The candidate's own items (what it changes, as snapshotted), with the draft version each came from. */
  changes: (ReleaseItem & { draftVersion: number; authors: string[] })[];
  rolledFromReleaseId: string | null;
};

/**
 * What a candidate would release: its base release overlaid by its items, or, for a roll forward,
 * exactly the older release it names (items added since are gone; its items are only the
 * differences, kept for the reviewer and four-eyes). `load` reads a release's items: the cache
 * for previews, PostgreSQL itself when publishing.
 */
export async function candidateRelease(
  db: PrismaClient | TransactionClient, store: ReleaseStore, tenantId: string, candidateId: string,
  load: (header: ReleaseHeader) => Promise<ReleaseItem[]>,
): Promise<CandidateRelease> {
  const row = await db.releaseCandidate.findFirst({ where: { id: candidateId, tenantId }, select: { baseReleaseId: true, rolledFromReleaseId: true } });
  if (!row) throw new DomainError('candidate-not-found', `no release candidate ${candidateId}`);
  const changes = (await db.releaseCandidateItem.findMany({ where: { candidateId, tenantId }, orderBy: [{ kind: 'asc' }, { key: 'asc' }] }))
    .map((i) => ({ kind: i.kind, key: i.key, content: i.content, contentHash: i.contentHash, draftVersion: i.draftVersion, authors: i.authors }));
  const itemsOf = async (releaseId: string | null) => {
    if (!releaseId) return [];
    const header = await store.header(tenantId, releaseId);
    if (!header) throw new DomainError('release-not-found', `no release ${releaseId}`);
    return load(header);
  };
  if (row.rolledFromReleaseId) {
    // A roll forward consumes no drafts: its items carry no draft version to the publish.
    return { items: await itemsOf(row.rolledFromReleaseId), changes, rolledFromReleaseId: row.rolledFromReleaseId };
  }
  return { items: mergeItems<ReleaseItem & { draftVersion?: number }>(await itemsOf(row.baseReleaseId), changes), changes, rolledFromReleaseId: null };
}
