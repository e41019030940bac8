import type { KafkaClient, KafkaProducer } from '@cpq/connectors/kafka/kafka.port';
import { createPrismaClient, type PrismaClient } from '@cpq/prisma';
import { createTestDatabase, type TestDatabase } from '@cpq/prisma/test-database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/env';
import { insertOutboxRow } from '../../../test/outbox-rows';
import { collect, createTopics, eventually, relayTestKafka, testKafka, uniqueName } from '../../../test/kafka-helpers';
import { createOutboxRelay } from './outbox-relay';

const actor = { type: 'SYSTEM', id: 'test' } as const;

describe('outbox relay (real PostgreSQL and Kafka)', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  let kafka: KafkaClient;
  let producer: KafkaProducer;

  beforeAll(async () => {
    db = await createTestDatabase(testEnv.postgresUrl, 'relay');
    prisma = createPrismaClient(db.url);
    kafka = await testKafka();
    // The relay publishes with its role's default client; the test reads with the test client.
    producer = await (await relayTestKafka()).producer();
  });
  afterAll(async () => {
    await producer?.close();
    await prisma?.$disconnect();
    await db?.drop();
  });

  async function writeEvents(topic: string, events: { aggregateId: string; version: number; marker?: string }[]) {
    await prisma.$transaction(async (tx) => {
      for (const e of events) {
        await insertOutboxRow(tx, {
          eventType: 'ThingHappened', tenantId: 'demo', aggregateType: 'THING', aggregateId: e.aggregateId,
          aggregateVersion: e.version, correlationId: 'corr-test', causationId: 'cmd-test', actor, payload: { marker: e.marker ?? 'x', version: e.version }, topic,
        });
      }
    });
  }

  /**
   * Aggregates a1-a3 with versions 1-4 and, in the middle of the same batch, aggregate `poison`
   * whose version 1 carries `padBytes` of payload, then its versions 2 and 3 (small). Each test
   * names its own poison aggregate: one left unpublished by another test would hold it back.
   */
  async function writeBatchWithPoison(topic: string, poison: string, padBytes: number) {
    for (let version = 1; version <= 4; version++) {
      await writeEvents(topic, ['a1', 'a2', 'a3'].map((aggregateId) => ({ aggregateId, version })));
      if (version === 2) {
        await writeEvents(topic, [{ aggregateId: poison, version: 1, marker: 'p'.repeat(padBytes) }]);
        await writeEvents(topic, [{ aggregateId: poison, version: 2 }, { aggregateId: poison, version: 3 }]);
      }
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

  it('publishes an event of a committed transaction; one of a rolled-back transaction never appears', async () => {
    const topic = uniqueName('relay-commit');
    await createTopics(kafka, [topic]);
    await expect(
      prisma.$transaction(async (tx) => {
        await insertOutboxRow(tx, {
          eventType: 'ThingHappened', tenantId: 'demo', aggregateType: 'THING', aggregateId: 'rolled-back',
          aggregateVersion: 1, correlationId: 'c', causationId: 'cmd-c', actor, payload: { marker: 'rolled-back' }, topic,
        });
        throw new Error('business rule failed after the event was written');
      }),
    ).rejects.toThrow('business rule failed');
    await writeEvents(topic, [{ aggregateId: 'committed', version: 1, marker: 'committed' }]);

    const relay = createOutboxRelay({ prisma, producer });
    expect(await relay.publishBatch()).toBe(1);
    const received = await collect(kafka, topic, (m) => m.length >= 1);
    // Give a straggler the chance to show up before asserting it does not.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const markers = received.map((m) => JSON.parse(m.value ?? '{}').payload.marker);
    expect(markers).toEqual(['committed']);
    expect(received[0]!.key).toBe('committed');
    expect(received[0]!.headers['event-type']).toBe('ThingHappened');
    const row = await prisma.outboxEvent.findFirstOrThrow({ where: { topic } });
    expect(row.publishedAt).not.toBeNull();
    expect(await prisma.outboxEvent.count({ where: { topic, payload: { equals: { marker: 'rolled-back' } } } })).toBe(0);
  });

  it('events written while the relay is stopped all arrive once it starts, in per-aggregate order', async () => {
    const topic = uniqueName('relay-backlog');
    await createTopics(kafka, [topic]);
    const aggregates = ['a1', 'a2', 'a3', 'a4', 'a5'];
    for (let version = 1; version <= 10; version++) {
      // Interleave aggregates across separate transactions, as real traffic would.
      await writeEvents(topic, aggregates.map((aggregateId) => ({ aggregateId, version })));
    }
    const relay = createOutboxRelay({ prisma, producer, batchSize: 7, pollIntervalMs: 20 });
    relay.start();
    const received = await collect(kafka, topic, (m) => m.length >= 50);
    await relay.stop();

    expect(received).toHaveLength(50);
    for (const aggregateId of aggregates) {
      const versions = received.filter((m) => m.key === aggregateId).map((m) => JSON.parse(m.value!).aggregateVersion);
      expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    }
    expect(await prisma.outboxEvent.count({ where: { topic, publishedAt: null } })).toBe(0);
  });

  it('two relays at once publish every event exactly once and keep per-aggregate order', async () => {
    const topic = uniqueName('relay-pair');
    await createTopics(kafka, [topic]);
    for (let version = 1; version <= 20; version++) {
      await writeEvents(topic, ['p1', 'p2', 'p3'].map((aggregateId) => ({ aggregateId, version })));
    }
    const secondProducer = await kafka.producer();
    const relays = [
      createOutboxRelay({ prisma, producer, batchSize: 5, pollIntervalMs: 10 }),
      createOutboxRelay({ prisma, producer: secondProducer, batchSize: 5, pollIntervalMs: 10 }),
    ];
    relays.forEach((r) => r.start());
    await eventually(async () => (await prisma.outboxEvent.count({ where: { topic, publishedAt: null } })) === 0);
    await Promise.all(relays.map((r) => r.stop()));
    await secondProducer.close();

    const received = await collect(kafka, topic, (m) => m.length >= 60);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const ids = received.map((m) => m.headers['event-id']);
    expect(new Set(ids).size).toBe(60);
    expect(ids).toHaveLength(60);
    for (const aggregateId of ['p1', 'p2', 'p3']) {
      const versions = received.filter((m) => m.key === aggregateId).map((m) => JSON.parse(m.value!).aggregateVersion);
      expect(versions).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    }
  });

  it('a relay skips an aggregate whose earlier event another relay has claimed but not yet published', async () => {
    const topic = uniqueName('relay-guard');
    await createTopics(kafka, [topic]);
    await writeEvents(topic, [{ aggregateId: 'g1', version: 1 }]);
    await writeEvents(topic, [{ aggregateId: 'g1', version: 2 }, { aggregateId: 'g2', version: 1 }]);

    // Relay A claims g1 v1 and stalls inside the broker call, holding its row lock.
    let release!: () => void;
    let claimed!: () => void;
    const sendEntered = new Promise<void>((resolve) => (claimed = resolve));
    const stalled: KafkaProducer = {
      send: async (t, messages) => {
        claimed();
        await new Promise<void>((resolve) => (release = resolve));
        await producer.send(t, messages);
      },
      close: async () => {},
    };
    const relayA = createOutboxRelay({ prisma, producer: stalled, batchSize: 1 }).publishBatch();
    await sendEntered;

    // Relay B must not publish g1 v2 ahead of g1 v1; g2 is free to go.
    expect(await createOutboxRelay({ prisma, producer }).publishBatch()).toBe(1);
    const pending = await prisma.outboxEvent.findMany({ where: { topic, publishedAt: null }, orderBy: { position: 'asc' } });
    expect(pending.map((e) => [e.aggregateId, Number(e.aggregateVersion)])).toEqual([['g1', 1], ['g1', 2]]);

    release();
    expect(await relayA).toBe(1);
    expect(await createOutboxRelay({ prisma, producer }).publishBatch()).toBe(1);
    const received = await collect(kafka, topic, (m) => m.length >= 3);
    expect(received.filter((m) => m.key === 'g1').map((m) => JSON.parse(m.value!).aggregateVersion)).toEqual([1, 2]);
  });

  it('a failed publish leaves the events unpublished with the error recorded, and they go out on the next try', async () => {
    const topic = uniqueName('relay-fail');
    await createTopics(kafka, [topic]);
    await writeEvents(topic, [{ aggregateId: 'f1', version: 1 }]);
    const failing: KafkaProducer = { send: async () => { throw new Error('broker said no'); }, close: async () => {} };
    await expect(createOutboxRelay({ prisma, producer: failing }).publishBatch()).rejects.toThrow('broker said no');
    const row = await prisma.outboxEvent.findFirstOrThrow({ where: { topic } });
    expect(row).toMatchObject({ publishedAt: null, publishAttempts: 1, lastError: 'broker said no' });

    expect(await createOutboxRelay({ prisma, producer }).publishBatch()).toBe(1);
    const received = await collect(kafka, topic, (m) => m.length >= 1);
    expect(received.map((m) => m.key)).toEqual(['f1']);
  });

  it('a batch with one event over the size limit: every other event goes out in order, the refused one and its aggregate\'s later events wait', async () => {
    const topic = uniqueName('relay-poison');
    await createTopics(kafka, [topic]);
    await writeBatchWithPoison(topic, 'poison-1', 1_200_000);
    const relay = createOutboxRelay({ prisma, producer, batchSize: 100, retryRefusedAfterMs: 60_000 });

    // One round: the twelve events of a1-a3 go out; the poison is refused before sending.
    expect(await relay.publishBatch()).toBe(12);
    const received = await collect(kafka, topic, (m) => m.length >= 12);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(received).toHaveLength(12);
    for (const aggregateId of ['a1', 'a2', 'a3']) {
      expect(received.filter((m) => m.key === aggregateId).map((m) => JSON.parse(m.value!).aggregateVersion)).toEqual([1, 2, 3, 4]);
    }
    const poison = await prisma.outboxEvent.findMany({ where: { topic, aggregateId: 'poison-1' }, orderBy: { position: 'asc' } });
    expect(poison.map((e) => [Number(e.aggregateVersion), e.publishedAt, e.publishAttempts])).toEqual([[1, null, 1], [2, null, 0], [3, null, 0]]);
    expect(poison[0]!.lastError).toMatch(/larger than the relay's limit/);

    // While the poison waits, its aggregate stays held and the others keep flowing.
    await writeEvents(topic, [{ aggregateId: 'a1', version: 5 }]);
    expect(await relay.publishBatch()).toBe(1);
    expect(await prisma.outboxEvent.count({ where: { topic, publishedAt: null } })).toBe(3);
  });

  it('the broker refuses one message of a batch: the batch is sent again one by one, nothing lost or reordered, the refused aggregate waits', async () => {
    const topic = uniqueName('relay-refused');
    await createTopics(kafka, [topic]);
    // Over the broker's message.max.bytes (1 MiB by default), with the relay's own check off.
    await writeBatchWithPoison(topic, 'poison-2', 1_200_000);
    const relay = createOutboxRelay({ prisma, producer, batchSize: 100, maxMessageBytes: 0, retryRefusedAfterMs: 60_000 });

    expect(await relay.publishBatch()).toBe(12);
    const received = await collect(kafka, topic, (m) => firstArrivals(m).size >= 3 && [...firstArrivals(m).values()].every((v) => v.length === 4));
    const versions = firstArrivals(received);
    // Partitions the broker had written before it refused the poison's are written again (at
    // least once): each event's first arrival is still in order, and consumers drop the rest.
    expect([...versions.keys()].sort()).toEqual(['a1', 'a2', 'a3']);
    for (const aggregateId of ['a1', 'a2', 'a3']) expect(versions.get(aggregateId)).toEqual([1, 2, 3, 4]);
    const poison = await prisma.outboxEvent.findMany({ where: { topic, aggregateId: 'poison-2' }, orderBy: { position: 'asc' } });
    expect(poison.map((e) => [Number(e.aggregateVersion), e.publishedAt])).toEqual([[1, null], [2, null], [3, null]]);
    expect(poison[0]!.lastError).toMatch(/too large|larger/i);

    // The producer is usable afterwards (a fresh producer id: no sequence left behind by the refusal).
    await writeEvents(topic, [{ aggregateId: 'a2', version: 5 }]);
    expect(await relay.publishBatch()).toBe(1);
    const after = await collect(kafka, topic, (m) => (firstArrivals(m).get('a2') ?? []).length >= 5);
    expect(firstArrivals(after).get('a2')).toEqual([1, 2, 3, 4, 5]);
  });

  it('with a topic prefix, publishes to the prefixed topic (an environment sharing the broker keeps to its own topics)', async () => {
    const topic = uniqueName('relay-prefix');
    await createTopics(kafka, [`soak.${topic}`]);
    await writeEvents(topic, [{ aggregateId: 'x1', version: 1 }]);
    expect(await createOutboxRelay({ prisma, producer, topicPrefix: 'soak.' }).publishBatch()).toBe(1);
    const received = await collect(kafka, `soak.${topic}`, (m) => m.length >= 1);
    expect(received.map((m) => m.key)).toEqual(['x1']);
  });
});
