import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFulfillmentFixture, type FulfillmentFixture } from '../../../test/order-fixture';

// Releases published before ADR 0016 carry the sequential order-fulfillment skeleton
// (bpmn/test-fixtures/order-fulfillment-sequential.bpmn): no callback message, no compensation,
// and no order.complete-fulfillment task. Orders still run on it: the workers read its stepKeys,
// and the order reconciler records the order fulfilled once its process ended with every step done.
describe('an order on the order-fulfillment model of an earlier release', () => {
  let f: FulfillmentFixture;
  beforeAll(async () => {
    f = await createFulfillmentFixture('order_earlier_model', { model: 'test-fixtures/order-fulfillment-sequential.bpmn', reconcileEveryMs: 0 });
  });
  afterAll(async () => {
    await f?.close();
  });

  it('runs its steps one after the other and is recorded fulfilled by the reconciler when the process ends', async () => {
    const quoteId = await f.acceptedQuote();
    // Every system answers at once here (the skeleton has no message to wait for a callback at).
    await f.stopWorkers();
    const orderId = await f.createOrder(quoteId);
    await f.control.rule({ system: 'field-service', keyContains: orderId }, { async: false });
    f.startWorkers();
    const ended = await (async () => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const [history] = await f.t.infrastructure.camunda.historicProcessInstances({ processInstanceBusinessKey: `order-fulfillment:${f.tenant}:${orderId}` });
        if (history?.state === 'COMPLETED') return history;
        if (Date.now() > deadline) throw new Error('the process did not end');
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();
    expect(ended.state).toBe('COMPLETED');
    expect((await f.order(orderId)).state).toBe('in-progress');
    // A run scoped to another tenant leaves this tenant's order alone; one scoped to it finishes it.
    expect((await f.t.orders.reconcile(0, { tenantId: `${f.tenant}-other` })).finished).toBe(0);
    expect((await f.order(orderId)).state).toBe('in-progress');
    const report = await f.t.orders.reconcile(0, { tenantId: f.tenant });
    expect(report.finished).toBe(1);
    expect(await f.order(orderId)).toMatchObject({ state: 'fulfilled', plan: { stepStates: { completed: 5 } } });
    const begun = (await f.t.infrastructure.prisma.outboxEvent.findMany({ where: { aggregateId: orderId, eventType: 'OrderStepStateChanged' }, orderBy: { aggregateVersion: 'asc' } }))
      .map((e) => e.payload as { stepKey: string; to: string }).filter((p) => p.to === 'in-progress').map((p) => p.stepKey);
    expect(begun).toEqual(['L1.reserve-access', 'L1.install-line', 'L1.activate-service', 'L1.start-billing', 'L1.notify-customer']);
  }, 120_000);
});
