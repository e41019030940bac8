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
import { orderProjection } from './order-projection';
import { reduceOrder, type OrderRow } from './order-projection.reducer';
import { consumerName, createProjector, type ProjectionDefinition, type Projector } from './projection';
import { rebuildProjection } from './projection.rebuild';
import { registerProjectorMetrics } from './projector.metrics';
import { worklistProjection } from './worklist-projection';
import { readWorklist } from './worklist-projection.store';

// The order read model and the worklist on the real PostgreSQL and Kafka, on topics and consumer
// names of their own (never the running platform's `projector-*` groups): rows from the events,
// duplicates and late older events changing nothing, escalations (ApprovalEscalated) shown to the
// role they went to, also when applied before their level's request, a malformed one dead-lettered,
// a rebuild from offset zero into fresh tables swapped in with the tables' contents equal (the
// escalations with them), the old generation superseded, and lag as a metric.
const actor = { type: 'SYSTEM', id: 'projection-test' } as const;
const [O1, O2, O3] = [randomUUID(), randomUUID(), randomUUID()];
const [Q1, Q2, Q3, Q4, Q5, Q6] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
const [CASE1, CASE2] = [randomUUID(), randomUUID()];
const release = randomUUID();
const TENANT = uniqueName('tenant-wl');
const hour = 3_600_000;

