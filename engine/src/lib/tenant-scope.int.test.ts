import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQuoteFixture, type QuoteFixture } from '../../test/quote-fixture';
import { TENANT_ROLE, tenantScopeStatement } from './tenant-scope';

// ADR 0023: row-level security as the second line of tenancy. A transaction scoped to a tenant
// sees only that tenant's quote, approval and order rows even with no WHERE clause at all (the
// application's first line missing), cannot write another tenant's rows, and the login role's
// cross-tenant work (relay, projector, reconcilers) still sees every tenant.
const RLS_TABLES = ['quote', 'quote_revision', 'quote_line', 'quote_document', 'price_result', 'approval_requirement', 'approval_decision',
  'customer_order', 'order_line', 'order_step', 'fulfillment_plan', 'fulfillment_callback', 'fallout_case', 'installed_asset'];

describe('row-level security on the tenant tables (real PostgreSQL)', () => {
  let f: QuoteFixture;
  let pool: pg.Pool;
  let quoteId: string;

  beforeAll(async () => {
    f = await createQuoteFixture('tenant_rls');
    // Priced through the API: its commands ran in scoped transactions (quote.command-frame.ts).
    quoteId = await f.pricedQuote('rita');
    pool = new pg.Pool({ connectionString: f.t.db.url, max: 2 });
  }, 120_000);
  afterAll(async () => {
    await pool?.end();
    await f?.close();
  });

  async function scoped<T>(tenantId: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query(`BEGIN; ${tenantScopeStatement(tenantId, (v) => client.escapeLiteral(v))}`);
      return await work(client);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  }
  const count = async (client: pg.PoolClient | pg.Pool, table: string) => Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);

  it('every tenant table has row-level security enabled and forced, with the one policy', async () => {
    const { rows } = await pool.query(`SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = ANY($1) ORDER BY relname`, [RLS_TABLES]);
    expect(rows).toHaveLength(RLS_TABLES.length);
    for (const row of rows) expect(row, row.relname).toMatchObject({ relrowsecurity: true, relforcerowsecurity: true });
    const policies = await pool.query(`SELECT tablename FROM pg_policies WHERE policyname = 'tenant_isolation'`);
    // Every other tenant table too since 20261205130000 (prisma/src/tenant-rls.int.test.ts checks them all, from the schema).
    expect(policies.rows.map((r) => r.tablename)).toEqual(expect.arrayContaining(RLS_TABLES));
  });

  it('a transaction scoped to another tenant sees none of this tenant\'s rows, with no WHERE clause at all', async () => {
    await scoped(f.otherTenant, async (client) => {
      expect((await client.query('SELECT current_user AS u')).rows[0].u).toBe(TENANT_ROLE);
      for (const table of ['quote', 'quote_revision', 'quote_line', 'price_result']) expect(await count(client, table), table).toBe(0);
      // Not by id either, and an update finds nothing to change.
      expect((await client.query('SELECT id FROM quote WHERE id = $1', [quoteId])).rowCount).toBe(0);
      expect((await client.query(`UPDATE quote SET customer_name = 'stolen' WHERE id = $1`, [quoteId])).rowCount).toBe(0);
    });
  });

  it('the right tenant sees its rows, and cannot move one to another tenant (WITH CHECK)', async () => {
    await scoped(f.tenant, async (client) => {
      expect((await client.query('SELECT id FROM quote WHERE id = $1', [quoteId])).rowCount).toBe(1);
      await expect(client.query('UPDATE quote SET tenant_id = $1 WHERE id = $2', [f.otherTenant, quoteId])).rejects.toMatchObject({ code: '42501' });
    });
  });

  it('a transaction scoped to no tenant sees nothing (fails closed)', async () => {
    const client = await pool.connect();
    try {
      await client.query(`BEGIN; SET LOCAL ROLE ${TENANT_ROLE}`);
      expect(await count(client, 'quote')).toBe(0);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('the scope ends with its transaction: the pooled connection is the login role again, which works across tenants', async () => {
    const client = await pool.connect();
    try {
      await client.query(`BEGIN; ${tenantScopeStatement(f.otherTenant, (v) => client.escapeLiteral(v))}`);
      await client.query('COMMIT');
      expect((await client.query('SELECT current_user AS u')).rows[0].u).not.toBe(TENANT_ROLE);
      expect((await client.query(`SELECT current_setting('app.tenant_id', true) AS t`)).rows[0].t ?? '').toBe('');
      expect((await client.query('SELECT id FROM quote WHERE id = $1', [quoteId])).rowCount).toBe(1);
    } finally {
      client.release();
    }
  });
});
