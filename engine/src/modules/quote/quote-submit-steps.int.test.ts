import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../../test/kafka-helpers';
import { startFlakyProxy, type FlakyProxy } from '../../../../test/services/flaky-proxy';
import { createQuoteFixture, type QuoteFixture } from '../../../test/quote-fixture';
import { sampleCatalogWithDefaultModels } from '../../../test/release-fixture';
import { FlowHalted } from '../../lib/steps';
import { createReleaseStore, createCurrentReleasePointer, createReleaseViews } from '../catalog';
import { createDocumentService } from '../document';
import { createCamundaClient } from '../workflow';
import { createQuoteService } from './quote.service';
import type { CommandContext } from './quote.types';

/*
 * Submission reaches Camunda between two transactions (record -> start, idempotent by
 * business key -> record). Each test breaks one step for real: Camunda behind a proxy that
 * refuses, answers 503 or answers too late, or the flow stopped dead after a step (a crash);
 * then checks the state is consistent and nothing is duplicated once the reconciler has run.
 */
describe('submit-for-approval as steps: Camunda down or slow at each step, crash between steps', () => {
  let f: QuoteFixture;
  let proxy: FlakyProxy;
  const halt: { flow?: string; step?: string } = {};

  beforeAll(async () => {
    f = await createQuoteFixture('quote_submit_steps');
    proxy = await startFlakyProxy(f.t.config.camundaUrl);
  }, 180_000);
  afterAll(async () => {
    await proxy?.stop();
    await f?.close();
  });

  const prisma = () => f.t.infrastructure.prisma;
  function service() {
    const store = createReleaseStore(prisma(), f.t.infrastructure.redis, f.t.app.log);
    return createQuoteService({
      prisma: prisma(), releases: createReleaseViews(store, createCurrentReleasePointer(store)),
      camunda: createCamundaClient(proxy.url, { timeoutMs: 800 }), documents: createDocumentService(prisma()), log: f.t.app.log,
      haltAfter: (flow) => (halt.flow === flow ? halt.step : undefined),
    });
  }
  const ctx = (commandId: string): CommandContext => ({ principal: { userId: 'rita', tenantId: f.tenant, roles: ['rep'], team: 'north' }, correlationId: commandId, commandId });
  const businessKey = (quoteId: string) => `quote-approval:${f.tenant}:${quoteId}:1`;
  const instances = async (quoteId: string) => (await f.t.infrastructure.camunda.processInstances({ businessKey: businessKey(quoteId), processDefinitionKey: 'quote-approval' })).length;
  const stateOf = async (quoteId: string) => (await prisma().quoteRevision.findUniqueOrThrow({ where: { quoteId_revision: { quoteId, revision: 1 } } })).state;
  const correlationsOf = async (quoteId: string) => (await prisma().workflowCorrelation.findMany({ where: { domainId: `${quoteId}:1` } })).map((c) => c.status);
  const events = async (quoteId: string, eventType: string) => prisma().outboxEvent.count({ where: { aggregateId: quoteId, eventType } });
  const needsApproval = () => f.pricedQuote('rita', { discountPercent: '18' });

  it('Camunda answering 503 at the start: 503 to the caller, revision priced again, requirements withdrawn, no instance', async () => {
    const quoteId = await needsApproval();
    await proxy.set({ kind: 'status', status: 503 }, { method: 'POST', path: /\/start$/ });
    try {
      await expect(service().submit(quoteId, ctx('s-503'))).rejects.toMatchObject({ code: 'dependency-unavailable' });
    } finally {
      await proxy.set({ kind: 'pass' });
    }
    expect(await stateOf(quoteId)).toBe('priced');
    expect(await prisma().approvalRequirement.count({ where: { quoteId } })).toBe(0);
    expect(await correlationsOf(quoteId)).toEqual(['FAILED']);
    expect(await instances(quoteId)).toBe(0);
    expect(await events(quoteId, 'QuoteSubmissionReverted')).toBe(1);
    // The same submission goes through once Camunda answers.
    expect((await service().submit(quoteId, ctx('s-503-again'))).state).toBe('submitted');
    expect(await instances(quoteId)).toBe(1);
  });

  it('Camunda slow at the start (it started the instance, the answer came too late): compensation ends the instance it cannot see', async () => {
    const quoteId = await needsApproval();
    await proxy.set({ kind: 'delay', ms: 2000, forward: 'first' }, { method: 'POST', path: /\/start$/ });
    try {
      await expect(service().submit(quoteId, ctx('s-slow'))).rejects.toMatchObject({ code: 'dependency-unavailable' });
    } finally {
      await proxy.set({ kind: 'pass' });
    }
    // The held start reaches Camunda on its own schedule: wait until the instance exists (ended or not) before the
    // recovery looks for it (a fixed 1.5 s was not always enough under load).
    await eventually(async () => (await f.t.infrastructure.camunda.historicProcessInstances({ processInstanceBusinessKey: businessKey(quoteId) })).length > 0, 30_000, 200);
    expect(await stateOf(quoteId)).toBe('priced');
    const status = await correlationsOf(quoteId);
    if (status[0] === 'CANCELLING') await service().recoverWorkflows(0); // the instance appeared after compensation looked
    expect(await correlationsOf(quoteId)).toEqual([expect.stringMatching(/^(FAILED|CANCELLED)$/)]);
    expect(await instances(quoteId)).toBe(0);
  });

  it('a start held in a queue that lands after compensation looked: the intent stays CANCELLING and the reconciler ends the late instance', async () => {
    const quoteId = await needsApproval();
    // The client gives up at 800 ms; the proxy forwards the start at 2 s all the same.
    await proxy.set({ kind: 'delay', ms: 2000, forward: 'late' }, { method: 'POST', path: /\/start$/ });
    try {
      await expect(service().submit(quoteId, ctx('s-late'))).rejects.toMatchObject({ code: 'dependency-unavailable' });
    } finally {
      await proxy.set({ kind: 'pass' });
    }
    expect(await stateOf(quoteId)).toBe('priced');
    // Compensation found nothing and cannot know the start will not land: not FAILED, left to the reconciler.
    expect(await correlationsOf(quoteId)).toEqual(['CANCELLING']);
    await eventually(async () => (await instances(quoteId)) === 1, 30_000, 200);
    expect(await service().recoverWorkflows(0)).toMatchObject({ ended: 1 });
    expect(await correlationsOf(quoteId)).toEqual(['CANCELLED']);
    expect(await instances(quoteId)).toBe(0);
  });

  it('submitted again after a start without an answer: the reconciler ends only the instance no live submission holds', async () => {
    const running = async (quoteId: string) => (await prisma().workflowCorrelation.findMany({ where: { domainId: `${quoteId}:1`, status: 'RUNNING' } }))[0]!;
    // (a) The late instance lands first and the new submission takes it: the reconciler must leave it running.
    const taken = await needsApproval();
    await proxy.set({ kind: 'delay', ms: 1500, forward: 'late' }, { method: 'POST', path: /\/start$/ });
    try {
      await expect(service().submit(taken, ctx('s-again-1'))).rejects.toMatchObject({ code: 'dependency-unavailable' });
    } finally {
      await proxy.set({ kind: 'pass' });
    }
    await eventually(async () => (await instances(taken)) === 1, 30_000, 200);
    expect((await service().submit(taken, ctx('s-again-2'))).state).toBe('submitted');
    const holder = await running(taken);
    // (b) The new submission starts its own before the late one lands: the late one is ended, the new one kept.
    const own = await needsApproval();
    await proxy.set({ kind: 'delay', ms: 2500, forward: 'late' }, { method: 'POST', path: /\/start$/ });
    try {
      await expect(service().submit(own, ctx('s-again-3'))).rejects.toMatchObject({ code: 'dependency-unavailable' });
    } finally {
      await proxy.set({ kind: 'pass' });
    }
    expect((await service().submit(own, ctx('s-again-4'))).state).toBe('submitted');
    await eventually(async () => (await instances(own)) === 2, 30_000, 200);
    const kept = await running(own);

    await service().recoverWorkflows(0);
    for (const [quoteId, live] of [[taken, holder], [own, kept]] as const) {
      expect((await correlationsOf(quoteId)).sort()).toEqual(['CANCELLED', 'RUNNING']);
      const left = await f.t.infrastructure.camunda.processInstances({ businessKey: businessKey(quoteId), processDefinitionKey: 'quote-approval' });
      expect(left.map((p) => p.id)).toEqual([live.processInstanceId]);
    }
    // The approver still sees both and can decide them.
    const inbox = await f.call('sam', 'GET', '/work-items');
    expect(inbox.body.items.filter((i: { quoteId: string }) => i.quoteId === taken || i.quoteId === own)).toHaveLength(2);
  });

  it('a crash after the first step: the reconciler starts the process once and records it; a second run does nothing', async () => {
    const quoteId = await needsApproval();
    Object.assign(halt, { flow: 'quote.submit-for-approval', step: 'record-submission' });
    try {
      await expect(service().submit(quoteId, ctx('s-crash-1'))).rejects.toBeInstanceOf(FlowHalted);
    } finally {
      Object.assign(halt, { flow: undefined, step: undefined });
    }
    expect(await stateOf(quoteId)).toBe('submitted');
    expect(await correlationsOf(quoteId)).toEqual(['STARTING']);
    expect(await instances(quoteId)).toBe(0);

    // Camunda down during the reconciler's run: nothing changes, the next run finishes.
    await proxy.set({ kind: 'refuse' });
    try {
      expect(await service().recoverWorkflows(0)).toEqual({ started: 0, ended: 0 });
    } finally {
      await proxy.set({ kind: 'pass' });
    }
    expect(await correlationsOf(quoteId)).toEqual(['STARTING']);

    expect((await service().recoverWorkflows(0)).started).toBeGreaterThanOrEqual(1);
    expect(await correlationsOf(quoteId)).toEqual(['RUNNING']);
    expect(await instances(quoteId)).toBe(1);
    expect(await events(quoteId, 'ApprovalRequested')).toBe(1);
    await service().recoverWorkflows(0);
    expect(await instances(quoteId)).toBe(1);
    expect(await events(quoteId, 'ApprovalRequested')).toBe(1);
    // The approver sees the work item and decides it as usual.
    const inbox = await f.call('sam', 'GET', '/work-items');
    const item = inbox.body.items.find((i: { quoteId: string }) => i.quoteId === quoteId);
    expect(item, JSON.stringify(inbox.body)).toBeDefined();
    const approved = await f.call('sam', 'POST', `/work-items/${item.workItemId}/commands/approve-quote`, { reason: "ok" });
    expect(approved.body.state, JSON.stringify(approved.body)).toBe('approved');
  });

  it('a crash after the start: the reconciler finds the instance by business key instead of starting a second', async () => {
    const quoteId = await needsApproval();
    Object.assign(halt, { flow: 'quote.submit-for-approval', step: 'start-approval-process' });
    try {
      await expect(service().submit(quoteId, ctx('s-crash-2'))).rejects.toBeInstanceOf(FlowHalted);
    } finally {
      Object.assign(halt, { flow: undefined, step: undefined });
    }
    expect(await instances(quoteId)).toBe(1);
    expect(await correlationsOf(quoteId)).toEqual(['STARTING']);
    await service().recoverWorkflows(0);
    expect(await instances(quoteId)).toBe(1);
    expect(await correlationsOf(quoteId)).toEqual(['RUNNING']);
    expect(await events(quoteId, 'ApprovalRequested')).toBe(1);
  });

  it('revised after a crash mid-submission: the reconciler ends the intent instead of starting a process for a superseded revision', async () => {
    const quoteId = await needsApproval();
    Object.assign(halt, { flow: 'quote.submit-for-approval', step: 'start-approval-process' });
    try {
      await expect(service().submit(quoteId, ctx('s-crash-3'))).rejects.toBeInstanceOf(FlowHalted);
    } finally {
      Object.assign(halt, { flow: undefined, step: undefined });
    }
    expect((await f.call('rita', 'POST', `/quotes/${quoteId}/commands/revise`)).status).toBe(200);
    // The revise ended the started instance after its commit (found by business key).
    expect(await instances(quoteId)).toBe(0);
    expect(await correlationsOf(quoteId)).toEqual(['CANCELLED']);
    expect(await service().recoverWorkflows(0)).toEqual({ started: 0, ended: 0 });
    expect(await stateOf(quoteId)).toBe('superseded');
  });

  it('revise with Camunda down: the revise stands, the old process is ended by the reconciler later', async () => {
    const quoteId = await needsApproval();
    expect((await service().submit(quoteId, ctx('s-revise-down'))).state).toBe('submitted');
    await proxy.set({ kind: 'refuse' });
    try {
      expect((await service().revise(quoteId, ctx('r-down'))).revision).toBe(2);
    } finally {
      await proxy.set({ kind: 'pass' });
    }
    expect(await correlationsOf(quoteId)).toEqual(['CANCELLING']);
    expect(await instances(quoteId)).toBe(1);
    expect((await service().recoverWorkflows(0)).ended).toBeGreaterThanOrEqual(1);
    expect(await correlationsOf(quoteId)).toEqual(['CANCELLED']);
    expect(await instances(quoteId)).toBe(0);
  });

  it('two reconcilers at once (two API instances) finish a half-done submission once: one instance, one RUNNING, one ApprovalRequested', async () => {
    const quoteId = await needsApproval();
    Object.assign(halt, { flow: 'quote.submit-for-approval', step: 'record-submission' });
    try {
      await expect(service().submit(quoteId, ctx('s-crash-4'))).rejects.toBeInstanceOf(FlowHalted);
    } finally {
      Object.assign(halt, { flow: undefined, step: undefined });
    }
    const runs = await Promise.all([service().recoverWorkflows(0), service().recoverWorkflows(0), service().recoverWorkflows(0)]);
    expect(runs.reduce((n, r) => n + r.started, 0)).toBe(1);
    expect(await correlationsOf(quoteId)).toEqual(['RUNNING']);
    expect(await instances(quoteId)).toBe(1);
    expect(await events(quoteId, 'ApprovalRequested')).toBe(1);
    expect((await f.t.infrastructure.camunda.tasks({ processInstanceBusinessKey: businessKey(quoteId) })).length).toBe(1);
  });
  it('If-Match on submit holds for the first step only: the version read submits (RUNNING, one instance), a stale one is refused and changes nothing', async () => {
    const quoteId = await needsApproval();
    const { version } = (await f.call('rita', 'GET', `/quotes/${quoteId}`)).body;
    const stale = await f.call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`, undefined, { 'if-match': `"${version - 1}"` });
    expect(stale.status).toBe(409);
    expect(stale.body.type).toMatch(/version-conflict/);
    expect(await stateOf(quoteId)).toBe('priced');
    expect(await correlationsOf(quoteId)).toEqual([]);

    const submitted = await f.call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`, undefined, { 'if-match': `"${version}"` });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    expect(submitted.body.state).toBe('submitted');
    expect(submitted.body.version).toBeGreaterThan(version);
    expect(await stateOf(quoteId)).toBe('submitted');
    expect(await correlationsOf(quoteId)).toEqual(['RUNNING']);
    expect(await instances(quoteId)).toBe(1);
    expect(await events(quoteId, 'ApprovalRequested')).toBe(1);
  });
});

