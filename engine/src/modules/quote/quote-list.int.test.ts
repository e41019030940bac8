import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanCamunda, publishRelease, tokensFor } from '../../../test/release-fixture';
import { createTestApp, type TestApp } from '../../../test/test-app';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies

describe('GET /quotes: visibility, state filter and paging in the database', () => {
  let t: TestApp;
  let tokens: Record<string, string>;
  const tenant = `ql-${Date.now().toString(36)}`;
  const ids: Record<string, string> = {};

  const call = async (as: string, method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const res = await t.app.inject({ method, url, payload: payload as Json, headers: { authorization: `Bearer ${tokens[as]}`, ...(method === 'POST' ? { 'idempotency-key': `k-${randomUUID()}` } : {}) } });
    return { status: res.statusCode, body: res.json() as Json };
  };
  const list = async (as: string, query = '') => (await call(as, 'GET', `/quotes${query}`)).body;

  beforeAll(async () => {
    t = await createTestApp('quote_list');
    await t.infrastructure.prisma.tenant.createMany({ data: [{ id: tenant, name: 'List' }, { id: `${tenant}-x`, name: 'X' }] });
    await publishRelease(t.app, t.config, tenant);
    tokens = await tokensFor(t.config, {
      rita: { tenantId: tenant, roles: ['rep'], team: 'north' },
      rob: { tenantId: tenant, roles: ['rep'], team: 'south' },
      sam: { tenantId: tenant, roles: ['sales-manager'], team: 'north' },
      fiona: { tenantId: tenant, roles: ['finance'] },
      cora: { tenantId: tenant, roles: ['customer'], accountId: 'acct-1' },
      eve: { tenantId: `${tenant}-x`, roles: ['finance'] },
    });
    for (const [name, owner, account] of [['r1', 'rita', 'acct-1'], ['r2', 'rita', 'acct-2'], ['r3', 'rita', 'acct-2'], ['b1', 'rob', 'acct-3']] as const) {
      ids[name] = (await call(owner, 'POST', '/quotes', { accountId: account, customerName: name, currency: 'EUR', termMonths: 12 })).body.quoteId;
    }
    await call('rita', 'POST', `/quotes/${ids.r2}/lines`, { offering: 'business-internet', quantity: 1, selections: { access: 'fiber', bandwidth: 500, slaTier: 'standard' } });
    await call('rita', 'POST', `/quotes/${ids.r2}/commands/price`);
  }, 120_000);
  afterAll(async () => {
    await cleanCamunda(t.config.camundaUrl, [tenant]);
    await t?.close();
  });

  it('each role sees what canSee allows, newest first', async () => {
    const names = async (as: string) => (await list(as)).items.map((q: Json) => q.customerName);
    expect(await names('rita')).toEqual(['r3', 'r2', 'r1']);
    expect(await names('rob')).toEqual(['b1']);
    expect(await names('sam')).toEqual(['r3', 'r2', 'r1']);
    expect(await names('fiona')).toEqual(['b1', 'r3', 'r2', 'r1']);
    expect(await names('cora')).toEqual(['r1']);
    expect(await list('eve')).toMatchObject({ items: [], total: 0 });
  });

  it('filters by the current revision\'s state and by account', async () => {
    expect((await list('rita', '?state=priced')).items.map((q: Json) => q.quoteId)).toEqual([ids.r2]);
    expect((await list('rita', '?state=priced')).total).toBe(1);
    expect((await list('fiona', '?accountId=acct-2')).items.map((q: Json) => q.customerName)).toEqual(['r3', 'r2']);
  });

  it('pages with a total that counts every match, not just the page', async () => {
    const first = await list('fiona', '?limit=3&offset=0');
    const second = await list('fiona', '?limit=3&offset=3');
    expect(first).toMatchObject({ total: 4, limit: 3, offset: 0 });
    expect(first.items.map((q: Json) => q.customerName)).toEqual(['b1', 'r3', 'r2']);
    expect(second.items.map((q: Json) => q.customerName)).toEqual(['r1']);
  });

  it.each([['?limit=0', 'query/limit'], ['?limit=101', 'query/limit'], ['?state=bogus', 'query/state'], ['?offset=-1', 'query/offset']])('%s is a 400 naming %s', async (query, field) => {
    const res = await call('rita', 'GET', `/quotes${query}`);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: Json) => e.field)).toContain(field);
  });
});
