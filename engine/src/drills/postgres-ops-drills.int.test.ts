import { sampleOf } from '@cpq/connectors/observability/exposition';
import { poolOf } from '@cpq/prisma';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../test/kafka-helpers';
import { createQuoteFixture, internetLine, type QuoteFixture } from '../../test/quote-fixture';

// Seed section 13, PostgreSQL drills that need the database to misbehave for real: a statement
// made slow by a trigger (pricing timeout), a transaction left open by another client (bloat),
// the quote search's query plans on a seeded table (index missing). docs/prr/drills.md.
describe('PostgreSQL drills: timeouts, long transactions, query plans', () => {
  let f: QuoteFixture;
  let sql: pg.Client;
  const newQuote = { accountId: 'acct-1', customerName: 'Drill GmbH', currency: 'EUR', termMonths: 12 };
  const scrape = async () => (await f.t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${f.t.config.metricsToken}` } })).body;
  const pgClient = async () => {
    const client = new pg.Client({ connectionString: f.t.db.url });
    await client.connect();
    return client;
  };

  beforeAll(async () => {
    // Short bounds so the drills run in seconds (production: 15 s and 60 s); signals read on every scrape.
    f = await createQuoteFixture('pg_ops_drills', {
      DATABASE_STATEMENT_TIMEOUT_MS: '1000', DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '1500', METRICS_SIGNALS_MAX_AGE_MS: '0',
    });
    sql = await pgClient();
  }, 180_000);
  afterAll(async () => {
    await sql?.end();
    await f?.close();
  });

  it('drill: pricing timeout during quote pricing: a price run slower than the statement timeout is a 503 busy with nothing written, and prices once the database is fast again', async () => {
    const { body: quote } = await f.call('rita', 'POST', '/quotes', newQuote);
    expect((await f.call('rita', 'POST', `/quotes/${quote.quoteId}/lines`, internetLine())).status).toBe(201);
    // Pricing is in-process (ADR 0009): what can be slow is its transaction. A trigger makes the
    // price result's insert take 3 s, three times DATABASE_STATEMENT_TIMEOUT_MS.
    await sql.query(`CREATE FUNCTION drill_slow_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(3); RETURN NEW; END $$;
                     CREATE TRIGGER drill_slow_price BEFORE INSERT ON price_result FOR EACH ROW EXECUTE FUNCTION drill_slow_insert()`);
    try {
      const started = Date.now();
      const slow = await f.call('rita', 'POST', `/quotes/${quote.quoteId}/commands/price`);
      expect(slow.status, JSON.stringify(slow.body)).toBe(503);
      expect(slow.body).toMatchObject({ code: 'busy' });
      // Bounded by the statement timeout (1 s), not by the 3 s the statement wanted.
      expect(Date.now() - started).toBeLessThan(2_500);
    } finally {
      await sql.query('DROP TRIGGER drill_slow_price ON price_result; DROP FUNCTION drill_slow_insert()');
    }
    // Nothing of the cancelled run stayed: no price result, the revision still a draft without a price.
    const { rows } = await sql.query('SELECT count(*)::int AS n FROM price_result WHERE quote_id = $1', [quote.quoteId]);
    expect(rows[0].n).toBe(0);
    expect((await f.call('rita', 'GET', `/quotes/${quote.quoteId}`)).body.revision).toMatchObject({ state: 'draft', totals: null });
    const priced = await f.call('rita', 'POST', `/quotes/${quote.quoteId}/commands/price`);
    expect(priced.status, JSON.stringify(priced.body)).toBe(200);
  });

  it('drill: long transaction causes bloat: an open snapshot keeps dead rows VACUUM cannot remove, /metrics shows its age, and an engine session left idle in a transaction is ended by PostgreSQL', async () => {
    const { body: quote } = await f.call('rita', 'POST', '/quotes', newQuote);
    // A reporting session opens a transaction and reads: its snapshot now pins every row version.
    const report = await pgClient();
    await report.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await report.query('SELECT count(*) FROM quote');
    const vacuum = async () => {
      const notices: string[] = [];
      const onNotice = (n: { message?: string }) => notices.push(n.message ?? '');
      sql.on('notice', onNotice);
      await sql.query('VACUUM (VERBOSE) quote');
      sql.off('notice', onNotice);
      const stats = /(\d+) removed, (\d+) remain, (\d+) are dead but not yet removable/.exec(notices.join('\n'));
      return { removed: Number(stats?.[1]), deadNotRemovable: Number(stats?.[3]) };
    };
    try {
      // Every line command updates the quote row: each leaves a dead version behind.
      for (let i = 0; i < 12; i++) expect((await f.call('rita', 'POST', `/quotes/${quote.quoteId}/lines`, internetLine())).status).toBe(201);
      const held = await vacuum();
      expect(held.deadNotRemovable).toBeGreaterThanOrEqual(12);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const metrics = await scrape();
      expect(sampleOf(metrics, 'cpq_db_oldest_transaction_seconds')).toBeGreaterThanOrEqual(1);
      expect(sampleOf(metrics, 'cpq_db_idle_in_transaction_sessions')).toBeGreaterThanOrEqual(1);
    } finally {
      await report.query('ROLLBACK');
      await report.end();
    }
    // The snapshot gone, the same VACUUM removes what it kept.
    const freed = await vacuum();
    expect(freed.deadNotRemovable).toBe(0);
    expect(sampleOf(await scrape(), 'cpq_db_idle_in_transaction_sessions')).toBe(0);

    // The engine's own sessions cannot do this for long: one left idle in a transaction (a bug,
    // a hung handler) is ended by PostgreSQL after DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS.
    const pool = poolOf(f.t.infrastructure.prisma);
    const client = await pool.connect();
    let ended: unknown;
    client.on('error', (error) => (ended = error));
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    // The engine's session carries the configured bound (1500 ms), not the server default or another value.
    expect((await client.query<{ idle_in_transaction_session_timeout: string }>('SHOW idle_in_transaction_session_timeout')).rows[0]!
      .idle_in_transaction_session_timeout).toBe('1500ms');
    await client.query('BEGIN');
    await client.query('SELECT id FROM quote LIMIT 1 FOR UPDATE');
    const idleSince = Date.now();
    // PostgreSQL's own timer ends the session: wait until its backend is gone (a fixed 2.5 s left a loaded machine 1 s
    // of margin). Asked on another connection: a query on this one would restart its idle time. The poll may wait
    // long on a loaded machine, but the backend must be gone well before a bound several times the configured one.
    await eventually(async () => (await sql.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount === 0, 15_000, 100);
    expect(Date.now() - idleSince).toBeLessThan(5_000);
    const next = await client.query('SELECT 1').then(() => 'still open', (error: Error) => error.message);
    expect(String(next)).toMatch(/idle-in-transaction timeout|terminat|not queryable|Connection terminated/i);
    expect(ended ?? next).toBeDefined();
    client.release(true);
    // Its row lock went with it: commands on quotes go on.
    expect((await f.call('rita', 'POST', `/quotes/${quote.quoteId}/lines`, internetLine())).status).toBe(201);
  });

  it('drill: index missing on quote search: every query of the quote list reaches quote and quote_revision through an index on a seeded table, and falls to a full scan once the quote indexes are dropped', async () => {
    // 100 tenants of 300 quotes each (30,000 quotes, one revision each), then fresh statistics.
    const { rows: [release] } = await sql.query('SELECT id FROM metadata_release WHERE tenant_id = $1 LIMIT 1', [f.tenant]);
    // Priced states need a price result (constraints); the seeded revisions share one real one.
    const { rows: [price] } = await sql.query('SELECT price_result_id AS id FROM quote_revision WHERE quote_id = $1', [await f.pricedQuote()]);
    await sql.query(`
      INSERT INTO tenant (id, name) SELECT 'seed-' || t, 'seeded ' || t FROM generate_series(1, 100) t ON CONFLICT DO NOTHING;
      INSERT INTO quote (id, tenant_id, account_id, customer_name, owner_id, team, currency, term_months, created_at)
        SELECT gen_random_uuid(), 'seed-' || (n % 100 + 1), 'acct-' || (n % 40), 'Seeded ' || n, 'rep-' || (n % 25), 'team-' || (n % 6), 'EUR', 24,
               now() - make_interval(secs => n)
          FROM generate_series(1, 30000) n;
      INSERT INTO quote_revision (tenant_id, quote_id, revision, state, release_id, valid_until, price_result_id, priced_material_version, approved_price_result_id, approval_material_version)
        SELECT tenant_id, id, 1, state, '${release.id}'::uuid, current_date + 30, priced, 1, CASE WHEN state = 'approved' THEN priced END, 1
          FROM (SELECT q.tenant_id, q.id, '${price.id}'::uuid AS priced, (ARRAY['draft','priced','submitted','approved','withdrawn'])[(random() * 4)::int + 1] AS state
                  FROM quote q WHERE q.tenant_id LIKE 'seed-%') s;
      ANALYZE quote; ANALYZE quote_revision;`);

    // The queries the engine really sends for GET /quotes, captured on its pool (Prisma's adapter queries through it).
    const pool = poolOf(f.t.infrastructure.prisma);
    const sent: { text: string; values: unknown[] }[] = [];
    const query = pool.query.bind(pool);
    pool.query = ((config: unknown, values?: unknown) => {
      const c = config as { text?: string; values?: unknown[] };
      if (typeof c === 'object' && c?.text?.includes('FROM quote q')) sent.push({ text: c.text, values: (values as unknown[] | undefined) ?? c.values ?? [] });
      return query(config as string, values as unknown[]);
    }) as typeof pool.query;
    try {
      const searches: [Parameters<QuoteFixture['call']>[0], string][] = [
        ['ada', '/quotes'], ['ada', '/quotes?state=approved'], ['ada', '/quotes?accountId=acct-3'], ['rita', '/quotes'],
        ['sam', '/quotes?state=submitted'], ['cora', '/quotes'], ['fiona', '/quotes?validUntilFrom=2020-01-01&limit=50'],
      ];
      for (const [who, url] of searches) expect((await f.call(who, 'GET', url)).status, `${who} ${url}`).toBe(200);
    } finally {
      pool.query = query as typeof pool.query;
    }
    expect(sent.length).toBeGreaterThanOrEqual(14); // a page and a count per search

    const seqScans = async (client: pg.Client | pg.PoolClient, tables = ['quote', 'quote_revision']) => {
      const found: string[] = [];
      for (const q of sent) {
        const { rows } = await client.query(`EXPLAIN (FORMAT JSON) ${q.text}`, q.values);
        const walk = (node: Record<string, unknown>) => {
          if (node['Node Type'] === 'Seq Scan' && tables.includes(node['Relation Name'] as string)) found.push(`${node['Relation Name']} in: ${q.text.replace(/\s+/g, ' ').slice(0, 160)}`);
          for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
        };
        walk((rows[0]['QUERY PLAN'] as { Plan: Record<string, unknown> }[])[0]!.Plan);
      }
      return found;
    };
    expect(await seqScans(sql)).toEqual([]);
    // The same queries for a large tenant (300 of the 30,000 quotes, 1 %), its rep, team and
    // account: quote is still reached by an index. (quote_revision is then hash-joined by a full
    // scan: the planner's cost-based choice at 1 % of 30,000 rows, not a missing index; it
    // switches to the primary key as the tenant's share falls. Noted in docs/prr/drills.md.)
    const large: Record<string, string> = { [f.tenant]: 'seed-7', rita: 'rep-3', sam: 'rep-4', north: 'team-2', 'acct-1': 'acct-3' };
    for (const q of sent) q.values = q.values.map((v) => (typeof v === 'string' && v in large ? large[v] : v));
    expect(await seqScans(sql, ['quote'])).toEqual([]);

    // The guard works: without the account index (a migration that dropped it by mistake), the
    // customer's search reads the whole table. Rolled back: nothing is really dropped.
    await sql.query('BEGIN');
    try {
      await sql.query('DROP INDEX ix_quote_tenant_account; DROP INDEX ix_quote_tenant_owner');
      expect((await seqScans(sql, ['quote'])).length).toBeGreaterThan(0);
    } finally {
      await sql.query('ROLLBACK');
    }
  });
});
