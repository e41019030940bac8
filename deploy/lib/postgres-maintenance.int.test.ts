import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../test/env';

// `npm run platform` turns autovacuum on where the server was set up with it off (a CI image is):
// without it Camunda's runtime tables fill with dead rows and new tables are planned as empty
// (docs/benchmarks.md). Run against the real server; the setting is restored afterwards.
describe('the platform\'s PostgreSQL runs autovacuum', () => {
  const admin = new pg.Pool({ connectionString: testEnv.postgresUrl, max: 1 });
  const url = new URL(testEnv.postgresUrl);
  let before: { value: string } | undefined;

  const show = async () => (await admin.query<{ autovacuum: string }>('SHOW autovacuum')).rows[0]!.autovacuum;
  const setSystem = async (sql: string) => {
    await admin.query(sql);
    await admin.query('SELECT pg_reload_conf()');
    // The reload reaches this pool's connection at its next statement after the signal is handled.
    for (let i = 0; i < 40; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const wanted = /RESET/.test(sql) ? undefined : /= (on|off)/.exec(sql)?.[1];
      if (wanted === undefined || (await show()) === wanted) return;
    }
  };
  const maintain = (env: Record<string, string> = {}) => execFileSync('bash', ['-c', 'source deploy/lib/postgres-maintenance.sh && postgres_autovacuum'], {
    encoding: 'utf8', env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', POSTGRES_PORT: url.port || '5432', ...env },
  });

  beforeAll(async () => {
    // What ALTER SYSTEM held before this test (postgresql.auto.conf), to put it back.
    before = (await admin.query<{ value: string }>("SELECT setting AS value FROM pg_file_settings WHERE name = 'autovacuum' AND sourcefile LIKE '%postgresql.auto.conf' AND applied")).rows[0];
    await setSystem('ALTER SYSTEM SET autovacuum = off');
  });
  afterAll(async () => {
    await setSystem(before ? `ALTER SYSTEM SET autovacuum = ${before.value}` : 'ALTER SYSTEM RESET autovacuum');
    await admin.end();
  });

  it('a server with autovacuum off gets it on, and says so; asked to keep it off, it is left off; on, nothing changes', async () => {
    expect(await show()).toBe('off');
    expect(maintain({ KEEP_AUTOVACUUM_OFF: '1' })).toContain('left off');
    expect(await show()).toBe('off');
    expect(maintain()).toContain('turned on');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await show()).toBe('on');
    expect(maintain()).toContain('autovacuum is on');
  });
});
