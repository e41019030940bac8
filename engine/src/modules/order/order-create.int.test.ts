import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { internetLine } from '../../../test/quote-fixture';
import { createOrderFixture, type OrderFixture } from '../../../test/order-fixture';

// Orders from accepted quotes (seed section 5: O1, O2, one primary order per accepted revision),
// on the real PostgreSQL and Camunda, through the HTTP API.
describe('creating the order of an accepted quote', () => {
  let f: OrderFixture;
  beforeAll(async () => {
    f = await createOrderFixture('order_create');
  });
  afterAll(async () => {
    await f?.close();
  });
  const prisma = () => f.t.infrastructure.prisma;

  it('is made from the accepted revision\'s snapshot (O1): its lines, prices, release and document, each line with its action (O2)', async () => {
    const quoteId = await f.acceptedQuote();
    const quote = (await f.call('rita', 'GET', `/quotes/${quoteId}`)).body;
    const trace = (await f.call('rita', 'GET', `/quotes/${quoteId}/price-trace`)).body;
    const created = await f.call('rita', 'POST', '/orders/from-accepted-quote', { quoteId });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ state: 'created', version: 2 });

    const order = (await f.call('rita', 'GET', `/orders/${created.body.orderId}`)).body;
    expect(order).toMatchObject({
      quoteId, quoteRevision: 1, accountId: 'acct-1', customerName: 'Acme GmbH', ownerId: 'rita', currency: 'EUR', termMonths: 24,
      releaseId: quote.revision.releaseId, priceResultId: quote.revision.priceResultId, documentId: quote.revision.documentId, source: 'command',
    });
    expect(order.snapshotSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(order.lines).toHaveLength(1);
    const [line] = order.lines;
    expect(line).toMatchObject({ lineId: 'L1', offering: 'business-internet', quantity: 1, action: 'add', configurationHash: quote.revision.lines[0].configurationHash });
    expect(line.selections).toMatchObject({ access: 'fiber', bandwidth: 500 });
    expect(line.charges.map((c: { charge: string; lineNet: string }) => [c.charge, c.lineNet]))
      .toEqual(trace.result.lines[0].charges.map((c: { charge: string; lineNet: string }) => [c.charge, c.lineNet]));

    const events = await prisma().outboxEvent.findMany({ where: { aggregateId: created.body.orderId }, orderBy: { aggregateVersion: 'asc' } });
    expect(events[0]).toMatchObject({ eventType: 'OrderCreated', aggregateType: 'ORDER', topic: 'cpq.order.events', aggregateVersion: 2n });
    expect(events[0]!.payload).toMatchObject({ quoteId, quoteRevision: 1, source: 'command', lines: 1, snapshotSha256: order.snapshotSha256 });
    expect(events.map((e) => Number(e.aggregateVersion))).toEqual(events.map((_, i) => i + 2));
  });

  it('refuses a quote without an accepted revision (409), a rep of another team (403) and a customer (403), with problem bodies', async () => {
    const priced = await f.pricedQuote();
    const notAccepted = await f.call('rita', 'POST', '/orders/from-accepted-quote', { quoteId: priced });
    expect(notAccepted.status).toBe(409);
    expect(notAccepted.body).toMatchObject({ code: 'quote-not-accepted', errors: [{ field: 'body/quoteId', rule: 'accepted-revision' }] });

    const quoteId = await f.acceptedQuote();
    expect((await f.call('rob', 'POST', '/orders/from-accepted-quote', { quoteId })).body).toMatchObject({ status: 403, code: 'forbidden' });
    expect((await f.call('cora', 'POST', '/orders/from-accepted-quote', { quoteId })).status).toBe(403);
    const bad = await f.call('rita', 'POST', '/orders/from-accepted-quote', { quoteId: 'not-a-uuid' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'body/quoteId', rule: 'format' })]);
    expect(await prisma().customerOrder.count({ where: { quoteId } })).toBe(0);
  });

  it('a second create of the same revision is a 409 order-exists naming the first order; a replay of the first key is its first answer', async () => {
    const quoteId = await f.acceptedQuote();
    const key = `order-${quoteId}`;
    const first = await f.call('rita', 'POST', '/orders/from-accepted-quote', { quoteId }, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    const replay = await f.call('rita', 'POST', '/orders/from-accepted-quote', { quoteId }, { 'idempotency-key': key });
    expect(replay).toMatchObject({ status: 201, body: first.body });
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const second = await f.call('sam', 'POST', '/orders/from-accepted-quote', { quoteId });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ code: 'order-exists', errors: [{ field: 'body/quoteId', rule: 'one-primary-order', message: `already has order ${first.body.orderId}` }] });
    expect(await prisma().customerOrder.count({ where: { quoteId } })).toBe(1);
  });

  it('concurrent creates over HTTP: exactly one 201, every other answer a 409 naming that same order, one row', async () => {
    const quoteId = await f.acceptedQuote();
    const url = await f.listen();
    const answers = await Promise.all(Array.from({ length: 12 }, async (_, i) => {
      const res = await fetch(`${url}/orders/from-accepted-quote`, {
        method: 'POST',
        headers: { authorization: `Bearer ${f.tokens[i % 2 ? 'rita' : 'sam']}`, 'content-type': 'application/json', 'idempotency-key': `race-${i}-${quoteId}` },
        body: JSON.stringify({ quoteId }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    }));
    const created = answers.filter((a) => a.status === 201);
    expect(created).toHaveLength(1);
    const orderId = created[0]!.body.orderId as string;
    for (const refused of answers.filter((a) => a.status !== 201)) {
      expect(refused).toMatchObject({ status: 409, body: { code: 'order-exists' } });
      expect(refused.body.detail).toContain(orderId);
    }
    expect(await prisma().customerOrder.count({ where: { quoteId } })).toBe(1);
    expect(await prisma().outboxEvent.count({ where: { eventType: 'OrderCreated', aggregateId: orderId } })).toBe(1);
  });

  it('lists the orders a caller may see, by quote; a rep of another team and another tenant see nothing', async () => {
    const quoteId = await f.acceptedQuote();
    const orderId = await f.createOrder(quoteId);
    const mine = await f.call('rita', 'GET', `/orders?quoteId=${quoteId}`);
    expect(mine.body).toMatchObject({ total: 1, items: [{ orderId, quoteId, quoteRevision: 1, accountId: 'acct-1' }] });
    expect((await f.call('rob', 'GET', `/orders?quoteId=${quoteId}`)).body.total).toBe(0);
    expect((await f.call('rob', 'GET', `/orders/${orderId}`)).status).toBe(404);
    expect((await f.call('eve', 'GET', `/orders/${orderId}`)).status).toBe(404);
    expect((await f.call('cora', 'GET', `/orders/${orderId}`)).status).toBe(200);
    expect((await f.call('cora', 'GET', `/orders/${orderId}/timeline`)).status).toBe(403);
    expect((await f.callAs('olga', 'GET', `/orders/${orderId}`)).status).toBe(200);
  });

  it('is decomposed into a stored plan from the release\'s maps, visible through the API, and its process started with references only', async () => {
    const quoteId = await f.acceptedQuote();
    const orderId = await f.createOrder(quoteId);
    const order = (await f.call('rita', 'GET', `/orders/${orderId}`)).body;
    expect(order).toMatchObject({ state: 'in-progress', plan: { planVersion: 1, releaseId: order.releaseId, steps: 5, stepStates: { pending: 5 } }, openFallout: 0 });
    const plan = await f.call('sam', 'GET', `/orders/${orderId}/fulfillment-plan`);
    expect(plan.status).toBe(200);
    expect(plan.body).toMatchObject({ orderId, planVersion: 1, releaseId: order.releaseId });
    expect(plan.body.waves).toEqual([['L1.reserve-access'], ['L1.install-line'], ['L1.activate-service'], ['L1.start-billing', 'L1.notify-customer']]);
    expect(plan.body.steps[0]).toMatchObject({
      stepKey: 'L1.reserve-access', lineId: 'L1', mapKey: 'business-internet-fulfillment', targetSystem: 'network-inventory', action: 'reserve-resource',
      dependsOn: [], wave: 0, position: 0, state: 'pending', attempt: 0, requestKey: null,
    });
    expect(plan.body.steps.find((s: { stepKey: string }) => s.stepKey === 'L1.activate-service').dependsOn).toEqual(['L1.install-line']);
    expect((await f.call('cora', 'GET', `/orders/${orderId}/fulfillment-plan`)).status).toBe(403);

    const camunda = f.t.infrastructure.camunda;
    const [instance] = await camunda.processInstances({ businessKey: `order-fulfillment:${f.tenant}:${orderId}`, processDefinitionKey: 'order-fulfillment' });
    expect(instance).toBeDefined();
    const variables = await fetch(`${f.t.config.camundaUrl}/process-instance/${instance!.id}/variables`).then((r) => r.json() as Promise<Record<string, { value: unknown }>>);
    // References only: the order's id and the plan's step keys, no domain data.
    expect(Object.keys(variables).sort()).toEqual(['compensationKeys', 'orderId', 'stepKeys', 'waves']);
    expect(variables.orderId!.value).toBe(orderId);
    const events = (await prisma().outboxEvent.findMany({ where: { aggregateId: orderId }, orderBy: { aggregateVersion: 'asc' } })).map((e) => e.eventType);
    expect(events).toEqual(['OrderCreated', 'OrderPlanned', 'OrderFulfillmentStarted']);
    const timeline = (await f.call('rita', 'GET', `/orders/${orderId}/timeline`)).body;
    expect(timeline.entries.map((e: { action: string }) => e.action)).toEqual(['order.OrderCreated', 'order.OrderPlanned', 'order.OrderFulfillmentStarted']);
  });

  it('a line whose offering the release cannot decompose is a model defect: no plan, a fallout case for ops, who may cancel the order', async () => {
    const { quoteId: q } = await (async () => {
      const { quoteId } = (await f.call('rita', 'POST', '/quotes', { accountId: 'acct-1', customerName: 'Acme GmbH', currency: 'EUR', termMonths: 24 })).body;
      await f.call('rita', 'POST', `/quotes/${quoteId}/lines`, internetLine());
      await f.call('rita', 'POST', `/quotes/${quoteId}/lines`, { offering: 'managed-router', quantity: 1, selections: { model: 'small' } });
      expect((await f.call('rita', 'POST', `/quotes/${quoteId}/commands/price`)).status).toBe(200);
      expect((await f.call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`)).body.state).toBe('approved');
      const { documentId } = (await f.call('rita', 'POST', `/quotes/${quoteId}/commands/generate-document`)).body;
      expect((await f.call('rita', 'POST', `/quotes/${quoteId}/commands/accept`, { documentId, onBehalfOf: { evidence: 'mail', channel: 'email' } })).status).toBe(200);
      return { quoteId };
    })();
    const orderId = await f.createOrder(q);
    const order = (await f.call('rita', 'GET', `/orders/${orderId}`)).body;
    expect(order).toMatchObject({ state: 'created', plan: null, openFallout: 1 });
    expect((await f.call('rita', 'GET', `/orders/${orderId}/fulfillment-plan`)).body).toMatchObject({ status: 404, code: 'plan-not-found' });
    const items = (await f.callAs('olga', 'GET', `/fallout-work-items?orderId=${orderId}`)).body.items;
    expect(items).toEqual([expect.objectContaining({
      kind: 'order-fallout', orderId, stepKey: null, category: 'model-defect', source: 'decomposition', state: 'open', allowedActions: ['retry', 'cancel'],
    })]);
    expect(items[0].reason).toMatch(/no fulfillment decomposition map for managed-router \(line L2\)/);
    expect((await f.call('rita', 'GET', '/fallout-work-items')).status).toBe(403);

    const wrong = await f.callAs('olga', 'POST', `/work-items/${items[0].workItemId}/commands/resolve-fallout`, { action: 'resolve', reason: 'done', evidence: 'x' });
    expect(wrong).toMatchObject({ status: 422, body: { code: 'fallout-action', errors: [{ field: 'body/action', rule: 'allowed-actions' }] } });
    const byRep = await f.call('rita', 'POST', `/work-items/${items[0].workItemId}/commands/resolve-fallout`, { action: 'cancel', reason: 'no' });
    expect(byRep.status).toBe(403);
    const cancelled = await f.callAs('olga', 'POST', `/work-items/${items[0].workItemId}/commands/resolve-fallout`, { action: 'cancel', reason: 'the catalog cannot fulfil routers yet' });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body).toMatchObject({ state: 'resolved', resolution: { action: 'cancel', resolvedBy: 'olga' } });
    expect((await f.call('rita', 'GET', `/orders/${orderId}`)).body).toMatchObject({ state: 'cancelled', openFallout: 0, cancellation: { requestedBy: 'olga' } });
    const again = await f.callAs('olga', 'POST', `/work-items/${items[0].workItemId}/commands/resolve-fallout`, { action: 'cancel', reason: 'twice' });
    expect(again.body).toMatchObject({ status: 409, code: 'fallout-state' });
  });
});
