import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQuoteFixture, type Json, type QuoteFixture } from '../../../test/quote-fixture';

/** Approving needs the claim: whoever holds the Camunda task decides it, and the decision records who held it. */
describe('work items: the claim decides who may decide', () => {
  let f: QuoteFixture;

  beforeAll(async () => {
    f = await createQuoteFixture('work_item_claims');
  }, 180_000);
  afterAll(async () => {
    await f?.close();
  });

  async function submitted(): Promise<{ quoteId: string; workItemId: string }> {
    const quoteId = await f.pricedQuote('rita', { discountPercent: '18' });
    const res = await f.call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`);
    expect(res.body.state, JSON.stringify(res.body)).toBe('submitted');
    const item = (await f.call('sam', 'GET', '/work-items')).body.items.find((i: Json) => i.quoteId === quoteId);
    return { quoteId, workItemId: item.workItemId as string };
  }
  const decision = (quoteId: string) => f.t.infrastructure.prisma.approvalDecision.findFirst({ where: { quoteId } });

  it('an item claimed by one approver cannot be approved or rejected by another (409 work-item-claimed); nothing is decided', async () => {
    const { quoteId, workItemId } = await submitted();
    expect((await f.call('sam', 'POST', `/work-items/${workItemId}/commands/claim`)).body.assignee).toBe('sam');
    for (const command of ['approve-quote', 'reject-quote']) {
      const res = await f.call('sue', 'POST', `/work-items/${workItemId}/commands/${command}`, { reason: 'mine now' });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'work-item-claimed', detail: expect.stringContaining('sam') });
    }
    expect(await decision(quoteId)).toBeNull();
    // The holder decides; the decision says who held the claim.
    const approved = await f.call('sam', 'POST', `/work-items/${workItemId}/commands/approve-quote`, { reason: 'fine' });
    expect(approved.body.state, JSON.stringify(approved.body)).toBe('approved');
    expect(await decision(quoteId)).toMatchObject({ decidedBy: 'sam', claimedBy: 'sam' });
  });

  it('claiming an item someone else holds is a 409; an unclaimed item is claimed for the approver as they decide', async () => {
    const { quoteId, workItemId } = await submitted();
    expect((await f.call('sue', 'POST', `/work-items/${workItemId}/commands/claim`)).status).toBe(200);
    const second = await f.call('sam', 'POST', `/work-items/${workItemId}/commands/claim`);
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('work-item-claimed');
    expect((await f.t.infrastructure.camunda.task(workItemId)).assignee).toBe('sue');

    const other = await submitted();
    const approved = await f.call('sam', 'POST', `/work-items/${other.workItemId}/commands/approve-quote`, { reason: 'ok' });
    expect(approved.body.state, JSON.stringify(approved.body)).toBe('approved');
    expect(await decision(other.quoteId)).toMatchObject({ decidedBy: 'sam', claimedBy: 'sam' });
    expect(await decision(quoteId)).toBeNull();
  });

  it('an approver without authority cannot take the claim by trying to decide', async () => {
    const { workItemId } = await submitted();
    const res = await f.call('fiona', 'POST', `/work-items/${workItemId}/commands/approve-quote`, { reason: 'x' });
    expect([403, 404]).toContain(res.status);
    expect((await f.t.infrastructure.camunda.task(workItemId)).assignee).toBeNull();
  });

  it('a four-eyes refusal takes no claim: the item stays free for a legitimate approver', async () => {
    const quoteId = await f.pricedQuote('rita', { discountPercent: '18' });
    // Sam (a sales manager of the team) prices the quote before it is submitted: he may not approve it.
    expect((await f.call('sam', 'POST', `/quotes/${quoteId}/commands/price`)).status).toBe(200);
    expect((await f.call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`)).body.state).toBe('submitted');
    const item = (await f.call('sam', 'GET', '/work-items')).body.items.find((i: Json) => i.quoteId === quoteId);
    const refused = await f.call('sam', 'POST', `/work-items/${item.workItemId}/commands/approve-quote`, { reason: 'mine' });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('four-eyes-violation');
    expect((await f.t.infrastructure.camunda.task(item.workItemId)).assignee).toBeNull();
    const approved = await f.call('sue', 'POST', `/work-items/${item.workItemId}/commands/approve-quote`, { reason: 'fine' });
    expect(approved.body.state, JSON.stringify(approved.body)).toBe('approved');
  });

  it('a four-eyes author who holds the claim is still refused as they decide: nothing decided, the claim stays theirs', async () => {
    const quoteId = await f.pricedQuote('rita', { discountPercent: '18' });
    expect((await f.call('sam', 'POST', `/quotes/${quoteId}/commands/price`)).status).toBe(200);
    expect((await f.call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`)).body.state).toBe('submitted');
    const item = (await f.call('sam', 'GET', '/work-items')).body.items.find((i: Json) => i.quoteId === quoteId);
    // The claim asks only whether the item is offered to him; the decision checks four-eyes (in its transaction).
    expect((await f.call('sam', 'POST', `/work-items/${item.workItemId}/commands/claim`)).status).toBe(200);
    for (const command of ['approve-quote', 'reject-quote']) {
      const refused = await f.call('sam', 'POST', `/work-items/${item.workItemId}/commands/${command}`, { reason: 'mine' });
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('four-eyes-violation');
    }
    expect(await decision(quoteId)).toBeNull();
    expect((await f.t.infrastructure.camunda.task(item.workItemId)).assignee).toBe('sam');
  });

  it('an inbox is one Camunda query (offered to a role or assigned to the caller); claim and decide ask only for the task and act on it', async () => {
    const { quoteId, workItemId } = await submitted();
    // Not offered to finance: Fiona's inbox lacks it until it is assigned to her (the assignee half of the query).
    expect((await f.call('fiona', 'GET', '/work-items')).body.items.map((i: Json) => i.workItemId)).not.toContain(workItemId);
    await f.t.infrastructure.camunda.claimTask(workItemId, 'fiona');
    expect((await f.call('fiona', 'GET', '/work-items')).body.items.map((i: Json) => i.workItemId)).toContain(workItemId);
    await f.t.infrastructure.camunda.unclaimTask(workItemId);

    // The engine's Camunda calls, counted on the real client the app uses (every call still goes to Camunda).
    const client = f.t.infrastructure.camunda as unknown as Record<string, (...args: unknown[]) => unknown>;
    const calls: string[] = [];
    const originals = Object.entries(client).filter(([, fn]) => typeof fn === 'function');
    for (const [name, fn] of originals) client[name] = (...args: unknown[]) => (calls.push(name), fn(...args));
    try {
      const inbox = await f.call('sam', 'GET', '/work-items');
      expect(inbox.body.items.find((i: Json) => i.workItemId === workItemId)).toMatchObject({ quoteId, role: 'sales-manager', assignee: null });
      expect(calls).toEqual(['inboxTasks']);
      calls.length = 0;
      expect((await f.call('sam', 'POST', `/work-items/${workItemId}/commands/claim`)).body.assignee).toBe('sam');
      expect(calls).toEqual(['task', 'claimTask']);
      calls.length = 0;
      const approved = await f.call('sam', 'POST', `/work-items/${workItemId}/commands/approve-quote`, { reason: 'fine' });
      expect(approved.body.state, JSON.stringify(approved.body)).toBe('approved');
      expect(calls).toEqual(['task', 'completeTaskReturningVariables']);
    } finally {
      for (const [name, fn] of originals) client[name] = fn;
    }
    expect(await decision(quoteId)).toMatchObject({ decidedBy: 'sam', claimedBy: 'sam', taskCompletedAt: expect.any(Date) });
  });

  it('escalating needs the item: a customer or an outsider gets a 404, the SLA worker (integrator) may', async () => {
    const { workItemId } = await submitted();
    for (const who of ['cora', 'rob'] as const) {
      expect((await f.call(who, 'POST', `/work-items/${workItemId}/commands/escalate`)).status).toBe(404);
    }
    const escalated = await f.call('ian', 'POST', `/work-items/${workItemId}/commands/escalate`);
    expect(escalated.body, JSON.stringify(escalated.body)).toMatchObject({ escalated: true });
  });

  it('an escalated item opens for the role it was escalated to, as its inbox lists it; not for a role it was never offered to', async () => {
    const { quoteId, workItemId } = await submitted();
    expect((await f.call('fiona', 'GET', `/work-items/${workItemId}`)).status).toBe(404);
    const escalated = await f.call('ian', 'POST', `/work-items/${workItemId}/commands/escalate`);
    expect(escalated.body).toMatchObject({ escalated: true, to: 'finance' });
    // The fact on Kafka, caused by the command, for worklists and notifications.
    const event = await f.t.infrastructure.prisma.outboxEvent.findFirstOrThrow({ where: { aggregateId: quoteId, eventType: 'ApprovalEscalated' } });
    expect(event.payload).toEqual({ quoteId, revision: 1, level: 2, role: 'sales-manager', to: 'finance', workItemId });
    expect(event.causationId).toBeTruthy();
    const listed = (await f.call('fiona', 'GET', '/work-items')).body.items.find((i: Json) => i.workItemId === workItemId);
    expect(listed).toMatchObject({ quoteId });
    const opened = await f.call('fiona', 'GET', `/work-items/${workItemId}`);
    expect(opened.status, JSON.stringify(opened.body)).toBe(200);
    expect(opened.body).toMatchObject({ workItemId, quoteId, role: 'sales-manager' });
    for (const who of ['rob', 'cora'] as const) expect((await f.call(who, 'GET', `/work-items/${workItemId}`)).status).toBe(404);
  });

  it('the database keeps one decision per Camunda task', async () => {
    const { quoteId, workItemId } = await submitted();
    expect((await f.call('sam', 'POST', `/work-items/${workItemId}/commands/approve-quote`, { reason: 'ok' })).body.state).toBe('approved');
    const first = await f.t.infrastructure.prisma.approvalDecision.findFirstOrThrow({ where: { quoteId } });
    await expect(f.t.infrastructure.prisma.$executeRaw`
      INSERT INTO approval_decision (id, tenant_id, quote_id, revision, level, role, outcome, decided_by, authority, price_result_id, material_version, camunda_task_id)
      VALUES (gen_random_uuid(), ${first.tenantId}, ${quoteId}::uuid, ${first.revision}, ${first.level + 1}, 'finance', 'approved', 'fiona', '{}'::jsonb, ${first.priceResultId}::uuid, ${first.materialVersion}, ${workItemId})`)
      .rejects.toThrow(/uq_approval_decision_task|unique/i);
  });
});
