import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../test/env';
import { applyMigrations, ensureDatabase, loadMigrations, LEDGER_TABLE } from './migrate';
import { createTestDatabase, serverUrl, type TestDatabase } from './test-database';
import { mkdtempSync, mkdirSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS_DIR } from './migrate';
import { randomBytes } from 'node:crypto';

describe('migrations', () => {
  const emptyName = `cpq_t_empty_${randomBytes(4).toString('hex')}`;
  const emptyUrl = serverUrl(testEnv.postgresUrl, emptyName);

  afterAll(async () => {
    const admin = new pg.Client({ connectionString: serverUrl(testEnv.postgresUrl, 'postgres') });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${emptyName}" WITH (FORCE)`);
    await admin.end();
  });

  it('apply on an empty database and record every migration in the ledger', async () => {
    expect(await ensureDatabase(emptyUrl)).toBe(true);
    const first = await applyMigrations(emptyUrl);
    expect(first.applied).toEqual(loadMigrations().map((m) => m.name));

    const client = new pg.Client({ connectionString: emptyUrl });
    await client.connect();
    const { rows } = await client.query(`SELECT name FROM ${LEDGER_TABLE} ORDER BY name`);
    await client.end();
    expect(rows.map((r) => r.name)).toEqual(first.applied);
  });

  it('apply again: nothing changes', async () => {
    const again = await applyMigrations(emptyUrl);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied.length).toBe(loadMigrations().length);
  });

  it('refuse a migration edited after it was applied', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    const first = loadMigrations(dir)[0]!;
    writeFileSync(join(dir, first.name, 'migration.sql'), `${first.sql}\n-- edited\n`);
    await expect(applyMigrations(emptyUrl, { dir })).rejects.toThrow(/edited after it was applied/);
  });

  it('roll back a failing migration whole: no ledger row, no partial table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    mkdirSync(join(dir, '29991231000000_broken'));
    writeFileSync(
      join(dir, '29991231000000_broken', 'migration.sql'),
      'CREATE TABLE half_written (id int); SELECT no_such_function();',
    );
    await expect(applyMigrations(emptyUrl, { dir })).rejects.toThrow(/29991231000000_broken failed/);
    const client = new pg.Client({ connectionString: emptyUrl });
    await client.connect();
    const table = await client.query(`SELECT to_regclass('half_written') AS t`);
    const ledger = await client.query(`SELECT 1 FROM ${LEDGER_TABLE} WHERE name = '29991231000000_broken'`);
    await client.end();
    expect(table.rows[0].t).toBeNull();
    expect(ledger.rowCount).toBe(0);
  });
});

describe('constraints of the foundation schema', () => {
  let db: TestDatabase;
  let client: pg.Client;
  beforeAll(async () => {
    db = await createTestDatabase(testEnv.postgresUrl, 'constraints');
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await db.drop();
  });

  const insertEvent = (eventId: string) =>
    client.query(
      `INSERT INTO outbox_event (event_id, event_type, event_version, tenant_id, aggregate_type, aggregate_id,
         aggregate_version, occurred_at, correlation_id, actor, payload, topic)
       VALUES ($1, 'TenantCreated', 1, 'demo', 'TENANT', 'demo', 1, now(), 'c-1', '{"type":"USER","id":"u-1"}', '{}', 't')`,
      [eventId],
    );

  it('the unique event id rejects a duplicate outbox event', async () => {
    const id = '0193a0f0-0000-7000-8000-000000000001';
    await insertEvent(id);
    await expect(insertEvent(id)).rejects.toMatchObject({ code: '23505', constraint: 'uq_outbox_event_id' });
  });

  it('an outbox event cannot be rewritten or deleted, only marked published once', async () => {
    const id = '0193a0f0-0000-7000-8000-000000000002';
    await insertEvent(id);
    await expect(client.query(`UPDATE outbox_event SET payload = '{"x":1}' WHERE event_id = $1`, [id])).rejects.toMatchObject({ code: '23001' });
    await expect(client.query(`DELETE FROM outbox_event WHERE event_id = $1`, [id])).rejects.toMatchObject({ code: '23001' });
    await client.query(`UPDATE outbox_event SET published_at = now() WHERE event_id = $1`, [id]);
    await expect(client.query(`UPDATE outbox_event SET published_at = now() + interval '1 s' WHERE event_id = $1`, [id])).rejects.toMatchObject({ code: '23001' });
  });

  it('the inbox holds one row per (consumer, event)', async () => {
    const id = '0193a0f0-0000-7000-8000-000000000003';
    await client.query(`INSERT INTO inbox_message (consumer, event_id, event_type) VALUES ('c', $1, 'X')`, [id]);
    await expect(client.query(`INSERT INTO inbox_message (consumer, event_id, event_type) VALUES ('c', $1, 'X')`, [id])).rejects.toMatchObject({ code: '23505' });
  });

  it('an actor without type and id is refused', async () => {
    await expect(
      client.query(
        `INSERT INTO outbox_event (event_id, event_type, event_version, tenant_id, aggregate_type, aggregate_id,
           aggregate_version, occurred_at, correlation_id, actor, payload, topic)
         VALUES (gen_random_uuid(), 'X', 1, 'demo', 'T', 'a', 1, now(), 'c', '{"id":"u"}', '{}', 't')`,
      ),
    ).rejects.toMatchObject({ code: '23514', constraint: 'ck_outbox_actor_shape' });
  });
});
