import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFulfillmentFixture, type FulfillmentFixture } from '../../../test/order-fixture';
import { START_SETTLE_MS } from './order.reconciler';

// A crash between the plan's commit and the process start leaves the order planned with its
// correlation STARTING; the reconciler starts it. It must not claim a start a live flow may
// still be making (Camunda does not hold business keys unique: both would start an instance),
// so it waits START_SETTLE_MS, past the Camunda client's timeout. The fixture's own reconciler
// is off: this test runs it by hand.

describe('the order reconciler and starts left by a crash', () => {
  let f: FulfillmentFixture;
  beforeAll(async () => {
    f = await createFulfillmentFixture('order_start_recovery', { reconcileEveryMs: 0 });
  });
  afterAll(async () => {
    await f?.close();
  });
  const prisma = () => f.t.infrastructure.prisma;
  const instances = (businessKey: string) => f.t.infrastructure.camunda.processInstances({ businessKey });

  it('claims a stalled start only after it settled, then starts exactly one instance and the order is fulfilled', async () => {
    const quoteId = await f.acceptedQuote();
    await f.stopWorkers();
    const orderId = await f.createOrder(quoteId);
    // The crash: the instance never started, the order planned, its correlation STARTING (a moment ago).
    const c = await prisma().workflowCorrelation.findFirstOrThrow({ where: { domainId: orderId, domainType: 'ORDER' } });
    await f.t.infrastructure.camunda.deleteProcessInstance(c.processInstanceId!, 'the crash: the start never happened');
    // (Milliseconds, as the engine writes them: the claim compares updatedAt exactly.)
    // Back to planned past the state machine's trigger, which refuses that move on purpose.
    await prisma().$transaction([
      prisma().$executeRaw`SET LOCAL session_replication_role = replica`,
      prisma().$executeRaw`UPDATE customer_order SET state = 'planned' WHERE id = ${orderId}::uuid`,
    ]);
    await prisma().$executeRaw`UPDATE workflow_correlation SET status = 'STARTING', process_instance_id = NULL, updated_at = date_trunc('milliseconds', now()) - interval '10 seconds' WHERE id = ${c.id}`;
    expect(await instances(c.businessKey)).toHaveLength(0);

    // Ten seconds old: a live start could still be under way. Not claimed, whatever the run's own age.
    expect((await f.t.orders.reconcile(0, { tenantId: f.tenant })).started).toBe(0);
    expect((await f.order(orderId)).state).toBe('planned');

    // Past the settle time: started once, recorded, fulfilled.
    await prisma().$executeRaw`UPDATE workflow_correlation SET updated_at = date_trunc('milliseconds', now()) - make_interval(secs => ${START_SETTLE_MS / 1000 + 1}) WHERE id = ${c.id}`;
    expect((await f.t.orders.reconcile(0, { tenantId: f.tenant })).started).toBe(1);
    expect((await f.t.orders.reconcile(0, { tenantId: f.tenant })).started).toBe(0);
    expect(await instances(c.businessKey)).toHaveLength(1);
    expect((await f.order(orderId)).state).toBe('in-progress');
    f.startWorkers();
    await f.until(orderId, ['fulfilled'], 90_000);
  }, 150_000);
});
