import { randomUUID } from 'node:crypto';
import type { KafkaClient, KafkaProducer } from '@cpq/connectors/kafka/kafka.port';
import { createPrismaClient, type PrismaClient } from '@cpq/prisma';
import { createTestDatabase, type TestDatabase } from '@cpq/prisma/test-database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/env';
import { collect, createTopics, eventually, testKafka, uniqueName } from '../../../test/kafka-helpers';
import { deadLetterTopicFor } from '@cpq/contracts/topics';
import { createIdempotentConsumer, type EventHandler } from './idempotent-consumer';

function envelope(overrides: Record<string, unknown> = {}) {
  return {
    eventId: randomUUID(), eventType: 'ThingHappened', eventVersion: 1, tenantId: 'demo',
    aggregateType: 'THING', aggregateId: 'a1', aggregateVersion: 1, occurredAt: new Date().toISOString(),
    correlationId: 'corr', causationId: null, actor: { type: 'SYSTEM', id: 'test' }, payload: { n: 1 },
    ...overrides,
  };
}

describe('idempotent consumer (real PostgreSQL and Kafka)', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  let kafka: KafkaClient;
  let producer: KafkaProducer;

  beforeAll(async () => {
    db = await createTestDatabase(testEnv.postgresUrl, 'consumer');
    prisma = createPrismaClient(db.url);
    // The consumer's business effect in these tests: one row per application.
    await prisma.$executeRawUnsafe('CREATE TABLE effect (event_id uuid NOT NULL, applied_at timestamptz DEFAULT now())');
    kafka = await testKafka();
    producer = await kafka.producer();
  });
  afterAll(async () => {
    await producer?.close();
    await prisma?.$disconnect();
    await db?.drop();
  });

  const recordEffect: EventHandler = async (event, tx) => {
    await tx.$executeRaw`INSERT INTO effect (event_id) VALUES (${event.eventId}::uuid)`;
  };
  const effects = async (eventId: string) =>
    Number((await prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM effect WHERE event_id = ${eventId}::uuid`)[0]!.n);

  it('the same event delivered twice has one effect', async () => {
    const topic = uniqueName('consumer-dup');
    await createTopics(kafka, [topic]);
    const event = envelope();
    const message = { key: event.aggregateId, value: JSON.stringify(event) };
    await producer.send(topic, [message, message]);
    // Same key, so the same partition: once the marker is applied, both copies were seen.
    const marker = envelope();
    await producer.send(topic, [{ key: event.aggregateId, value: JSON.stringify(marker) }]);

    const consumer = createIdempotentConsumer({ name: uniqueName('dup'), topics: [topic], prisma, kafka, handler: recordEffect });
    const running = consumer.run();
    await eventually(async () => (await effects(marker.eventId)) === 1);
    await consumer.stop();
    await running;

    expect(await effects(event.eventId)).toBe(1);
    const inbox = await prisma.inboxMessage.count({ where: { eventId: event.eventId } });
    expect(inbox).toBe(1);
  });

  it('a redelivery after a restart of the consumer (new process, same group) has no second effect', async () => {
    const topic = uniqueName('consumer-restart');
    await createTopics(kafka, [topic]);
    const event = envelope();
    const name = uniqueName('restart');
    const first = createIdempotentConsumer({ name, topics: [topic], prisma, kafka, handler: recordEffect });
    expect(await first.process({ topic, partition: 0, offset: '0', key: 'a1', value: JSON.stringify(event), headers: {} })).toBe('applied');
    // The offset was never committed (the process died): Kafka delivers the event again.
    await producer.send(topic, [{ key: 'a1', value: JSON.stringify(event) }]);
    const second = createIdempotentConsumer({ name, topics: [topic], prisma, kafka, handler: recordEffect });
    const running = second.run();
    await eventually(async () => (await prisma.inboxMessage.count({ where: { consumer: name } })) === 1 && (await effects(event.eventId)) === 1);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await second.stop();
    await running;
    expect(await effects(event.eventId)).toBe(1);
  });

  it.each([
    ['not JSON', '{"eventId": ', /^not JSON: /],
    ['not an envelope', JSON.stringify({ hello: 'world' }), /^not a valid event envelope: \/ must have required property 'eventId'/],
  ])('a poison message (%s) lands in the dead-letter topic with its reason, and consumption goes on', async (_label, value, reason) => {
    const topic = uniqueName('consumer-poison');
    await createTopics(kafka, [topic, deadLetterTopicFor(topic)]);
    const good = envelope();
    await producer.send(topic, [{ key: 'a1', value }, { key: 'a1', value: JSON.stringify(good) }]);
    const consumer = createIdempotentConsumer({ name: uniqueName('poison'), topics: [topic], prisma, kafka, handler: recordEffect });
    const running = consumer.run();
    await eventually(async () => (await effects(good.eventId)) === 1);
    await consumer.stop();
    await running;

    const dead = await collect(kafka, deadLetterTopicFor(topic), (m) => m.length >= 1);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.value).toBe(value);
    expect(dead[0]!.headers['dlq-reason']).toMatch(reason);
    expect(dead[0]!.headers['dlq-original-topic']).toBe(topic);
  });

  it('an event whose handler keeps failing is retried, then dead-lettered with the reason; the next event is processed', async () => {
    const topic = uniqueName('consumer-failing');
    await createTopics(kafka, [topic, deadLetterTopicFor(topic)]);
    const doomed = envelope({ payload: { fail: true } });
    const fine = envelope({ payload: { fail: false } });
    await producer.send(topic, [{ key: 'a1', value: JSON.stringify(doomed) }, { key: 'a1', value: JSON.stringify(fine) }]);
    let calls = 0;
    const handler: EventHandler = async (event, tx) => {
      if (event.payload.fail) {
        calls += 1;
        await recordEffect(event, tx); // rolled back with the failure below
        throw new Error('downstream refused the change');
      }
      await recordEffect(event, tx);
    };
    const name = uniqueName('failing');
    const consumer = createIdempotentConsumer({
      name, topics: [topic], prisma, kafka, handler, maxAttempts: 3, backoff: { initialMs: 10, factor: 2, maxMs: 50 },
    });
    const running = consumer.run();
    await eventually(async () => (await effects(fine.eventId)) === 1);
    await consumer.stop();
    await running;

    expect(calls).toBe(3);
    expect(await effects(doomed.eventId)).toBe(0);
    expect(await prisma.inboxMessage.count({ where: { eventId: doomed.eventId } })).toBe(0);
    const failure = await prisma.consumerFailure.findUniqueOrThrow({ where: { consumer_eventId: { consumer: name, eventId: doomed.eventId } } });
    expect(failure).toMatchObject({ attempts: 3, lastError: 'downstream refused the change' });
    expect(failure.deadLetteredAt).not.toBeNull();
    const dead = await collect(kafka, deadLetterTopicFor(topic), (m) => m.length >= 1);
    expect(dead.map((m) => JSON.parse(m.value!).eventId)).toEqual([doomed.eventId]);
    expect(dead[0]!.headers['dlq-reason']).toBe('handler failed 3 times: downstream refused the change');
    expect(dead[0]!.headers['dlq-attempts']).toBe('3');
  });
});
