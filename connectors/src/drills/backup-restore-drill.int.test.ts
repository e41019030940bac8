import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createPrismaClient, type PrismaClient } from '@cpq/prisma';
import { applyMigrations, loadMigrations } from '@cpq/prisma/migrate';
import { createTestDatabase, serverUrl, type TestDatabase } from '@cpq/prisma/test-database';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/env';
import { createTopics, eventually, testKafka, uniqueName } from '../../../test/kafka-helpers';
import { insertOutboxRow } from '../../../test/outbox-rows';
import { createIdempotentConsumer, type EventHandler } from '../consumer/idempotent-consumer';
import type { KafkaClient, KafkaProducer } from '../kafka/kafka.port';
import { createOutboxRelay } from '../outbox-relay/outbox-relay';

const run = promisify(execFile);
const actor = { type: 'SYSTEM', id: 'drill' } as const;

/** What a restored database must show before it takes traffic (docs/prr/data-recovery.md). */
async function validateRestore(url: string, expected: { counts: Record<string, number>; consumer: string }): Promise<string[]> {
  const problems: string[] = [];
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Every table holds what the source held at the dump (pg_dump reads one snapshot).
    for (const [table, count] of Object.entries(expected.counts)) {
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM "${table}"`);
      if (rows[0].n !== count) problems.push(`${table}: ${rows[0].n} rows, the source had ${count}`);
    }
    // The inbox only names events its outbox published (a consumer cannot have seen an unpublished one).
    const { rows: orphans } = await client.query(`
      SELECT count(*)::int AS n FROM inbox_message i
       WHERE i.consumer = $1 AND NOT EXISTS (SELECT 1 FROM outbox_event o WHERE o.event_id = i.event_id AND o.published_at IS NOT NULL)`, [expected.consumer]);
    if (orphans[0].n > 0) problems.push(`${orphans[0].n} inbox rows name events the outbox has not published`);
    // Each published event this consumer must have seen is in its inbox (what the consumer applied is in the backup).
    const { rows: unseen } = await client.query(`
      SELECT count(*)::int AS n FROM outbox_event o
       WHERE o.published_at IS NOT NULL AND o.topic LIKE 'restore-%'
         AND NOT EXISTS (SELECT 1 FROM inbox_message i WHERE i.consumer = $1 AND i.event_id = o.event_id)`, [expected.consumer]);
    if (unseen[0].n > 0) problems.push(`${unseen[0].n} published events are missing from the consumer's inbox`);
  } finally {
    await client.end();
  }
  // The schema is the one the code expects: every migration recorded, none left to apply.
  const migrations = await applyMigrations(url).catch((error: Error) => ({ applied: [`refused: ${error.message}`], alreadyApplied: [] }));
  if (migrations.applied.length > 0) problems.push(`migrations not in the backup: ${migrations.applied.join(', ')}`);
  return problems;
}

/*
 * Seed section 13, "backup restore validation", and the PRR's data recovery drill: pg_dump of a
 * live database with an outbox, published and pending events and a consumer's inbox; the source
 * goes on (publishes, consumes) and is then lost; the dump is restored into a new database,
 * validated, and brought back: its relay republishes what the backup still had pending (Kafka
 * receives those twice), the consumer's offsets are reset to before the backup, and its inbox
 * makes every event count once. Real PostgreSQL (pg_dump/pg_restore 15), real Kafka.
 */
