import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQuoteFixture, internetLine, type Json, type Person, type QuoteFixture } from '../../../test/quote-fixture';

// POST /quotes/{id}/approval-preview (issue 10, item 3): while the rep types a manual discount,
// the engine says whether the quote would need approval with it and from whom, as submission
// would decide, and writes nothing. Sample policy: rep up to 10 %, sales manager up to 25 %, finance above.
describe('POST /quotes/{id}/approval-preview', () => {
  let f: QuoteFixture;
  let quoteId: string;
  const preview = (as: Person, id: string, body: unknown) => f.call(as, 'POST', `/quotes/${id}/approval-preview`, body, { 'idempotency-key': '' });
  const roles = (body: Json) => body.required.map((l: Json) => l.role);

  beforeAll(async () => {
    f = await createQuoteFixture('approval_preview');
    quoteId = await f.pricedQuote('rita');
  }, 120_000);
  afterAll(async () => {
    await f?.close();
  });

  it.each([
    ['within the rep\'s authority', '5', []],
    ['above it: the sales manager', '15', ['sales-manager']],
    ['above the sales manager too: finance as well', '30', ['sales-manager', 'finance']],
  ])('a %s discount (%s %%)', async (_label, percent, expected) => {
    const res = await preview('rita', quoteId, { lines: [{ lineId: 'L1', manualDiscount: { percent } }] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(roles(res.body)).toEqual(expected);
    expect(res.body.policy).toMatchObject({ key: 'standard-approval', name: 'Standard approval matrix' });
    expect(res.body.policy.version).toMatch(/^[0-9a-f]{64}$/);
    expect(res.body.metrics).toMatchObject({ currency: 'EUR', termMonths: 24 });
    if (expected.length > 0) expect(res.body.required[0].reasons.join(' ')).toContain('maxDiscountPercent');
  });

  it('names the discount measured and the limits each level could not approve, and prices with the discount', async () => {
    const none = await preview('rita', quoteId, { lines: [] });
    const fifteen = await preview('rita', quoteId, { lines: [{ lineId: 'L1', manualDiscount: { percent: '15', reason: 'competitor' } }] });
    expect(none.body.required).toEqual([]);
    expect(Number(fifteen.body.totals.termTotal)).toBeLessThan(Number(none.body.totals.termTotal));
    expect(Number(fifteen.body.metrics.discountPercent)).toBeGreaterThan(10);
    expect(fifteen.body.required[0]).toMatchObject({ level: 2, role: 'sales-manager', name: 'Sales manager' });
    expect(fifteen.body.authorityLevel).toBe(2);
  });

  it('answers what submission then requires, and writes nothing', async () => {
    const id = await f.pricedQuote('rita', { discountPercent: '15' });
    const before = (await f.call('rita', 'GET', `/quotes/${id}`)).body;
    const timeline = (await f.call('rita', 'GET', `/quotes/${id}/timeline`)).body.entries.length;
    // The stored discount counts when the line is not named; null removes it.
    expect(roles((await preview('rita', id, { lines: [] })).body)).toEqual(['sales-manager']);
    expect(roles((await preview('rita', id, { lines: [{ lineId: 'L1', manualDiscount: null }] })).body)).toEqual([]);
    const after = (await f.call('rita', 'GET', `/quotes/${id}`)).body;
    expect(after.version).toBe(before.version);
    expect((await f.call('rita', 'GET', `/quotes/${id}/timeline`)).body.entries.length).toBe(timeline);
    const submitted = await f.call('rita', 'POST', `/quotes/${id}/commands/submit-for-approval`);
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    expect(submitted.body.required.map((l: Json) => l.role)).toEqual(['sales-manager']);
  });

  it.each([
    ['fiona', 403, 'forbidden'],
    ['cora', 403, 'forbidden'],
    ['rob', 404, 'quote-not-found'],
    ['eve', 404, 'quote-not-found'],
  ] as const)('%s gets %i %s (who may not edit the quote tries nothing on it)', async (as, status, code) => {
    const res = await preview(as, quoteId, { lines: [{ lineId: 'L1', manualDiscount: { percent: '15' } }] });
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
  });

  it('the sales manager of the team may try a discount (they may edit the quote)', async () => {
    expect((await preview('sam', quoteId, { lines: [{ lineId: 'L1', manualDiscount: { percent: '15' } }] })).status).toBe(200);
  });

  it.each([
    ['an unknown line', { lines: [{ lineId: 'L9', manualDiscount: { percent: '15' } }] }, 404, 'body/lines/0/lineId'],
    ['percent and amount', { lines: [{ lineId: 'L1', manualDiscount: { percent: '15', amount: '2.00' } }] }, 400, 'body/lines/0/manualDiscount'],
    ['neither percent nor amount', { lines: [{ lineId: 'L1', manualDiscount: {} }] }, 400, 'body/lines/0/manualDiscount'],
    ['a malformed percent', { lines: [{ lineId: 'L1', manualDiscount: { percent: '15%' } }] }, 400, 'body/lines/0/manualDiscount'],
    ['no lines property', {}, 400, 'body/lines'],
  ])('%s is a %i naming %s, never a 500', async (_label, body, status, field) => {
    const res = await preview('rita', quoteId, body);
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body.errors.map((e: Json) => e.field).some((f: string) => f.startsWith(field))).toBe(true);
  });

  it('a quote with an invalid line is a 422 naming the line', async () => {
    const { quoteId: id } = (await f.call('rita', 'POST', '/quotes', { accountId: 'acct-1', customerName: 'Acme GmbH', currency: 'EUR', termMonths: 24 })).body;
    await f.call('rita', 'POST', `/quotes/${id}/lines`, { ...internetLine(), selections: { access: 'copper', bandwidth: 500, slaTier: 'standard' } });
    const res = await preview('rita', id, { lines: [{ lineId: 'L1', manualDiscount: { percent: '5' } }] });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'configuration-invalid', errors: [{ field: 'lines/L1' }] });
  });
});
