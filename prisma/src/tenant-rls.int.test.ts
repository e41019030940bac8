import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../test/env';
import { createPrismaClient, NO_TENANT, runAcrossTenants, runInTenantScope, TENANT_ROLE, type PrismaClient } from './index';
import { loginRoleReady, prepareLoginRole } from './login-role';
import { createTestDatabase, type TestDatabase } from './test-database';

// ADR 0023 and its addendum: row-level security on every tenant-owned table. The tables come from
// the migrated database itself, not from a list: a table with a tenant_id column is tenant-owned
// and must be under the policy; every other table must be named here as the platform's, with its
// reason. A new table in neither state fails the first test.
const PLATFORM_TABLES: Record<string, string> = {
  _migration_ledger: 'the migrator\'s record of applied migrations',
  order_state_transition: 'reference rows, the same for every tenant, immutable',
  order_step_transition: 'reference rows, the same for every tenant, immutable',
  inbox_message: 'the Kafka consumers\' deduplication, background roles only, keyed by consumer and event id',
  consumer_position: 'the Kafka consumers\' positions, background roles only',
  consumer_failure: 'the Kafka consumers\' failed events, background roles only',
  projection_state: 'which generation of each read model is live, the projector\'s',
};
/** The tenant registry: its own policy on its id (a tenant sees its own row). */
const REGISTRY = 'tenant';
const A = 'rls-a';
const B = 'rls-b';

type Column = { name: string; type: string; udt: string; length: number | null };

