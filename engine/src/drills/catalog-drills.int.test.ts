import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app';
import { createInfrastructure, type Infrastructure } from '../plugins/external/infrastructure';
import { publishRelease, sampleCatalogWithDefaultModels } from '../../test/release-fixture';
import { createQuoteFixture, type QuoteFixture } from '../../test/quote-fixture';

// Seed section 13, Redis drill "stale key survives invalidation event". Cache keys name the
// release's id and content hash, so no key can be stale: a new release is a new key. What can be
// stale is an instance's pointer to the current release when it misses the feed's event (the
// invalidation): it is bounded by the pointer's re-check of PostgreSQL (30 s).
describe('catalog cache drills', () => {
  let f: QuoteFixture;
  let other: { app: FastifyInstance; infrastructure: Infrastructure };
  const current = async (app: FastifyInstance) =>
    (await app.inject({ method: 'GET', url: '/metadata/releases/current', headers: { authorization: `Bearer ${f.tokens.rita}` } })).json() as { releaseNumber: number; releaseId: string; contentHash: string };

  beforeAll(async () => {
    f = await createQuoteFixture('stale_key_drill');
    // A second engine instance on the same database and Redis that never hears the release feed.
    const infrastructure = await createInfrastructure(f.t.config);
    other = { app: await buildApp({ config: f.t.config, infrastructure }), infrastructure };
  }, 180_000);
  afterAll(async () => {
    await other?.app.close();
    await other?.infrastructure.close();
    await f?.close();
  });

  it('drill: stale key survives invalidation event: an instance that missed the event serves the old release for at most its 30 s bound, and no cache key is ever stale', async () => {
    const first = await current(other.app);
    expect(first.releaseNumber).toBe(1);
    const book = sampleCatalogWithDefaultModels().find((i) => i.kind === 'price-book')!;
    await publishRelease(f.t.app, f.t.config, f.tenant, [{ ...book, content: { ...(book.content as object), name: 'EUR list prices (revised)' } }]);
    const published = await current(f.t.app);
    expect(published.releaseNumber).toBe(2);
    expect(published.contentHash).not.toBe(first.contentHash);

    // The instance that missed the event still answers release 1: stale, but within its bound.
    const started = Date.now();
    expect((await current(other.app)).releaseNumber).toBe(1);
    // Both releases' snapshots are cached under keys of their own: nothing to invalidate.
    const keys = await f.t.infrastructure.redis.keys(`cpq:${f.tenant}:release:*`);
    expect(keys.some((k) => k.includes(published.releaseId))).toBe(true);

    // Within the bound it re-reads PostgreSQL and moves on.
    let seen = 1;
    while (seen === 1 && Date.now() - started < 35_000) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      seen = (await current(other.app)).releaseNumber;
    }
    expect(seen).toBe(2);
    expect(Date.now() - started).toBeLessThanOrEqual(32_000);
  }, 90_000);
});