describe('PostgreSQL drill: backup, restore into a new database, validate, resume', () => {
  let source: TestDatabase;
  let prisma: PrismaClient;
  let restoredName: string;
  let restored: PrismaClient | undefined;
  let kafka: KafkaClient;
  let producer: KafkaProducer;
  const dir = mkdtempSync(join(tmpdir(), 'cpq-backup-'));
  const topic = uniqueName('restore');
  const consumerName = uniqueName('restore-consumer');
  const admin = () => new pg.Client({ connectionString: serverUrl(testEnv.postgresUrl, 'postgres') });

  beforeAll(async () => {
    source = await createTestDatabase(testEnv.postgresUrl, 'backup_src');
    prisma = createPrismaClient(source.url);
    kafka = await testKafka();
    producer = await kafka.producer();
    await createTopics(kafka, [topic], 1);
    restoredName = `cpq_t_restored_p${process.pid}_${randomBytes(4).toString('hex')}`;
  }, 120_000);
  afterAll(async () => {
    await restored?.$disconnect();
    await producer?.close();
    await prisma?.$disconnect();
    const client = admin();
    await client.connect();
    for (const name of [restoredName, `${restoredName}_partial`]) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => {});
    await client.end();
    await source?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  // The consumer's business effect, in its own database: one row per application.
  const recordEffect: EventHandler = async (event, tx) => {
    await tx.$executeRaw`INSERT INTO drill_effect (event_id) VALUES (${event.eventId}::uuid)`;
  };
  const effects = async (db: PrismaClient) => (await db.$queryRaw<{ n: number; distinct: number }[]>`
    SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS distinct FROM drill_effect`)[0]!;
  const write = async (versions: number[]) => prisma.$transaction(async (tx) => {
    for (const version of versions) {
      for (const aggregateId of ['a1', 'a2', 'a3', 'a4', 'a5']) {
        await insertOutboxRow(tx, { eventType: 'ThingHappened', tenantId: 'demo', aggregateType: 'THING', aggregateId, aggregateVersion: version, correlationId: 'drill', causationId: 'drill', actor, payload: { version }, topic });
      }
    }
  });
  const publishAll = async (db: PrismaClient) => {
    const relay = createOutboxRelay({ prisma: db, producer, batchSize: 100 });
    let published = 0;
    for (let n = await relay.publishBatch(); n > 0; n = await relay.publishBatch()) published += n;
    return published;
  };
  const consumeUntil = async (db: PrismaClient, applied: number) => {
    const consumer = createIdempotentConsumer({ name: consumerName, topics: [topic], prisma: db, kafka, handler: recordEffect, fromBeginning: true });
    const running = consumer.run();
    try {
      await eventually(async () => (await db.inboxMessage.count({ where: { consumer: consumerName } })) >= applied, 60_000, 200);
      // Let duplicates still in flight reach the inbox too before stopping.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
    } finally {
      await consumer.stop();
      await running;
    }
  };
  const counts = async (url: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`);
    const result: Record<string, number> = {};
    for (const { tablename } of rows) result[tablename] = (await client.query(`SELECT count(*)::int AS n FROM "${tablename}"`)).rows[0].n;
    await client.end();
    return result;
  };
  const restore = async (dump: string, name: string) => {
    const client = admin();
    await client.connect();
    await client.query(`CREATE DATABASE "${name}"`);
    await client.end();
    const url = serverUrl(testEnv.postgresUrl, name);
    const started = performance.now();
    await run('pg_restore', ['--no-owner', '--exit-on-error', `--dbname=${url}`, dump]);
    return { url, ms: Math.round(performance.now() - started) };
  };

  it('drill: backup restore validation: a dump restored into a new database validates (counts, outbox, inbox, migrations), its relay republishes only what was pending, and the inbox makes every event count once', async () => {
    await prisma.$executeRawUnsafe('CREATE TABLE drill_effect (event_id uuid NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    // Before the backup: ten events published and applied.
    await write([1, 2]);
    expect(await publishAll(prisma)).toBe(10);
    await consumeUntil(prisma, 10);
    // Ten more committed, not yet published, when the backup runs.
    await write([3, 4]);
    const atBackup = await counts(source.url);
    const dump = join(dir, 'source.dump');
    const started = performance.now();
    await run('pg_dump', ['--format=custom', `--file=${dump}`, `--dbname=${source.url}`]);
    const dumpMs = Math.round(performance.now() - started);

    // The source goes on after the backup (publishes and applies the ten), then is lost.
    expect(await publishAll(prisma)).toBe(10);
    await consumeUntil(prisma, 20);
    expect(await effects(prisma)).toEqual({ n: 20, distinct: 20 });

    // Restore into a new database and validate it before anything runs against it.
    const { url, ms: restoreMs } = await restore(dump, restoredName);
    expect(await validateRestore(url, { counts: atBackup, consumer: consumerName })).toEqual([]);
    restored = createPrismaClient(url);
    expect(await restored.outboxEvent.count({ where: { topic, publishedAt: null } })).toBe(10);
    expect(await effects(restored)).toEqual({ n: 10, distinct: 10 });

    // Resume: the relay publishes what the backup had pending; Kafka already had them (sent after the backup).
    expect(await publishAll(restored)).toBe(10);
    const kafkaAdmin = await kafka.admin();
    const ranges = await kafkaAdmin.topicOffsets([topic]);
    await kafkaAdmin.close();
    expect(ranges.reduce((sum, p) => sum + Number(p.end - p.start), 0)).toBe(30);
    // The runbook: reset the consumer group to before the backup, so what the lost database
    // applied after it is applied again here; the inbox drops what the backup already holds.
    const raw = new Kafka({ brokers: testEnv.kafkaBrokers, clientId: uniqueName('drill-admin'), logLevel: logLevel.NOTHING }).admin();
    await raw.connect();
    await raw.resetOffsets({ groupId: consumerName, topic, earliest: true });
    await raw.disconnect();
    await consumeUntil(restored, 20);
    expect(await effects(restored)).toEqual({ n: 20, distinct: 20 });
    expect(await restored.inboxMessage.count({ where: { consumer: consumerName } })).toBe(20);

    const size = statSync(dump).size;
    console.log(`[data recovery drill] ${JSON.stringify({ tables: Object.keys(atBackup).length, rows: Object.values(atBackup).reduce((a, b) => a + b, 0), migrations: loadMigrations().length, dumpBytes: size, dumpMs, restoreMs })}`);
  }, 240_000);

  it('drill: backup restore validation fails on a dump without the inbox data: the validation names what is missing', async () => {
    const dump = join(dir, 'partial.dump');
    await run('pg_dump', ['--format=custom', `--file=${dump}`, '--exclude-table-data=inbox_message', `--dbname=${source.url}`]);
    const expected = await counts(source.url);
    const { url } = await restore(dump, `${restoredName}_partial`);
    const problems = await validateRestore(url, { counts: expected, consumer: consumerName });
    expect(problems).toContain(`inbox_message: 0 rows, the source had ${expected.inbox_message}`);
    expect(problems.some((p) => /published events are missing from the consumer's inbox/.test(p))).toBe(true);
  }, 120_000);
});
