import { randomUUID } from 'node:crypto';
import { poolOf } from '@cpq/prisma';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderFixture, type OrderFixture } from '../../../test/order-fixture';
import { createSqlTransactionRunner } from '../../lib/sql-transaction';
import { createCurrentReleasePointer, createReleaseStore, createReleaseViews } from '../catalog';
import { correlations, type CamundaClient } from '../workflow';
import { createOrderCommand } from './commands/create-order.command';
import { createOrderService } from './order.service';
import { START_SETTLE_MS } from './order.reconciler';
import { fulfillmentBusinessKey, ORDER_FULFILLMENT_PROCESS, type CommandContext } from './order.types';
import { startFulfillmentProcess } from './order.workflow';

// The fulfillment start asks Camunda for instances of the order's business key only when one
// can exist: not on the live flow's first attempt at an intent no other intent shares the key
// with (an instance is only ever started for a recorded intent). A retry (the reconciler's run,
// whose own earlier start may have landed) and a key another intent carried still look, and
// reuse what they find. Real PostgreSQL and Camunda; the service's Camunda client counts calls.
describe('the order start asks Camunda for instances of its key only when one can exist', () => {
  let f: OrderFixture;
  beforeAll(async () => {
    f = await createOrderFixture('order_start_lookup');
  });
  afterAll(async () => {
    await f?.close();
  });
  const prisma = () => f.t.infrastructure.prisma;
  const camunda = () => f.t.infrastructure.camunda;
  const ctx = (commandId: string): CommandContext => ({ principal: { userId: 'rita', tenantId: f.tenant, roles: ['rep'], team: 'north' }, correlationId: commandId, commandId });
  const keyOf = (orderId: string) => fulfillmentBusinessKey(f.tenant, orderId);
  const running = async (orderId: string) => (await camunda().processInstances({ businessKey: keyOf(orderId), processDefinitionKey: ORDER_FULFILLMENT_PROCESS })).filter((p) => !p.ended);
  const stateOf = async (orderId: string) => (await prisma().customerOrder.findUniqueOrThrow({ where: { id: orderId } })).state;

  /** The order service of the app, on a Camunda client that records the business key of each lookup and start. */
  function countingService(haltAfter?: { flow: string; step: string }) {
    const calls = { lookups: [] as string[], starts: [] as string[] };
    const real = camunda();
    const counting: CamundaClient = {
      ...real,
      processInstances: (params) => {
        calls.lookups.push(params.businessKey ?? '');
        return real.processInstances(params);
      },
      startProcessByKey: (key, input) => {
        calls.starts.push(input.businessKey);
        return real.startProcessByKey(key, input);
      },
    };
    const store = createReleaseStore(prisma(), f.t.infrastructure.redis, f.t.app.log);
    const service = createOrderService({
      prisma: prisma(), releases: createReleaseViews(store, createCurrentReleasePointer(store)), camunda: counting, log: f.t.app.log,
      ...(haltAfter ? { haltAfter: (flow: string) => (flow === haltAfter.flow ? haltAfter.step : undefined) } : {}),
    });
    const of = (orderId: string) => ({ lookups: calls.lookups.filter((k) => k === keyOf(orderId)).length, starts: calls.starts.filter((k) => k === keyOf(orderId)).length });
    return { service, of };
  }

  it('a first start makes no lookup and starts exactly one instance, recorded as the order\'s', async () => {
    const quoteId = await f.acceptedQuote();
    const { service, of } = countingService();
    const { orderId } = await service.create(quoteId, ctx(`create-${randomUUID()}`));

    expect(of(orderId)).toEqual({ lookups: 0, starts: 1 });
    const instances = await running(orderId);
    expect(instances).toHaveLength(1);
    expect(await stateOf(orderId)).toBe('in-progress');
    expect(await correlations.activeOf(prisma(), f.tenant, 'ORDER', orderId)).toMatchObject({ status: 'RUNNING', processInstanceId: instances[0]!.id });
  });

  it('with an earlier intent of the same business key recorded, the start looks and reuses the running instance it finds', async () => {
    const quoteId = await f.acceptedQuote();
    // The order created, its fulfillment not started yet.
    const { orderId } = await createOrderCommand({ prisma: prisma(), inRawTransaction: createSqlTransactionRunner(poolOf(prisma())) })(quoteId, ctx(`create-${randomUUID()}`));
    expect(await stateOf(orderId)).toBe('created');
    // An earlier intent of the key (FAILED), whose instance still runs in Camunda.
    const earlier = randomUUID();
    await correlations.starting(prisma(), { id: earlier, tenantId: f.tenant, domainType: 'ORDER', domainId: orderId, processKey: ORDER_FULFILLMENT_PROCESS, businessKey: keyOf(orderId) });
    await correlations.setStatus(prisma(), earlier, 'FAILED');
    const { processInstanceId } = await startFulfillmentProcess(camunda(), { businessKey: keyOf(orderId), tenantId: f.tenant, orderId, waves: [['L1.earlier']] });

    const { service, of } = countingService();
    expect(await service.startFulfillment(orderId, ctx(`start-${randomUUID()}`))).toBe('started');

    expect(of(orderId)).toEqual({ lookups: 1, starts: 0 });
    expect((await running(orderId)).map((p) => p.id)).toEqual([processInstanceId]);
    expect(await correlations.activeOf(prisma(), f.tenant, 'ORDER', orderId)).toMatchObject({ status: 'RUNNING', processInstanceId });
  });

  it('the reconciler, finishing a start whose instance landed before a crash, looks and reuses that instance', async () => {
    const quoteId = await f.acceptedQuote();
    // The crash: the live flow started the instance (its first attempt: no lookup) and stopped before recording it.
    const live = countingService({ flow: 'order.start-fulfillment', step: 'start-process' });
    const { orderId } = await live.service.create(quoteId, ctx(`create-${randomUUID()}`));
    expect(live.of(orderId)).toEqual({ lookups: 0, starts: 1 });
    expect(await stateOf(orderId)).toBe('planned');
    const [landed] = await running(orderId);
    const c = await prisma().workflowCorrelation.findFirstOrThrow({ where: { domainId: orderId, domainType: 'ORDER' } });
    expect(c).toMatchObject({ status: 'STARTING', processInstanceId: null });
    // Past the settle time, so the reconciler claims it (milliseconds, as the engine writes them: the claim compares exactly).
    await prisma().$executeRaw`UPDATE workflow_correlation SET updated_at = date_trunc('milliseconds', now()) - make_interval(secs => ${START_SETTLE_MS / 1000 + 1}) WHERE id = ${c.id}::uuid`;

    const reconciling = countingService();
    expect((await reconciling.service.reconcile(0, { tenantId: f.tenant })).started).toBe(1);

    expect(reconciling.of(orderId)).toEqual({ lookups: 1, starts: 0 });
    expect((await running(orderId)).map((p) => p.id)).toEqual([landed!.id]);
    expect(await stateOf(orderId)).toBe('in-progress');
    expect(await correlations.byId(prisma(), c.id)).toMatchObject({ status: 'RUNNING', processInstanceId: landed!.id });
  });
});
