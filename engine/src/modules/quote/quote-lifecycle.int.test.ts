import { randomUUID } from 'node:crypto';
import { createKafkaClient } from '@cpq/connectors/kafka/kafka.factory';
import { createOutboxRelay, type OutboxRelay } from '@cpq/connectors/outbox-relay/outbox-relay';
import type { KafkaProducer } from '@cpq/connectors/kafka/kafka.port';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, testKafka } from '../../../../test/kafka-helpers';
import { buildEngine } from '../../app';
import { loadConfig } from '../../config';
import { createInfrastructure } from '../../plugins/external/infrastructure';
import { createQuoteFixture, type Json, type Person, type QuoteFixture } from '../../../test/quote-fixture';
import type { TestApp } from '../../../test/test-app';

describe('quote lifecycle through HTTP (real PostgreSQL, Redis, Kafka, Camunda)', () => {
  let f: QuoteFixture;
  let t: TestApp;
  let tenant: string;
  let tokens: Record<Person, string>;
  let producer: KafkaProducer;
  let relay: OutboxRelay;

  beforeAll(async () => {
    f = await createQuoteFixture('quote_lifecycle');
    ({ t, tenant, tokens } = f);
    const kafka = await createKafkaClient('kafkajs', { brokers: t.config.kafkaBrokers, clientId: 'quote-lifecycle-relay' });
    producer = await kafka.producer();
    relay = createOutboxRelay({ prisma: t.infrastructure.prisma, producer, pollIntervalMs: 50 });
    relay.start();
  }, 180_000);
  afterAll(async () => {
    await relay?.stop();
    await producer?.close();
    await f?.close();
  });

  const call = (as: Person, method: 'GET' | 'POST', url: string, payload?: unknown, headers: Record<string, string> = {}) => f.call(as, method, url, payload, headers);
  const internet = (overrides: Json = {}) => ({ offering: 'business-internet', quantity: 1, selections: { access: 'fiber', bandwidth: 500, slaTier: 'standard' }, ...overrides });
  async function pricedQuote(as: Person = 'rita', line: Json = internet(), accountId = 'acct-1') {
    const created = await call(as, 'POST', '/quotes', { accountId, customerName: 'Acme GmbH', currency: 'EUR', termMonths: 24 });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const quoteId = created.body.quoteId as string;
    const added = await call(as, 'POST', `/quotes/${quoteId}/lines`, line);
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body.valid).toBe(true);
    const priced = await call(as, 'POST', `/quotes/${quoteId}/commands/price`);
    expect(priced.status, JSON.stringify(priced.body)).toBe(200);
    return quoteId;
  }
  const discounted = () => internet({ manualDiscount: { percent: '18', reason: 'competitive offer' } });
  const stateOf = async (quoteId: string) => (await call('rita', 'GET', `/quotes/${quoteId}`)).body.revision?.state;

  it('the happy path: create, configure, price, submit, approve, document, accept — with the events on Kafka', async () => {
    const quoteId = await pricedQuote('rita', discounted());
    const submitted = await call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`);
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    expect(submitted.body).toMatchObject({ state: 'submitted', required: [{ role: 'sales-manager', reasons: [expect.stringMatching(/maxDiscountPercent/)] }] });

    const inbox = await call('sam', 'GET', '/work-items');
    const item = inbox.body.items.find((i: Json) => i.quoteId === quoteId);
    expect(item).toMatchObject({ kind: 'quote-approval', revision: 1, level: 2, role: 'sales-manager', dueAt: expect.any(String) });
    expect((await call('rita', 'GET', '/work-items')).body.items.find((i: Json) => i.quoteId === quoteId)).toBeUndefined();

    const approved = await call('sam', 'POST', `/work-items/${item.workItemId}/commands/approve-quote`, { reason: 'strategic account' });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.state).toBe('approved');
    const evidence = await call('rita', 'GET', `/quotes/${quoteId}/approval-evidence`);
    expect(evidence.body.decisions).toEqual([expect.objectContaining({ level: 2, role: 'sales-manager', outcome: 'approved', decidedBy: 'sam', authority: expect.objectContaining({ role: 'sales-manager', limits: expect.any(Object) }) })]);

    const document = await call('rita', 'POST', `/quotes/${quoteId}/commands/generate-document`);
    expect(document.status, JSON.stringify(document.body)).toBe(201);
    const pdf = await call('cora', 'GET', `/quotes/${quoteId}/documents/${document.body.documentId}`);
    expect(pdf.status).toBe(200);
    expect(pdf.raw.subarray(0, 5).toString()).toBe('%PDF-');

    const accepted = await call('cora', 'POST', `/quotes/${quoteId}/commands/accept`, { documentId: document.body.documentId });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(await stateOf(quoteId)).toBe('accepted');

    const timeline = await call('rita', 'GET', `/quotes/${quoteId}/timeline`);
    expect(timeline.body.entries.map((e: Json) => `${e.action} by ${e.actor.id}`)).toEqual([
      'quote.QuoteCreated by rita', 'quote.QuoteLineAdded by rita', 'quote.QuotePriced by rita', 'quote.QuoteSubmittedForApproval by rita',
      'quote.ApprovalRequested by rita', 'quote.ApprovalGranted by sam', 'quote.QuoteDocumentGenerated by rita', 'quote.QuoteAccepted by cora',
    ]);
    expect(timeline.body.entries.find((e: Json) => e.action === 'quote.ApprovalGranted').reason).toBe('strategic account');

    const kafka = await testKafka();
    const events = await collect(kafka, 'cpq.quote.events', (m) => m.some((x) => x.key === quoteId && x.headers['event-type'] === 'QuoteAccepted'), 30_000);
    const types = events.filter((m) => m.key === quoteId).map((m) => m.headers['event-type']);
    expect(types).toEqual(['QuoteCreated', 'QuoteLineAdded', 'QuotePriced', 'QuoteSubmittedForApproval', 'ApprovalRequested', 'QuoteApproved', 'QuoteDocumentGenerated', 'QuoteAccepted']);
  }, 120_000);

  it('validity comes from the release\'s policy: 45 days by default, shorter on request, never longer', async () => {
    const addDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
    const byPolicy = (await call('rita', 'POST', '/quotes', { accountId: 'acct-1', customerName: 'Acme', currency: 'EUR', termMonths: 24 })).body.quoteId;
    expect((await call('rita', 'GET', `/quotes/${byPolicy}`)).body.revision.validUntil).toBe(addDays(45));
    const shorter = (await call('rita', 'POST', '/quotes', { accountId: 'acct-1', customerName: 'Acme', currency: 'EUR', termMonths: 24, validDays: 10 })).body.quoteId;
    expect((await call('rita', 'GET', `/quotes/${shorter}`)).body.revision.validUntil).toBe(addDays(10));
    const longer = await call('rita', 'POST', '/quotes', { accountId: 'acct-1', customerName: 'Acme', currency: 'EUR', termMonths: 24, validDays: 90 });
    expect(longer.status).toBe(400);
    expect(longer.body.errors).toEqual([expect.objectContaining({ field: 'body/validDays', rule: 'policy.quoteValidityDays' })]);
  });

  it('a deal within the rep\'s authority is approved at once, with evidence and no workflow', async () => {
    const quoteId = await pricedQuote();
    const submitted = await call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`);
    expect(submitted.body).toMatchObject({ state: 'approved', required: [] });
    expect(await t.infrastructure.prisma.workflowCorrelation.count({ where: { domainId: `${quoteId}:1` } })).toBe(0);
  });

  it('a manual discount is kept when configure-line leaves it out and removed with null: priced again, the deal needs no approval', async () => {
    const quoteId = await pricedQuote('rita', discounted());
    const line = { lineId: 'L1', quantity: 1, selections: { access: 'fiber', bandwidth: 500, slaTier: 'standard' } };
    const discountOf = async () => (await call('rita', 'GET', `/quotes/${quoteId}`)).body.revision.lines[0].manualDiscount;
    expect((await call('rita', 'POST', `/quotes/${quoteId}/commands/configure-line`, line)).status).toBe(200);
    expect(await discountOf()).toMatchObject({ percent: '18', reason: 'competitive offer' });
    const removed = await call('rita', 'POST', `/quotes/${quoteId}/commands/configure-line`, { ...line, manualDiscount: null });
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    expect(await discountOf()).toBeNull();
    const event = await f.t.infrastructure.prisma.outboxEvent.findFirstOrThrow({ where: { aggregateId: quoteId, eventType: 'QuoteLineConfigured' }, orderBy: { position: 'desc' } });
    expect(event.payload).toMatchObject({ lineId: 'L1', manualDiscountRemoved: true });
    expect((await call('rita', 'POST', `/quotes/${quoteId}/commands/price`)).status).toBe(200);
    expect((await call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`)).body).toMatchObject({ state: 'approved', required: [] });
    // A discount that is neither null nor well formed is refused at its field, and the line is unchanged.
    const bad = await call('rita', 'POST', `/quotes/${quoteId}/commands/configure-line`, { ...line, manualDiscount: 'none' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/manualDiscount/);
  });

  it('the same command replayed with the same key has one effect; another body with that key is a 422', async () => {
    const quoteId = await pricedQuote();
    const key = { 'idempotency-key': `replay-${randomUUID()}` };
    const first = await call('rita', 'POST', `/quotes/${quoteId}/lines`, internet({ quantity: 2 }), key);
    const second = await call('rita', 'POST', `/quotes/${quoteId}/lines`, internet({ quantity: 2 }), key);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await t.infrastructure.prisma.quoteLine.count({ where: { quoteId } })).toBe(2);
    const different = await call('rita', 'POST', `/quotes/${quoteId}/lines`, internet({ quantity: 3 }), key);
    expect(different.status).toBe(422);
    expect(different.body.code).toBe('idempotency-key-reused');
    const missing = await t.app.inject({ method: 'POST', url: `/quotes/${quoteId}/commands/price`, headers: { authorization: `Bearer ${tokens.rita}` } });
    expect(missing.statusCode).toBe(428);
  });

  describe('each invariant broken on purpose: a 4xx problem that names it, and nothing changes', () => {
    it('stale price: a change after pricing blocks submission', async () => {
      const quoteId = await pricedQuote();
      await call('rita', 'POST', `/quotes/${quoteId}/commands/configure-line`, { lineId: 'L1', quantity: 2, selections: { access: 'fiber', bandwidth: 500, slaTier: 'standard' } });
      const res = await call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('price-stale');
      expect(await stateOf(quoteId)).toBe('draft');
    });

    it('an invalid configuration cannot be priced', async () => {
      const created = await call('rita', 'POST', '/quotes', { accountId: 'acct-1', customerName: 'Acme', currency: 'EUR', termMonths: 24 });
      const line = await call('rita', 'POST', `/quotes/${created.body.quoteId}/lines`, internet({ selections: { access: 'copper', bandwidth: 1000, slaTier: 'standard' } }));
      expect(line.body.valid).toBe(false);
      const res = await call('rita', 'POST', `/quotes/${created.body.quoteId}/commands/price`);
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('configuration-invalid');
    });

    it('self-approval and approval without authority are refused; the task stays open', async () => {
      const quoteId = await pricedQuote('rita', discounted());
      // sam (the approver role) changed the revision: four-eyes applies to him too.
      await call('sam', 'POST', `/quotes/${quoteId}/commands/configure-line`, { lineId: 'L1', quantity: 1, selections: { access: 'fiber', bandwidth: 500, slaTier: 'standard' }, manualDiscount: { percent: '18', reason: 'again' } });
      await call('sam', 'POST', `/quotes/${quoteId}/commands/price`);
      await call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`);
      const item = (await call('sam', 'GET', '/work-items')).body.items.find((i: Json) => i.quoteId === quoteId);
      const self = await call('sam', 'POST', `/work-items/${item.workItemId}/commands/approve-quote`);
      expect(self.status).toBe(403);
      expect(self.body.code).toBe('four-eyes-violation');
      const noAuthority = await call('rita', 'POST', `/work-items/${item.workItemId}/commands/approve-quote`);
      expect([403, 404]).toContain(noAuthority.status);
      expect(await stateOf(quoteId)).toBe('submitted');
      expect((await t.infrastructure.camunda.tasks({ processInstanceBusinessKey: `quote-approval:${tenant}:${quoteId}:1` })).length).toBe(1);
    });

    it('wrong actor, wrong tenant, unknown quote: 404 (existence does not leak)', async () => {
      const quoteId = await pricedQuote();
      expect((await call('rob', 'GET', `/quotes/${quoteId}`)).status).toBe(404);
      expect((await call('carl', 'GET', `/quotes/${quoteId}`)).status).toBe(404);
      expect((await call('eve', 'GET', `/quotes/${quoteId}`)).status).toBe(404);
      expect((await call('eve', 'POST', `/quotes/${quoteId}/commands/price`)).status).toBe(404);
      expect((await call('rita', 'GET', `/quotes/${randomUUID()}`)).status).toBe(404);
      expect((await call('cora', 'GET', `/quotes/${quoteId}`)).status).toBe(200);
      expect((await call('cora', 'POST', `/quotes/${quoteId}/commands/price`)).status).toBe(403);
    });

    async function approvedWithDocument() {
      const quoteId = await pricedQuote();
      await call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`);
      const doc = await call('rita', 'POST', `/quotes/${quoteId}/commands/generate-document`);
      return { quoteId, documentId: doc.body.documentId as string };
    }

    it('expired: acceptance after validity is refused', async () => {
      const { quoteId, documentId } = await approvedWithDocument();
      await t.infrastructure.prisma.quoteRevision.update({ where: { quoteId_revision: { quoteId, revision: 1 } }, data: { validUntil: new Date('2020-01-01T00:00:00Z') } });
      const res = await call('cora', 'POST', `/quotes/${quoteId}/commands/accept`, { documentId });
      expect(res.body.code).toBe('quote-expired');
      expect(await stateOf(quoteId)).toBe('approved');
    });

    it('a document that no longer matches the revision is refused', async () => {
      const { quoteId, documentId } = await approvedWithDocument();
      await t.infrastructure.prisma.quote.update({ where: { id: quoteId }, data: { customerName: 'Someone Else AG' } });
      const res = await call('cora', 'POST', `/quotes/${quoteId}/commands/accept`, { documentId });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('document-stale');
    });

    it('accepting twice: the second is refused; a rep needs evidence to accept for the customer', async () => {
      const { quoteId, documentId } = await approvedWithDocument();
      const noEvidence = await call('rita', 'POST', `/quotes/${quoteId}/commands/accept`, { documentId });
      expect(noEvidence.body.code).toBe('acceptance-evidence-required');
      const byRep = await call('rita', 'POST', `/quotes/${quoteId}/commands/accept`, { documentId, onBehalfOf: { evidence: 'signed PDF received 2026-11-27', channel: 'signed-pdf' } });
      expect(byRep.status, JSON.stringify(byRep.body)).toBe(200);
      const again = await call('cora', 'POST', `/quotes/${quoteId}/commands/accept`, { documentId });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('already-accepted');
    });

    it('concurrent accepts: exactly one wins', async () => {
      const { quoteId, documentId } = await approvedWithDocument();
      const results = await Promise.all([
        call('cora', 'POST', `/quotes/${quoteId}/commands/accept`, { documentId }),
        call('rita', 'POST', `/quotes/${quoteId}/commands/accept`, { documentId, onBehalfOf: { evidence: 'phone call', channel: 'phone' } }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      expect(await t.infrastructure.prisma.quoteRevision.count({ where: { quoteId, state: 'accepted' } })).toBe(1);
    });

    it('a superseded revision cannot be accepted; the database refuses a second accepted revision', async () => {
      const { quoteId, documentId } = await approvedWithDocument();
      expect((await call('rita', 'POST', `/quotes/${quoteId}/commands/revise`)).body.revision).toBe(2);
      const res = await call('cora', 'POST', `/quotes/${quoteId}/commands/accept`, { documentId });
      expect(res.status).toBe(409);
      const client = new pg.Client({ connectionString: t.db.url });
      await client.connect();
      try {
        // Stale approval and a missing document are refused by the database itself.
        await expect(client.query(`UPDATE quote_revision SET state = 'accepted' WHERE quote_id = $1 AND revision = 2`, [quoteId])).rejects.toMatchObject({ code: '23514' });
      } finally {
        await client.end();
      }
    });

    it('the database holds at most one accepted revision per quote, whatever the code does', async () => {
      const { quoteId, documentId } = await approvedWithDocument();
      const accepted = await call('cora', 'POST', `/quotes/${quoteId}/commands/accept`, { documentId });
      expect(accepted.status).toBe(200);
      const client = new pg.Client({ connectionString: t.db.url });
      await client.connect();
      try {
        // A second revision that would satisfy every check constraint of an accepted one...
        await client.query(`INSERT INTO quote_revision (tenant_id, quote_id, revision, state, release_id, material_version, price_result_id,
            priced_material_version, approval_material_version, approved_price_result_id, valid_until, document_id, accepted_by)
          SELECT tenant_id, quote_id, 2, 'approved', release_id, material_version, price_result_id, priced_material_version,
                 approval_material_version, approved_price_result_id, valid_until, document_id, 'someone'
            FROM quote_revision WHERE quote_id = $1 AND revision = 1`, [quoteId]);
        // ...is still refused as a second accepted revision (uq_quote_one_accepted_revision).
        await expect(client.query(`UPDATE quote_revision SET state = 'accepted' WHERE quote_id = $1 AND revision = 2`, [quoteId]))
          .rejects.toMatchObject({ code: '23505', constraint: 'uq_quote_one_accepted_revision' });
      } finally {
        await client.end();
      }
    });

    it('a quote in a currency the release has no price book for: 422 naming the field', async () => {
      const created = await call('rita', 'POST', '/quotes', { accountId: 'acct-1', customerName: 'Acme', currency: 'JPY', termMonths: 24 });
      await call('rita', 'POST', `/quotes/${created.body.quoteId}/lines`, internet());
      const res = await call('rita', 'POST', `/quotes/${created.body.quoteId}/commands/price`);
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ code: 'pricing-input', errors: [expect.objectContaining({ rule: 'no-price-book' })] });
      expect(await t.infrastructure.prisma.priceResult.count({ where: { quoteId: created.body.quoteId } })).toBe(0);
    });

    it('a rejection ends the approval with its reason', async () => {
      const quoteId = await pricedQuote('rita', discounted());
      await call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`);
      const item = (await call('sam', 'GET', '/work-items')).body.items.find((i: Json) => i.quoteId === quoteId);
      const missingReason = await call('sam', 'POST', `/work-items/${item.workItemId}/commands/reject-quote`, {});
      expect(missingReason.status).toBe(400);
      const rejected = await call('sam', 'POST', `/work-items/${item.workItemId}/commands/reject-quote`, { reason: 'margin too thin' });
      expect(rejected.body.state).toBe('rejected');
      const history = await t.infrastructure.camunda.historicProcessInstances({ processInstanceBusinessKey: `quote-approval:${tenant}:${quoteId}:1` });
      expect(history[0]?.state).toBe('COMPLETED');
      expect((await call('sam', 'POST', `/work-items/${item.workItemId}/commands/escalate`)).status).toBe(404);
    });
  });

  it('Camunda down during submit: the command fails cleanly (503); the recorded submission is compensated, nothing stays half done', async () => {
    const quoteId = await pricedQuote('rita', discounted());
    const config = loadConfig({ ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: t.db.url, KAFKA_BROKERS: t.config.kafkaBrokers.join(','), CAMUNDA_URL: 'http://127.0.0.1:1/engine-rest', AUTH_JWT_SECRET: t.config.auth.secret, PLATFORM_ADMIN_TOKEN: t.config.platformAdminToken });
    const infrastructure = await createInfrastructure(config);
    const { app } = await buildEngine({ config, infrastructure });
    try {
      const res = await app.inject({ method: 'POST', url: `/quotes/${quoteId}/commands/submit-for-approval`, headers: { authorization: `Bearer ${tokens.rita}`, 'idempotency-key': `k-${randomUUID()}` } });
      expect(res.statusCode).toBe(503);
      expect(res.json().code).toBe('dependency-unavailable');
    } finally {
      await app.close();
      await infrastructure.close();
    }
    expect(await stateOf(quoteId)).toBe('priced');
    expect(await t.infrastructure.prisma.approvalRequirement.count({ where: { quoteId } })).toBe(0);
    // The intent was recorded, then undone: the revision is priced again and the reverted submission is
    // on the timeline; with Camunda down, ending a possibly started instance is left to the reconciler.
    expect((await t.infrastructure.prisma.workflowCorrelation.findMany({ where: { domainId: `${quoteId}:1` } })).map((c) => c.status)).toEqual(['CANCELLING']);
    const actions = (await call('rita', 'GET', `/quotes/${quoteId}/timeline`)).body.entries.map((e: Json) => e.action);
    expect(actions.slice(-2)).toEqual(['quote.QuoteSubmittedForApproval', 'quote.QuoteSubmissionReverted']);
    // Once Camunda is back, the same command succeeds.
    expect((await call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`)).body.state).toBe('submitted');
  });

  it('a customer never sees a superseded price: after a change the breakdown is refused until the quote is priced again', async () => {
    const quoteId = await pricedQuote();
    expect((await call('cora', 'GET', `/quotes/${quoteId}/price-trace`)).status).toBe(200);
    expect((await call('rita', 'POST', `/quotes/${quoteId}/lines`, internet())).status).toBe(201);
    const stale = await call('cora', 'GET', `/quotes/${quoteId}/price-trace`);
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('price-stale');
    expect((await call('rita', 'GET', `/quotes/${quoteId}/price-trace`)).body.fresh).toBe(false);
  });
});