describe('order read model and worklist projections (real PostgreSQL and Kafka)', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  let kafka: KafkaClient;
  let producer: KafkaProducer;
  const quoteTopic = uniqueName('projection-wl-quotes');
  const orderTopic = uniqueName('projection-orders');
  const consumerPrefix = uniqueName('test-projector');
  const topicsOf = (p: ProjectionDefinition) => (p === orderProjection ? [orderTopic] : [quoteTopic, orderTopic]);
  const versions = new Map<string, number>();
  const running: Projector[] = [];
  /** Every event in the order each aggregate wrote it, once: what the rows must equal. */
  const clean: EventEnvelope[] = [];

  function event(aggregateType: 'QUOTE' | 'ORDER', id: string, eventType: string, payload: Record<string, unknown>): EventEnvelope {
    const version = (versions.get(id) ?? 0) + 1;
    versions.set(id, version);
    const e: EventEnvelope = {
      eventId: randomUUID(), eventType, eventVersion: 1, tenantId: TENANT, aggregateType, aggregateId: id, aggregateVersion: version,
      occurredAt: new Date(Date.now() - 60_000 + version * 10).toISOString(), correlationId: `corr-${id}`, causationId: `cmd-${version}`, actor,
      payload: aggregateType === 'ORDER' ? { orderId: id, ...payload } : { quoteId: id, ...payload },
    };
    clean.push(e);
    return e;
  }
  const order = (id: string, type: string, payload: Record<string, unknown> = {}) => event('ORDER', id, type, payload);
  const quote = (id: string, type: string, payload: Record<string, unknown> = {}) => event('QUOTE', id, type, payload);
  const step = (id: string, stepKey: string, from: string, to: string, attempt = 1) =>
    order(id, 'OrderStepStateChanged', { stepKey, from, to, attempt, requestKey: `${id}:${stepKey}:${attempt}`, externalReference: to === 'completed' ? `ext-${stepKey}` : null, reason: to === 'failed' ? 'target said no' : null });
  const send = (events: EventEnvelope[]) => Promise.all([
    producer.send(orderTopic, events.filter((e) => e.aggregateType === 'ORDER').map((e) => ({ key: e.aggregateId, value: JSON.stringify(e), headers: { 'event-type': e.eventType } }))),
    producer.send(quoteTopic, events.filter((e) => e.aggregateType === 'QUOTE').map((e) => ({ key: e.aggregateId, value: JSON.stringify(e), headers: { 'event-type': e.eventType } }))),
  ]);
  const start = (definition: ProjectionDefinition, generation: number, extra: { onSuperseded?: (live: number) => void; onApplied?: (e: EventEnvelope) => void } = {}) => {
    const projector = createProjector(definition, { prisma, kafka, generation, topics: topicsOf(definition), consumerPrefix, ...extra });
    running.push(projector);
    void projector.run().catch(() => {});
    return projector;
  };
  // Whole tables, every column, in a stable order: what "equal" means for a rebuild.
  const snapshot = async () => ({
    orders: await prisma.$queryRaw`SELECT * FROM order_read_model ORDER BY order_id`,
    worklist: await prisma.$queryRaw`SELECT * FROM worklist_item ORDER BY item_id`,
  });
  const indexes = async () => (await prisma.$queryRaw<{ indexname: string }[]>`
    SELECT indexname FROM pg_indexes WHERE tablename IN ('order_read_model', 'worklist_item') ORDER BY indexname`).map((r) => r.indexname);
  const expectedOrder = (id: string) => clean.filter((e) => e.aggregateId === id).reduce<OrderRow | undefined>(reduceOrder, undefined)!;
  const lastVersion = (id: string) => versions.get(id)!;

  beforeAll(async () => {
    db = await createTestDatabase(testEnv.postgresUrl, 'projection_orders');
    prisma = createPrismaClient(db.url, { max: 8 });
    kafka = await testKafka();
    producer = await kafka.producer();
    await createTopics(kafka, [quoteTopic, `${quoteTopic}.dlq`, orderTopic, `${orderTopic}.dlq`], 3);
  }, 120_000);
  afterAll(async () => {
    for (const projector of running) await projector.stop().catch(() => {});
    await producer?.close();
    await prisma?.$disconnect();
    await db?.drop();
  });

  it('builds the order read model and the worklist from the events; duplicates and a late older event change nothing', async () => {
    const now = Date.now();
    const caseOpened = (id: string, caseId: string, stepKey: string) => order(id, 'FalloutCaseOpened', {
      caseId, stepKey, category: 'technical-retry', reason: `step ${stepKey} failed`, source: 'step-failure', slaDueAt: new Date(now + 4 * hour).toISOString(), allowedActions: ['retry', 'resolve', 'cancel'],
    });
    // O1: fulfilled after its failed step was resolved by an operator; the installed base changed.
    const o1Created = order(O1, 'OrderCreated', { quoteId: Q1, quoteRevision: 1, accountId: 'acct-1', source: 'event', lines: 2, snapshotSha256: 'a'.repeat(64) });
    const o1 = [
      o1Created, order(O1, 'OrderPlanned', { planVersion: 1, releaseId: release, steps: 2, waves: 2 }),
      order(O1, 'OrderFulfillmentStarted', { processInstanceId: 'pi-o1', businessKey: `bk-${O1}` }),
      step(O1, 'inventory', 'pending', 'in-progress'), step(O1, 'inventory', 'in-progress', 'completed'),
      step(O1, 'provisioning', 'pending', 'in-progress'), step(O1, 'provisioning', 'in-progress', 'failed'), caseOpened(O1, CASE1, 'provisioning'),
      order(O1, 'FalloutCaseResolved', { caseId: CASE1, action: 'resolve', resolvedBy: 'olga' }), step(O1, 'provisioning', 'failed', 'resolved'),
      order(O1, 'OrderFulfilled', { planVersion: 1 }),
      order(O1, 'InstalledBaseChanged', { accountId: 'acct-1', changes: [{ assetId: randomUUID(), lineId: 'L1', action: 'add', version: 1 }, { assetId: randomUUID(), lineId: 'L2', action: 'add', version: 1 }] }),
    ];
    // O2: in progress, a step failed and its case is open (the operators' worklist).
    const o2FalloutOpened = (() => {
      order(O2, 'OrderCreated', { quoteId: Q2, quoteRevision: 1, accountId: 'acct-2', source: 'command', lines: 1, snapshotSha256: 'b'.repeat(64), basis: 'change' });
      order(O2, 'OrderPlanned', { planVersion: 1, releaseId: release, steps: 1, waves: 1 });
      order(O2, 'OrderFulfillmentStarted', { processInstanceId: 'pi-o2', businessKey: `bk-${O2}` });
      step(O2, 'billing', 'pending', 'in-progress');
      step(O2, 'billing', 'in-progress', 'failed');
      return caseOpened(O2, CASE2, 'billing');
    })();
    // O3: cancelled with compensation.
    order(O3, 'OrderCreated', { quoteId: Q3, quoteRevision: 2, accountId: 'acct-1', source: 'event', lines: 1, snapshotSha256: 'c'.repeat(64) });
    order(O3, 'OrderPlanned', { planVersion: 1, releaseId: release, steps: 1, waves: 1 });
    order(O3, 'OrderFulfillmentStarted', { processInstanceId: 'pi-o3', businessKey: `bk-${O3}` });
    step(O3, 'inventory', 'pending', 'in-progress');
    step(O3, 'inventory', 'in-progress', 'completed');
    order(O3, 'OrderCancellationRequested', { reason: 'customer withdrew', compensation: ['inventory'] });
    step(O3, 'inventory', 'completed', 'compensating');
    step(O3, 'inventory', 'compensating', 'compensated');
    order(O3, 'OrderCancelled', { compensated: ['inventory'] });
    // Q1: level 1 approved, level 2 (finance) open; Q2: rejected at level 1; Q3: level 1 open and past its due time.
    const q1Level1 = quote(Q1, 'ApprovalRequested', { revision: 1, level: 1, role: 'sales-manager', dueAt: new Date(now + 48 * hour).toISOString(), workItemId: 'task-q1-1', reasons: ['discount 15 % above 10 %'] });
    quote(Q1, 'ApprovalLevelApproved', { revision: 1, level: 1, ownerId: 'rita', decisionId: randomUUID(), reason: 'ok' });
    quote(Q1, 'ApprovalRequested', { revision: 1, level: 2, role: 'finance', dueAt: new Date(now + 24 * hour).toISOString(), workItemId: null });
    quote(Q2, 'ApprovalRequested', { revision: 1, level: 1, role: 'sales-manager', dueAt: new Date(now + 48 * hour).toISOString(), workItemId: 'task-q2-1' });
    quote(Q2, 'QuoteRejected', { revision: 1, ownerId: 'rob', reason: 'margin', level: 1, decisionId: randomUUID() });
    quote(Q3, 'QuoteSubmittedForApproval', { revision: 1, required: [], metrics: { currency: 'EUR', discountPercent: '20', dealValue: '1000.00', termMonths: 24 } });
    quote(Q3, 'ApprovalRequested', { revision: 1, level: 1, role: 'sales-manager', dueAt: new Date(now - hour).toISOString(), workItemId: 'task-q3-1' });
    // Q4: level 1 past its SLA, escalated to finance (its task found by the escalation), then raised
    // again by an approver: the first escalation's time stays. A malformed escalation between them
    // is dead-lettered and changes nothing.
    quote(Q4, 'ApprovalRequested', { revision: 1, level: 1, role: 'sales-manager', dueAt: new Date(now - 2 * hour).toISOString(), workItemId: null });
    const q4Malformed = quote(Q4, 'ApprovalEscalated', { revision: 1, level: 1, role: 'sales-manager', workItemId: 'task-q4-1' });
    const q4Escalated = quote(Q4, 'ApprovalEscalated', { revision: 1, level: 1, role: 'sales-manager', to: 'finance', workItemId: 'task-q4-1' });
    quote(Q4, 'ApprovalEscalated', { revision: 1, level: 1, role: 'sales-manager', to: 'finance', workItemId: 'task-q4-1' });
    // Q5: level 2 escalated before its request was written (the engine requests the next level after
    // the decision's commit): the request opens it escalated, with the escalation's task.
    quote(Q5, 'ApprovalRequested', { revision: 1, level: 1, role: 'sales-manager', dueAt: new Date(now + 48 * hour).toISOString(), workItemId: 'task-q5-1' });
    quote(Q5, 'ApprovalLevelApproved', { revision: 1, level: 1, ownerId: 'rita', decisionId: randomUUID() });
    const q5Escalated = quote(Q5, 'ApprovalEscalated', { revision: 1, level: 2, role: 'finance', to: 'admin', workItemId: 'task-q5-2' });
    quote(Q5, 'ApprovalRequested', { revision: 1, level: 2, role: 'finance', dueAt: new Date(now + 30 * hour).toISOString(), workItemId: null });
    // Q6: escalated just after its level was approved (the two commands raced): nobody's work.
    quote(Q6, 'ApprovalRequested', { revision: 1, level: 1, role: 'sales-manager', dueAt: new Date(now + 48 * hour).toISOString(), workItemId: 'task-q6-1' });
    quote(Q6, 'ApprovalLevelApproved', { revision: 1, level: 1, ownerId: 'rita', decisionId: randomUUID() });
    quote(Q6, 'ApprovalEscalated', { revision: 1, level: 1, role: 'sales-manager', to: 'finance', workItemId: 'task-q6-1' });

    await send([
      ...clean,
      // Delivered again (at least once): the inbox ignores them.
      o1Created, o1[7]!, q1Level1,
      // Older events arriving late under new ids (versions their aggregates passed): applied, they
      // would count the resolved case of O1 as open again, reopen O2's case a second time and put
      // Q1's approved level back on the sales managers' worklist. The per-aggregate position drops them.
      { ...o1[7]!, eventId: randomUUID() }, { ...o2FalloutOpened, eventId: randomUUID(), payload: { ...o2FalloutOpened.payload, caseId: randomUUID() } },
      { ...q1Level1, eventId: randomUUID() },
      // An escalation delivered again, and again under a new id.
      q4Escalated, { ...q4Escalated, eventId: randomUUID() }, q5Escalated,
    ]);
    start(orderProjection, 1);
    start(worklistProjection, 1);

    // Every aggregate's last event applied (they travel on different partitions), by both projections.
    await eventually(async () => {
      const rows = new Map((await prisma.orderReadModel.findMany()).map((r) => [r.orderId, Number(r.version)]));
      const positions = await prisma.$queryRaw<{ aggregate_id: string; aggregate_version: bigint }[]>`
        SELECT aggregate_id, aggregate_version FROM consumer_position WHERE consumer = ${consumerName('worklist', 1, consumerPrefix)}`;
      const seen = new Map(positions.map((p) => [p.aggregate_id, Number(p.aggregate_version)]));
      return [O1, O2, O3].every((o) => rows.get(o) === lastVersion(o)) && [O1, O2, O3, Q1, Q2, Q3, Q4, Q5, Q6].every((id) => seen.get(id) === lastVersion(id));
    }, 30_000);

    // Each row equals the fold of its aggregate's events, in order, once.
    const rows = await prisma.orderReadModel.findMany();
    for (const id of [O1, O2, O3]) {
      const e = expectedOrder(id);
      const row = rows.find((r) => r.orderId === id)!;
      expect({ ...row, version: Number(row.version), createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() }).toEqual(e);
    }
    expect(rows.find((r) => r.orderId === O1)).toMatchObject({ state: 'fulfilled', stepCount: 2, stepsDone: 2, openFallout: 0, falloutTotal: 1, assetsChanged: 2, processInstanceId: 'pi-o1' });
    expect(rows.find((r) => r.orderId === O2)).toMatchObject({ state: 'in-progress', basis: 'change', stepsDone: 0, openFallout: 1, falloutTotal: 1, steps: { billing: { state: 'failed', attempt: 1, reason: 'target said no' } } });
    expect(rows.find((r) => r.orderId === O3)).toMatchObject({ state: 'cancelled', cancelReason: 'customer withdrew', steps: { inventory: { state: 'compensated' } } });

    // The worklist: one open case for operators, finance's level 2 of Q1, Q3's breached level 1,
    // Q4's level 1 escalated to finance, Q5's level 2 escalated to admin; Q6's late escalation is
    // kept as an item not opened (no times), which nobody reads.
    expect((await prisma.worklistItem.findMany({ orderBy: { itemId: 'asc' } })).map((i) => i.itemId).sort())
      .toEqual([`approval:${Q1}:1:2`, `approval:${Q3}:1:1`, `fallout:${CASE2}`, `approval:${Q4}:1:1`, `approval:${Q5}:1:2`, `approval:${Q6}:1:1`].sort());
    expect(await prisma.worklistItem.findUniqueOrThrow({ where: { itemId: `approval:${Q6}:1:1` } })).toMatchObject({ openedAt: null, dueAt: null, escalatedTo: 'finance' });
    // The malformed escalation went to the dead letters; the projector went on.
    expect(await prisma.$queryRaw`SELECT attempts, dead_lettered_at IS NOT NULL AS dead FROM consumer_failure
      WHERE consumer = ${consumerName('worklist', 1, consumerPrefix)} AND event_id = ${q4Malformed.eventId}::uuid`).toEqual([{ attempts: 5, dead: true }]);
    expect(await readWorklist(prisma, { tenantId: TENANT, role: 'ops', now: new Date(now) })).toEqual([expect.objectContaining({
      kind: 'fallout', role: 'ops', orderId: O2, caseId: CASE2, stepKey: 'billing', category: 'technical-retry', source: 'step-failure',
      allowedActions: ['retry', 'resolve', 'cancel'], reason: 'step billing failed', dueAt: new Date(now + 4 * hour).toISOString(), escalation: 'within-sla',
    })]);
    // Finance: Q4 escalated to it (soonest due), its own Q1 level 2, its own Q5 level 2 (escalated on to admin).
    expect(await readWorklist(prisma, { tenantId: TENANT, role: 'finance', now: new Date(now) })).toEqual([
      expect.objectContaining({ kind: 'approval', quoteId: Q4, level: 1, role: 'sales-manager', workItemId: 'task-q4-1', escalation: 'breached', escalatedTo: 'finance', escalatedAt: q4Escalated.occurredAt }),
      expect.objectContaining({ kind: 'approval', quoteId: Q1, revision: 1, level: 2, workItemId: null, escalation: 'within-sla', escalatedTo: null, escalatedAt: null }),
      expect.objectContaining({ quoteId: Q5, level: 2, role: 'finance', workItemId: 'task-q5-2', dueAt: new Date(now + 30 * hour).toISOString(), escalatedTo: 'admin', escalatedAt: q5Escalated.occurredAt }),
    ]);
    // The level's role still holds an escalated item.
    expect(await readWorklist(prisma, { tenantId: TENANT, role: 'sales-manager', now: new Date(now) })).toEqual([
      expect.objectContaining({ quoteId: Q4, level: 1, escalatedTo: 'finance' }),
      expect.objectContaining({ quoteId: Q3, level: 1, workItemId: 'task-q3-1', escalation: 'breached', escalatedTo: null }),
    ]);
    expect(await readWorklist(prisma, { tenantId: TENANT, role: 'admin', now: new Date(now) })).toEqual([expect.objectContaining({ quoteId: Q5, level: 2, escalatedTo: 'admin' })]);
    expect((await readWorklist(prisma, { tenantId: TENANT })).map((i) => i.itemId)).not.toContain(`approval:${Q6}:1:1`);
    // Read a day later, the operators' case has breached its four hours too.
    expect(await readWorklist(prisma, { tenantId: TENANT, role: 'ops', now: new Date(now + 24 * hour) })).toMatchObject([{ caseId: CASE2, escalation: 'breached' }]);
    expect(await readWorklist(prisma, { tenantId: 'another-tenant' })).toEqual([]);
  }, 90_000);

  it('rebuilds each from offset zero into fresh tables and swaps them in: the tables are equal, the old generation is superseded', async () => {
    const before = await snapshot();
    const indexesBefore = await indexes();
    const orders = await rebuildProjection(orderProjection, { prisma, kafka, topics: [orderTopic], consumerPrefix, catchUpTimeoutMs: 60_000 });
    expect(orders).toMatchObject({ projection: 'orders', previous: 1, generation: 2, rows: 3 });
    const worklist = await rebuildProjection(worklistProjection, { prisma, kafka, topics: [quoteTopic, orderTopic], consumerPrefix, catchUpTimeoutMs: 60_000 });
    expect(worklist).toMatchObject({ projection: 'worklist', previous: 1, generation: 2, rows: 6 });
    expect(await snapshot()).toEqual(before);
    // The escalations came back with the rebuild (the fresh generation's table has their columns).
    const q5EscalatedAt = clean.find((e) => e.aggregateId === Q5 && e.eventType === 'ApprovalEscalated')!.occurredAt;
    expect(await readWorklist(prisma, { tenantId: TENANT, role: 'admin' })).toEqual([expect.objectContaining({ quoteId: Q5, level: 2, escalatedTo: 'admin', escalatedAt: q5EscalatedAt })]);
    expect(await indexes()).toEqual(indexesBefore);
    expect(await prisma.projectionState.findMany({ where: { projection: { in: ['orders', 'worklist'] } }, orderBy: { projection: 'asc' } }))
      .toMatchObject([{ projection: 'orders', generation: 2, lastStarted: 2 }, { projection: 'worklist', generation: 2, lastStarted: 2 }]);
    // The quote projection was not touched.
    expect(await prisma.projectionState.findUniqueOrThrow({ where: { projection: 'quotes' } })).toMatchObject({ generation: 1 });
    expect(await prisma.$queryRaw`SELECT to_regclass('order_read_model_next')::text AS o, to_regclass('worklist_item_next')::text AS w`).toEqual([{ o: null, w: null }]);

    // New events: generation 1's consumers find themselves superseded and apply nothing; generation 2's apply them to the live tables.
    for (const projector of running.splice(0)) await projector.stop();
    const superseded: Record<string, number> = {};
    start(orderProjection, 1, { onSuperseded: (live) => (superseded.orders = live) });
    start(worklistProjection, 1, { onSuperseded: (live) => (superseded.worklist = live) });
    start(orderProjection, 2);
    start(worklistProjection, 2);
    await send([
      order(O2, 'FalloutCaseResolved', { caseId: CASE2, action: 'retry', resolvedBy: 'olga' }), step(O2, 'billing', 'failed', 'pending', 1),
      quote(Q1, 'QuoteApproved', { revision: 1, ownerId: 'rita', decisionId: randomUUID(), level: 2, reason: 'all levels' }),
      // Closing events close escalated items (and the revision's end the item not opened).
      quote(Q4, 'ApprovalLevelApproved', { revision: 1, level: 1, ownerId: 'rita', decisionId: randomUUID() }),
      quote(Q5, 'QuoteRejected', { revision: 1, ownerId: 'rita', reason: 'margin', level: 2, decisionId: randomUUID() }),
      quote(Q6, 'QuoteApproved', { revision: 1, ownerId: 'rita', decisionId: randomUUID(), level: 1 }),
    ]);
    await eventually(async () => Number((await prisma.orderReadModel.findUniqueOrThrow({ where: { orderId: O2 } })).version) === lastVersion(O2), 30_000);
    await eventually(async () => (await prisma.worklistItem.count()) === 1, 30_000);
    await eventually(async () => superseded.orders === 2 && superseded.worklist === 2, 30_000);
    expect(await prisma.orderReadModel.findUniqueOrThrow({ where: { orderId: O2 } })).toMatchObject({ openFallout: 0, steps: { billing: { state: 'pending' } } });
    expect(await prisma.worklistItem.findMany()).toMatchObject([{ itemId: `approval:${Q3}:1:1` }]);
  }, 180_000);

  it('a second rebuild after that replays to the same tables again', async () => {
    const before = await snapshot();
    expect((await rebuildProjection(orderProjection, { prisma, kafka, topics: [orderTopic], consumerPrefix, catchUpTimeoutMs: 60_000 })).generation).toBe(3);
    expect((await rebuildProjection(worklistProjection, { prisma, kafka, topics: [quoteTopic, orderTopic], consumerPrefix, catchUpTimeoutMs: 60_000 })).generation).toBe(3);
    expect(await snapshot()).toEqual(before);
  }, 180_000);

  it('reports its lag per projection: messages behind for each generation\'s group on each topic, and each event\'s age when applied', async () => {
    for (const projector of running.splice(0)) await projector.stop();
    const admin = await kafka.admin();
    try {
      const registry = createMetricsRegistry('projector');
      const generation: Record<string, number> = { orders: 3, worklist: 3 };
      registerKafkaMetrics(registry, {
        admin: async () => admin, groups: () => Object.entries(generation).map(([p, g]) => consumerName(p, g, consumerPrefix)),
        topics: [quoteTopic, orderTopic], deadLetterTopics: [], maxAgeMs: 0,
      });
      const freshness = registerProjectorMetrics(registry, (p) => generation[p], ['orders', 'worklist']);
      const lag = async (projection: string, topic: string) => sampleOf(await registry.metrics(), 'cpq_kafka_consumer_lag_messages', { group: consumerName(projection, 3, consumerPrefix), topic });
      // Nobody consumes generation 3 now: these are its lag (the order event for both projections, the quote event for the worklist only).
      await send([order(O3, 'FulfillmentCallbackRecorded', { stepKey: 'inventory', externalReference: 'late', outcome: 'completed', disposition: 'after-cancellation' }),
        quote(Q3, 'QuoteWithdrawn', { revision: 1, reason: 'lost' })]);
      await eventually(async () => (await lag('orders', orderTopic)) === 1 && (await lag('worklist', orderTopic)) === 1 && (await lag('worklist', quoteTopic)) === 1, 15_000);
      expect(await lag('orders', quoteTopic)).toBeUndefined();
      start(orderProjection, 3, { onApplied: (e) => freshness.observe(e, 'orders') });
      start(worklistProjection, 3, { onApplied: (e) => freshness.observe(e, 'worklist') });
      await eventually(async () => (await lag('orders', orderTopic)) === 0 && (await lag('worklist', orderTopic)) === 0 && (await lag('worklist', quoteTopic)) === 0, 30_000);
      const text = await registry.metrics();
      expect(sampleOf(text, 'cpq_projection_event_age_seconds_count', { projection: 'orders' })).toBe(1);
      expect(sampleOf(text, 'cpq_projection_event_age_seconds_count', { projection: 'worklist' })).toBe(2);
      expect(sampleOf(text, 'cpq_projection_generation', { projection: 'worklist' })).toBe(3);
      expect(sampleOf(text, 'cpq_projection_last_applied_timestamp_seconds', { projection: 'orders' })).toBeGreaterThan(Date.now() / 1000 - 60);
      expect(await prisma.worklistItem.count()).toBe(0);
    } finally {
      await admin.close();
    }
  }, 90_000);
});