describe('row-level security on every tenant table, generated from the schema (real PostgreSQL)', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let tenantTables: string[];
  let allTables: string[];

  beforeAll(async () => {
    db = await createTestDatabase(testEnv.postgresUrl, 'tenant_rls');
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    allTables = (await pool.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).rows.map((r) => r.t);
    tenantTables = (await pool.query<{ t: string }>(
      `SELECT c.table_name AS t FROM information_schema.columns c JOIN pg_tables p ON p.tablename = c.table_name AND p.schemaname = c.table_schema
        WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id' ORDER BY 1`,
    )).rows.map((r) => r.t);
  }, 120_000);
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('every table is either tenant-owned, under the policy (enabled and forced), or named as the platform\'s', async () => {
    expect(tenantTables.length).toBeGreaterThan(20);
    const { rows } = await pool.query<{ t: string; on: boolean; forced: boolean; policies: string[] }>(
      `SELECT c.relname AS t, c.relrowsecurity AS on, c.relforcerowsecurity AS forced,
              coalesce(array_agg(p.polname::text) FILTER (WHERE p.polname IS NOT NULL), '{}') AS policies
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_policy p ON p.polrelid = c.oid
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') GROUP BY 1, 2, 3`,
    );
    const state = new Map(rows.map((r) => [r.t, r]));
    const unclassified = allTables.filter((t) => !tenantTables.includes(t) && !(t in PLATFORM_TABLES) && t !== REGISTRY);
    expect(unclassified, 'tables with no tenant_id that are not named as the platform\'s').toEqual([]);
    const uncovered = tenantTables.filter((t) => {
      const s = state.get(t);
      return !(s?.on && s.forced && s.policies.includes('tenant_isolation'));
    });
    expect(uncovered, 'tenant tables without the forced tenant_isolation policy (SELECT cpq_enable_tenant_rls(...) in their migration)').toEqual([]);
    expect(state.get(REGISTRY)).toMatchObject({ on: true, forced: true, policies: ['tenant_self'] });
    for (const t of Object.keys(PLATFORM_TABLES)) expect(state.get(t)?.policies, t).toEqual([]);
  });

  it('on every tenant table, another tenant\'s scope sees, changes and deletes none of a tenant\'s rows, with no WHERE clause', async () => {
    const client = await pool.connect();
    try {
      for (const table of tenantTables) {
        await client.query('BEGIN');
        try {
          await insertSyntheticRows(client, table);
          await client.query(`SET LOCAL ROLE ${TENANT_ROLE}; SELECT set_config('app.tenant_id', '${B}', true)`);
          // Reads: B's own row only, whatever the statement asks for.
          const seen = await client.query(`SELECT tenant_id FROM ${table}`);
          expect(seen.rows, table).toEqual([{ tenant_id: B }]);
          expect((await client.query(`SELECT 1 FROM ${table} WHERE tenant_id = $1`, [A])).rowCount, table).toBe(0);
          // Writes without a WHERE clause reach B's row only; moving a row to A is refused.
          expect((await client.query(`UPDATE ${table} SET tenant_id = tenant_id`)).rowCount, table).toBe(1);
          await client.query('SAVEPOINT move');
          await expect(client.query(`UPDATE ${table} SET tenant_id = $1`, [A]), table).rejects.toMatchObject({ code: '42501' });
          await client.query('ROLLBACK TO SAVEPOINT move');
          expect((await client.query(`DELETE FROM ${table}`)).rowCount, table).toBe(1);
          // Back as the login role (the relay's, the projector's): A's row is untouched.
          await client.query('RESET ROLE');
          const left = await client.query(`SELECT tenant_id FROM ${table}`);
          expect(left.rows, table).toEqual([{ tenant_id: A }]);
        } finally {
          await client.query('ROLLBACK');
        }
      }
    } finally {
      client.release();
    }
  });

  it('the tenant registry shows a tenant its own row only; no tenant at all sees no row of any table', async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`INSERT INTO tenant (id, name) VALUES ($1, 'A'), ($2, 'B')`, [A, B]);
      await client.query(`SET LOCAL ROLE ${TENANT_ROLE}; SELECT set_config('app.tenant_id', '${B}', true)`);
      expect((await client.query('SELECT id FROM tenant')).rows).toEqual([{ id: B }]);
      await client.query(`SELECT set_config('app.tenant_id', '', true)`);
      for (const table of [...tenantTables, REGISTRY]) expect((await client.query(`SELECT 1 FROM ${table} LIMIT 1`)).rowCount, table).toBe(0);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('a table created later with a tenant_id is under the policy as it is made, e.g. a read model rebuilt with LIKE', async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('CREATE TABLE quote_read_model_next (LIKE quote_read_model INCLUDING ALL)');
      await client.query('CREATE TABLE rls_probe (id int PRIMARY KEY)');
      await client.query('ALTER TABLE rls_probe ADD COLUMN tenant_id varchar(64)');
      const { rows } = await client.query(
        `SELECT c.relname AS t, c.relrowsecurity AND c.relforcerowsecurity AS forced, (SELECT count(*)::int FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = 'tenant_isolation') AS policies
           FROM pg_class c WHERE c.relname IN ('quote_read_model_next', 'rls_probe') ORDER BY 1`,
      );
      expect(rows).toEqual([{ t: 'quote_read_model_next', forced: true, policies: 1 }, { t: 'rls_probe', forced: true, policies: 1 }]);
      // The function stays idempotent for the migrations and rebuilds that call it explicitly.
      await client.query(`SELECT cpq_enable_tenant_rls('rls_probe')`);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  describe('the pool switches each connection it hands out to the caller\'s scope', () => {
    let prisma: PrismaClient;
    beforeAll(async () => {
      // One connection: every scope below reuses the connection the one before it left.
      prisma = createPrismaClient(db.url, { max: 1 });
      // The test template seeds three accounts for each new tenant.
      await prisma.$executeRaw`INSERT INTO tenant (id, name) VALUES (${A}, 'A'), (${B}, 'B')`;
    });
    afterAll(async () => {
      await prisma?.$disconnect();
    });
    const accountTenants = (client: PrismaClient | Parameters<Parameters<PrismaClient['$transaction']>[0]>[0]) =>
      client.account.findMany({ select: { tenantId: true } }).then((rows) => [...new Set(rows.map((r) => r.tenantId))].sort());

    it('Prisma queries, Prisma transactions and raw queries on the pool see their tenant only; no scope sees every tenant', async () => {
      expect(await accountTenants(prisma)).toEqual([A, B]);
      await runInTenantScope(A, async () => {
        expect(await accountTenants(prisma)).toEqual([A]);
        expect(await prisma.$transaction((tx) => accountTenants(tx))).toEqual([A]);
        const raw = await prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM account`;
        expect(raw[0]!.n).toBe(3);
        // The explicit bypass, for platform work started inside a scope.
        expect(await runAcrossTenants(() => accountTenants(prisma))).toEqual([A, B]);
      });
      expect(await runInTenantScope(NO_TENANT, () => accountTenants(prisma))).toEqual([]);
      // The connection that served A is the login role again for work outside any scope.
      const who = await prisma.$queryRaw<{ u: string; t: string }[]>`SELECT current_user AS u, current_setting('app.tenant_id', true) AS t`;
      expect(who[0]).toMatchObject({ t: '' });
      expect(who[0]!.u).not.toBe(TENANT_ROLE);
      expect(await accountTenants(prisma)).toEqual([A, B]);
    });

    it('a production login role (no superuser) fails closed until it bypasses RLS and may switch to cpq_tenant, which prepareLoginRole grants', async () => {
      const role = `rls_login_${process.pid}`;
      await pool.query(`CREATE ROLE ${role} LOGIN NOSUPERUSER; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`);
      const url = new URL(db.url);
      url.username = role;
      const app = createPrismaClient(url.toString(), { max: 1 });
      try {
        // Not ready: the background roles would see no tenant's rows, the requests could not switch.
        expect(await accountTenants(app)).toEqual([]);
        await expect(runInTenantScope(A, () => accountTenants(app))).rejects.toThrow(/permission denied to set role/);
        const { before, after } = await prepareLoginRole(url.toString(), db.url);
        expect(loginRoleReady(before)).toBe(false);
        expect(after).toMatchObject({ role, superuser: false, bypassesRls: true, mayBecomeTenant: true });
        // New sessions carry the new attributes.
        await app.$disconnect();
        const ready = createPrismaClient(url.toString(), { max: 1 });
        try {
          expect(await accountTenants(ready)).toEqual([A, B]);
          expect(await runInTenantScope(A, () => accountTenants(ready))).toEqual([A]);
        } finally {
          await ready.$disconnect();
        }
        expect((await prepareLoginRole(url.toString())).before).toEqual(after);
      } finally {
        await app.$disconnect().catch(() => {});
        await pool.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
      }
    });

    it('interleaved scopes on a shared connection never see each other\'s rows', async () => {
      const runs = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? A : i % 3 === 1 ? B : undefined));
      const seen = await Promise.all(runs.map((tenant) => (tenant === undefined
        ? accountTenants(prisma)
        : runInTenantScope(tenant, async () => {
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
          return prisma.$transaction((tx) => accountTenants(tx));
        }))));
      expect(seen).toEqual(runs.map((tenant) => (tenant === undefined ? [A, B] : [tenant])));
    });
  });
});

/**
 * One row for tenant A and one for B in `table`, whatever its columns: NOT NULL columns without a
 * default get a value of their type, distinct per row. Inside the caller's transaction, which is
 * rolled back: foreign keys and triggers are off (session_replication_role = replica) and the
 * table's CHECKs are dropped, because this test is about which rows a scope reaches, not about
 * whether they make business sense (prisma/src/database-guards.int.test.ts tries those).
 */
async function insertSyntheticRows(client: pg.PoolClient, table: string): Promise<void> {
  await client.query('SET LOCAL session_replication_role = replica');
  const checks = await client.query<{ name: string }>(`SELECT conname AS name FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'c'`, [table]);
  for (const { name } of checks.rows) await client.query(`ALTER TABLE ${table} DROP CONSTRAINT "${name}"`);
  const { rows: columns } = await client.query<Column>(
    `SELECT column_name AS name, data_type AS type, udt_name AS udt, character_maximum_length AS length FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name = $1 AND (column_name = 'tenant_id' OR (is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO' AND is_generated = 'NEVER'))`,
    [table],
  );
  for (const [index, tenant] of [A, B].entries()) {
    const values = columns.map((column) => (column.name === 'tenant_id' ? client.escapeLiteral(tenant) : valueOf(column, index + 1)));
    await client.query(`INSERT INTO ${table} (${columns.map((c) => `"${c.name}"`).join(', ')}) VALUES (${values.join(', ')})`);
  }
}

function valueOf(column: Column, n: number): string {
  switch (column.type) {
    case 'character varying': case 'text': case 'character':
      return `'${String(n).repeat(column.length ?? 8).slice(0, column.length ?? 8)}'`;
    case 'uuid': return 'gen_random_uuid()';
    case 'smallint': case 'integer': case 'bigint': case 'numeric': case 'real': case 'double precision': return String(n);
    case 'boolean': return n === 1 ? 'true' : 'false';
    case 'json': case 'jsonb': return `'{"n": ${n}}'`;
    case 'bytea': return `'\\x0${n}'`;
    case 'date': return `current_date + ${n}`;
    case 'ARRAY': return `'{}'`;
    case 'USER-DEFINED': return `(SELECT enumlabel FROM pg_enum WHERE enumtypid = '${column.udt}'::regtype ORDER BY enumsortorder LIMIT 1)::${column.udt}`;
    default:
      if (column.type.startsWith('timestamp')) return `now() + interval '${n} seconds'`;
      throw new Error(`no synthetic value for a column of type ${column.type} (${column.name}): add one`);
  }
}
