import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../../test/env';
import { createQuoteFixture, type Json, type QuoteFixture } from '../../../test/quote-fixture';
import { sampleCatalogWithDefaultModels } from '../../../test/release-fixture';
import { businessKeyOf } from './quote.deps';

// The approval loop's calls to Camunda (issue 12: Camunda's CPU per loop decides the loop's
// rate). A first submission starts the process without asking for instances of its business key
// first (no intent of the key was recorded before, so none can exist) and learns the first work
// item from the start's answer; a level's decision learns the next work item from the
// completion's answer. Both come from the model's task listener (`workItemId`); a model without
// it still works, asking Camunda for the task as before.
describe('the approval loop asks Camunda only what it must', () => {
  let f: QuoteFixture;
  let plain: QuoteFixture;
  // Every REST call to Camunda (method and path, without the query) while `measured` runs.
  let calls: string[] | undefined;
  const originalFetch = globalThis.fetch;

  beforeAll(async () => {
    f = await createQuoteFixture('approval_camunda_calls');
    // The same process without the task listener (a model an admin brought).
    const items = sampleCatalogWithDefaultModels().map((item) => item.kind === 'bpmn-model' && item.key === 'quote-approval'
      ? { ...item, content: { ...(item.content as Json), xml: withoutTaskListener(readFileSync(new URL('../../../../bpmn/quote-approval.bpmn', import.meta.url), 'utf8')) } }
      : item);
    plain = await createQuoteFixture('approval_calls_plain', {}, { items });
    globalThis.fetch = (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (calls && url.startsWith(testEnv.camundaUrl)) calls.push(`${init?.method ?? 'GET'} ${new URL(url).pathname.replace(/^\/engine-rest/, '')}`);
      return originalFetch(input, init);
    }) as typeof fetch;
  }, 240_000);
  afterAll(async () => {
    globalThis.fetch = originalFetch;
    await f?.close();
    await plain?.close();
  });

  async function measured<T>(run: () => Promise<T>): Promise<{ result: T; camunda: string[] }> {
    calls = [];
    try {
      const result = await run();
      return { result, camunda: calls };
    } finally {
      calls = undefined;
    }
  }
  /** The open tasks of the quote's approval, asked of Camunda directly. */
  async function openTasks(x: QuoteFixture, quoteId: string): Promise<string[]> {
    const key = encodeURIComponent(businessKeyOf(x.tenant, quoteId, 1));
    return ((await (await originalFetch(`${testEnv.camundaUrl}/task?processInstanceBusinessKey=${key}`)).json()) as { id: string }[]).map((t) => t.id);
  }
  async function announced(x: QuoteFixture, quoteId: string): Promise<Json[]> {
    return (await x.t.infrastructure.prisma.outboxEvent.findMany({ where: { aggregateId: quoteId, eventType: 'ApprovalRequested' }, orderBy: { position: 'asc' } }))
      .map((e) => e.payload as Json);
  }

  it('a first submission makes one call, the start, and announces the work item the start opened', async () => {
    const quoteId = await f.pricedQuote('rita', { discountPercent: '18' });
    const submit = await measured(() => f.call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`));
    expect(submit.result.body, JSON.stringify(submit.result.body)).toMatchObject({ state: 'submitted' });
    expect(submit.camunda).toEqual([`POST /process-definition/key/quote-approval/tenant-id/${f.tenant}/start`]);
    const open = await openTasks(f, quoteId);
    expect(open).toHaveLength(1);
    expect((await announced(f, quoteId)).map((p) => p.workItemId)).toEqual(open);
  });

  it('a decision with a level after it completes the task and announces the next level\'s work item from the completion\'s answer', async () => {
    const quoteId = await f.pricedQuote('rita', { discountPercent: '30' });
    expect((await f.call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`)).body.state).toBe('submitted');
    const [first] = await openTasks(f, quoteId);
    const approve = await measured(() => f.call('sam', 'POST', `/work-items/${first}/commands/approve-quote`, { reason: 'fine' }));
    expect(approve.result.body, JSON.stringify(approve.result.body)).toMatchObject({ state: 'submitted', level: 2 });
    // The task (who holds it, which instance), the claim for the decider, the completion: no query for the next task.
    expect(approve.camunda).toEqual([`GET /task/${first}`, `POST /task/${first}/claim`, `POST /task/${first}/complete`]);
    const next = await openTasks(f, quoteId);
    expect(next).toHaveLength(1);
    expect(next[0]).not.toBe(first);
    expect((await announced(f, quoteId)).map((p) => [p.level, p.workItemId])).toEqual([[2, first], [3, next[0]]]);
    // The last level's decision ends the levels: nothing announced after it.
    expect((await f.call('fiona', 'POST', `/work-items/${next[0]}/commands/approve-quote`, { reason: 'fine' })).body).toMatchObject({ state: 'approved', level: 3 });
    expect(await announced(f, quoteId)).toHaveLength(2);
  });

  it('a revision whose key an earlier intent carried looks for its instance first, and reuses the one it finds', async () => {
    const quoteId = await f.pricedQuote('rita', { discountPercent: '18' });
    const businessKey = businessKeyOf(f.tenant, quoteId, 1);
    // An earlier submission of the revision that failed after its start landed late: its intent
    // is recorded (FAILED), its instance runs in Camunda.
    await f.t.infrastructure.prisma.workflowCorrelation.create({
      data: { id: randomUUID(), tenantId: f.tenant, domainType: 'QUOTE_REVISION', domainId: `${quoteId}:1`, processKey: 'quote-approval', businessKey, status: 'FAILED' },
    });
    const stray = await (await originalFetch(`${testEnv.camundaUrl}/process-definition/key/quote-approval/tenant-id/${f.tenant}/start`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ businessKey, variables: { quoteId: { value: quoteId }, revision: { value: 1, type: 'Integer' }, requiredLevels: { value: '["sales-manager"]', type: 'Json' }, approverRole: { value: 'sales-manager' }, escalationSla: { value: 'P2D' } } }),
    })).json() as { id: string };

    const submit = await measured(() => f.call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`));
    expect(submit.result.body, JSON.stringify(submit.result.body)).toMatchObject({ state: 'submitted' });
    expect(submit.camunda).toEqual(['GET /process-instance', 'GET /task']);
    const instances = await (await originalFetch(`${testEnv.camundaUrl}/process-instance?businessKey=${encodeURIComponent(businessKey)}`)).json() as { id: string }[];
    expect(instances.map((i) => i.id)).toEqual([stray.id]);
    const correlation = await f.t.infrastructure.prisma.workflowCorrelation.findFirstOrThrow({ where: { businessKey, status: 'RUNNING' } });
    expect(correlation.processInstanceId).toBe(stray.id);
    expect((await announced(f, quoteId)).map((p) => p.workItemId)).toEqual(await openTasks(f, quoteId));
  });

  it('a model without the task listener: the work items are asked of Camunda, and announced as before', async () => {
    const quoteId = await plain.pricedQuote('rita', { discountPercent: '30' });
    const submit = await measured(() => plain.call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`));
    expect(submit.result.body, JSON.stringify(submit.result.body)).toMatchObject({ state: 'submitted' });
    expect(submit.camunda).toEqual([`POST /process-definition/key/quote-approval/tenant-id/${plain.tenant}/start`, 'GET /task']);
    const [first] = await openTasks(plain, quoteId);
    const approve = await measured(() => plain.call('sam', 'POST', `/work-items/${first}/commands/approve-quote`, { reason: 'fine' }));
    expect(approve.result.body).toMatchObject({ state: 'submitted', level: 2 });
    expect(approve.camunda).toEqual([`GET /task/${first}`, `POST /task/${first}/claim`, `POST /task/${first}/complete`, 'GET /task']);
    const next = await openTasks(plain, quoteId);
    expect((await announced(plain, quoteId)).map((p) => [p.level, p.workItemId])).toEqual([[2, first], [3, next[0]]]);
  });
});

function withoutTaskListener(xml: string): string {
  const stripped = xml.replace(/<bpmn:extensionElements>\s*<camunda:taskListener[^>]*\/>\s*<\/bpmn:extensionElements>\s*/, '');
  if (stripped === xml) throw new Error('the default quote-approval model has no task listener to remove');
  return stripped;
}
