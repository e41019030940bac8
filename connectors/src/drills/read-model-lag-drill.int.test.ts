import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@cpq/contracts/event-envelope';
import { createPrismaClient, type PrismaClient } from '@cpq/prisma';
import { createTestDatabase, type TestDatabase } from '@cpq/prisma/test-database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/env';
import { createTopics, eventually, testKafka, uniqueName } from '../../../test/kafka-helpers';
import type { KafkaAdmin, KafkaClient, KafkaProducer } from '../kafka/kafka.port';
import { sampleOf } from '../observability/exposition';
import { registerKafkaMetrics } from '../observability/kafka-metrics';
import { createMetricsRegistry } from '../observability/metrics-registry';
import { registerProjectorMetrics } from '../projections/projector.metrics';
import { createQuoteProjector, projectorName, type QuoteProjector } from '../projections/quote-projection';

/*
 * Seed section 13, "read replica lag affects reporting". The platform has no read replica: the
 * projector's read model (quote_read_model, ADR 0020) is what reports read, and it lags the same
 * way. The projector is stopped while the quote moves on (a role down or too slow, for real), the
 * report reads a stale state, and the two numbers ProjectionLagging reads (deploy/observability)
 * show it: the consumer group's lag grows while the last applied time stands still. Back up, the
 * projector catches up and both return to normal.
 */
describe('PostgreSQL drill: read replica lag affects reporting (the projector plays the replica)', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  let kafka: KafkaClient;
  let producer: KafkaProducer;
  let admin: KafkaAdmin;
  const topic = uniqueName('lag-quotes');
  const running: QuoteProjector[] = [];
  const GENERATION = 1_000 + Math.floor(Math.random() * 1_000_000);

  beforeAll(async () => {
    db = await createTestDatabase(testEnv.postgresUrl, 'read_model_lag');
    prisma = createPrismaClient(db.url, { max: 4 });
    kafka = await testKafka();
    producer = await kafka.producer();
    admin = await kafka.admin();
    await createTopics(kafka, [topic, `${topic}.dlq`], 3);
    // A generation of this run: the consumer group is named after it, and a group shared with
    // another process (the platform's projector is `...-g1`) would take this topic's partitions.
    await prisma.$executeRaw`UPDATE projection_state SET generation = ${GENERATION}, last_started = ${GENERATION} WHERE projection = 'quotes'`;
  }, 120_000);
  afterAll(async () => {
    for (const projector of running) await projector.stop().catch(() => {});
    await admin?.close();
    await producer?.close();
    await prisma?.$disconnect();
    await db?.drop();
  });

  it('drill: read replica lag affects reporting: with the projector down the report shows a stale state, its lag grows while the last applied time stands still (ProjectionLagging), and it catches up once back', async () => {
    const quoteId = randomUUID();
    let version = 0;
    const event = (eventType: string, payload: Record<string, unknown>): EventEnvelope => ({
      eventId: randomUUID(), eventType, eventVersion: 1, tenantId: 'demo', aggregateType: 'QUOTE', aggregateId: quoteId, aggregateVersion: ++version,
      occurredAt: new Date().toISOString(), correlationId: 'lag-drill', causationId: `cmd-${version}`, actor: { type: 'SYSTEM', id: 'drill' }, payload: { quoteId, ...payload },
    });
    const send = (events: EventEnvelope[]) => producer.send(topic, events.map((e) => ({ key: e.aggregateId, value: JSON.stringify(e), headers: { 'event-type': e.eventType } })));
    const registry = createMetricsRegistry('projector');
    registerKafkaMetrics(registry, { admin: async () => admin, groups: [projectorName(GENERATION)], topics: [topic], deadLetterTopics: [], maxAgeMs: 0 });
    const freshness = registerProjectorMetrics(registry, () => GENERATION);
    const start = () => {
      const projector = createQuoteProjector({ prisma, kafka, generation: GENERATION, topics: [topic], onApplied: freshness.observe });
      running.push(projector);
      void projector.run().catch(() => {});
      return projector;
    };
    const reported = async () => (await prisma.quoteReadModel.findFirst({ where: { quoteId } }))?.state;
    const scrape = async () => {
      const text = await registry.metrics();
      return { lag: sampleOf(text, 'cpq_kafka_consumer_lag_messages', { group: projectorName(GENERATION), topic }) ?? 0, lastApplied: sampleOf(text, 'cpq_projection_last_applied_timestamp_seconds', { projection: 'quotes' }) ?? 0 };
    };
    // ProjectionLagging's expression (alerts.rules.yaml), evaluated on these readings at a given time.
    const lagging = (m: { lag: number; lastApplied: number }, at: number) => at - m.lastApplied > 300 && m.lag > 0;

    await send([event('QuoteCreated', { revision: 1, accountId: 'acct-1', ownerId: 'rita', currency: 'EUR', termMonths: 24, releaseId: randomUUID() }),
      event('QuoteLineAdded', { revision: 1, lineId: 'L1', offering: 'business-internet', quantity: 1, valid: true })]);
    const first = start();
    await eventually(async () => (await reported()) === 'draft' && (await scrape()).lag === 0, 30_000, 200);
    const healthy = await scrape();
    expect(lagging(healthy, Date.now() / 1000 + 600)).toBe(false);

    // The replica falls behind: the projector is down while the quote is priced, submitted and approved.
    await first.stop();
    await send([
      event('QuotePriced', { revision: 1, priceResultId: randomUUID(), resultHash: 'b'.repeat(64), totals: { oneTime: '100.00', recurring: '50.00' } }),
      event('QuoteSubmittedForApproval', { revision: 1, required: [], metrics: {} }),
      event('QuoteApproved', { revision: 1, ownerId: 'rita', evidence: {} }),
    ]);
    const behind = await eventually(async () => {
      const m = await scrape();
      return m.lag === 3 ? m : undefined;
    }, 15_000, 200);
    // Reporting reads the stale state; the last applied time has not moved.
    expect(await reported()).toBe('draft');
    expect(behind.lastApplied).toBe(healthy.lastApplied);
    // Five minutes on, unchanged, the alert's condition holds (its `for` and thresholds: promtool test).
    expect(lagging(behind, behind.lastApplied + 301)).toBe(true);

    // Back up: it catches up from its committed offset; lag 0, the report current, the condition clear.
    start();
    await eventually(async () => (await reported()) === 'approved' && (await scrape()).lag === 0, 30_000, 200);
    const caughtUp = await scrape();
    expect(caughtUp.lastApplied).toBeGreaterThan(healthy.lastApplied);
    expect(lagging(caughtUp, Date.now() / 1000 + 600)).toBe(false);
  }, 120_000);
});
