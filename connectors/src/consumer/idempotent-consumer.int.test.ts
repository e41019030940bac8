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
    correlationId: 'corr', causationId: 'cmd-test', actor: { type: 'SYSTEM', id: 'test' }, payload: { n: 1 },
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
    // Same key, so the same partition: once the marker (the next version) is applied, both copies were seen.
    const marker = envelope({ aggregateVersion: 2 });
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
    const fine = envelope({ aggregateVersion: 2, payload: { fail: false } });
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

  describe('aggregate versions', () => {
    type Logged = { msg: string; obj: Record<string, unknown> };
    const capture = () => {
      const lines: Logged[] = [];
      const push = (obj: object, msg: string) => void lines.push({ obj: obj as Record<string, unknown>, msg });
      return { lines, logger: { info: () => undefined, warn: push, error: push } };
    };
    const inbox = (consumer: string) =>
      prisma.inboxMessage.findMany({ where: { consumer }, select: { eventId: true, outcome: true } });
    const outcomeOf = async (consumer: string, eventId: string) =>
      (await prisma.inboxMessage.findUnique({ where: { consumer_eventId: { consumer, eventId } } }))?.outcome;

    it('events of one aggregate delivered out of order: the older one is recorded as stale, logged, and not handled', async () => {
      // given: versions 2, 1, 3 of one aggregate, in that order on one partition
      const topic = uniqueName('consumer-order');
      await createTopics(kafka, [topic]);
      const aggregateId = randomUUID();
      const [v1, v2, v3] = [1, 2, 3].map((aggregateVersion) => envelope({ aggregateId, aggregateVersion }));
      await producer.send(topic, [v2!, v1!, v3!].map((e) => ({ key: aggregateId, value: JSON.stringify(e) })));

      // when: the consumer reads them
      const name = uniqueName('order');
      const { lines, logger } = capture();
      const consumer = createIdempotentConsumer({ name, topics: [topic], prisma, kafka, handler: recordEffect, logger });
      const running = consumer.run();
      await eventually(async () => (await prisma.inboxMessage.count({ where: { consumer: name } })) === 3);
      await consumer.stop();
      await running;

      // then: 2 and 3 applied, 1 ignored but recorded, so it is never retried
      expect([await effects(v1!.eventId), await effects(v2!.eventId), await effects(v3!.eventId)]).toEqual([0, 1, 1]);
      expect(await outcomeOf(name, v1!.eventId)).toBe('stale');
      expect(await outcomeOf(name, v2!.eventId)).toBe('applied');
      expect(await outcomeOf(name, v3!.eventId)).toBe('applied');
      expect(await prisma.consumerFailure.count({ where: { consumer: name } })).toBe(0);
      expect(await prisma.consumerPosition.findUniqueOrThrow({
        where: { consumer_aggregateType_aggregateId: { consumer: name, aggregateType: 'THING', aggregateId } },
      })).toMatchObject({ aggregateVersion: 3n, eventId: v3!.eventId });
      expect(lines).toEqual([{
        msg: 'stale event ignored: a newer version of its aggregate was applied already',
        obj: expect.objectContaining({ consumer: name, eventId: v1!.eventId, aggregateId, aggregateVersion: 1, appliedVersion: 2, appliedEventId: v2!.eventId }),
      }]);
    });

    it('an older event replayed after newer ones (a dead-lettered event redriven) is ignored; a redelivery of it is a duplicate', async () => {
      // given: version 1 failed and went to the dead-letter topic; version 2 was applied
      const topic = uniqueName('consumer-redrive');
      await createTopics(kafka, [topic, deadLetterTopicFor(topic)]);
      const aggregateId = randomUUID();
      const v1 = envelope({ aggregateId, aggregateVersion: 1, payload: { fail: true } });
      const v2 = envelope({ aggregateId, aggregateVersion: 2 });
      let failing = true;
      const handler: EventHandler = async (event, tx) => {
        if (event.payload.fail && failing) throw new Error('downstream down');
        await recordEffect(event, tx);
      };
      await producer.send(topic, [v1, v2].map((e) => ({ key: aggregateId, value: JSON.stringify(e) })));
      const name = uniqueName('redrive');
      const { lines, logger } = capture();
      const options = { name, topics: [topic], prisma, kafka, handler, logger, maxAttempts: 2, backoff: { initialMs: 10, factor: 2, maxMs: 20 } };
      const consumer = createIdempotentConsumer(options);
      const running = consumer.run();
      await eventually(async () => (await effects(v2.eventId)) === 1);
      await consumer.stop();
      await running;
      expect(await outcomeOf(name, v1.eventId)).toBeUndefined();

      // when: an operator redrives version 1 (the handler would succeed now), twice
      failing = false;
      const redriven = createIdempotentConsumer(options);
      const message = { topic, partition: 0, offset: '99', key: aggregateId, value: JSON.stringify(v1), headers: {} };
      const outcomes = [await redriven.process(message), await redriven.process(message)];

      // then: it is older than what was applied: recorded as stale, not handled, not retried
      expect(outcomes).toEqual(['stale', 'duplicate']);
      expect(await effects(v1.eventId)).toBe(0);
      expect(await outcomeOf(name, v1.eventId)).toBe('stale');
      expect(lines.filter((l) => l.msg.startsWith('stale event ignored'))).toHaveLength(1);
    });

    it('a second event with the same version of an aggregate is stale; other aggregates and other consumers keep their own positions', async () => {
      const topic = uniqueName('consumer-equal');
      await createTopics(kafka, [topic]);
      const aggregateId = randomUUID();
      const first = envelope({ aggregateId, aggregateVersion: 5 });
      const same = envelope({ aggregateId, aggregateVersion: 5 });
      const other = envelope({ aggregateId: randomUUID(), aggregateVersion: 1 });
      // the same id under another aggregate type is another aggregate
      const otherType = envelope({ aggregateId, aggregateType: 'OTHER_THING', aggregateVersion: 1 });
      const events = [first, same, other, otherType];
      await producer.send(topic, events.map((e) => ({ key: e.aggregateId, value: JSON.stringify(e) })));

      // when: two consumers (two groups) read the topic
      const names = [uniqueName('equal-a'), uniqueName('equal-b')];
      const { lines, logger } = capture();
      const consumers = names.map((name) => createIdempotentConsumer({ name, topics: [topic], prisma, kafka, handler: recordEffect, logger }));
      const runs = consumers.map((c) => c.run());
      await eventually(async () => (await prisma.inboxMessage.count({ where: { consumer: { in: names } } })) === 8);
      await Promise.all(consumers.map((c) => c.stop()));
      await Promise.all(runs);

      // then: for each consumer, the first of version 5 applied and the second ignored
      for (const name of names) {
        const rows = new Map((await inbox(name)).map((r) => [r.eventId, r.outcome]));
        expect(events.map((e) => rows.get(e.eventId))).toEqual(['applied', 'stale', 'applied', 'applied']);
      }
      expect(await effects(first.eventId)).toBe(2);
      expect(await effects(same.eventId)).toBe(0);
      expect(lines.map((l) => [l.msg, l.obj.consumer])).toEqual(expect.arrayContaining(
        names.map((name) => ['stale event ignored: another event of this aggregate version was applied already', name]),
      ));
      expect(lines).toHaveLength(2);
    });
  });
});
