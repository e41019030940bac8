import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@cpq/contracts/event-envelope';
import { createPrismaClient, type PrismaClient } from '@cpq/prisma';
import { createTestDatabase, type TestDatabase } from '@cpq/prisma/test-database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/env';
import { createTopics, eventually, testKafka, uniqueName } from '../../../test/kafka-helpers';
import type { KafkaClient, KafkaProducer } from '../kafka/kafka.port';
import { sampleOf } from '../observability/exposition';
import { registerKafkaMetrics } from '../observability/kafka-metrics';
import { createMetricsRegistry } from '../observability/metrics-registry';
import { registerProjectorMetrics } from './projector.metrics';
import { createQuoteProjector, projectorName, type QuoteProjector } from './quote-projection';
import { rebuildQuoteProjection } from './quote-projection.rebuild';

// The projector on the real PostgreSQL and Kafka, on a topic of its own: the read model from the
// events, a rebuild from offset zero into fresh tables swapped in atomically, replay equal to
// the live state, the old generation superseded, and lag as a metric. Its consumers have a
// prefix of their own: `projector-quotes-g1` is the running platform's group, and sharing it
// would let the platform's projector take this test's partitions (and this test take its).
const actor = { type: 'SYSTEM', id: 'projection-test' } as const;
const [A, B, C] = [randomUUID(), randomUUID(), randomUUID()];
const release = randomUUID();

