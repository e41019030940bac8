import type { KafkaClient, KafkaProducer } from '@cpq/connectors/kafka/kafka.port';
import { createPrismaClient, type PrismaClient } from '@cpq/prisma';
import { createTestDatabase, type TestDatabase } from '@cpq/prisma/test-database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/env';
import { insertOutboxRow } from '../../../test/outbox-rows';
import { collect, createTopics, eventually, relayTestKafka, testKafka, uniqueName } from '../../../test/kafka-helpers';
import { startThrowawayBroker, type ThrowawayBroker } from '../../../test/services/kafka-broker';
import { createOutboxRelay } from './outbox-relay';

describe('outbox relay across a broker outage (a real broker stopped and started)', () => {
  let broker: ThrowawayBroker;
  let db: TestDatabase;
  let prisma: PrismaClient;
  let kafka: KafkaClient;
  let producer: KafkaProducer;

  beforeAll(async () => {
    [broker, db] = await Promise.all([startThrowawayBroker(), createTestDatabase(testEnv.postgresUrl, 'relay_outage')]);
    prisma = createPrismaClient(db.url);
    kafka = await testKafka(broker.brokers);
    // The relay publishes with its role's default client; the test reads with the test client.
    producer = await (await relayTestKafka(broker.brokers)).producer();
  }, 120_000);
  afterAll(async () => {
    await producer?.close().catch(() => {});
    await prisma?.$disconnect();
    await db?.drop();
    await broker?.destroy();
  });

  const write = (topic: string, aggregateId: string, version: number) =>
    prisma.$transaction((tx) =>
      insertOutboxRow(tx, {
        eventType: 'ThingHappened', tenantId: 'demo', aggregateType: 'THING', aggregateId, aggregateVersion: version,
        correlationId: 'outage', causationId: `cmd-outage-${version}`, actor: { type: 'SYSTEM', id: 'test' }, payload: { version }, topic,
      }),
    );

  it('loses nothing: events committed while the broker is down go out once it is back, in per-aggregate order', async () => {
    const topic = uniqueName('relay-outage');
    await createTopics(kafka, [topic]);
    const relay = createOutboxRelay({ prisma, producer, pollIntervalMs: 50, maxBackoffMs: 500 });
    relay.start();
    const ids: string[] = [];
    for (let v = 1; v <= 10; v++) for (const a of ['o1', 'o2']) ids.push((await write(topic, a, v)).eventId);
    await eventually(async () => (await prisma.outboxEvent.count({ where: { topic, publishedAt: null } })) === 0);

    await broker.stop();
    for (let v = 11; v <= 20; v++) for (const a of ['o1', 'o2']) ids.push((await write(topic, a, v)).eventId);
    // The relay keeps trying and records why it cannot publish.
    const stuck = await eventually(async () => {
      const row = await prisma.outboxEvent.findFirst({ where: { topic, publishedAt: null, publishAttempts: { gt: 0 } } });
      return row ?? undefined;
    }, 60_000);
    expect(stuck.lastError).toEqual(expect.any(String));

    await broker.start();
    await eventually(async () => (await prisma.outboxEvent.count({ where: { topic, publishedAt: null } })) === 0, 90_000, 250);
    await relay.stop();

    const received = await collect(kafka, topic, (m) => new Set(m.map((x) => x.headers['event-id'])).size >= 40, 30_000);
    expect(new Set(received.map((m) => m.headers['event-id']))).toEqual(new Set(ids));
    for (const aggregateId of ['o1', 'o2']) {
      // At least once: a retried batch may repeat, but first occurrences keep the order.
      const seen = new Set<number>();
      const order = received.filter((m) => m.key === aggregateId).map((m) => JSON.parse(m.value!).aggregateVersion as number)
        .filter((v) => (seen.has(v) ? false : (seen.add(v), true)));
      expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    }
  }, 240_000);
});
