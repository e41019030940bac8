import { businessInternetFulfillment } from '@cpq/metadata/samples';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFulfillmentFixture, type FulfillmentFixture } from '../../../test/order-fixture';
import type { Json } from '../../../test/quote-fixture';

// A change quote on a bundle asset (issue 11): the sample SD-WAN bundle's Business Internet and
// Security add-on options both have a `monthly-fee`. The asset keeps which option each charge
// prices (accepted snapshot -> order line -> installed asset), and the change section compares
// each option's charge with the same option's. On the real platform pieces, as
// change-order.int.test.ts; the sample release fulfils no SD-WAN, so this release adds a
// decomposition map for it (the internet line's steps).
//
// The asset also keeps the bundle's configured options (ADR 0022, fourth addendum): a change quote
// starts its line from them, a change of options alone is a modify priced as that option's delta
// (with the one-time charges of what it adds), the options as installed are no-change, and an
// asset whose options are not known (installed before they were kept) behaves as before.

const internet = (bandwidth: number, quantity = 2) => ({ offering: 'business-internet', quantity, selections: { access: 'fiber', bandwidth, slaTier: 'standard' } });
const security = (quantity: number) => ({ offering: 'security-addon', quantity });
const router = (quantity: number) => ({ offering: 'managed-router', quantity });

