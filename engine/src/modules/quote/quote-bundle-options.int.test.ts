import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQuoteFixture, type Json, type QuoteFixture } from '../../../test/quote-fixture';

/*
 * A bundle line's options (its children): chosen by the rep on add and configure, kept when a
 * configure leaves them out, priced with the line (each option's own charges, marked with the
 * option), shown to the customer by option, and refused at the field when malformed.
 * The sample SD-WAN bundle: 2 business-internet accesses (2..500), managed routers (0..500, 2 by
 * default, group hardware 0..1) and a security add-on (0..1, none by default).
 */
describe('bundle options on quote lines (real PostgreSQL, the sample SD-WAN bundle)', () => {
  let f: QuoteFixture;

  beforeAll(async () => {
    f = await createQuoteFixture('bundle_options');
  }, 180_000);
  afterAll(async () => {
    await f?.close();
  });

  const newQuote = async () => (await f.call('rita', 'POST', '/quotes', { accountId: 'acct-1', customerName: 'Acme GmbH', currency: 'EUR', termMonths: 24 })).body.quoteId as string;
  const lineOf = async (quoteId: string) => (await f.call('rita', 'GET', `/quotes/${quoteId}`)).body.revision.lines[0] as Json;
  const optionCharges = async (quoteId: string) => {
    const trace = await f.call('rita', 'GET', `/quotes/${quoteId}/price-trace`);
    expect(trace.status, JSON.stringify(trace.body)).toBe(200);
    return (trace.body.result.lines[0].charges as Json[]).map((c) => [c.option ?? null, c.charge, c.quantity]);
  };

  it('options chosen on add are configured, kept by a configure that leaves them out, and priced with the line for its units', async () => {
    const quoteId = await newQuote();
    const added = await f.call('rita', 'POST', `/quotes/${quoteId}/lines`, {
      offering: 'sd-wan', quantity: 2, selections: {}, children: [{ offering: 'security-addon', quantity: 1 }, { offering: 'managed-router', quantity: 0 }],
    });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body.valid).toBe(true);
    expect((await lineOf(quoteId)).children).toEqual([
      expect.objectContaining({ offering: 'business-internet', quantity: 2 }),
      expect.objectContaining({ offering: 'managed-router', quantity: 0 }),
      expect.objectContaining({ offering: 'security-addon', quantity: 1 }),
    ]);
    expect((await f.call('rita', 'POST', `/quotes/${quoteId}/commands/price`)).status).toBe(200);
    // Two SD-WAN sites: the options' units are their quantity x 2; the router, at 0, is not bought.
    expect(await optionCharges(quoteId)).toEqual([
      [null, 'setup', 2], [null, 'site-licence', 2],
      ['business-internet', 'installation', 4], ['business-internet', 'monthly-fee', 4],
      ['security-addon', 'monthly-fee', 2],
    ]);

    // A configure without children keeps them; with children it replaces them, and the price follows.
    expect((await f.call('rita', 'POST', `/quotes/${quoteId}/commands/configure-line`, { lineId: 'L1', quantity: 1, selections: {} })).status).toBe(200);
    expect((await lineOf(quoteId)).children).toContainEqual(expect.objectContaining({ offering: 'security-addon', quantity: 1 }));
    const routers = await f.call('rita', 'POST', `/quotes/${quoteId}/commands/configure-line`, { lineId: 'L1', quantity: 1, selections: {}, children: [{ offering: 'managed-router', quantity: 3, selections: { model: 'small' } }] });
    expect(routers.status, JSON.stringify(routers.body)).toBe(200);
    expect((await f.call('rita', 'POST', `/quotes/${quoteId}/commands/price`)).status).toBe(200);
    expect(await optionCharges(quoteId)).toContainEqual(['managed-router', 'rental', 3]);
    expect((await optionCharges(quoteId)).some(([option]) => option === 'security-addon')).toBe(false);
  });

  it('a revision keeps a bundle line\'s options as configured (explicit zeros included), and prices them again', async () => {
    const quoteId = await newQuote();
    const added = await f.call('rita', 'POST', `/quotes/${quoteId}/lines`, {
      offering: 'sd-wan', quantity: 2, selections: {}, children: [{ offering: 'security-addon', quantity: 1 }, { offering: 'managed-router', quantity: 0 }],
    });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect((await f.call('rita', 'POST', `/quotes/${quoteId}/commands/price`)).status).toBe(200);
    const before = (await lineOf(quoteId)).children as Json[];
    const charges = await optionCharges(quoteId);
    const revised = await f.call('rita', 'POST', `/quotes/${quoteId}/commands/revise`);
    expect(revised.status, JSON.stringify(revised.body)).toBe(200);
    expect(revised.body.revision).toBe(2);
    expect((await lineOf(quoteId)).children).toEqual(before);
    expect((await f.call('rita', 'POST', `/quotes/${quoteId}/commands/price`)).status).toBe(200);
    expect(await optionCharges(quoteId)).toEqual(charges);
  });

  it('the customer sees each option\'s charges named by the option, and the totals include them', async () => {
    const quoteId = await newQuote();
    await f.call('rita', 'POST', `/quotes/${quoteId}/lines`, { offering: 'sd-wan', quantity: 1, selections: {}, children: [{ offering: 'security-addon', quantity: 1 }] });
    const priced = await f.call('rita', 'POST', `/quotes/${quoteId}/commands/price`);
    expect(priced.status).toBe(200);
    const breakdown = await f.call('ian', 'GET', `/quotes/${quoteId}/price-trace`);
    expect(breakdown.status, JSON.stringify(breakdown.body)).toBe(200);
    const charges = breakdown.body.lines[0].charges as Json[];
    expect(charges).toContainEqual(expect.objectContaining({ option: 'security-addon', charge: 'monthly-fee', quantity: 1 }));
    const monthly = charges.filter((c) => c.chargeType === 'recurring').reduce((sum, c) => sum + Number(c.lineNet), 0);
    expect(Number(breakdown.body.totals.monthly)).toBeCloseTo(monthly, 2);
  });

  it('bad options are refused or shown as the configurator\'s violations; nothing is written on a refusal', async () => {
    const quoteId = await newQuote();
    for (const [children, field] of [
      [[{ offering: 'security-addon', quantity: -1 }], 'children'],
      [[{ offering: 'security-addon' }], 'children'],
      [[{ offering: 'security-addon', quantity: 1, colour: 'red' }], 'children'],
      ['all', 'children'],
    ] as const) {
      const res = await f.call('rita', 'POST', `/quotes/${quoteId}/lines`, { offering: 'sd-wan', quantity: 1, selections: {}, children });
      expect(res.status, JSON.stringify(children)).toBe(400);
      expect(JSON.stringify(res.body.errors)).toContain(field);
    }
    const twice = await f.call('rita', 'POST', `/quotes/${quoteId}/lines`, { offering: 'sd-wan', quantity: 1, selections: {}, children: [{ offering: 'security-addon', quantity: 1 }, { offering: 'security-addon', quantity: 0 }] });
    expect(twice.status).toBe(422);
    expect(JSON.stringify(twice.body)).toContain('children[1].offering');
    expect((await f.call('rita', 'GET', `/quotes/${quoteId}`)).body.revision.lines).toEqual([]);
    // Outside the bundle's cardinalities: the line is kept, invalid, with the rule at the option; it cannot be priced.
    const tooMany = await f.call('rita', 'POST', `/quotes/${quoteId}/lines`, { offering: 'sd-wan', quantity: 1, selections: {}, children: [{ offering: 'security-addon', quantity: 2 }] });
    expect(tooMany.status).toBe(201);
    expect(tooMany.body.valid).toBe(false);
    expect(JSON.stringify((await lineOf(quoteId)).violations)).toContain('security-addon');
    expect((await f.call('rita', 'POST', `/quotes/${quoteId}/commands/price`)).body.code).toBe('configuration-invalid');
  });
});
