import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQuoteFixture, type Person, type QuoteFixture } from '../../../test/quote-fixture';
import { createReleaseStore, createCurrentReleasePointer, createReleaseViews } from '../catalog';
import { createDocumentService } from '../document';
import type { CamundaClient } from '../workflow';
import { createQuoteService } from './quote.service';
import { createWorkItemService } from './work-items.service';

describe('recovery: a task completion lost after the decision, and the expiry sweep', () => {
  let f: QuoteFixture;
  let t: QuoteFixture['t'];
  let tenant: string;

  beforeAll(async () => {
    f = await createQuoteFixture('quote_recovery');
    ({ t, tenant } = f);
  }, 120_000);
  afterAll(async () => {
    await f?.close();
  });

  const call = (as: Person, method: 'GET' | 'POST', url: string, payload?: unknown) => f.call(as, method, url, payload);
  async function submittedQuote() {
    const quoteId = (await call('rita', 'POST', '/quotes', { accountId: 'acct-1', customerName: 'Acme', currency: 'EUR', termMonths: 24 })).body.quoteId as string;
    await call('rita', 'POST', `/quotes/${quoteId}/lines`, { offering: 'business-internet', quantity: 1, selections: { access: 'fiber', bandwidth: 500, slaTier: 'standard' }, manualDiscount: { percent: '18', reason: 'x' } });
    await call('rita', 'POST', `/quotes/${quoteId}/commands/price`);
    await call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`);
    return quoteId;
  }

  it('if completing the Camunda task fails after the decision committed, the decision stands and the reconciler completes the task later', async () => {
    const quoteId = await submittedQuote();
    // The real Camunda, except that completions fail (as if it went away right after the commit).
    const failing: CamundaClient = { ...t.infrastructure.camunda, completeTaskReturningVariables: async () => { throw new Error('Camunda unreachable'); } };
    const store = createReleaseStore(t.infrastructure.prisma, t.infrastructure.redis, t.app.log);
    const releases = createReleaseViews(store, createCurrentReleasePointer(store));
    const workItems = createWorkItemService({ prisma: t.infrastructure.prisma, camunda: failing, releases, log: t.app.log });
    const principal = { userId: 'sam', tenantId: tenant, roles: ['sales-manager' as const], team: 'north' };
    const [item] = (await workItems.list(principal)).filter((i) => i.quoteId === quoteId);
    const decision = await workItems.approve(item!.workItemId, 'fine', { principal, correlationId: 'recovery-test' });
    expect(decision.state).toBe('approved');
    expect((await t.infrastructure.prisma.approvalDecision.findUniqueOrThrow({ where: { id: decision.decisionId } })).taskCompletedAt).toBeNull();
    expect(await t.infrastructure.camunda.tasks({ processInstanceBusinessKey: `quote-approval:${tenant}:${quoteId}:1` })).toHaveLength(1);

    const reconciler = createWorkItemService({ prisma: t.infrastructure.prisma, camunda: t.infrastructure.camunda, releases, log: t.app.log });
    expect(await reconciler.reconcile()).toBeGreaterThanOrEqual(1);
    expect((await t.infrastructure.prisma.approvalDecision.findUniqueOrThrow({ where: { id: decision.decisionId } })).taskCompletedAt).not.toBeNull();
    expect(await t.infrastructure.camunda.tasks({ processInstanceBusinessKey: `quote-approval:${tenant}:${quoteId}:1` })).toHaveLength(0);
    expect(await reconciler.reconcile()).toBe(0);
  });

  it('the expiry sweep expires open revisions past their validity, once, and leaves the rest', async () => {
    const stale = await submittedQuote();
    const fresh = await submittedQuote();
    await t.infrastructure.prisma.quoteRevision.update({ where: { quoteId_revision: { quoteId: stale, revision: 1 } }, data: { validUntil: new Date('2020-01-01T00:00:00Z') } });
    const store = createReleaseStore(t.infrastructure.prisma, t.infrastructure.redis, t.app.log);
    const quotes = createQuoteService({
      prisma: t.infrastructure.prisma, releases: createReleaseViews(store, createCurrentReleasePointer(store)), camunda: t.infrastructure.camunda,
      documents: createDocumentService(t.infrastructure.prisma), log: t.app.log,
    });
    expect(await quotes.expireDue()).toBeGreaterThanOrEqual(1);
    expect(await quotes.expireDue()).toBe(0);
    expect((await call('rita', 'GET', `/quotes/${stale}`)).body.revision.state).toBe('expired');
    expect((await call('rita', 'GET', `/quotes/${fresh}`)).body.revision.state).toBe('submitted');
    expect((await call('rita', 'GET', `/quotes/${stale}/timeline`)).body.entries.at(-1)).toMatchObject({ action: 'quote.QuoteExpired', actor: { id: 'system:expiry' } });
    // Its approval process is ended too: no instance left waiting for an approver of an expired quote.
    expect((await t.infrastructure.prisma.workflowCorrelation.findMany({ where: { domainId: `${stale}:1` } })).map((c) => c.status)).toEqual(['CANCELLED']);
    expect(await t.infrastructure.camunda.processInstances({ businessKey: `quote-approval:${tenant}:${stale}:1`, processDefinitionKey: 'quote-approval' })).toEqual([]);
    expect((await t.infrastructure.prisma.workflowCorrelation.findMany({ where: { domainId: `${fresh}:1` } })).map((c) => c.status)).toEqual(['RUNNING']);
  });
});