describe('a change quote on a bundle asset: each option\'s charge against the same option\'s', () => {
  let f: FulfillmentFixture;
  beforeAll(async () => {
    f = await createFulfillmentFixture('change_bundle', {
      adapterTimeoutMs: 5_000,
      extra: [{ kind: 'fulfillment-decomposition-map', key: 'sd-wan-fulfillment', content: { ...structuredClone(businessInternetFulfillment), offering: 'sd-wan' } }],
    });
  }, 180_000);
  afterAll(async () => {
    await f?.close();
  });
  const ok = async (reply: Promise<{ status: number; body: Json }>, status = 200) => {
    const r = await reply;
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    return r.body;
  };
  const accept = async (quoteId: string) => {
    await ok(f.call('rita', 'POST', `/quotes/${quoteId}/commands/price`));
    expect((await ok(f.call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`))).state).toBe('approved');
    const { documentId } = await ok(f.call('rita', 'POST', `/quotes/${quoteId}/commands/generate-document`), 201);
    await ok(f.call('rita', 'POST', `/quotes/${quoteId}/commands/accept`, { documentId, onBehalfOf: { evidence: 'signed form', channel: 'signed-pdf' } }));
  };
  const assetOf = async (assetId: string) => ((await ok(f.call('sam', 'GET', '/installed-base?accountId=acct-1'))).items as Json[]).find((a) => a.assetId === assetId)!;
  const changeOf = async (quoteId: string) => {
    await ok(f.call('rita', 'POST', `/quotes/${quoteId}/commands/price`));
    const trace = (await ok(f.call('rita', 'GET', `/quotes/${quoteId}/price-trace`))).result as Json;
    return trace.change.lines[0] as Json;
  };
  const recurring = (charges: Json[]) => charges.filter((c) => c.chargeType === 'recurring').map((c) => [c.option ?? null, c.charge, c.previousLineNet, c.lineNet, c.periodDelta]);
  const netOf = (charges: Json[], option: string | null, charge: string) => charges.find((c) => (c.option ?? null) === option && c.charge === charge)?.lineNet as string;
  const minus = (a: string, b: string) => ((Math.round(Number(a) * 100) - Math.round(Number(b) * 100)) / 100).toFixed(2);
  /** Options as offering and quantity (per line unit), by offering. */
  const counts = (options: Json[] | undefined) => (options ?? []).map((o) => [o.offering, o.quantity]);
  const lineOf = async (quoteId: string) => (await ok(f.call('rita', 'GET', `/quotes/${quoteId}`))).revision.lines[0] as Json;

  it('installs a bundle with its options named on its charges; a change of one option prices that option\'s delta only; added and removed options show as such', async () => {
    // New business: an SD-WAN bundle with two internet sites and the security add-on, ordered and fulfilled.
    const { quoteId } = await ok(f.call('rita', 'POST', '/quotes', { accountId: 'acct-1', customerName: 'Acme GmbH', currency: 'EUR', termMonths: 24 }), 201);
    await ok(f.call('rita', 'POST', `/quotes/${quoteId}/lines`, { offering: 'sd-wan', quantity: 1, selections: { sites: 2 }, children: [internet(500), security(1), router(0)] }), 201);
    await accept(quoteId);
    const orderId = await f.createOrder(quoteId);
    const order = await f.until(orderId, ['fulfilled'], 90_000);
    const fees = (charges: Json[]) => charges.filter((c) => c.charge === 'monthly-fee').map((c) => c.option);
    // The order line and the asset keep each charge's option (the contract's `option`).
    expect(fees(order.lines[0].charges as Json[])).toEqual(['business-internet', 'security-addon']);
    const installed = ((await ok(f.call('sam', 'GET', '/installed-base?accountId=acct-1'))).items as Json[]).find((a) => a.orderId === orderId)!;
    expect(fees(installed.charges as Json[])).toEqual(['business-internet', 'security-addon']);
    expect((installed.charges as Json[]).find((c) => c.charge === 'site-licence')).not.toHaveProperty('option');
    // ... and the configured options, from the accepted snapshot (the router's explicit zero kept: its default is 2).
    expect(counts(order.lines[0].options)).toEqual([['business-internet', 2], ['managed-router', 0], ['security-addon', 1]]);
    expect(installed.options).toEqual(order.lines[0].options);
    expect((installed.options as Json[])[0]!.selections).toMatchObject({ access: 'fiber', bandwidth: 500, slaTier: 'standard' });
    const assetId = installed.assetId as string;
    const before = installed.charges as Json[];
    // Installed 100 days ago, so a change today is mid-term.
    await f.t.infrastructure.prisma.$executeRaw`
      UPDATE installed_asset SET term_start = current_date - 100, term_end = ((current_date - 100) + make_interval(months => 24))::date WHERE id = ${assetId}::uuid`;

    const { quoteId: changeId } = await ok(f.call('rita', 'POST', '/quotes', { accountId: 'acct-1', currency: 'EUR', termMonths: 24, basis: { kind: 'change', assetIds: [assetId] } }), 201);
    // Bad options on the asset's line are refused at the field, as on any line (a malformed one 400, an option listed twice 422); nothing changes.
    const bad = await f.call('rita', 'POST', `/quotes/${changeId}/commands/configure-line`, { lineId: 'L1', quantity: 1, selections: { sites: 3 }, children: [{ offering: 'security-addon', quantity: -1 }] });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('children');
    const twice = await f.call('rita', 'POST', `/quotes/${changeId}/commands/configure-line`, { lineId: 'L1', quantity: 1, selections: { sites: 3 }, children: [security(1), security(0)] });
    expect(twice.status).toBe(422);
    expect(JSON.stringify(twice.body)).toContain('children[1].offering');
    // The change quote's line starts from the installed options (not the bundle's defaults: two routers, no add-on).
    expect(await lineOf(changeId)).toMatchObject({ action: 'no-change', children: installed.options });

    // One option changed: the internet sites 500 -> 2000 Mbit/s; the security add-on, with the same charge key, as it was.
    expect(await ok(f.call('rita', 'POST', `/quotes/${changeId}/commands/configure-line`, { lineId: 'L1', quantity: 1, selections: { sites: 3 }, children: [internet(2000), security(1), router(0)] })))
      .toMatchObject({ valid: true, action: 'modify' });
    let line = await changeOf(changeId);
    const upgraded = netOf(line.charges as Json[], 'business-internet', 'monthly-fee');
    expect(Number(upgraded)).toBeGreaterThan(Number(netOf(before, 'business-internet', 'monthly-fee')));
    const site = netOf(line.charges as Json[], null, 'site-licence');
    expect(recurring(line.charges as Json[])).toEqual([
      [null, 'site-licence', netOf(before, null, 'site-licence'), site, minus(site, netOf(before, null, 'site-licence'))],
      ['business-internet', 'monthly-fee', netOf(before, 'business-internet', 'monthly-fee'), upgraded, minus(upgraded, netOf(before, 'business-internet', 'monthly-fee'))],
      ['security-addon', 'monthly-fee', netOf(before, 'security-addon', 'monthly-fee'), netOf(before, 'security-addon', 'monthly-fee'), '0.00'],
    ]);
    // Prorated for the rest of the term, each option's charge with its own step.
    expect((line.charges as Json[]).find((c) => c.option === 'security-addon')).toMatchObject({ termDelta: '0.00', proration: { step: 'proration' } });

    // The add-on removed, a router added: each shows as such, by its option; the internet option unchanged.
    await ok(f.call('rita', 'POST', `/quotes/${changeId}/commands/configure-line`, { lineId: 'L1', quantity: 1, selections: { sites: 3 }, children: [internet(500), security(0), router(1)] }));
    line = await changeOf(changeId);
    const rental = netOf(line.charges as Json[], 'managed-router', 'rental');
    expect(recurring(line.charges as Json[]).filter(([option]) => option !== null)).toEqual([
      ['business-internet', 'monthly-fee', netOf(before, 'business-internet', 'monthly-fee'), netOf(before, 'business-internet', 'monthly-fee'), '0.00'],
      ['security-addon', 'monthly-fee', netOf(before, 'security-addon', 'monthly-fee'), '0.00', minus('0.00', netOf(before, 'security-addon', 'monthly-fee'))],
      ['managed-router', 'rental', '0.00', rental, rental],
    ]);

    // Back to the upgrade, ordered: the asset's new charges name their options again, for the next change.
    await ok(f.call('rita', 'POST', `/quotes/${changeId}/commands/configure-line`, { lineId: 'L1', quantity: 1, selections: { sites: 3 }, children: [internet(2000), security(1), router(0)] }));
    await accept(changeId);
    const changeOrder = await f.createOrder(changeId);
    await f.until(changeOrder, ['fulfilled'], 90_000);
    const after = await assetOf(assetId);
    expect(after.version).toBe(2);
    expect((after.charges as Json[]).filter((c) => c.charge === 'monthly-fee').map((c) => [c.option, c.lineNet]))
      .toEqual([['business-internet', upgraded], ['security-addon', netOf(before, 'security-addon', 'monthly-fee')]]);
    // The modified asset keeps the options its change ordered.
    expect(counts(after.options)).toEqual([['business-internet', 2], ['managed-router', 0], ['security-addon', 1]]);
    expect((after.options as Json[])[0]!.selections).toMatchObject({ bandwidth: 2000 });
  }, 240_000);

  it('keeps the configured options: a change quote starts from them, an options-only change is a modify with that option\'s delta and one-time charge, the installed options are no-change, an asset without options behaves as before', async () => {
    // 12 months: Business Internet's installation is charged (the sample's promotion makes it free from 24 months).
    const { quoteId } = await ok(f.call('rita', 'POST', '/quotes', { accountId: 'acct-1', customerName: 'Acme GmbH', currency: 'EUR', termMonths: 12 }), 201);
    await ok(f.call('rita', 'POST', `/quotes/${quoteId}/lines`, { offering: 'sd-wan', quantity: 1, selections: { sites: 2 }, children: [internet(500), security(1), router(1)] }), 201);
    await accept(quoteId);
    const orderId = await f.createOrder(quoteId);
    const order = await f.until(orderId, ['fulfilled'], 90_000);
    expect(counts(order.lines[0].options)).toEqual([['business-internet', 2], ['managed-router', 1], ['security-addon', 1]]);
    const installed = ((await ok(f.call('sam', 'GET', '/installed-base?accountId=acct-1'))).items as Json[]).find((a) => a.orderId === orderId)!;
    expect(installed.options).toEqual(order.lines[0].options);
    const assetId = installed.assetId as string;
    const before = installed.charges as Json[];
    await f.t.infrastructure.prisma.$executeRaw`
      UPDATE installed_asset SET term_start = current_date - 100, term_end = ((current_date - 100) + make_interval(months => 12))::date WHERE id = ${assetId}::uuid`;
    const changeQuote = async () => (await ok(f.call('rita', 'POST', '/quotes', { accountId: 'acct-1', currency: 'EUR', termMonths: 12, basis: { kind: 'change', assetIds: [assetId] } }), 201)).quoteId as string;

    // The change quote starts from the installed options; as they are, it is no-change and prices to nothing.
    const changeId = await changeQuote();
    expect(await lineOf(changeId)).toMatchObject({ action: 'no-change', children: installed.options });
    let line = await changeOf(changeId);
    expect((line.charges as Json[]).every((c) => c.periodDelta === '0.00' && c.termDelta === '0.00')).toBe(true);
    // Configured again without options (the line's are kept), or with the installed ones listed: still no-change.
    expect(await ok(f.call('rita', 'POST', `/quotes/${changeId}/commands/configure-line`, { lineId: 'L1', quantity: 1, selections: { sites: 2 } }))).toMatchObject({ valid: true, action: 'no-change' });
    expect(await ok(f.call('rita', 'POST', `/quotes/${changeId}/commands/configure-line`, { lineId: 'L1', quantity: 1, selections: { sites: 2 }, children: [router(1), security(1), internet(500)] })))
      .toMatchObject({ valid: true, action: 'no-change' });

    // Bad options on the line: refused at the field (400, 422) or kept as the configurator's violation, which pricing refuses naming the line.
    const negative = await f.call('rita', 'POST', `/quotes/${changeId}/commands/configure-line`, { lineId: 'L1', quantity: 1, selections: { sites: 2 }, children: [internet(500, -1)] });
    expect(negative.status).toBe(400);
    expect(JSON.stringify(negative.body)).toContain('children');
    expect(await ok(f.call('rita', 'POST', `/quotes/${changeId}/commands/configure-line`, { lineId: 'L1', quantity: 1, selections: { sites: 2 }, children: [{ offering: 'no-such-option', quantity: 1 }] })))
      .toMatchObject({ valid: false });
    expect(JSON.stringify((await lineOf(changeId)).violations)).toContain('no-such-option');
    const refused = await f.call('rita', 'POST', `/quotes/${changeId}/commands/price`);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'configuration-invalid', errors: [{ field: 'lines/L1' }] });

    // Options alone changed (a third internet site; the line's quantity and values as they were): a modify.
    expect(await ok(f.call('rita', 'POST', `/quotes/${changeId}/commands/configure-line`, { lineId: 'L1', quantity: 1, selections: { sites: 2 }, children: [internet(500, 3), security(1), router(1)] })))
      .toMatchObject({ valid: true, action: 'modify' });
    line = await changeOf(changeId);
    const charges = line.charges as Json[];
    const fee = netOf(charges, 'business-internet', 'monthly-fee');
    // Only that option's charge moves; the other options and the line's own charges are as they were.
    expect(recurring(charges).filter(([, , , , delta]) => delta !== '0.00')).toEqual([
      ['business-internet', 'monthly-fee', netOf(before, 'business-internet', 'monthly-fee'), fee, minus(fee, netOf(before, 'business-internet', 'monthly-fee'))],
    ]);
    expect(Number(fee)).toBeGreaterThan(Number(netOf(before, 'business-internet', 'monthly-fee')));
    // The added site's installation is charged once (one unit); nothing else one-time (the bundle's setup, the other sites' installation).
    const oneTime = charges.filter((c) => c.chargeType === 'one-time');
    expect(oneTime.map((c) => [c.option, c.charge])).toEqual([['business-internet', 'installation']]);
    expect(Number(oneTime[0]!.lineNet)).toBeGreaterThan(0);
    const trace = (await ok(f.call('rita', 'GET', `/quotes/${changeId}/price-trace`))).result as Json;
    expect(trace.totals.oneTime).toBe(oneTime[0]!.lineNet);
    expect((trace.lines[0].charges as Json[]).filter((c) => c.chargeType === 'one-time').map((c) => [c.option, c.charge, c.quantity, c.lineNet]))
      .toEqual([['business-internet', 'installation', 1, oneTime[0]!.lineNet]]);

    // Ordered: the order line bills the one installation and the asset keeps three sites.
    await accept(changeId);
    const changeOrder = await f.createOrder(changeId);
    const ordered = await f.until(changeOrder, ['fulfilled'], 90_000);
    expect(ordered.lines[0]).toMatchObject({ action: 'modify', assetId });
    expect(counts(ordered.lines[0].options)).toEqual([['business-internet', 3], ['managed-router', 1], ['security-addon', 1]]);
    expect((ordered.lines[0].charges as Json[]).filter((c) => c.chargeType === 'one-time').map((c) => [c.option, c.charge, c.lineNet]))
      .toEqual([['business-internet', 'installation', oneTime[0]!.lineNet]]);
    const changed = await assetOf(assetId);
    expect(changed.version).toBe(2);
    expect(changed.options).toEqual(ordered.lines[0].options);

    // The next change starts from the three sites: the same options are no-change.
    const nextId = await changeQuote();
    expect(await lineOf(nextId)).toMatchObject({ action: 'no-change', children: changed.options });
    expect(await ok(f.call('rita', 'POST', `/quotes/${nextId}/commands/configure-line`, { lineId: 'L1', quantity: 1, selections: { sites: 2 }, children: [internet(500, 3), security(1), router(1)] })))
      .toMatchObject({ valid: true, action: 'no-change' });

    // An asset installed before options were kept (its options not known): the line starts from the bundle's defaults
    // (two internet sites, two routers, no add-on) and a change of options alone stays no-change, as before.
    await f.t.infrastructure.prisma.$executeRaw`UPDATE installed_asset SET options = NULL WHERE id = ${assetId}::uuid`;
    const unknown = await assetOf(assetId);
    expect(unknown).not.toHaveProperty('options');
    const oldId = await changeQuote();
    const oldLine = await lineOf(oldId);
    expect(oldLine.action).toBe('no-change');
    expect(counts(oldLine.children as Json[])).toEqual([['business-internet', 2], ['managed-router', 2]]);
    expect(oldLine.baseline).not.toHaveProperty('options');
    expect(await ok(f.call('rita', 'POST', `/quotes/${oldId}/commands/configure-line`, { lineId: 'L1', quantity: 1, selections: { sites: 2 }, children: [internet(500, 4), security(1), router(1)] })))
      .toMatchObject({ valid: true, action: 'no-change' });
  }, 300_000);
});
