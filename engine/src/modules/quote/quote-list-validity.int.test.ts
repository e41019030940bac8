import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQuoteFixture, type Json, type QuoteFixture } from '../../../test/quote-fixture';

// The rep's quote list filters by validity in the database (issue 10, item 1): the current
// revision's last valid day between two dates, and every listed quote says when it expires.
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

describe('GET /quotes: the validity filter and validUntil', () => {
  let f: QuoteFixture;
  const ids: Record<string, string> = {};
  const names = async (query: string) => {
    const res = await f.call('rita', 'GET', `/quotes${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.items.map((q: Json) => q.customerName);
  };

  beforeAll(async () => {
    f = await createQuoteFixture('quote_list_validity');
    // Quotes name an account of the tenant where the engine has the account module (404: it has none yet).
    const account = await f.call('ada', 'POST', '/accounts', { accountId: 'acct-1', name: 'Acme GmbH', segment: 'enterprise', channel: 'direct', currency: 'EUR' });
    expect([201, 404, 409], JSON.stringify(account.body)).toContain(account.status);
    // Given three quotes valid for 5, 20 and 45 days (the policy's maximum).
    for (const [name, validDays] of [['soon', 5], ['month', 20], ['policy', undefined]] as const) {
      const res = await f.call('rita', 'POST', '/quotes', { accountId: 'acct-1', customerName: name, currency: 'EUR', termMonths: 12, ...(validDays ? { validDays } : {}) });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      ids[name] = res.body.quoteId;
    }
  }, 120_000);
  afterAll(async () => {
    await f?.close();
  });

  it('lists each quote with its current revision\'s last valid day', async () => {
    const res = await f.call('rita', 'GET', '/quotes');
    const byName = Object.fromEntries(res.body.items.map((q: Json) => [q.customerName, q.validUntil]));
    expect(byName).toEqual({ soon: day(5), month: day(20), policy: day(45) });
  });

  it.each([
    ['expiring within 10 days', `?validUntilTo=${day(10)}`, ['soon']],
    ['valid for at least 30 more days', `?validUntilFrom=${day(30)}`, ['policy']],
    ['between two days, inclusive', `?validUntilFrom=${day(5)}&validUntilTo=${day(20)}`, ['month', 'soon']],
    ['already past', `?validUntilTo=${day(-1)}`, []],
  ])('%s', async (_label, query, expected) => {
    expect(await names(query)).toEqual(expected);
  });

  it('combines with the state filter and counts every match', async () => {
    const res = await f.call('rita', 'GET', `/quotes?state=draft&validUntilFrom=${day(6)}&limit=1`);
    expect(res.body).toMatchObject({ total: 2, limit: 1 });
    expect(res.body.items.map((q: Json) => q.customerName)).toEqual(['policy']);
  });

  it.each([['?validUntilFrom=tomorrow', 'query/validUntilFrom'], ['?validUntilTo=2026-13-01', 'query/validUntilTo']])('%s is a 400 naming %s', async (query, field) => {
    const res = await f.call('rita', 'GET', `/quotes${query}`);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: Json) => e.field)).toContain(field);
  });
});
