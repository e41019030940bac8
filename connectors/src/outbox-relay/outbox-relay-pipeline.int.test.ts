import type { KafkaClient, KafkaProducer, TopicMessages } from '@cpq/connectors/kafka/kafka.port';
import { createPrismaClient, poolOf, type PrismaClient } from '@cpq/prisma';
import { createTestDatabase, type TestDatabase } from '@cpq/prisma/test-database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/env';
import { insertOutboxRow } from '../../../test/outbox-rows';
import { collect, createTopics, eventually, relayTestKafka, testKafka, uniqueName } from '../../../test/kafka-helpers';
import { createOutboxRelay } from './outbox-relay';

const actor = { type: 'SYSTEM', id: 'test' } as const;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The relay's pipelined loop (the next round claimed while one is with the broker, its mark and
 * commit in one round trip) on the real PostgreSQL and Kafka: what it overlaps, and that order
 * and at-least-once hold when a send fails or the connection is lost between send and mark.
 */
describe('outbox relay, pipelined rounds (real PostgreSQL and Kafka)', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  let kafka: KafkaClient;
  let producer: KafkaProducer;

  beforeAll(async () => {
    db = await createTestDatabase(testEnv.postgresUrl, 'relay_pipeline');
    prisma = createPrismaClient(db.url, { max: 6 });
    kafka = await testKafka();
    // The relay publishes with its role's default client; the test reads with the test client.
    producer = await (await relayTestKafka()).producer();
  });
  afterAll(async () => {
    await producer?.close();
    await prisma?.$disconnect();
    await db?.drop();
  });

  /** `aggregates` aggregates x `versions` versions, one transaction per version round (interleaved, as real traffic). */
  async function writeEvents(topic: string, aggregates: number, versions: number) {
    for (let version = 1; version <= versions; version++) {
      await prisma.$transaction(async (tx) => {
        for (let a = 1; a <= aggregates; a++) {
          await insertOutboxRow(tx, {
            eventType: 'ThingHappened', tenantId: 'demo', aggregateType: 'THING', aggregateId: `k${a}`,
            aggregateVersion: version, correlationId: 'corr-test', causationId: 'cmd-test', actor, payload: { version }, topic,
          });
        }
      }, { timeout: 30_000, maxWait: 30_000 }); // forty inserts: more than the default 5 s on a busy machine
    }
  }

  /** Per aggregate, the versions in the order they first arrived (a message seen again is a redelivery). */
  function firstArrivals(received: { key: string | null; value: string | null; headers: Record<string, string> }[]) {
    const seen = new Set<string>();
    const versions = new Map<string, number[]>();
    for (const m of received) {
      if (seen.has(m.headers['event-id']!)) continue;
      seen.add(m.headers['event-id']!);
      versions.set(m.key!, [...(versions.get(m.key!) ?? []), JSON.parse(m.value!).aggregateVersion as number]);
    }
    return versions;
  }

  /** The real producer, each send delayed by `delayMs` first (a slow broker: rounds overlap), with hooks. */
  function slowProducer(delayMs: number, hooks: { before?: (call: number, batches: TopicMessages[]) => Promise<void>; after?: (call: number) => Promise<void> } = {}) {
    let calls = 0;
    const sendBatch = async (batches: TopicMessages[]) => {
      const call = ++calls;
      await hooks.before?.(call, batches);
      await sleep(delayMs);
      await producer.sendBatch!(batches);
      await hooks.after?.(call);
    };
    const slow: KafkaProducer = { send: (topic, messages) => sendBatch([{ topic, messages }]), sendBatch, close: async () => {} };
    return slow;
  }

  /**
   * Rounds open now: transactions that claimed rows and wait (for the broker) before their mark.
   * Read from pg_stat_activity, which takes no lock (a FOR UPDATE probe would make the relay's
   * SKIP LOCKED claim skip the rows it looks at).
   */
  async function openRounds(): Promise<number> {
    const { rows } = await poolOf(prisma).query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity
        WHERE datname = current_database() AND state = 'idle in transaction' AND query LIKE '%WITH claimed AS%'`,
    );
    return Number(rows[0]!.n);
  }

  it('claims the next round while one is with the broker, and every event arrives once, in per-aggregate order', async () => {
    const topic = uniqueName('relay-pipe');
    await createTopics(kafka, [topic]);
    await writeEvents(topic, 40, 3);
    let mostRounds = 0;
    const slow = slowProducer(300, {
      before: async (call) => {
        if (call > 4) return;
        // While this round is with the broker: how many rounds are claimed at once (two: pipelined).
        for (let i = 0; i < 10; i++) {
          mostRounds = Math.max(mostRounds, await openRounds());
          await sleep(20);
        }
      },
    });
    const relay = createOutboxRelay({ prisma, producer: slow, batchSize: 10, pollIntervalMs: 20 });
    relay.start();
    await eventually(async () => (await prisma.outboxEvent.count({ where: { topic, publishedAt: null } })) === 0, 30_000);
    await relay.stop();

    expect(mostRounds).toBe(2);
    const received = await collect(kafka, topic, (m) => m.length >= 120);
    await sleep(500);
    const ids = received.map((m) => m.headers['event-id']);
    expect(ids).toHaveLength(120);
    expect(new Set(ids).size).toBe(120);
    const versions = firstArrivals(received);
    expect(versions.size).toBe(40);
    for (const [, v] of versions) expect(v).toEqual([1, 2, 3]);
  });

  it('a send that fails while the next round is claimed: that round goes back unsent, the failed one is retried, nothing lost or reordered', async () => {
    const topic = uniqueName('relay-pipe-fail');
    await createTopics(kafka, [topic]);
    await writeEvents(topic, 40, 3);
    let failedIds: string[] = [];
    const slow = slowProducer(100, {
      before: async (call, batches) => {
        if (call !== 2) return;
        // The next round is claimed by now (it waited only for the first round's commit).
        await eventually(async () => (await openRounds()) === 2, 5_000, 10);
        failedIds = batches.flatMap((b) => b.messages.map((m) => m.headers!['event-id']!));
        throw new Error('broker went away');
      },
    });
    const relay = createOutboxRelay({ prisma, producer: slow, batchSize: 10, pollIntervalMs: 10, maxBackoffMs: 50 });
    relay.start();
    await eventually(async () => (await prisma.outboxEvent.count({ where: { topic, publishedAt: null } })) === 0, 30_000);
    await relay.stop();

    expect(failedIds).toHaveLength(10);
    const failedRows = await prisma.outboxEvent.findMany({ where: { topic, eventId: { in: failedIds } } });
    // Counted once for the failed send and once for the one that went out.
    expect(failedRows.map((r) => r.publishAttempts)).toEqual(Array(10).fill(2));
    const received = await collect(kafka, topic, (m) => new Set(m.map((e) => e.headers['event-id'])).size >= 120);
    await sleep(500);
    expect(new Set(received.map((m) => m.headers['event-id'])).size).toBe(120);
    const versions = firstArrivals(received);
    expect(versions.size).toBe(40);
    for (const [, v] of versions) expect(v).toEqual([1, 2, 3]);
  });

  it('a failed send is recorded in its own round before the rows are released: a claim that takes them at once does not make the attempt wait and get lost', async () => {
    const topic = uniqueName('relay-pipe-record');
    await createTopics(kafka, [topic]);
    await writeEvents(topic, 5, 1);
    // Another transaction asks for the round's rows while the send fails: it gets them the moment
    // the round lets go, and keeps them longer than the relay's lock timeout (3 s).
    const other = await poolOf(prisma).connect();
    let taken: Promise<unknown> | undefined;
    const failing = slowProducer(0, {
      before: async (_call, batches) => {
        const positions = (await prisma.outboxEvent.findMany({ where: { topic }, select: { position: true } })).map((r) => r.position.toString());
        expect(positions).toHaveLength(batches.flatMap((b) => b.messages).length);
        await other.query('BEGIN');
        taken = other.query('SELECT position FROM outbox_event WHERE position = ANY($1::bigint[]) FOR UPDATE', [positions]);
        await eventually(async () => {
          const { rows } = await poolOf(prisma).query<{ n: string }>(
            `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
          return Number(rows[0]!.n) === 1;
        }, 5_000, 10);
        throw new Error('broker went away');
      },
    });
    const relay = createOutboxRelay({ prisma, producer: failing, batchSize: 10 });
    try {
      await expect(relay.publishBatch()).rejects.toThrow('broker went away');
      await taken;
    } finally {
      await other.query('COMMIT').catch(() => {});
      other.release();
    }
    const rows = await prisma.outboxEvent.findMany({ where: { topic } });
    expect(rows).toHaveLength(5);
    for (const row of rows) {
      expect(row.publishedAt).toBeNull();
      expect(row.publishAttempts).toBe(1);
      expect(row.lastError).toBe('broker went away');
    }
  });

  it('the connection is lost between the broker\'s acknowledgement and the mark: the events stay unpublished and go out again (at least once), in order', async () => {
    const topic = uniqueName('relay-pipe-crash');
    await createTopics(kafka, [topic]);
    await writeEvents(topic, 20, 2);
    let cut = 0;
    const slow = slowProducer(50, {
      after: async (call) => {
        if (call !== 1) return;
        // The round's transaction (and the next round's, if claimed) is killed after the send.
        const { rows } = await poolOf(prisma).query<{ n: string }>(
          `SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity
            WHERE datname = current_database() AND state = 'idle in transaction' AND pid <> pg_backend_pid()`,
        );
        cut = Number(rows[0]!.n);
      },
    });
    const relay = createOutboxRelay({ prisma, producer: slow, batchSize: 10, pollIntervalMs: 10, maxBackoffMs: 50 });
    relay.start();
    await eventually(async () => (await prisma.outboxEvent.count({ where: { topic, publishedAt: null } })) === 0, 30_000);
    await relay.stop();

    expect(cut).toBeGreaterThanOrEqual(1);
    const received = await collect(kafka, topic, (m) => new Set(m.map((e) => e.headers['event-id'])).size >= 40 && m.length >= 50);
    await sleep(500);
    const ids = received.map((m) => m.headers['event-id']);
    // Every event arrived; the first round's ten arrived twice (sent, not marked, sent again).
    expect(new Set(ids).size).toBe(40);
    expect(ids.length).toBeGreaterThanOrEqual(50);
    const versions = firstArrivals(received);
    for (const [, v] of versions) expect(v).toEqual([1, 2]);
    expect(await prisma.outboxEvent.count({ where: { topic, publishedAt: { not: null } } })).toBe(40);
  });
});
