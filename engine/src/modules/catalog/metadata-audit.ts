import type { PrismaClient } from '@cpq/prisma';
import { DomainError } from '../../http/errors';
import { recordsOf, type TargetedEntry } from '../audit';

/** One audit record as the admin API shows it (MetadataAuditEntry). */
export type MetadataAuditEntry = Omit<TargetedEntry, 'revision'>;

const DRAFT = 'METADATA_DRAFT';
const CANDIDATE = 'RELEASE_CANDIDATE';
const RELEASE = 'METADATA_RELEASE';
const draftTarget = (kind: string, key: string) => ({ type: DRAFT, id: `${kind}/${key}` });
const shown = ({ revision: _revision, ...entry }: TargetedEntry): MetadataAuditEntry => entry;

/**
 * The metadata's history for admins, read from the audit records (the audit module owns them;
 * this decides which records tell the story of an item or of a release).
 */
export function createMetadataAudit(prisma: PrismaClient) {
  /** The releases in which an item was added, changed or removed: where its content hash moved from the release before. */
  async function releasesChanging(tenantId: string, kind: string, key: string): Promise<string[]> {
    const [releases, items] = await Promise.all([
      prisma.metadataRelease.findMany({ where: { tenantId }, orderBy: { releaseNumber: 'asc' }, select: { id: true } }),
      prisma.metadataReleaseItem.findMany({ where: { tenantId, kind, key }, select: { releaseId: true, contentHash: true } }),
    ]);
    const hashIn = new Map(items.map((i) => [i.releaseId, i.contentHash]));
    const changing: string[] = [];
    let before: string | undefined;
    for (const release of releases) {
      const hash = hashIn.get(release.id);
      if (hash !== before) changing.push(release.id);
      before = hash;
    }
    return changing;
  }

  return {
    /** An item's drafts (created, edited with the fields changed, deleted) and the releases that changed it, newest first. */
    async ofItem(tenantId: string, kind: string, key: string): Promise<MetadataAuditEntry[]> {
      const releases = await releasesChanging(tenantId, kind, key);
      const records = await recordsOf(prisma, tenantId, [draftTarget(kind, key), ...releases.map((id) => ({ type: RELEASE, id }))]);
      // A release's own target holds only its publish record; anything else about it is not this item's story.
      return records.filter((r) => r.target.type === DRAFT || r.action === 'metadata.release.published').map(shown);
    },

    /**
     * How a release came to be, newest first: its publish, its candidate's steps, and the draft
     * edits that went into its items (each draft's last life up to the candidate's snapshot; a
     * roll forward has none, its candidate record names the release it restores).
     */
    async ofRelease(tenantId: string, releaseId: string): Promise<MetadataAuditEntry[]> {
      const release = await prisma.metadataRelease.findFirst({ where: { tenantId, id: releaseId }, select: { candidateId: true } });
      if (!release) throw new DomainError('release-not-found', `no release ${releaseId}`);
      const candidate = await prisma.releaseCandidate.findFirstOrThrow({ where: { tenantId, id: release.candidateId }, select: { createdAt: true, rolledFromReleaseId: true } });
      const items = candidate.rolledFromReleaseId ? [] : await prisma.releaseCandidateItem.findMany({ where: { tenantId, candidateId: release.candidateId }, select: { kind: true, key: true } });
      const records = await recordsOf(prisma, tenantId, [
        { type: RELEASE, id: releaseId }, { type: CANDIDATE, id: release.candidateId }, ...items.map((i) => draftTarget(i.kind, i.key)),
      ], 2000);
      const snapshotAt = candidate.createdAt.getTime();
      const drafts = new Map<string, TargetedEntry[]>();
      // Oldest first: a draft's life starts at its last `created` before the snapshot (publishing deletes drafts; a new one starts again).
      for (const record of [...records].reverse()) {
        if (record.target.type !== DRAFT || Date.parse(record.at) > snapshotAt) continue;
        const life = record.action === 'metadata.draft.created' ? [] : (drafts.get(record.target.id) ?? []);
        drafts.set(record.target.id, [...life, record]);
      }
      const kept = new Set([...drafts.values()].flat());
      return records.filter((r) => r.target.type !== DRAFT || kept.has(r)).map(shown);
    },
  };
}

export type MetadataAudit = ReturnType<typeof createMetadataAudit>;
