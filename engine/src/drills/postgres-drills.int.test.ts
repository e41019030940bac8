import { sampleOf } from '@cpq/connectors/observability/exposition';
import { poolOf } from '@cpq/prisma';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQuoteFixture, type QuoteFixture } from '../../test/quote-fixture';
import { expectRetryAfterAsContracted } from '../../test/retry-after';

// Seed section 13, PostgreSQL drills, on the real platform (docs/prr/drills.md). Faults are real:
// the pool's connections are all taken, the hot table is locked by a session that
// behaves like a migration without a lock timeout.
describe('PostgreSQL drills', () => {
  let f: QuoteFixture;
  const newQuote = { accountId: 'acct-1', customerName: 'Drill GmbH', currency: 'EUR', termMonths: 12 };
  const quotes = () => f.t.infrastructure.prisma.quote.count({ where: { tenantId: f.tenant } });
  const scrape = async () => (await f.t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${f.t.config.metricsToken}` } })).body;

  beforeAll(async () => {
    // A small pool and short bounded waits, so the drills run in seconds (production: 20, 10 s, 3 s).
    f = await createQuoteFixture('pg_drills', { DATABASE_POOL_MAX: '4', DATABASE_POOL_WAIT_MS: '400', DATABASE_LOCK_TIMEOUT_MS: '400' });
  }, 180_000);
  afterAll(async () => {
    await f?.close();
  });

  it('drill: connection pool exhaustion: a command answers 503 busy with nothing written, the pool metrics show it, and the next command succeeds', async () => {
    const before = await quotes();
    // Every connection of the engine's pool is taken, and held until the pool metrics are read (1.5 s sleeping queries
    // could end before a scrape slowed by load, which then saw fewer than 4 in use).
    const pool = poolOf(f.t.infrastructure.prisma);
    const holds = await Promise.all(Array.from({ length: 4 }, () => pool.connect()));
    try {
      const started = Date.now();
      const refused = await f.call('rita', 'POST', '/quotes', newQuote);
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({ code: 'busy' });
      expectRetryAfterAsContracted('createQuote', 503, refused.headers);
      expect(Date.now() - started).toBeLessThan(1_400);
      const metrics = await scrape();
      expect(sampleOf(metrics, 'cpq_db_pool_in_use_connections')).toBe(4);
      expect(sampleOf(metrics, 'cpq_db_pool_max_connections')).toBe(4);
      expect(sampleOf(metrics, 'cpq_http_request_duration_seconds_count', { operation: 'createQuote', status: '503' })).toBeGreaterThanOrEqual(1);
    } finally {
      for (const held of holds) held.release();
    }
    expect(await quotes()).toBe(before);
    expect((await f.call('rita', 'POST', '/quotes', newQuote)).status).toBe(201);
    expect(await quotes()).toBe(before + 1);
  });

  it('drill: a migration lock blocks the hot table: commands and reads give up after the lock timeout (409, nothing written), never hang, and work once it is released', async () => {
    const { body: existing } = await f.call('rita', 'POST', '/quotes', newQuote);
    const before = await quotes();
    // A "migration" holds ACCESS EXCLUSIVE on quote, as ALTER TABLE does, without a lock timeout of its own.
    const migration = new pg.Client({ connectionString: f.t.db.url });
    await migration.connect();
    await migration.query('BEGIN');
    await migration.query('LOCK TABLE quote IN ACCESS EXCLUSIVE MODE');
    try {
      const started = Date.now();
      const [create, read] = await Promise.all([
        f.call('rita', 'POST', '/quotes', newQuote),
        f.call('rita', 'GET', `/quotes/${existing.quoteId}`),
      ]);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(create.status, JSON.stringify(create.body)).toBe(409);
      expect(create.body).toMatchObject({ code: 'concurrent-update' });
      expect(read.status, JSON.stringify(read.body)).toBeLessThan(500);
    } finally {
      await migration.query('ROLLBACK');
      await migration.end();
    }
    expect(await quotes()).toBe(before);
    expect((await f.call('rita', 'POST', '/quotes', newQuote)).status).toBe(201);
    expect((await f.call('rita', 'GET', `/quotes/${existing.quoteId}`)).status).toBe(200);
  });
});