/*
 * A model without the task listener that records the work item (bpmn/quote-approval.bpmn has
 * it): the start's step asks Camunda for the first task after starting, and a failure of that
 * question comes after the instance exists.
 */
describe('submit-for-approval with a model that does not record its work item: a failure after the start', () => {
  let f: QuoteFixture;
  let proxy: FlakyProxy;

  beforeAll(async () => {
    const xml = readFileSync(new URL('../../../../bpmn/quote-approval.bpmn', import.meta.url), 'utf8')
      .replace(/<bpmn:extensionElements>\s*<camunda:taskListener[^>]*\/>\s*<\/bpmn:extensionElements>\s*/, '');
    const items = sampleCatalogWithDefaultModels().map((item) => item.kind === 'bpmn-model' && item.key === 'quote-approval'
      ? { ...item, content: { ...(item.content as object), xml } } : item);
    f = await createQuoteFixture('quote_submit_plain', {}, { items });
    proxy = await startFlakyProxy(f.t.config.camundaUrl);
  }, 180_000);
  afterAll(async () => {
    await proxy?.stop();
    await f?.close();
  });

  it('Camunda down while recording the outcome is impossible to see: the task lookup fails after the start -> compensated, instance ended', async () => {
    const prisma = f.t.infrastructure.prisma;
    const store = createReleaseStore(prisma, f.t.infrastructure.redis, f.t.app.log);
    const service = createQuoteService({
      prisma, releases: createReleaseViews(store, createCurrentReleasePointer(store)),
      camunda: createCamundaClient(proxy.url, { timeoutMs: 800 }), documents: createDocumentService(prisma), log: f.t.app.log,
    });
    const quoteId = await f.pricedQuote('rita', { discountPercent: '18' });
    await proxy.set({ kind: 'status', status: 500 }, { method: 'GET', path: /\/task(\?|$)/ });
    try {
      await expect(service.submit(quoteId, { principal: { userId: 'rita', tenantId: f.tenant, roles: ['rep'], team: 'north' }, correlationId: 's-task', commandId: 's-task' }))
        .rejects.toMatchObject({ code: 'dependency-unavailable' });
    } finally {
      await proxy.set({ kind: 'pass' });
    }
    expect((await prisma.quoteRevision.findUniqueOrThrow({ where: { quoteId_revision: { quoteId, revision: 1 } } })).state).toBe('priced');
    const left = await f.t.infrastructure.camunda.processInstances({ businessKey: `quote-approval:${f.tenant}:${quoteId}:1`, processDefinitionKey: 'quote-approval' });
    expect(left).toHaveLength(0);
    expect((await prisma.workflowCorrelation.findMany({ where: { domainId: `${quoteId}:1` } })).map((c) => c.status)).toEqual(['FAILED']);
  });
});
