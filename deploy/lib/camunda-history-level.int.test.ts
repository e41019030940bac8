import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../test/env';

// deploy/lib/jvm-services.sh starts Camunda with the history level its database already holds
// (Camunda refuses to start when the configured level differs from the stored one), `audit` for a
// new database, and CAMUNDA_HISTORY_LEVEL when it is set. Run against real PostgreSQL databases
// that hold Camunda's property row as Camunda writes it.
describe('the history level Camunda is started with', () => {
  const admin = new pg.Pool({ connectionString: testEnv.postgresUrl, max: 1 });
  const run = `hist_${process.pid}_${Date.now().toString(36)}`;
  const databases = { full: `${run}_full`, activity: `${run}_activity`, empty: `${run}_empty` };
  const url = new URL(testEnv.postgresUrl);

  beforeAll(async () => {
    for (const [level, name] of Object.entries(databases)) {
      await admin.query(`CREATE DATABASE "${name}"`);
      if (level === 'empty') continue;
      const db = new pg.Client({ connectionString: Object.assign(new URL(testEnv.postgresUrl), { pathname: `/${name}` }).href });
      await db.connect();
      // Camunda's own table and row (engine's create script: ACT_GE_PROPERTY, historyLevel as its number).
      await db.query('CREATE TABLE act_ge_property (name_ varchar(64) PRIMARY KEY, value_ varchar(300), rev_ integer)');
      await db.query("INSERT INTO act_ge_property VALUES ('historyLevel', $1, 1)", [level === 'full' ? '3' : '1']);
      await db.end();
    }
  });
  afterAll(async () => {
    for (const name of Object.values(databases)) await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
    await admin.end();
  });

  const levelFor = (env: Record<string, string>) => execFileSync('bash', ['-c', 'source deploy/lib/jvm-services.sh && _camunda_history_level'], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp',
      CAMUNDA_DB_HOST: url.hostname, CAMUNDA_DB_PORT: url.port || '5432', CAMUNDA_DB_USER: decodeURIComponent(url.username) || 'postgres',
      ...env,
    },
  });

  it('keeps the level a database holds: full stays full, activity stays activity', () => {
    expect(levelFor({ CAMUNDA_DB_NAME: databases.full })).toBe('full');
    expect(levelFor({ CAMUNDA_DB_NAME: databases.activity })).toBe('activity');
  });

  it('audit for a database Camunda has not set up yet, and for one that does not exist', () => {
    expect(levelFor({ CAMUNDA_DB_NAME: databases.empty })).toBe('audit');
    expect(levelFor({ CAMUNDA_DB_NAME: `${run}_missing` })).toBe('audit');
  });

  it('CAMUNDA_HISTORY_LEVEL wins over the stored level', () => {
    expect(levelFor({ CAMUNDA_DB_NAME: databases.full, CAMUNDA_HISTORY_LEVEL: 'activity' })).toBe('activity');
  });
});
