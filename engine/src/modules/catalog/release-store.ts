import type { ApiSchema } from '@cpq/contracts/api-types';
import type { PrismaClient } from '@cpq/prisma';
import type { Redis } from 'ioredis';

/** A release's header, as the contract states it (admin-api.yaml ReleaseHeader). */
export type ReleaseHeader = ApiSchema<'ReleaseHeader'>;
export type ReleaseItem = { kind: string; key: string; content: unknown; contentHash: string };
export type ReleaseSnapshot = ReleaseHeader & { items: ReleaseItem[] };

const SNAPSHOT_TTL_SECONDS = 3600;

type ReleaseRow = {
  id: string; tenantId: string; releaseNumber: number; contentHash: string; baseReleaseId: string | null; itemCount: number;
  publishedBy: string; approvedBy: string; publishedAt: Date; camundaDeploymentId: string | null;
};

/** A candidate's items over its base release's: what the release contains (a change replaces its kind/key). */
export function mergeItems<T extends { kind: string; key: string }>(base: T[], changes: T[]): T[] {
  const id = (i: { kind: string; key: string }) => `${i.kind}\u0000${i.key}`;
  const merged = new Map(base.map((i) => [id(i), i]));
  for (const change of changes) merged.set(id(change), change);
  return [...merged.values()];
}

export const toHeader = (row: ReleaseRow): ReleaseHeader => ({
  releaseId: row.id, tenantId: row.tenantId, releaseNumber: row.releaseNumber, contentHash: row.contentHash,
  baseReleaseId: row.baseReleaseId, itemCount: row.itemCount, publishedBy: row.publishedBy, approvedBy: row.approvedBy,
  publishedAt: row.publishedAt.toISOString(), camundaDeploymentId: row.camundaDeploymentId,
});

/**
 * Published releases, read through Redis. The key carries tenant, release id and content
 * hash, so a cached value can only ever be the exact release asked for; releases are
 * immutable, so there is nothing to invalidate. Redis is an accelerator: any Redis failure
 * falls back to PostgreSQL with the same result (seed section 5, Redis invariants).
 */
export function createReleaseStore(prisma: PrismaClient, redis: Redis, log: { warn(o: object, m: string): void }) {
  const cacheKey = (h: ReleaseHeader) => `cpq:${h.tenantId}:release:${h.releaseId}:${h.contentHash}`;

  async function header(tenantId: string, releaseId: string): Promise<ReleaseHeader | undefined> {
    const row = await prisma.metadataRelease.findFirst({ where: { tenantId, id: releaseId } });
    return row ? toHeader(row) : undefined;
  }

  async function latest(tenantId: string): Promise<ReleaseHeader | undefined> {
    const row = await prisma.metadataRelease.findFirst({ where: { tenantId }, orderBy: { releaseNumber: 'desc' } });
    return row ? toHeader(row) : undefined;
  }

  async function itemsFromDatabase(h: ReleaseHeader): Promise<ReleaseItem[]> {
    const rows = await prisma.metadataReleaseItem.findMany({
      where: { releaseId: h.releaseId, tenantId: h.tenantId },
      orderBy: [{ kind: 'asc' }, { key: 'asc' }],
    });
    return rows.map((r) => ({ kind: r.kind, key: r.key, content: r.content, contentHash: r.contentHash }));
  }

  async function snapshot(h: ReleaseHeader): Promise<ReleaseSnapshot> {
    const key = cacheKey(h);
    try {
      const cached = await redis.get(key);
      if (cached) return { ...h, items: JSON.parse(cached) as ReleaseItem[] };
    } catch (error) {
      log.warn({ err: (error as Error).message, key }, 'release cache read failed; reading PostgreSQL');
    }
    const items = await itemsFromDatabase(h);
    redis.set(key, JSON.stringify(items), 'EX', SNAPSHOT_TTL_SECONDS).catch((error: Error) => {
      log.warn({ err: error.message, key }, 'release cache write failed');
    });
    return { ...h, items };
  }

  async function list(tenantId: string): Promise<ReleaseHeader[]> {
    const rows = await prisma.metadataRelease.findMany({ where: { tenantId }, orderBy: { releaseNumber: 'desc' } });
    return rows.map(toHeader);
  }

  return { header, latest, list, snapshot, itemsFromDatabase, cacheKey };
}

export type ReleaseStore = ReturnType<typeof createReleaseStore>;

/**
 * This process's view of each tenant's current release. Moved forward (never back) by the
 * MetadataReleasePublished events every instance consumes (their payload is the header),
 * and by a local publish. An entry older than `maxAgeMs` is checked against PostgreSQL once
 * more, which bounds how stale an instance can be if it missed an event (e.g. published
 * while its consumer group was still joining).
 */
export function createCurrentReleasePointer(store: ReleaseStore, options: { maxAgeMs?: number; now?: () => number } = {}) {
  const maxAgeMs = options.maxAgeMs ?? 30_000;
  const now = options.now ?? Date.now;
  const current = new Map<string, { header: ReleaseHeader; checkedAt: number }>();
  const advance = (header: ReleaseHeader): boolean => {
    const known = current.get(header.tenantId);
    if (known && known.header.releaseNumber >= header.releaseNumber) return false;
    current.set(header.tenantId, { header, checkedAt: now() });
    return true;
  };
  return {
    advance,
    async get(tenantId: string): Promise<ReleaseHeader | undefined> {
      const known = current.get(tenantId);
      if (known && now() - known.checkedAt < maxAgeMs) return known.header;
      const latest = await store.latest(tenantId);
      if (!latest) return known?.header;
      if (!advance(latest) && known) known.checkedAt = now();
      return current.get(tenantId)?.header;
    },
    peek: (tenantId: string) => current.get(tenantId)?.header,
  };
}

export type CurrentReleasePointer = ReturnType<typeof createCurrentReleasePointer>;

/** An item as the tenant's current release has it: what a new draft of it changes (its audit record says how). */
export function publishedContentOf(store: ReleaseStore, pointer: CurrentReleasePointer) {
  return async (tenantId: string, kind: string, key: string): Promise<{ releaseNumber: number; content: unknown } | undefined> => {
    const header = await pointer.get(tenantId);
    if (!header) return undefined;
    const item = (await store.snapshot(header)).items.find((i) => i.kind === kind && i.key === key);
    return item ? { releaseNumber: header.releaseNumber, content: item.content } : undefined;
  };
}
