import type { KafkaClient, KafkaProducer } from '@cpq/connectors/kafka/kafka.port';
import type { EventEnvelope } from '@cpq/contracts/event-envelope';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTopics, eventually, testKafka, uniqueName } from '../../../../test/kafka-helpers';
import { testEnv } from '../../../../test/env';
import { createFulfillmentFixture, type FulfillmentFixture } from '../../../test/order-fixture';
import type { Json } from '../../../test/quote-fixture';
import { consumerContext, createOrderConsumer } from './order.consumer';

// The order drills of seed section 13 and the happy journey, on the real platform pieces: the
// engine (this process, listening), the release's order-fulfillment BPMN on Camunda, the
// fulfillment workers (connectors/src/fulfillment) with their own service credential, and the
// target-systems service (its own process, started once per run), which calls the engine back.
// Failure modes are target-systems rules keyed by the order id.

const PLAN = ['L1.reserve-access', 'L1.install-line', 'L1.activate-service', 'L1.start-billing', 'L1.notify-customer'];

describe('order fulfillment on Camunda against the target systems', () => {
  let f: FulfillmentFixture;
  beforeAll(async () => {
    f = await createFulfillmentFixture('order_fulfillment', { retries: 2, adapterTimeoutMs: 3_000 });
  });
  afterAll(async () => {
    await f?.close();
  });
  const prisma = () => f.t.infrastructure.prisma;
  const stepEvents = async (orderId: string, stepKey?: string) =>
    (await prisma().outboxEvent.findMany({ where: { aggregateId: orderId, eventType: 'OrderStepStateChanged' }, orderBy: { aggregateVersion: 'asc' } }))
      .map((e) => e.payload as Json).filter((p) => !stepKey || p.stepKey === stepKey);
  const openCases = async (orderId: string) => (await f.callAs('olga', 'GET', `/fallout-work-items?orderId=${orderId}&state=open`)).body.items as Json[];
  const resolve = (caseId: string, body: Json) => f.callAs('olga', 'POST', `/work-items/${caseId}/commands/resolve-fallout`, body);

  describe('the happy journey: accepted -> order (Kafka) -> plan -> steps on Camunda -> fulfilled', () => {
    let kafka: KafkaClient;
    let producer: KafkaProducer;
    let consumer: ReturnType<typeof createOrderConsumer>;
    const topic = uniqueName('test.cpq.quote.events');
    beforeAll(async () => {
      kafka = await testKafka();
      await createTopics(kafka, [topic, `${topic}.dlq`], 1);
      producer = await kafka.producer();
      consumer = createOrderConsumer({
        name: uniqueName('orders-journey'), topics: [topic], prisma: prisma(), kafka, fromBeginning: true,
        onOrderCreated: async (orderId, event) => void (await f.t.orders.startFulfillment(orderId, consumerContext(event))),
      });
      void consumer.run();
    });
    afterAll(async () => {
      await consumer?.stop();
      await producer?.close();
    });

    it('fulfils every step at its target system (the installation by callback) and records the order fulfilled', async () => {
      const quoteId = await f.acceptedQuote();
      // What the relay does: the accept's QuoteAccepted, from the outbox to the topic.
      const row = await prisma().outboxEvent.findFirstOrThrow({ where: { aggregateId: quoteId, eventType: 'QuoteAccepted' } });
      const event: EventEnvelope = {
        eventId: row.eventId, eventType: row.eventType, eventVersion: row.eventVersion, tenantId: row.tenantId, aggregateType: row.aggregateType,
        aggregateId: row.aggregateId, aggregateVersion: Number(row.aggregateVersion), occurredAt: row.occurredAt.toISOString(),
        correlationId: row.correlationId, causationId: row.causationId, actor: row.actor as EventEnvelope['actor'], payload: row.payload as Record<string, unknown>,
      };
      await producer.send(topic, [{ key: event.aggregateId, value: JSON.stringify(event) }]);
      const orderId = await eventually(async () => (await prisma().customerOrder.findFirst({ where: { quoteId } }))?.id, 30_000, 200);
      const order = await f.until(orderId, ['fulfilled'], 90_000);
      expect(order).toMatchObject({ source: 'event', plan: { steps: 5, stepStates: { completed: 5 } }, openFallout: 0 });

      const steps = await f.steps(orderId);
      for (const key of PLAN) expect(steps[key], key).toMatchObject({ state: 'completed', attempt: 1, externalReference: expect.stringMatching(/^(RSV|PRV|BIL)-/) });
      // The installation was accepted and completed by the field service's callback.
      expect((await stepEvents(orderId, 'L1.install-line')).map((e) => `${e.from}>${e.to}`)).toEqual(['pending>in-progress', 'in-progress>awaiting-callback', 'awaiting-callback>completed']);
      const { records } = await f.control.requests(orderId);
      expect(records.map((r) => [r.system, r.action, r.status]).sort()).toEqual([
        ['billing', 'create-subscription', 'completed'], ['crm', 'send-notification', 'completed'], ['field-service', 'schedule-installation', 'completed'],
        ['network-activation', 'activate', 'completed'], ['network-inventory', 'reserve-resource', 'completed'],
      ]);
      // Waves in order: nothing began before every step it depends on completed.
      const begun = (await stepEvents(orderId)).filter((e) => e.to === 'in-progress').map((e) => e.stepKey);
      expect(begun.indexOf('L1.activate-service')).toBeGreaterThan(begun.indexOf('L1.install-line'));
      const kinds = (await prisma().outboxEvent.findMany({ where: { aggregateId: orderId }, orderBy: { aggregateVersion: 'asc' } })).map((e) => e.eventType);
      expect(kinds.slice(0, 3)).toEqual(['OrderCreated', 'OrderPlanned', 'OrderFulfillmentStarted']);
      expect(kinds).toContain('FulfillmentCallbackRecorded');
      expect(kinds.slice(-2)).toEqual(['OrderFulfilled', 'InstalledBaseChanged']);
      // The order is recorded fulfilled by the last step's worker; Camunda ends the instance once
      // that worker's task completes, a moment later.
      const history = await eventually(async () => {
        const [h] = await f.t.infrastructure.camunda.historicProcessInstances({ processInstanceBusinessKey: `order-fulfillment:${f.tenant}:${orderId}` });
        return h?.state === 'ACTIVE' ? undefined : h;
      }, 30_000, 200);
      expect(history).toMatchObject({ state: 'COMPLETED' });

      // The installed base: the line's asset for the account, for the order's term.
      const base = (await f.call('sam', 'GET', '/installed-base?accountId=acct-1')).body;
      const assets = (base.items as Json[]).filter((a) => a.orderId === orderId);
      expect(assets).toEqual([expect.objectContaining({
        accountId: 'acct-1', offering: 'business-internet', quantity: 1, lineId: 'L1', state: 'active', currency: 'EUR', termMonths: 24,
        lastOrderId: orderId, selections: expect.objectContaining({ access: 'fiber', bandwidth: 500 }),
      })]);
      expect(new Date(assets[0]!.termEnd).getTime()).toBeGreaterThan(new Date(assets[0]!.termStart).getTime());
      expect(assets[0]!.charges.map((c: Json) => c.charge)).toEqual((order.lines[0].charges as Json[]).map((c) => c.charge));
      const changed = (await prisma().outboxEvent.findFirstOrThrow({ where: { aggregateId: orderId, eventType: 'InstalledBaseChanged' } })).payload as Json;
      expect(changed).toEqual({ orderId, accountId: 'acct-1', changes: [{ assetId: assets[0]!.assetId, lineId: 'L1', action: 'add', version: 1 }] });
      // Recording the fulfillment again installs nothing twice; the customer sees their own account only.
      expect((await f.call('ian', 'POST', `/orders/${orderId}/commands/complete-fulfillment`)).status).toBe(200);
      expect(((await f.call('cora', 'GET', '/installed-base?accountId=acct-1')).body.items as Json[]).filter((a) => a.orderId === orderId)).toHaveLength(1);
      expect((await f.call('carl', 'GET', '/installed-base?accountId=acct-1')).body).toMatchObject({ status: 404, code: 'account-not-found' });
      expect((await f.call('sam', 'GET', '/installed-base')).body).toMatchObject({ status: 400, errors: [{ field: 'query/accountId', rule: 'required' }] });
    }, 120_000);
  });

  it('drill: duplicate create order commands make one order', async () => {
    const quoteId = await f.acceptedQuote();
    const [a, b] = await Promise.all([f.call('rita', 'POST', '/orders/from-accepted-quote', { quoteId }), f.call('rita', 'POST', '/orders/from-accepted-quote', { quoteId })]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    expect(await prisma().customerOrder.count({ where: { quoteId } })).toBe(1);
    const orderId = (a.status === 201 ? a : b).body.orderId as string;
    await f.until(orderId, ['fulfilled'], 90_000);
  }, 120_000);

  it('drill: the inventory reservation times out (unknown outcome); the reconciliation asks the inventory, finds it reserved, and nothing is reserved twice', async () => {
    const quoteId = await f.acceptedQuote();
    // The answer to the reservation is lost (the system acted), and the first query fails too.
    const orderId = await createWith(quoteId, async (id) => {
      await f.control.rule({ system: 'network-inventory', operation: 'execute', keyContains: id }, { unknownOutcome: true }, 1);
      await f.control.rule({ system: 'network-inventory', operation: 'query', keyContains: id }, { status: 503 }, 1);
    });
    await f.until(orderId, ['fulfilled'], 90_000);
    const transitions = (await stepEvents(orderId, 'L1.reserve-access')).map((e) => `${e.from}>${e.to}`);
    expect(transitions).toEqual(['pending>in-progress', 'in-progress>unknown', 'unknown>completed']);
    const reconciled = (await stepEvents(orderId, 'L1.reserve-access')).at(-1)!;
    expect(reconciled.reason).toMatch(/reconciled: the target system holds the request as completed/);
    const { journal, records } = await f.control.requests(`${orderId}:L1.reserve-access`);
    expect(journal.map((e) => `${e.operation}:${e.answered}`)).toEqual(['execute:dropped', 'query:503', 'query:200']);
    expect(records).toHaveLength(1);
    expect((await f.steps(orderId))['L1.reserve-access']).toMatchObject({ state: 'completed', attempt: 1, externalReference: records[0]!.externalReference });
  }, 120_000);

  it('drill: a duplicate callback is recorded once as applied and once as a duplicate; the step completes once', async () => {
    const quoteId = await f.acceptedQuote();
    const orderId = await createWith(quoteId, (id) => f.control.rule({ system: 'field-service', keyContains: id }, { async: true, duplicateCallback: true }));
    await f.until(orderId, ['fulfilled'], 90_000);
    // The field service sends the duplicate after the first callback's answer: the order can be fulfilled before it is recorded.
    const callbacks = await eventually(async () => {
      const rows = await prisma().fulfillmentCallback.findMany({ where: { orderId }, orderBy: { id: 'asc' } });
      return rows.length >= 2 && rows;
    }, 30_000, 200);
    expect(callbacks.map((c) => [c.stepKey, c.disposition])).toEqual([['L1.install-line', 'applied'], ['L1.install-line', 'duplicate']]);
    expect(callbacks[0]!.externalReference).toBe(callbacks[1]!.externalReference);
    expect((await stepEvents(orderId, 'L1.install-line')).filter((e) => e.to === 'completed')).toHaveLength(1);
  }, 120_000);

  // The race of a callback and its worker: the target system accepted the request and called back
  // before the worker completed its Camunda task, so the process did not wait at the message yet
  // and the engine's few correlation tries found nobody. The reconciler (which runs beside every
  // engine, and beside this fixture) correlates it once the process waits.
  it('drill: a callback that arrives before its process waits at the message (a slow worker) is correlated by the reconciler; the order is fulfilled', async () => {
    const quoteId = await f.acceptedQuote();
    await f.stopWorkers();
    const orderId = await f.createOrder(quoteId);
    const camunda = async (path: string, body: unknown) => {
      const res = await fetch(`${testEnv.camundaUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.ok, `${path}: ${res.status} ${await res.clone().text()}`).toBe(true);
      return res.status === 204 ? undefined : res.json();
    };
    // The first step's task, taken by a slow worker (this test) that will not complete it for a while.
    const workerId = `slow-${orderId.slice(0, 8)}`;
    const task = await eventually(async () => {
      const tasks = (await camunda('/external-task/fetchAndLock', {
        workerId, maxTasks: 10, topics: [{ topicName: `${f.topicPrefix}order.execute-step`, lockDuration: 120_000, processVariables: { orderId }, variables: ['orderId', 'stepRef'] }],
      })) as { id: string; variables: { stepRef: { value: string } } }[];
      return tasks.find((t) => t.variables.stepRef.value === PLAN[0]);
    }, 30_000, 250);
    const step = `/orders/${orderId}/steps/${PLAN[0]}/commands`;
    const { requestKey } = (await f.call('ian', 'POST', `${step}/begin`)).body as { requestKey: string };
    expect((await f.call('ian', 'POST', `${step}/record-outcome`, { requestKey, outcome: 'accepted', externalReference: `${orderId}-slow` })).body.state).toBe('awaiting-callback');
    const callback = await f.call('ian', 'POST', `/orders/${orderId}/commands/record-fulfillment-callback`, { externalReference: `${orderId}-slow`, requestKey, outcome: 'completed' });
    expect(callback.body).toMatchObject({ disposition: 'applied', stepState: 'completed' });
    const due = () => prisma().orderStep.findFirstOrThrow({ where: { orderId, stepKey: PLAN[0] } });
    expect((await due()).correlationDue).toBe(true);

    // The worker completes at last: the process now waits at the step's message, which was sent before.
    await camunda(`/external-task/${task!.id}/complete`, { workerId, variables: { awaitCallback: { value: true, type: 'Boolean' } } });
    f.startWorkers();
    await f.until(orderId, ['fulfilled'], 90_000);
    // The reconciler clears the flag in its own transaction after Camunda took the message, while the process already moves on.
    await eventually(async () => !(await due()).correlationDue, 10_000, 200);
    expect((await stepEvents(orderId, PLAN[0])).map((e) => `${e.from}>${e.to}`)).toEqual(['pending>in-progress', 'in-progress>awaiting-callback', 'awaiting-callback>completed']);
  }, 150_000);

  // A second process instance with the order's business key (Camunda does not hold business keys
  // unique: a reconciler that started beside a slow live start made one under CI load). Both wait
  // at the installation's message; the callback goes to the instance the order recorded.
  it('drill: a second process instance with the order\'s business key neither takes nor blocks its callbacks; the order is fulfilled by the recorded one', async () => {
    const quoteId = await f.acceptedQuote();
    await f.stopWorkers();
    const orderId = await f.createOrder(quoteId);
    // The installation calls back after a while, so both instances wait at its message by then.
    await f.control.rule({ system: 'field-service', keyContains: orderId }, { async: true, callbackDelayMs: 4_000 });
    const camunda = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${testEnv.camundaUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
      expect(res.ok, `${path}: ${res.status} ${await res.clone().text()}`).toBe(true);
      return res.status === 204 ? undefined : res.json();
    };
    const recorded = await prisma().workflowCorrelation.findFirstOrThrow({ where: { domainId: orderId, domainType: 'ORDER' } });
    const variables = await camunda('GET', `/process-instance/${recorded.processInstanceId}/variables?deserializeValues=false`) as Record<string, { value: unknown; type: string }>;
    const twin = await camunda('POST', `/process-definition/key/order-fulfillment/tenant-id/${f.tenant}/start`, {
      businessKey: recorded.businessKey,
      variables: Object.fromEntries(['orderId', 'waves', 'stepKeys', 'compensationKeys'].map((k) => [k, { value: variables[k]!.value, type: variables[k]!.type }])),
    }) as { id: string };
    try {
      f.startWorkers();
      await f.until(orderId, ['fulfilled'], 90_000);
      const callbacks = await prisma().fulfillmentCallback.findMany({ where: { orderId } });
      expect(callbacks.map((c) => [c.stepKey, c.disposition])).toEqual([['L1.install-line', 'applied']]);
      // The callback clears the flag in its own transaction after Camunda took the message, while the process already moves on.
      await eventually(async () => !(await prisma().orderStep.findFirstOrThrow({ where: { orderId, stepKey: 'L1.install-line' } })).correlationDue, 10_000, 200);
      // The twin still waits where it was: nothing it did counted.
      expect(((await camunda('GET', `/process-instance?processInstanceIds=${twin.id}`)) as unknown[]).length).toBe(1);
    } finally {
      await fetch(`${testEnv.camundaUrl}/process-instance/${twin.id}?skipCustomListeners=true`, { method: 'DELETE' });
    }
  }, 150_000);

  it('drill: a callback arriving after the cancellation request is recorded and routed to fallout, never applied', async () => {
    const quoteId = await f.acceptedQuote();
    const orderId = await createWith(quoteId, (id) =>
      f.control.rule({ system: 'field-service', keyContains: id }, { async: true, callbackDelayMs: 4_000, lateCallback: true }));
    await eventually(async () => (await f.steps(orderId))['L1.install-line']?.state === 'awaiting-callback', 30_000, 200);
    const cancelled = await f.call('rita', 'POST', `/orders/${orderId}/commands/request-cancellation`, { reason: 'the customer moved' });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body).toMatchObject({ state: 'cancelling', cancellation: { requestedBy: 'rita', reason: 'the customer moved' } });
    await f.until(orderId, ['cancelled'], 60_000);
    // The late completion of the installation, reversed meanwhile.
    const callback = await eventually(async () => prisma().fulfillmentCallback.findFirst({ where: { orderId } }), 30_000, 200);
    expect(callback).toMatchObject({ stepKey: 'L1.install-line', outcome: 'completed', disposition: 'routed-to-fallout' });
    const steps = await f.steps(orderId);
    expect(steps['L1.install-line']!.state).toBe('compensated');
    expect(steps['L1.reserve-access']!.state).toBe('compensated');
    expect(steps['L1.activate-service']!.state).toBe('cancelled');
    const [c] = await openCases(orderId);
    expect(c).toMatchObject({ stepKey: 'L1.install-line', source: 'callback', category: 'business-fallout', allowedActions: ['resolve'] });
    const done = await resolve(c!.workItemId, { action: 'resolve', reason: 'checked with the field service', evidence: 'ticket FS-1234: installation called off' });
    expect(done.body).toMatchObject({ state: 'resolved', resolution: { action: 'resolve', evidence: 'ticket FS-1234: installation called off' } });
    expect((await f.order(orderId)).state).toBe('cancelled');
  }, 120_000);

  it('drill: partial success, then a downstream failure: ops cancel, and everything that acted is compensated in reverse order', async () => {
    const quoteId = await f.acceptedQuote();
    const orderId = await createWith(quoteId, (id) => f.control.rule({ system: 'billing', operation: 'execute', keyContains: id }, { refuse: 'the billing account is blocked' }));
    const [c] = await eventually(async () => {
      const cases = await openCases(orderId);
      return cases.length > 0 && cases;
    }, 60_000, 250);
    expect(c).toMatchObject({ stepKey: 'L1.start-billing', category: 'business-fallout', source: 'step-failure', allowedActions: ['retry', 'resolve', 'compensate', 'cancel'] });
    expect(c!.reason).toMatch(/billing refused create-subscription: the billing account is blocked/);
    // Wait until the step's fallout task exists in Camunda (the worker's BPMN error), then cancel.
    await eventually(async () => (await f.t.infrastructure.camunda.tasks({ processInstanceBusinessKey: `order-fulfillment:${f.tenant}:${orderId}`, taskDefinitionKey: 'resolve-fallout' })).length === 1, 30_000, 200);
    await eventually(async () => (await f.steps(orderId))['L1.notify-customer']?.state === 'completed', 30_000, 200);
    const cancelled = await resolve(c!.workItemId, { action: 'cancel', reason: 'billing cannot take the customer' });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    await f.until(orderId, ['cancelled'], 60_000);

    const steps = await f.steps(orderId);
    expect(Object.fromEntries(PLAN.map((k) => [k, steps[k]!.state]))).toEqual({
      'L1.reserve-access': 'compensated', 'L1.install-line': 'compensated', 'L1.activate-service': 'compensated',
      'L1.start-billing': 'cancelled', 'L1.notify-customer': 'compensated',
    });
    const requested = (await prisma().outboxEvent.findFirstOrThrow({ where: { aggregateId: orderId, eventType: 'OrderCancellationRequested' } })).payload as Json;
    expect(requested.compensation).toEqual(['L1.notify-customer', 'L1.activate-service', 'L1.install-line', 'L1.reserve-access']);
    const reversals = (await f.control.requests(orderId)).journal.filter((e) => e.operation === 'reverse').map((e) => e.requestKey.split(':')[1]);
    expect(reversals).toEqual(['L1.notify-customer', 'L1.activate-service', 'L1.install-line', 'L1.reserve-access']);
    const cancelledEvent = (await prisma().outboxEvent.findFirstOrThrow({ where: { aggregateId: orderId, eventType: 'OrderCancelled' } })).payload as Json;
    expect([...(cancelledEvent.compensated as string[])].sort()).toEqual(['L1.activate-service', 'L1.install-line', 'L1.notify-customer', 'L1.reserve-access']);
  }, 120_000);

  it('drill: a compensation that fails becomes a fallout case; ops retry it once the system can, and the order is cancelled', async () => {
    const quoteId = await f.acceptedQuote();
    const orderId = await createWith(quoteId, async (id) => {
      await f.control.rule({ system: 'field-service', keyContains: id }, { async: true, callbackDelayMs: 60_000 });
      await f.control.rule({ system: 'network-inventory', operation: 'reverse', keyContains: id }, { refuse: 'the port is patched on site' });
    });
    await eventually(async () => (await f.steps(orderId))['L1.install-line']?.state === 'awaiting-callback', 30_000, 200);
    expect((await f.call('cora', 'POST', `/orders/${orderId}/commands/request-cancellation`, { reason: 'changed our mind' })).status).toBe(200);
    const [c] = await eventually(async () => {
      const cases = await openCases(orderId);
      return cases.length > 0 && cases;
    }, 60_000, 250);
    expect(c).toMatchObject({ stepKey: 'L1.reserve-access', source: 'compensation-failure', category: 'business-fallout', allowedActions: ['retry', 'resolve'] });
    expect((await f.steps(orderId))['L1.reserve-access']!.state).toBe('compensation-failed');
    expect((await f.order(orderId)).state).toBe('cancelling');
    expect((await resolve(c!.workItemId, { action: 'cancel', reason: 'x' })).body).toMatchObject({ status: 422, code: 'fallout-action' });

    await f.control.clear(orderId);
    const retried = await resolve(c!.workItemId, { action: 'retry', reason: 'the technician released the port' });
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    await f.until(orderId, ['cancelled'], 60_000);
    expect((await f.steps(orderId))['L1.reserve-access']!.state).toBe('compensated');
    expect((await stepEvents(orderId, 'L1.reserve-access')).map((e) => `${e.from}>${e.to}`)).toEqual([
      'pending>in-progress', 'in-progress>completed', 'completed>compensating', 'compensating>compensation-failed', 'compensation-failed>compensating', 'compensating>compensated',
    ]);
  }, 120_000);

  it('drill: a step whose system stays down exhausts its retries; the Camunda incident becomes a fallout case; ops retry and the order is fulfilled', async () => {
    const quoteId = await f.acceptedQuote();
    const orderId = await createWith(quoteId, (id) => f.control.rule({ system: 'crm', operation: 'execute', keyContains: id }, { status: 503 }));
    const incident = await eventually(async () => {
      await f.t.orders.reconcile(0);
      const cases = await openCases(orderId);
      return cases.find((c) => c.source === 'incident');
    }, 60_000, 500);
    expect(incident).toMatchObject({ stepKey: 'L1.notify-customer', category: 'technical-retry', allowedActions: ['retry', 'resolve', 'cancel'], camundaIncidentId: expect.any(String) });
    // The reconciler maps each incident once.
    await f.t.orders.reconcile(0);
    expect((await openCases(orderId)).filter((c) => c.source === 'incident')).toHaveLength(1);
    await f.control.clear(orderId);
    expect((await resolve(incident!.workItemId, { action: 'retry', reason: 'the CRM is back' })).status).toBe(200);
    await f.until(orderId, ['fulfilled'], 60_000);
    expect((await prisma().falloutCase.findUniqueOrThrow({ where: { id: incident!.workItemId as string } })).workflowEffect).toBe('done');
  }, 120_000);

  // ADR 0016 addendum "compensate": the inventory reserves a port, then refuses (a site survey
  // fails): the step failed, but the inventory holds the port until it is released.
  const reservedThenRefused = (id: string) =>
    f.control.rule({ system: 'network-inventory', operation: 'execute', keyContains: id }, { refuse: 'the site survey failed after the port was reserved', partial: true }, 1);
  /** What the inventory holds of a request, asked by our request key (GET .../requests/{key}). */
  const inventoryHolds = async (requestKey: string) =>
    (await (await fetch(`${inject('targetSystems').url}/systems/network-inventory/requests/${encodeURIComponent(requestKey)}`)).json()) as Json;
  const stepCase = async (orderId: string) => {
    const [c] = await eventually(async () => {
      const cases = (await openCases(orderId)).filter((x) => x.source === 'step-failure');
      return cases.length > 0 && cases;
    }, 60_000, 250);
    // The case exists once the worker recorded the refusal; the process reaches the operators' task a moment later.
    await eventually(async () => (await f.t.infrastructure.camunda.tasks({ processInstanceBusinessKey: `order-fulfillment:${f.tenant}:${orderId}`, taskDefinitionKey: 'resolve-fallout' })).length === 1, 30_000, 200);
    return c!;
  };

  it('drill: a step fails after its target reserved a port; ops compensate: the port is released, the step runs again from a clean state, the order is fulfilled', async () => {
    const quoteId = await f.acceptedQuote();
    const orderId = await createWith(quoteId, reservedThenRefused);
    const c = await stepCase(orderId);
    expect(c).toMatchObject({ stepKey: 'L1.reserve-access', category: 'business-fallout', allowedActions: ['retry', 'resolve', 'compensate', 'cancel'] });
    const firstAttempt = `${orderId}:L1.reserve-access:1`;
    expect(await inventoryHolds(firstAttempt)).toMatchObject({ status: 'refused', partial: true });

    const key = { 'idempotency-key': `compensate-${orderId}` };
    const body = { action: 'compensate', reason: 'the inventory still holds the port of the refused reservation' };
    const compensated = await f.callAs('olga', 'POST', `/work-items/${c.workItemId}/commands/resolve-fallout`, body, key);
    expect(compensated.status, JSON.stringify(compensated.body)).toBe(200);
    expect(compensated.body).toMatchObject({ state: 'resolved', resolution: { action: 'compensate', resolvedBy: 'olga' } });
    // The same request again (a lost answer): the first answer, nothing done twice.
    const replayed = await f.callAs('olga', 'POST', `/work-items/${c.workItemId}/commands/resolve-fallout`, body, key);
    expect(replayed.status).toBe(200);
    expect(replayed.body).toEqual(compensated.body);
    // A second decision on the closed case is refused.
    expect((await resolve(c.workItemId, { action: 'compensate', reason: 'again' })).body).toMatchObject({ status: 409, code: 'fallout-state' });

    const order = await f.until(orderId, ['fulfilled'], 90_000);
    expect(order.openFallout).toBe(0);
    // The inventory released the port the refused attempt held; the new attempt reserved one.
    expect(await inventoryHolds(firstAttempt)).toMatchObject({ status: 'reversed' });
    expect(await inventoryHolds(`${orderId}:L1.reserve-access:2`)).toMatchObject({ status: 'completed' });
    expect((await f.steps(orderId))['L1.reserve-access']).toMatchObject({ state: 'completed', attempt: 2, requestKey: `${orderId}:L1.reserve-access:2` });
    expect((await stepEvents(orderId, 'L1.reserve-access')).map((e) => `${e.from}>${e.to}`)).toEqual([
      'pending>in-progress', 'in-progress>failed', 'failed>compensating', 'compensating>compensated', 'compensated>in-progress', 'in-progress>completed',
    ]);
    const reversals = (await f.control.requests(orderId)).journal.filter((e) => e.operation === 'reverse');
    expect(reversals.map((e) => [e.requestKey, e.answered])).toEqual([[firstAttempt, 200]]);
    const resolved = (await prisma().outboxEvent.findMany({ where: { aggregateId: orderId, eventType: 'FalloutCaseResolved' } })).map((e) => e.payload as Json);
    expect(resolved).toEqual([expect.objectContaining({ caseId: c.workItemId, action: 'compensate', resolvedBy: 'olga' })]);
    const audit = await prisma().auditRecord.findMany({ where: { targetId: orderId, actorId: 'olga' }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => a.action)).toEqual(['order.OrderStepStateChanged', 'order.FalloutCaseResolved']);
    expect(audit[1]!.reason).toBe(body.reason);
    expect(audit[0]!.details).toMatchObject({ stepKey: 'L1.reserve-access', from: 'failed', to: 'compensating' });
  }, 150_000);

  it('drill: ops compensate, the inventory refuses the release: a compensation-failure case (compensate not offered: 422); ops retry it once the system can, and the order is fulfilled', async () => {
    const quoteId = await f.acceptedQuote();
    const orderId = await createWith(quoteId, async (id) => {
      await reservedThenRefused(id);
      await f.control.rule({ system: 'network-inventory', operation: 'reverse', keyContains: id }, { refuse: 'the port is patched on site' });
    });
    const c = await stepCase(orderId);
    expect((await resolve(c.workItemId, { action: 'compensate', reason: 'release the held port' })).status).toBe(200);
    const failure = await eventually(async () => (await openCases(orderId)).find((x) => x.source === 'compensation-failure'), 60_000, 250);
    expect(failure).toMatchObject({ stepKey: 'L1.reserve-access', category: 'business-fallout', allowedActions: ['retry', 'resolve'] });
    expect(failure!.reason).toMatch(/network-inventory could not reverse reserve-resource: the port is patched on site/);
    expect((await f.steps(orderId))['L1.reserve-access']!.state).toBe('compensation-failed');
    expect((await f.order(orderId)).state).toBe('in-progress');
    expect(await inventoryHolds(`${orderId}:L1.reserve-access:1`)).toMatchObject({ status: 'refused', partial: true });
    // compensate where the case does not offer it: named by field and rule.
    const refused = await resolve(failure!.workItemId, { action: 'compensate', reason: 'x' });
    expect(refused.body).toMatchObject({ status: 422, code: 'fallout-action', errors: [{ field: 'body/action', rule: 'allowed-actions' }] });

    await f.control.clear(orderId);
    // The process reaches the step's compensation task after the worker's BPMN error.
    await eventually(async () => (await f.t.infrastructure.camunda.tasks({ processInstanceBusinessKey: `order-fulfillment:${f.tenant}:${orderId}`, taskDefinitionKey: 'resolve-step-compensation' })).length === 1, 30_000, 200);
    const retried = await resolve(failure!.workItemId, { action: 'retry', reason: 'the technician unpatched the port' });
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    await f.until(orderId, ['fulfilled'], 90_000);
    expect(await inventoryHolds(`${orderId}:L1.reserve-access:1`)).toMatchObject({ status: 'reversed' });
    expect((await f.steps(orderId))['L1.reserve-access']).toMatchObject({ state: 'completed', attempt: 2 });
    expect((await stepEvents(orderId, 'L1.reserve-access')).map((e) => `${e.from}>${e.to}`)).toEqual([
      'pending>in-progress', 'in-progress>failed', 'failed>compensating', 'compensating>compensation-failed', 'compensation-failed>compensating',
      'compensating>compensated', 'compensated>in-progress', 'in-progress>completed',
    ]);
    expect((await prisma().falloutCase.findUniqueOrThrow({ where: { id: failure!.workItemId as string } })).workflowEffect).toBe('done');
  }, 150_000);

  /** Creates the order of an accepted quote with target-systems rules set for it first. */
  async function createWith(quoteId: string, rules: (orderId: string) => Promise<unknown>): Promise<string> {
    // The order id is not known before the create: the rules name the quote's order by the
    // id the engine will give it, so the workers are held until the rules are in place.
    await f.stopWorkers();
    try {
      const orderId = await f.createOrder(quoteId);
      await rules(orderId);
      return orderId;
    } finally {
      f.startWorkers();
    }
  }
});