describe('quote projection (real PostgreSQL and Kafka)', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  let kafka: KafkaClient;
  let producer: KafkaProducer;
  const topic = uniqueName('projection-quotes');
  const consumerPrefix = uniqueName('test-projector');
  const versions = new Map<string, number>();
  const running: QuoteProjector[] = [];

  function event(quoteId: string, eventType: string, payload: Record<string, unknown>): EventEnvelope {
    const version = (versions.get(quoteId) ?? 0) + 1;
    versions.set(quoteId, version);
    return {
      eventId: randomUUID(), eventType, eventVersion: 1, tenantId: 'demo', aggregateType: 'QUOTE', aggregateId: quoteId, aggregateVersion: version,
      occurredAt: new Date(Date.now() - 5_000 + version).toISOString(), correlationId: `corr-${quoteId}`, causationId: `cmd-${version}`, actor,
      payload: { quoteId, ...payload },
    };
  }
  const send = (events: EventEnvelope[]) => producer.send(topic, events.map((e) => ({ key: e.aggregateId, value: JSON.stringify(e), headers: { 'event-type': e.eventType } })));
  const snapshot = async () => ({
    quotes: await prisma.$queryRaw`SELECT * FROM quote_read_model ORDER BY quote_id`,
    worklist: await prisma.$queryRaw`SELECT * FROM approval_worklist ORDER BY quote_id, revision, level`,
  });
  const start = (generation: number, onSuperseded?: (live: number) => void) => {
    const projector = createQuoteProjector({ prisma, kafka, generation, topics: [topic], consumerPrefix, ...(onSuperseded ? { onSuperseded } : {}) });
    running.push(projector);
    void projector.run().catch(() => {});
    return projector;
  };

  beforeAll(async () => {
    db = await createTestDatabase(testEnv.postgresUrl, 'projection');
    prisma = createPrismaClient(db.url, { max: 6 });
    kafka = await testKafka();
    producer = await kafka.producer();
    await createTopics(kafka, [topic, `${topic}.dlq`], 3);
  });
  afterAll(async () => {
    for (const projector of running) await projector.stop().catch(() => {});
    await producer?.close();
    await prisma?.$disconnect();
    await db?.drop();
  });

  it('builds the quote read model and worklist from the events; a duplicate and an out-of-order event change nothing', async () => {
    const created = event(A, 'QuoteCreated', { revision: 1, accountId: 'acct-1', ownerId: 'rita', currency: 'EUR', termMonths: 24, releaseId: release });
    const lineA1 = event(A, 'QuoteLineAdded', { revision: 1, lineId: 'L1', offering: 'business-internet', quantity: 1, valid: true });
    await send([
      created, lineA1,
      event(A, 'QuoteLineAdded', { revision: 1, lineId: 'L2', offering: 'business-internet', quantity: 2, valid: true }),
      event(A, 'QuotePriced', { revision: 1, priceResultId: randomUUID(), resultHash: 'a'.repeat(64), totals: { oneTime: '100.00', recurring: '50.00' } }),
      event(A, 'QuoteSubmittedForApproval', { revision: 1, required: [], metrics: {} }),
      event(A, 'ApprovalRequested', { revision: 1, level: 1, role: 'sales-manager', dueAt: '2026-12-05T10:00:00.000Z', workItemId: 'task-1' }),
      event(A, 'ApprovalRequested', { revision: 1, level: 2, role: 'finance', dueAt: '2026-12-05T10:00:00.000Z', workItemId: null }),
      event(A, 'ApprovalLevelApproved', { revision: 1, level: 1, ownerId: 'rita', decisionId: randomUUID(), reason: 'ok' }),
      event(B, 'QuoteCreated', { revision: 1, accountId: 'acct-2', ownerId: 'rob', currency: 'USD', termMonths: 12, releaseId: release }),
      event(B, 'QuoteLineAdded', { revision: 1, lineId: 'L1', offering: 'business-internet', quantity: 1, valid: true }),
      event(B, 'QuoteWithdrawn', { revision: 1, reason: 'lost' }),
      event(C, 'QuoteCreated', { revision: 1, accountId: 'acct-1', ownerId: 'rita', currency: 'EUR', termMonths: 36, releaseId: release }),
      event(C, 'QuoteRevised', { revision: 1, newRevision: 2, releaseId: release }),
      // Delivered again (at least once), and an older event arriving late under a new id (a version
      // A already passed): the inbox and the per-aggregate position ignore both.
      created, lineA1, { ...lineA1, eventId: randomUUID() },
    ]);
    start(1);
    // Every quote's last event applied (they travel on different partitions).
    await eventually(async () => {
      const rows = await prisma.quoteReadModel.findMany();
      const at = new Map(rows.map((r) => [r.quoteId, Number(r.version)]));
      return at.get(A) === 8 && at.get(B) === 3 && at.get(C) === 2 && (await prisma.approvalWorklist.count()) === 1;
    }, 30_000);
    const a = await prisma.quoteReadModel.findUniqueOrThrow({ where: { quoteId: A } });
    expect(a).toMatchObject({ state: 'submitted', revision: 1, lineCount: 2, currency: 'EUR', totals: { oneTime: '100.00', recurring: '50.00' }, version: 8n });
    expect(await prisma.approvalWorklist.findMany()).toMatchObject([{ quoteId: A, level: 2, role: 'finance' }]);
    expect(await prisma.quoteReadModel.findUniqueOrThrow({ where: { quoteId: B } })).toMatchObject({ state: 'withdrawn', lineCount: 1 });
    expect(await prisma.quoteReadModel.findUniqueOrThrow({ where: { quoteId: C } })).toMatchObject({ state: 'draft', revision: 2 });
  }, 60_000);

  it('rebuilds from offset zero into fresh tables and swaps them in: the state is equal, the old generation is superseded', async () => {
    const before = await snapshot();
    const indexes = async () => (await prisma.$queryRaw<{ indexname: string }[]>`
      SELECT indexname FROM pg_indexes WHERE tablename IN ('quote_read_model', 'approval_worklist') ORDER BY indexname`).map((r) => r.indexname);
    const indexesBefore = await indexes();
    const warnings: unknown[] = [];
    const logger = { info: () => {}, warn: (o: object, m: string) => warnings.push([m, o]), error: (o: object, m: string) => warnings.push([m, o]) };
    const result = await rebuildQuoteProjection({ prisma, kafka, topics: [topic], consumerPrefix, catchUpTimeoutMs: 30_000, logger }).catch((e: Error) => {
      throw new Error(`${e.message}\n${JSON.stringify(warnings, null, 1).slice(0, 3000)}`);
    });
    expect(result).toMatchObject({ projection: 'quotes', previous: 1, generation: 2, rows: 3 });
    expect(await snapshot()).toEqual(before);
    expect(await indexes()).toEqual(indexesBefore);
    expect(await prisma.projectionState.findUniqueOrThrow({ where: { projection: 'quotes' } })).toMatchObject({ generation: 2, lastStarted: 2 });
    // The copies are gone: the swap renamed them.
    expect(await prisma.$queryRaw`SELECT to_regclass('quote_read_model_next')::text AS t`).toEqual([{ t: null }]);

    // A new event: generation 1's consumer finds itself superseded and applies nothing; the
    // process that follows generation 2 (as the projector role does) applies it to the live table.
    let superseded: number | undefined;
    await running[0]!.stop();
    start(1, (live) => (superseded = live));
    start(2);
    await send([event(A, 'QuoteApproved', { revision: 1, ownerId: 'rita', decisionId: randomUUID(), reason: 'all levels' })]);
    await eventually(async () => (await prisma.quoteReadModel.findUniqueOrThrow({ where: { quoteId: A } })).state === 'approved', 30_000);
    await eventually(async () => superseded === 2, 30_000);
    expect(await prisma.approvalWorklist.count()).toBe(0);
  }, 120_000);

  it('a second rebuild after that replays to the same state again', async () => {
    const before = await snapshot();
    const result = await rebuildQuoteProjection({ prisma, kafka, topics: [topic], consumerPrefix, catchUpTimeoutMs: 60_000 });
    expect(result.generation).toBe(3);
    expect(await snapshot()).toEqual(before);
  }, 120_000);

  it('reports its lag: messages behind for its generation\'s group, and each event\'s age when applied', async () => {
    const admin = await kafka.admin();
    try {
      const registry = createMetricsRegistry('projector');
      let generation = 3;
      registerKafkaMetrics(registry, { admin: async () => admin, groups: () => [projectorName(generation, consumerPrefix)], topics: [topic], deadLetterTopics: [], maxAgeMs: 0 });
      const freshness = registerProjectorMetrics(registry, () => generation);
      // Nobody consumes generation 3 now: two new events are its lag.
      await send([event(B, 'QuoteExpired', { revision: 1, validUntil: '2026-12-01' }), event(C, 'QuoteLineAdded', { revision: 2, lineId: 'L1', offering: 'x', quantity: 1, valid: true })]);
      await eventually(async () => sampleOf(await registry.metrics(), 'cpq_kafka_consumer_lag_messages', { group: projectorName(3, consumerPrefix), topic }) === 2, 15_000);
      const projector = createQuoteProjector({ prisma, kafka, generation: 3, topics: [topic], consumerPrefix, onApplied: freshness.observe });
      running.push(projector);
      void projector.run().catch(() => {});
      await eventually(async () => sampleOf(await registry.metrics(), 'cpq_kafka_consumer_lag_messages', { group: projectorName(3, consumerPrefix), topic }) === 0, 30_000);
      const text = await registry.metrics();
      expect(sampleOf(text, 'cpq_projection_event_age_seconds_count', { projection: 'quotes' })).toBe(2);
      expect(sampleOf(text, 'cpq_projection_generation', { projection: 'quotes' })).toBe(3);
      generation = 4;
      expect(await registry.metrics()).not.toContain(`group="${projectorName(3, consumerPrefix)}"`);
    } finally {
      await admin.close();
    }
  }, 90_000);
});
