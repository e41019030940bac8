import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQuoteFixture, type Json, type Person, type QuoteFixture } from '../../../test/quote-fixture';

describe('GET /quotes: visibility, state filter and paging in the database', () => {
  let f: QuoteFixture;
  const ids: Record<string, string> = {};
  const call = (as: Person, method: 'GET' | 'POST', url: string, payload?: unknown) => f.call(as, method, url, payload);
  const list = async (as: Person, query = '') => (await call(as, 'GET', `/quotes${query}`)).body;

  beforeAll(async () => {
    f = await createQuoteFixture('quote_list');
    for (const [name, owner, account] of [['r1', 'rita', 'acct-1'], ['r2', 'rita', 'acct-2'], ['r3', 'rita', 'acct-2'], ['b1', 'rob', 'acct-smb']] as const) {
      ids[name] = (await call(owner, 'POST', '/quotes', { accountId: account, customerName: name, currency: 'EUR', termMonths: 12 })).body.quoteId;
    }
    await call('rita', 'POST', `/quotes/${ids.r2}/lines`, { offering: 'business-internet', quantity: 1, selections: { access: 'fiber', bandwidth: 500, slaTier: 'standard' } });
    await call('rita', 'POST', `/quotes/${ids.r2}/commands/price`);
  }, 120_000);
  afterAll(async () => {
    await f?.close();
  });

  it('each role sees what canSee allows, newest first', async () => {
    const names = async (as: Person) => (await list(as)).items.map((q: Json) => q.customerName);
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
