import { createPrismaClient, type PrismaClient } from '@cpq/prisma';
import { createTestDatabase, type TestDatabase } from '@cpq/prisma/test-database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/env';
import { createTopics, testKafka, uniqueName } from '../../../test/kafka-helpers';
import type { KafkaClient, KafkaProducer } from '../kafka/kafka.port';
import { readOutbox } from '../outbox-relay/outbox-metrics';
import { createOutboxRelay } from '../outbox-relay/outbox-relay';

/*
 * Seed section 13, "outbox publisher down for 30 minutes". The outage itself is not waited out:
 * its result is made for real, the backlog 30 minutes of demo traffic leave behind (10 events/s:
 * the two-core demo machine's ~2 journeys/s of ~5 events each, docs/benchmarks.md), committed with
 * their real ages (occurred_at spread over the last 30 minutes). Then the relay starts: the
 * gauge shows the backlog and its age (OutboxPublishingStalled, `> 60 s`, would be firing: promtool
 * test in deploy/observability), and the drain is measured until the topic holds every event once.
 * `npm test` drills 30 minutes at the demo rate (18,000 events); `npm run drills` (DRILLS_LONG=1)
 * at 100 events/s, a busy production day (180,000 events), the same code path.
 */
const MINUTES = 30;
const RATE = process.env.DRILLS_LONG === '1' ? 100 : 10;
const EVENTS = MINUTES * 60 * RATE;

describe('Kafka/outbox drill: the publisher down for 30 minutes', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  let kafka: KafkaClient;
  let producer: KafkaProducer;

  beforeAll(async () => {
    db = await createTestDatabase(testEnv.postgresUrl, 'outbox_outage');
    prisma = createPrismaClient(db.url);
    kafka = await testKafka();
    producer = await kafka.producer();
  }, 120_000);
  afterAll(async () => {
    await producer?.close();
    await prisma?.$disconnect();
    await db?.drop();
  });

  it(`drill: outbox publisher down for 30 minutes: the backlog of ${MINUTES} minutes at ${RATE} events/s shows in the gauge with its age, drains at once when the relay is back, every event on Kafka once`, async () => {
    const topic = uniqueName('outage');
    await createTopics(kafka, [topic], 6);
    // Events spread evenly over the outage, 200 aggregates (quotes) with increasing versions, as a demo would commit them.
    await prisma.$executeRawUnsafe(`
      INSERT INTO outbox_event (event_id, event_type, event_version, tenant_id, aggregate_type, aggregate_id, aggregate_version, occurred_at,
                                correlation_id, causation_id, actor, payload, topic)
      SELECT gen_random_uuid(), 'ThingHappened', 1, 'demo', 'THING', 'q-' || (n % 200), n / 200 + 1,
             now() - make_interval(secs => (${EVENTS} - n)::float8 / ${RATE}), 'outage-' || n, 'outage', '{"type":"SYSTEM","id":"drill"}', jsonb_build_object('n', n), '${topic}'
        FROM generate_series(0, ${EVENTS - 1}) n`);

    const outage = await readOutbox(prisma);
    expect(outage.backlog).toBe(EVENTS);
    expect(outage.oldestAgeSeconds).toBeGreaterThanOrEqual(MINUTES * 60 - 1);
    expect(outage.oldestAgeSeconds).toBeGreaterThan(60); // OutboxPublishingStalled's threshold

    const relay = createOutboxRelay({ prisma, producer, batchSize: 500, pollIntervalMs: 20 });
    const started = performance.now();
    relay.start();
    try {
      for (;;) {
        const { backlog } = await readOutbox(prisma);
        if (backlog === 0) break;
        if (performance.now() - started > 400_000) throw new Error(`still ${backlog} events unpublished after 400 s`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    } finally {
      await relay.stop();
    }
    const drainSeconds = (performance.now() - started) / 1000;
    const admin = await kafka.admin();
    const ranges = await admin.topicOffsets([topic]);
    await admin.close();
    // Every event exactly once on the topic: nothing lost, nothing sent twice by the drain.
    expect(ranges.reduce((sum, p) => sum + Number(p.end - p.start), 0)).toBe(EVENTS);
    expect(await readOutbox(prisma)).toMatchObject({ backlog: 0, oldestAgeSeconds: 0, failing: 0 });
    // 30 minutes of traffic drain far faster than they were written (> 10x the write rate).
    const rate = EVENTS / drainSeconds;
    console.log(`[outbox outage drill] ${JSON.stringify({ minutes: MINUTES, events: EVENTS, drainSeconds: Number(drainSeconds.toFixed(1)), drainRate: Math.round(rate) })}`);
    expect(rate).toBeGreaterThan(RATE * 10);
  }, 480_000);
});
