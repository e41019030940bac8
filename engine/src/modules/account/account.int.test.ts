import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQuoteFixture, internetLine, type Json, type QuoteFixture } from '../../../test/quote-fixture';

/*
 * Accounts (issue 11, item 1) through HTTP on the real PostgreSQL: who may create and read them,
 * bad input, and what a quote takes from its account: it must name an active one of its tenant,
 * and the account's segment and channel decide eligibility and the customer-phase pricing rules.
 * Test tenants get acct-1 and acct-2 (enterprise, direct) and acct-smb (smb, partner) when they
 * are created (prisma/src/test-database.ts, TEST_ACCOUNTS).
 */
describe('accounts (real HTTP, PostgreSQL)', () => {
  let f: QuoteFixture;
  const newAccount = (id = `acc-${randomUUID().slice(0, 8)}`) => ({
    accountId: id, name: `Zeta ${id}`, segment: 'smb', channel: 'self-service', currency: 'EUR',
    billingAccountId: `ba-${id}`, contacts: [{ name: 'Zoe Buyer', email: 'zoe@zeta.example', role: 'buyer' }],
  });

  beforeAll(async () => {
    f = await createQuoteFixture('accounts');
  }, 180_000);
  afterAll(async () => {
    await f?.close();
  });

  describe('the account API', () => {
    it('an admin creates an account; a replay with the same key answers the same; a second with that id is a 409 naming the field', async () => {
      const body = newAccount();
      const created = await f.call('ada', 'POST', '/accounts', body, { 'idempotency-key': `acc-${body.accountId}` });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ accountId: body.accountId, segment: 'smb', channel: 'self-service', status: 'active', version: 1, billingAccountId: `ba-${body.accountId}` });
      const replay = await f.call('ada', 'POST', '/accounts', body, { 'idempotency-key': `acc-${body.accountId}` });
      expect(replay).toMatchObject({ status: 201, body: created.body, headers: { 'idempotent-replayed': 'true' } });
      const again = await f.call('sam', 'POST', '/accounts', body);
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ code: 'account-exists', errors: [{ field: 'body/accountId', rule: 'unique' }] });
      const audit = await f.t.infrastructure.prisma.auditRecord.findMany({ where: { tenantId: f.tenant, targetType: 'ACCOUNT', targetId: body.accountId } });
      expect(audit.map((a) => a.action)).toEqual(['account.created']);
    });

    it('a rep or a customer may not create accounts', async () => {
      for (const who of ['rita', 'cora'] as const) {
        const reply = await f.call(who, 'POST', '/accounts', newAccount());
        expect(reply.status).toBe(403);
      }
    });

    it.each([
      [{ segment: 'Enterprise' }, 'body/segment', 'pattern'],
      [{ currency: 'eur' }, 'body/currency', 'pattern'],
      [{ accountId: 'has spaces' }, 'body/accountId', 'pattern'],
      [{ contacts: [{ email: 'no-name@x.example' }] }, 'body/contacts/0/name', 'required'],
      [{ contacts: [{ name: 'X', email: 'not an email' }] }, 'body/contacts/0/email', 'format'],
      [{ unexpected: true }, 'body/unexpected', 'additionalProperties'],
    ])('bad input %j is a 400 naming %s, and nothing is written', async (change, field, rule) => {
      const body = { ...newAccount(), ...change };
      const reply = await f.call('ada', 'POST', '/accounts', body);
      expect(reply.status).toBe(400);
      expect(reply.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, rule })]));
      expect(await f.t.infrastructure.prisma.account.count({ where: { tenantId: f.tenant, name: body.name } })).toBe(0);
    });

    it('sellers read every account of the tenant; a customer only their own; another tenant none (404, existence does not leak)', async () => {
      expect((await f.call('rita', 'GET', '/accounts/acct-smb')).body).toMatchObject({ accountId: 'acct-smb', segment: 'smb', channel: 'partner' });
      expect((await f.call('cora', 'GET', '/accounts/acct-1')).status).toBe(200);
      expect((await f.call('cora', 'GET', '/accounts/acct-2')).status).toBe(404);
      const ours = newAccount();
      expect((await f.call('ada', 'POST', '/accounts', ours)).status).toBe(201);
      expect((await f.call('eve', 'GET', `/accounts/${ours.accountId}`)).status).toBe(404);
      expect((await f.call('rita', 'GET', '/accounts/nope')).body).toMatchObject({ status: 404, code: 'account-not-found' });
    });

    it('the rep\'s search: a name prefix, case-insensitive, or an exact id; by segment; a customer finds only their own', async () => {
      expect((await f.call('rita', 'GET', '/accounts?q=acme')).body.items.map((a: Json) => a.accountId)).toEqual(['acct-1']);
      expect((await f.call('rita', 'GET', '/accounts?q=acct-2')).body.items.map((a: Json) => a.accountId)).toEqual(['acct-2']);
      expect((await f.call('rita', 'GET', '/accounts?q=%25')).body.items).toEqual([]); // a LIKE wildcard is a literal
      const smb = (await f.call('rita', 'GET', '/accounts?segment=smb&limit=100')).body;
      expect(smb.items.every((a: Json) => a.segment === 'smb')).toBe(true);
      expect(smb.items.map((a: Json) => a.accountId)).toContain('acct-smb');
      const own = (await f.call('cora', 'GET', '/accounts')).body;
      expect(own).toMatchObject({ total: 1, items: [{ accountId: 'acct-1' }] });
      expect((await f.call('rita', 'GET', '/accounts?limit=0')).status).toBe(400);
    });
  });

  describe('a quote is for an account', () => {
    it('an unknown or closed account is a 422 naming body/accountId, and nothing is written', async () => {
      const prisma = f.t.infrastructure.prisma;
      await prisma.$executeRaw`INSERT INTO account (tenant_id, id, name, segment, channel, currency, status, created_by)
        VALUES (${f.tenant}, 'acct-closed', 'Closed Ltd', 'smb', 'direct', 'EUR', 'closed', 'test')`;
      const before = await Promise.all([prisma.quote.count(), prisma.outboxEvent.count(), prisma.auditRecord.count(), prisma.idempotencyRecord.count({ where: { operation: 'createQuote' } })]);
      for (const accountId of ['acct-unknown', 'acct-closed']) {
        const reply = await f.call('rita', 'POST', '/quotes', { accountId, currency: 'EUR', termMonths: 24 });
        expect(reply.status).toBe(422);
        expect(reply.body).toMatchObject({ code: 'account-unknown', errors: [{ field: 'body/accountId', rule: 'account-exists' }] });
      }
      // The refusals are remembered for their keys (idempotency), nothing else is written.
      const after = await Promise.all([prisma.quote.count(), prisma.outboxEvent.count(), prisma.auditRecord.count(), prisma.idempotencyRecord.count({ where: { operation: 'createQuote' } })]);
      expect(after).toEqual([...before.slice(0, 3), before[3]! + 2]);
    });

    it('the customer name defaults to the account\'s; the quote keeps the account\'s segment and channel', async () => {
      const reply = await f.call('rita', 'POST', '/quotes', { accountId: 'acct-smb', currency: 'EUR', termMonths: 24 });
      expect(reply.status).toBe(201);
      const quote = await f.t.infrastructure.prisma.quote.findUniqueOrThrow({ where: { id: reply.body.quoteId } });
      expect(quote).toMatchObject({ accountId: 'acct-smb', customerName: 'Corner Shop', segment: 'smb', channel: 'partner' });
      const named = await f.call('rita', 'POST', '/quotes', { accountId: 'acct-smb', customerName: 'Corner Shop (HQ)', currency: 'EUR', termMonths: 24 });
      expect((await f.t.infrastructure.prisma.quote.findUniqueOrThrow({ where: { id: named.body.quoteId } })).customerName).toBe('Corner Shop (HQ)');
    });

    it('eligibility: an offering sold only to enterprise customers buying direct is refused for an smb partner account, with the reason', async () => {
      const violations = async (accountId: string) => {
        const { quoteId } = (await f.call('rita', 'POST', '/quotes', { accountId, currency: 'EUR', termMonths: 24 })).body;
        const added = await f.call('rita', 'POST', `/quotes/${quoteId}/lines`, { offering: 'sd-wan', quantity: 1, selections: { sites: 2 } });
        expect(added.status).toBe(201);
        const line = await f.t.infrastructure.prisma.quoteLine.findFirstOrThrow({ where: { quoteId } });
        return ((line.configuration as Json).violations as Json[]).map((v) => String(v.message));
      };
      const smb = await violations('acct-smb');
      expect(smb).toEqual(expect.arrayContaining([expect.stringContaining('not sold to the segment "smb"'), expect.stringContaining('not sold in the channel "partner"')]));
      expect((await violations('acct-1')).filter((m) => /not sold/.test(m))).toEqual([]);
    });

    it('pricing: the release\'s customer-phase rules apply by the account\'s segment and channel', async () => {
      // The sample catalog's standard pricing: enterprise-discount (segment) and partner-markup (channel).
      const rulesFor = async (accountId: string) => {
        const { quoteId } = (await f.call('rita', 'POST', '/quotes', { accountId, currency: 'EUR', termMonths: 24 })).body;
        expect((await f.call('rita', 'POST', `/quotes/${quoteId}/lines`, internetLine())).status).toBe(201);
        expect((await f.call('rita', 'POST', `/quotes/${quoteId}/commands/price`)).status).toBe(200);
        const trace = await f.call('rita', 'GET', `/quotes/${quoteId}/price-trace`);
        expect(trace.status).toBe(200);
        return new Set(JSON.stringify(trace.body).match(/"ruleId":"[a-z0-9-]+"/g));
      };
      const enterprise = await rulesFor('acct-1');
      const partner = await rulesFor('acct-smb');
      expect(enterprise.has('"ruleId":"enterprise-discount"')).toBe(true);
      expect(enterprise.has('"ruleId":"partner-markup"')).toBe(false);
      expect(partner.has('"ruleId":"partner-markup"')).toBe(true);
      expect(partner.has('"ruleId":"enterprise-discount"')).toBe(false);
    });
  });
});
