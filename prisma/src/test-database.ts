import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { applyMigrations, migrationsDigest } from './migrate';

/**
 * Isolated databases for tests: one template database is migrated once per migration set,
 * and every test file clones its own database from it (`CREATE DATABASE ... TEMPLATE`),
 * which is far faster than migrating each time and keeps files independent.
 */
const TEMPLATE_PREFIX = 'cpq_tpl_';
const TEST_PREFIX = 'cpq_t_';

export function serverUrl(baseUrl: string, database: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin<T>(baseUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl(baseUrl, 'postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Test databases carry the pid of the process that made them: `cpq_t_<label>_p<pid>_<random>`. */
function ownerAlive(database: string): boolean {
  const pid = Number(/_p(\d+)_[0-9a-f]+$/.exec(database)?.[1]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Test data every test database has: each tenant a test creates gets the test accounts (a quote
 * must name an active account of its tenant; issue 11). acct-1 and acct-2 are enterprise
 * customers buying direct (the sample catalog sells everything to them), acct-smb a small
 * business through a partner. Tests of the account module itself use other ids.
 */
export const TEST_ACCOUNTS = [
  { id: 'acct-1', name: 'Acme GmbH', segment: 'enterprise', channel: 'direct', currency: 'EUR' },
  { id: 'acct-2', name: 'Beta AG', segment: 'enterprise', channel: 'direct', currency: 'EUR' },
  { id: 'acct-smb', name: 'Corner Shop', segment: 'smb', channel: 'partner', currency: 'EUR' },
] as const;
const TEMPLATE_SEED = `
  CREATE FUNCTION test_seed_accounts() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    INSERT INTO account (tenant_id, id, name, segment, channel, currency, created_by)
    SELECT NEW.id, a.id, a.name, a.segment, a.channel, a.currency, 'test-seed'
      FROM jsonb_to_recordset('${JSON.stringify(TEST_ACCOUNTS)}'::jsonb) AS a(id text, name text, segment text, channel text, currency text)
    ON CONFLICT DO NOTHING;
    RETURN NEW;
  END $$;
  CREATE TRIGGER tg_test_seed_accounts AFTER INSERT ON tenant FOR EACH ROW EXECUTE FUNCTION test_seed_accounts();`;

export function templateName(): string {
  const seed = createHash('sha256').update(TEMPLATE_SEED).digest('hex').slice(0, 6);
  return `${TEMPLATE_PREFIX}${migrationsDigest()}_${seed}`;
}

/**
 * A template of another migration set may belong to a run still going in another working tree
 * (a branch with one more migration): it is kept for this long after it was made, then dropped.
 */
const FOREIGN_TEMPLATE_GRACE_MS = 3 * 60 * 60 * 1000;

/** Builds the template for the current migrations unless it exists; drops stale ones. */
export async function prepareTemplate(baseUrl: string): Promise<string> {
  const name = templateName();
  await withAdmin(baseUrl, async (admin) => {
    const { rows } = await admin.query<{ datname: string; datistemplate: boolean; made: string | null }>(
      `SELECT datname, datistemplate, shobj_description(oid, 'pg_database') AS made
         FROM pg_database WHERE datname LIKE $1 OR datname LIKE $2`,
      [`${TEMPLATE_PREFIX}%`, `${TEST_PREFIX}%`],
    );
    for (const row of rows) {
      const current = row.datname === name && row.datistemplate;
      if (current) continue;
      // A test database of a run still going (another suite on this machine) is not ours to drop.
      if (row.datname.startsWith(TEST_PREFIX) && ownerAlive(row.datname)) continue;
      if (row.datname.startsWith(TEMPLATE_PREFIX) && row.datname !== name && Date.now() - Number(row.made ?? 0) < FOREIGN_TEMPLATE_GRACE_MS) continue;
      // Leftovers of crashed runs and templates of older migration sets.
      await admin.query(`ALTER DATABASE "${row.datname}" IS_TEMPLATE false`).catch(() => {});
      await admin.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
    }
    if (rows.some((row) => row.datname === name && row.datistemplate)) return;
    try {
      await admin.query(`CREATE DATABASE "${name}"`);
    } catch (error) {
      // 42P04: another run on this machine is building the same template; wait for it.
      if ((error as { code?: string }).code !== '42P04') throw error;
      await waitForTemplate(admin, name);
      return;
    }
    await applyMigrations(serverUrl(baseUrl, name));
    await seedTemplate(serverUrl(baseUrl, name));
    await admin.query(`COMMENT ON DATABASE "${name}" IS '${Date.now()}'`);
    await admin.query(`ALTER DATABASE "${name}" IS_TEMPLATE true`);
  });
  return name;
}

async function seedTemplate(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(TEMPLATE_SEED);
  } finally {
    await client.end();
  }
}

async function waitForTemplate(admin: pg.Client, name: string, timeoutMs = 180_000): Promise<void> {
  for (const started = Date.now(); Date.now() - started < timeoutMs; ) {
    const { rows } = await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate`, [name]);
    if (rows.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`template database ${name} was not ready after ${timeoutMs} ms (another run was building it)`);
}

export type TestDatabase = { name: string; url: string; drop: () => Promise<void> };

export async function createTestDatabase(baseUrl: string, label = 'db'): Promise<TestDatabase> {
  const safeLabel = label.toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 24);
  const name = `${TEST_PREFIX}${safeLabel}_p${process.pid}_${randomBytes(4).toString('hex')}`;
  const template = templateName();
  await withAdmin(baseUrl, async (admin) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
        return;
      } catch (error) {
        // 55006: another CREATE ... TEMPLATE holds the template for a moment; wait and retry.
        if ((error as { code?: string }).code !== '55006' || attempt >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  });
  return {
    name,
    url: serverUrl(baseUrl, name),
    drop: () => withAdmin(baseUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).then(() => {})),
  };
}
