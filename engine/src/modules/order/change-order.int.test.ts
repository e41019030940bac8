import { randomUUID } from 'node:crypto';
import { sampleCatalog } from '@cpq/metadata/samples';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFulfillmentFixture, type FulfillmentFixture } from '../../../test/order-fixture';
import { internetLine, type Json } from '../../../test/quote-fixture';

// Change orders, prorated prices and renewals on the installed base (issue 11, item 10; ADR
// 0022), on the real platform pieces as order-fulfillment.int.test.ts: the engine listening,
// the order-fulfillment BPMN on Camunda, the fulfillment workers and the target-systems process.

describe('change orders and renewals on the installed base', () => {
  let f: FulfillmentFixture;
  beforeAll(async () => {
    f = await createFulfillmentFixture('change_orders', { adapterTimeoutMs: 5_000 });
  });
  afterAll(async () => {
    await f?.close();
  });
  const prisma = () => f.t.infrastructure.prisma;
  const ok = async (reply: Promise<{ status: number; body: Json }>, status = 200) => {
    const r = await reply;
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    return r.body;
  };
  const assets = async (accountId = 'acct-1') => (await ok(f.call('sam', 'GET', `/installed-base?accountId=${accountId}`))).items as Json[];
  const assetOf = async (assetId: string) => (await assets()).find((a) => a.assetId === assetId)!;
  /** A fulfilled order of a new internet line: the asset it installed. */
  const installed = async (): Promise<string> => {
    const orderId = await f.createOrder(await f.acceptedQuote());
    await f.until(orderId, ['fulfilled'], 90_000);
    return (await assets()).find((a) => a.orderId === orderId)!.assetId as string;
  };
  const changeQuote = (assetIds: string[], kind: 'change' | 'renewal' = 'change', termMonths = 24) =>
    f.call('rita', 'POST', '/quotes', { accountId: 'acct-1', currency: 'EUR', termMonths, basis: { kind, assetIds } });
  /** Price, approve at once, document, and accept for the customer. */
  const accept = async (quoteId: string) => {
    await ok(f.call('rita', 'POST', `/quotes/${quoteId}/commands/price`));
    expect((await ok(f.call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`))).state).toBe('approved');
    const { documentId } = await ok(f.call('rita', 'POST', `/quotes/${quoteId}/commands/generate-document`), 201);
    await ok(f.call('rita', 'POST', `/quotes/${quoteId}/commands/accept`, { documentId, onBehalfOf: { evidence: 'signed change form', channel: 'signed-pdf' } }));
  };
  /** The same, and order it. */
  const acceptAndOrder = async (quoteId: string) => {
    await accept(quoteId);
    return f.createOrder(quoteId);
  };
  /** Moves an asset's term into the past (as if installed `daysAgo` days ago), so a change today is mid-term. */
  const installedAgo = (assetId: string, daysAgo: number, months = 24) => prisma().$executeRaw`
    UPDATE installed_asset SET term_start = current_date - ${daysAgo}::int, term_end = ((current_date - ${daysAgo}::int) + make_interval(months => ${months}))::date
    WHERE id = ${assetId}::uuid`;

  let upgraded: string;
  let ended: string;
  let added: string;

  it('the journey: installed base -> change quote (upgrade, disconnect, new site) -> prorated delta -> order of those actions -> installed base changed', async () => {
    upgraded = await installed();
    ended = await installed();
    await installedAgo(upgraded, 100);
    await installedAgo(ended, 100);
    const before = await assetOf(upgraded);
    expect(before).toMatchObject({ state: 'active', version: 1, selections: expect.objectContaining({ bandwidth: 500 }) });

    const { quoteId } = await ok(changeQuote([upgraded, ended]), 201);
    let quote = await ok(f.call('rita', 'GET', `/quotes/${quoteId}`));
    expect(quote.basis).toBe('change');
    expect(quote.revision.lines.map((l: Json) => [l.lineId, l.action, l.assetId, l.assetVersion, l.configurationValid])).toEqual([
      ['L1', 'no-change', upgraded, 1, true], ['L2', 'no-change', ended, 1, true]]);
    expect(quote.revision.lines[0].baseline).toMatchObject({ offering: 'business-internet', termStart: before.termStart, termEnd: before.termEnd });

    // The bandwidth upgrade mid-term, the disconnect, and a new site.
    // 500 -> 2000 Mbit/s: the monthly fee's next price row.
    const upgrade = { lineId: 'L1', quantity: 1, selections: { ...before.selections, bandwidth: 2000 } };
    expect(await ok(f.call('rita', 'POST', `/quotes/${quoteId}/commands/configure-line`, upgrade))).toMatchObject({ lineId: 'L1', valid: true, action: 'modify' });
    expect(await ok(f.call('rita', 'POST', `/quotes/${quoteId}/commands/disconnect-line`, { lineId: 'L2' }))).toMatchObject({ lineId: 'L2', action: 'disconnect' });
    expect(await ok(f.call('rita', 'POST', `/quotes/${quoteId}/lines`, internetLine()), 201)).toMatchObject({ lineId: 'L3', valid: true });

    const priced = await ok(f.call('rita', 'POST', `/quotes/${quoteId}/commands/price`));
    const trace = (await ok(f.call('rita', 'GET', `/quotes/${quoteId}/price-trace`))).result as Json;
    const [l1, l2, l3] = trace.change.lines as [Json, Json, Json];
    const fee = (l1.charges as Json[]).find((c) => c.charge === 'monthly-fee')!;
    // Installed 100 days ago for 24 months: what remains of the term, by days.
    const daysInTerm = Math.round((Date.parse(before.termEnd) - Date.parse(before.termStart)) / 86_400_000);
    expect(fee.proration).toMatchObject({ step: 'proration', termStart: before.termStart, termEnd: before.termEnd, daysInTerm, daysRemaining: daysInTerm - 100, fraction: `${daysInTerm - 100}/${daysInTerm}` });
    expect(Number(fee.periodDelta)).toBeGreaterThan(0);
    expect(Number(fee.termDelta)).toBeCloseTo(Number(fee.periodDelta) * 24 * (daysInTerm - 100) / daysInTerm, 1);
    expect(l2).toMatchObject({ action: 'disconnect', assetId: ended });
    const stopped = (l2.charges as Json[]).filter((c) => c.chargeType === 'recurring');
    expect(stopped.length).toBeGreaterThan(0);
    expect(stopped.every((c) => Number(c.termDelta) < 0 && c.lineNet === '0.00')).toBe(true);
    // More than 180 days of its term left: the sample's early-termination fee, 25 % of the remainder (ADR 0022 addendum).
    const remainder = -stopped.reduce((s, c) => s + Math.round(Number(c.termDelta) * 100), 0);
    const termination = (l2.charges as Json[]).find((c) => c.charge === 'early-termination')!;
    expect(termination).toMatchObject({ chargeType: 'one-time', previousLineNet: '0.00', lineNet: (Math.round(remainder * 0.25) / 100).toFixed(2),
      fee: { step: 'disconnect-fee', source: { kind: 'pricing-rule-set', key: 'standard-pricing', feeId: 'early-termination' }, type: 'percent-of-remaining', value: '25',
        basis: (remainder / 100).toFixed(2), reason: expect.stringContaining('Early termination fee') } });
    expect(l3.action).toBe('add');
    // The totals are the delta: the new site in full, the upgrade prorated, the disconnect's remainder taken off and its fee charged.
    const sum = (lines: Json[]) => lines.flatMap((l) => l.charges as Json[]).reduce((s, c) => s + Math.round(Number(c.termDelta) * 100), 0) / 100;
    expect(Number(priced.totals.termTotal)).toBeCloseTo(sum([l1, l2, l3]), 2);
    const installation = (l3.charges as Json[]).find((c) => c.chargeType === 'one-time')!.lineNet as string;
    expect(priced.totals.oneTime).toBe(((Math.round(Number(installation) * 100) + Math.round(Number(termination.lineNet) * 100)) / 100).toFixed(2));

    const orderId = await acceptAndOrder(quoteId);
    const order = await f.until(orderId, ['fulfilled'], 90_000);
    expect(order.basis).toBe('change');
    expect(order.lines.map((l: Json) => [l.lineId, l.action, l.assetId, l.assetVersion])).toEqual([
      ['L1', 'modify', upgraded, 1], ['L2', 'disconnect', ended, 1], ['L3', 'add', null, null]]);
    // The disconnect's fee reaches the order, the record billing reads: the one charge of its line.
    expect(order.lines[1].charges).toEqual([{ charge: 'early-termination', chargeType: 'one-time', quantity: 1, unitNetPrice: termination.lineNet, lineNet: termination.lineNet }]);
    const steps = Object.keys(await f.steps(orderId)).sort();
    expect(steps).toEqual(['L1.change-billing', 'L1.modify-service', 'L2.deactivate-service', 'L2.release-access', 'L2.stop-billing',
      'L3.activate-service', 'L3.install-line', 'L3.notify-customer', 'L3.reserve-access', 'L3.start-billing']);
    const { records } = await f.control.requests(orderId);
    expect(records.map((r) => [r.system, r.action]).filter(([, a]) => ['modify-service', 'change-subscription', 'deactivate', 'end-subscription'].includes(a!)).sort())
      .toEqual([['billing', 'change-subscription'], ['billing', 'end-subscription'], ['network-activation', 'deactivate'], ['network-activation', 'modify-service']]);

    // The installed base: the upgrade changed its asset (new selections, version 2, same term), the disconnect ended one, the add installed one; nothing twice.
    expect(await assetOf(upgraded)).toMatchObject({ state: 'active', version: 2, lastOrderId: orderId, termStart: before.termStart, termEnd: before.termEnd,
      selections: expect.objectContaining({ bandwidth: 2000 }), orderId: before.orderId });
    expect(await assetOf(ended)).toMatchObject({ state: 'disconnected', version: 2, lastOrderId: orderId });
    const mine = (await assets()).filter((a) => a.orderId === orderId);
    expect(mine).toHaveLength(1);
    added = mine[0]!.assetId as string;
    const changed = (await prisma().outboxEvent.findFirstOrThrow({ where: { aggregateId: orderId, eventType: 'InstalledBaseChanged' } })).payload as Json;
    expect(changed.changes).toEqual([
      { assetId: upgraded, lineId: 'L1', action: 'modify', version: 2 }, { assetId: ended, lineId: 'L2', action: 'disconnect', version: 2 },
      { assetId: added, lineId: 'L3', action: 'add', version: 1 }]);
    // Recording the fulfillment again changes nothing.
    expect((await f.call('ian', 'POST', `/orders/${orderId}/commands/complete-fulfillment`)).status).toBe(200);
    expect(await assetOf(upgraded)).toMatchObject({ version: 2 });
    quote = await ok(f.call('rita', 'GET', `/quotes/${quoteId}`));
    expect(quote.revision.state).toBe('accepted');
  }, 240_000);

  it('a second change quote accepted from the asset\'s old version becomes an order flagged as business fallout (stale asset version), with no plan; a new quote from the new version is fine', async () => {
    const asset = await installed();
    const { quoteId: first } = await ok(changeQuote([asset]), 201);
    const { quoteId: second } = await ok(changeQuote([asset]), 201);
    for (const [quoteId, bandwidth] of [[first, 1000], [second, 2000]] as const) {
      await ok(f.call('rita', 'POST', `/quotes/${quoteId}/commands/configure-line`, { lineId: 'L1', quantity: 1, selections: { ...internetLine().selections, bandwidth } }));
    }
    // Both accepted while the asset is at version 1 (the quote commands refuse it once it has moved on): planning is the last line of defence.
    await accept(first);
    await accept(second);
    const firstOrder = await f.createOrder(first);
    await f.until(firstOrder, ['fulfilled'], 90_000);
    expect(await assetOf(asset)).toMatchObject({ version: 2, selections: expect.objectContaining({ bandwidth: 1000 }) });

    const staleOrder = await f.createOrder(second);
    const cases = await (async () => {
      for (let i = 0; i < 100; i += 1) {
        const items = (await f.callAs('olga', 'GET', `/fallout-work-items?orderId=${staleOrder}&state=open`)).body.items as Json[];
        if (items.length > 0) return items;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      return [];
    })();
    expect(cases).toEqual([expect.objectContaining({ category: 'business-fallout', source: 'decomposition', reason: expect.stringMatching(/stale asset version: line L1 changes asset .* at version 1, which order .* took to version 2/) })]);
    expect(await f.order(staleOrder)).toMatchObject({ state: 'created', plan: null });
    // The asset kept the first change: never overwritten by the stale one.
    expect(await assetOf(asset)).toMatchObject({ version: 2, selections: expect.objectContaining({ bandwidth: 1000 }) });
    // The operator cancels it; a change quote made now starts from version 2.
    expect((await f.callAs('olga', 'POST', `/work-items/${cases[0]!.workItemId}/commands/resolve-fallout`, { action: 'cancel', reason: 'superseded by the first change' })).status).toBe(200);
    const { quoteId: third } = await ok(changeQuote([asset]), 201);
    expect((await ok(f.call('rita', 'GET', `/quotes/${third}`))).revision.lines[0]).toMatchObject({ assetVersion: 2, action: 'no-change' });
  }, 240_000);

  it('a renewal quotes the installed base for a new term at the release\'s prices, without one-time charges; the order renews the asset\'s term', async () => {
    const before = await assetOf(added);
    const { quoteId } = await ok(changeQuote([added], 'renewal', 36), 201);
    const quote = await ok(f.call('rita', 'GET', `/quotes/${quoteId}`));
    expect(quote).toMatchObject({ basis: 'renewal', termMonths: 36 });
    expect(quote.revision.lines.map((l: Json) => [l.action, l.assetId])).toEqual([['modify', added]]);
    const priced = await ok(f.call('rita', 'POST', `/quotes/${quoteId}/commands/price`));
    expect(priced.totals.oneTime).toBe('0.00');
    const trace = (await ok(f.call('rita', 'GET', `/quotes/${quoteId}/price-trace`))).result as Json;
    expect(trace.change.lines[0].renewedTerm).toMatchObject({ start: before.termEnd, months: 36 });
    expect(Number(priced.totals.termTotal)).toBeCloseTo(Number(priced.totals.monthly) * 36, 2);

    const orderId = await acceptAndOrder(quoteId);
    const order = await f.until(orderId, ['fulfilled'], 90_000);
    expect(order).toMatchObject({ basis: 'renewal', lines: [expect.objectContaining({ action: 'modify', assetId: added, assetVersion: 1 })] });
    const after = await assetOf(added);
    expect(after).toMatchObject({ state: 'active', version: 2, termMonths: 36, termStart: before.termEnd, termEnd: trace.change.lines[0].renewedTerm.end });
  }, 240_000);

  describe('the gaps closed after ADR 0022 (its addendum): quantity changes, disconnect fees, stale changes caught at quote time', () => {
    const problemOf = (r: { status: number; body: Json; headers: Record<string, unknown> }, status: number, code: string) => {
      expect(r.status, JSON.stringify(r.body)).toBe(status);
      expect(String(r.headers['content-type'])).toMatch(/application\/problem\+json/);
      expect(r.body.code).toBe(code);
      return r.body.errors as Json[];
    };

    it('a partial quantity change (1 line -> 4) is a modify priced as the prorated delta of the recurring charges, ordered with the new quantity and installed as a new version; 0, negative, fractional and above-max quantities are refused', async () => {
      const asset = await installed();
      await installedAgo(asset, 100);
      const before = await assetOf(asset);
      expect(before).toMatchObject({ quantity: 1, version: 1 });
      const { quoteId } = await ok(changeQuote([asset]), 201);
      const version = (await ok(f.call('rita', 'GET', `/quotes/${quoteId}`))).version;

      // Bad quantities: the contract's bounds (400) and the offering's maxQuantity of 20 (422), each naming body/quantity and the rule.
      for (const [quantity, status, code, rule] of [[0, 400, 'validation-failed', 'minimum'], [-3, 400, 'validation-failed', 'minimum'], [2.5, 400, 'validation-failed', 'type'],
        [21, 422, 'configuration-input', 'quantity.max']] as const) {
        const r = await f.call('rita', 'POST', `/quotes/${quoteId}/commands/configure-line`, { lineId: 'L1', quantity, selections: before.selections });
        expect(problemOf(r, status, code)).toEqual([expect.objectContaining({ field: 'body/quantity', rule })]);
      }
      // A new line above the maximum is refused the same way.
      expect(problemOf(await f.call('rita', 'POST', `/quotes/${quoteId}/lines`, { ...internetLine(), quantity: 25 }), 422, 'configuration-input'))
        .toEqual([expect.objectContaining({ field: 'body/quantity', rule: 'quantity.max', message: expect.stringContaining('at most 20') })]);
      const untouched = await ok(f.call('rita', 'GET', `/quotes/${quoteId}`));
      expect(untouched.version).toBe(version);
      expect(untouched.revision.lines.map((l: Json) => [l.quantity, l.action])).toEqual([[1, 'no-change']]);

      expect(await ok(f.call('rita', 'POST', `/quotes/${quoteId}/commands/configure-line`, { lineId: 'L1', quantity: 4, selections: before.selections })))
        .toMatchObject({ action: 'modify', valid: true });
      // The same configuration at the asset's quantity is no change again; then back to 4.
      expect(await ok(f.call('rita', 'POST', `/quotes/${quoteId}/commands/configure-line`, { lineId: 'L1', quantity: 1, selections: before.selections })))
        .toMatchObject({ action: 'no-change' });
      await ok(f.call('rita', 'POST', `/quotes/${quoteId}/commands/configure-line`, { lineId: 'L1', quantity: 4, selections: before.selections }));

      const priced = await ok(f.call('rita', 'POST', `/quotes/${quoteId}/commands/price`));
      const trace = (await ok(f.call('rita', 'GET', `/quotes/${quoteId}/price-trace`))).result as Json;
      const fee = (trace.change.lines[0].charges as Json[]).find((c) => c.charge === 'monthly-fee')!;
      const unit = (trace.lines[0].charges as Json[]).find((c) => c.charge === 'monthly-fee')!;
      const old = (before.charges as Json[]).find((c) => c.charge === 'monthly-fee')!;
      expect(unit).toMatchObject({ quantity: 4, lineNet: (Number(unit.unitNetPrice) * 4).toFixed(2) });
      expect(fee).toMatchObject({ previousLineNet: old.lineNet, lineNet: unit.lineNet, periodDelta: (Number(unit.lineNet) - Number(old.lineNet)).toFixed(2) });
      const daysInTerm = Math.round((Date.parse(before.termEnd) - Date.parse(before.termStart)) / 86_400_000);
      expect(fee.proration).toMatchObject({ daysRemaining: daysInTerm - 100, daysInTerm });
      expect(Number(fee.termDelta)).toBeCloseTo(Number(fee.periodDelta) * 24 * (daysInTerm - 100) / daysInTerm, 1);
      // No installation again: nothing one-time.
      expect(priced.totals.oneTime).toBe('0.00');
      expect(priced.totals.monthly).toBe(fee.periodDelta);

      const orderId = await acceptAndOrder(quoteId);
      const order = await f.until(orderId, ['fulfilled'], 90_000);
      expect(order.lines.map((l: Json) => [l.lineId, l.action, l.assetId, l.assetVersion, l.quantity])).toEqual([['L1', 'modify', asset, 1, 4]]);
      expect(Object.keys(await f.steps(orderId)).sort()).toEqual(['L1.change-billing', 'L1.modify-service']);
      const after = await assetOf(asset);
      expect(after).toMatchObject({ quantity: 4, version: 2, lastOrderId: orderId, termStart: before.termStart, termEnd: before.termEnd, selections: before.selections });
      expect((after.charges as Json[]).find((c) => c.charge === 'monthly-fee')).toMatchObject({ quantity: 4, lineNet: unit.lineNet });
      const changed = (await prisma().outboxEvent.findFirstOrThrow({ where: { aggregateId: orderId, eventType: 'InstalledBaseChanged' } })).payload as Json;
      expect(changed.changes).toEqual([{ assetId: asset, lineId: 'L1', action: 'modify', version: 2 }]);

      // And down again (4 -> 2) from the new version: a negative delta, still a modify.
      const { quoteId: down } = await ok(changeQuote([asset]), 201);
      expect((await ok(f.call('rita', 'GET', `/quotes/${down}`))).revision.lines[0]).toMatchObject({ quantity: 4, assetVersion: 2 });
      expect(await ok(f.call('rita', 'POST', `/quotes/${down}/commands/configure-line`, { lineId: 'L1', quantity: 2, selections: before.selections }))).toMatchObject({ action: 'modify' });
      const lower = await ok(f.call('rita', 'POST', `/quotes/${down}/commands/price`));
      expect(Number(lower.totals.monthly)).toBeCloseTo(-Number(unit.lineNet) / 2, 2);
      expect(Number(lower.totals.termTotal)).toBeLessThan(0);

      // An asset already above the maximum (installed before the release set it) still changes its values at its quantity; only a new quantity is held to 20.
      const big = await installed();
      await prisma().$executeRaw`UPDATE installed_asset SET quantity = 30 WHERE id = ${big}::uuid`;
      const { quoteId: values } = await ok(changeQuote([big]), 201);
      expect(await ok(f.call('rita', 'POST', `/quotes/${values}/commands/configure-line`, { lineId: 'L1', quantity: 30, selections: { ...before.selections, bandwidth: 1000 } })))
        .toMatchObject({ action: 'modify', valid: true });
      expect(problemOf(await f.call('rita', 'POST', `/quotes/${values}/commands/configure-line`, { lineId: 'L1', quantity: 31, selections: before.selections }), 422, 'configuration-input'))
        .toEqual([expect.objectContaining({ field: 'body/quantity', rule: 'quantity.max' })]);
    }, 240_000);

    it('a disconnect with no matching fee rule charges nothing one-time: 130 days left is under the early-termination rule\'s 180', async () => {
      const asset = await installed();
      await installedAgo(asset, 600);
      const { quoteId } = await ok(changeQuote([asset]), 201);
      await ok(f.call('rita', 'POST', `/quotes/${quoteId}/commands/disconnect-line`, { lineId: 'L1' }));
      const priced = await ok(f.call('rita', 'POST', `/quotes/${quoteId}/commands/price`));
      const trace = (await ok(f.call('rita', 'GET', `/quotes/${quoteId}/price-trace`))).result as Json;
      const line = trace.change.lines[0] as Json;
      expect(line.charges.find((c: Json) => c.charge === 'monthly-fee').proration.daysRemaining).toBeLessThanOrEqual(180);
      expect((line.charges as Json[]).filter((c) => c.chargeType === 'one-time' || c.fee)).toEqual([]);
      expect(priced.totals.oneTime).toBe('0.00');
      expect(Number(priced.totals.termTotal)).toBeLessThan(0);
    }, 120_000);

    it('a change whose asset has moved on is refused at price, submit and accept with 409 asset-stale naming the line and the versions; while another order is changing it too', async () => {
      const asset = await installed();
      const quote = async (bandwidth: number) => {
        const { quoteId } = await ok(changeQuote([asset]), 201);
        await ok(f.call('rita', 'POST', `/quotes/${quoteId}/commands/configure-line`, { lineId: 'L1', quantity: 1, selections: { ...internetLine().selections, bandwidth } }));
        return quoteId as string;
      };
      const [first, toPrice, toSubmit, toAccept] = [await quote(1000), await quote(2000), await quote(2000), await quote(2000)];
      const inFlightKey = `in-flight-${Date.now()}`;
      await ok(f.call('rita', 'POST', `/quotes/${toSubmit}/commands/price`));
      await ok(f.call('rita', 'POST', `/quotes/${toAccept}/commands/price`));
      expect((await ok(f.call('rita', 'POST', `/quotes/${toAccept}/commands/submit-for-approval`))).state).toBe('approved');
      const { documentId } = await ok(f.call('rita', 'POST', `/quotes/${toAccept}/commands/generate-document`), 201);

      // The first change is ordered; with the workers held, its order is planned and running but not done.
      await accept(first);
      await f.stopWorkers();
      const firstOrder = await f.createOrder(first);
      try {
        await f.until(firstOrder, ['planned', 'in-progress'], 30_000);
        expect(problemOf(await f.call('rita', 'POST', `/quotes/${toPrice}/commands/price`, undefined, { 'idempotency-key': inFlightKey }), 409, 'asset-stale')).toEqual([
          { field: 'lines/L1', rule: 'asset-version-current', message: `line L1 changes asset ${asset} at version 1; order ${firstOrder} is changing it now` }]);
      } finally {
        f.startWorkers();
      }
      await f.until(firstOrder, ['fulfilled'], 90_000);
      expect(await assetOf(asset)).toMatchObject({ version: 2 });

      const versions = await Promise.all([toPrice, toSubmit, toAccept].map(async (q) => (await ok(f.call('rita', 'GET', `/quotes/${q}`))).version as number));
      const stale = `line L1 changes asset ${asset} at version 1; the asset is at version 2 now (active, changed by order ${firstOrder})`;
      // The refusal for an order in flight was not stored as the key's answer (that order could have been cancelled): the same key is answered afresh.
      expect(problemOf(await f.call('rita', 'POST', `/quotes/${toPrice}/commands/price`, undefined, { 'idempotency-key': inFlightKey }), 409, 'asset-stale'))
        .toEqual([{ field: 'lines/L1', rule: 'asset-version-current', message: stale }]);
      for (const r of [
        await f.call('rita', 'POST', `/quotes/${toPrice}/commands/price`),
        await f.call('rita', 'POST', `/quotes/${toSubmit}/commands/submit-for-approval`),
        await f.call('rita', 'POST', `/quotes/${toAccept}/commands/accept`, { documentId, onBehalfOf: { evidence: 'signed change form', channel: 'signed-pdf' } }),
      ]) {
        expect(problemOf(r, 409, 'asset-stale')).toEqual([{ field: 'lines/L1', rule: 'asset-version-current', message: stale }]);
        expect(r.body.detail).toContain('Make a new change quote');
      }
      // Nothing moved: same versions and states, no order for them.
      const states = await Promise.all([toPrice, toSubmit, toAccept].map(async (q) => (await ok(f.call('rita', 'GET', `/quotes/${q}`)))));
      expect(states.map((q) => q.version)).toEqual(versions);
      expect(states.map((q) => q.revision.state)).toEqual(['draft', 'priced', 'approved']);
      expect(await prisma().customerOrder.count({ where: { quoteId: { in: [toPrice, toSubmit, toAccept] } } })).toBe(0);
      // A quote made now, from version 2, goes through.
      await ok(f.call('rita', 'POST', `/quotes/${await quote(2000)}/commands/price`));
    }, 240_000);
  });

  describe('review follow-ups', () => {
    it('the impact preview replays a change quote as its delta and a renewal as its new term: like for like with what was priced', async () => {
      // Given a change quote (an upgrade mid-term, a disconnect with its fee, a new site) and a 12-month renewal, both priced.
      const [up, off, renewed] = [await installed(), await installed(), await installed()];
      await installedAgo(up, 100);
      await installedAgo(off, 100);
      const { quoteId: change } = await ok(changeQuote([up, off]), 201);
      await ok(f.call('rita', 'POST', `/quotes/${change}/commands/configure-line`, { lineId: 'L1', quantity: 1, selections: { ...internetLine().selections, bandwidth: 2000 } }));
      await ok(f.call('rita', 'POST', `/quotes/${change}/commands/disconnect-line`, { lineId: 'L2' }));
      await ok(f.call('rita', 'POST', `/quotes/${change}/lines`, internetLine()), 201);
      const changePriced = await ok(f.call('rita', 'POST', `/quotes/${change}/commands/price`));
      const trace = (await ok(f.call('rita', 'GET', `/quotes/${change}/price-trace`))).result as Json;
      const upgradeFee = (trace.change.lines[0].charges as Json[]).find((c) => c.charge === 'monthly-fee')!;
      const { quoteId: renewal } = await ok(changeQuote([renewed], 'renewal', 12), 201);
      const renewalPriced = await ok(f.call('rita', 'POST', `/quotes/${renewal}/commands/price`));

      // When a candidate raises the monthly fee of the fastest lines (1050+ Mbit/s: 299.00 -> 349.00), which only the upgrade uses.
      const book = structuredClone(sampleCatalog().find((i) => i.kind === 'price-book' && i.key === 'eur-list')!) as Json;
      book.content.entries.find((e: Json) => e.charge === 'monthly-fee' && e.offering === 'business-internet').rows[2].price = '349.00';
      expect((await f.call('ada', 'POST', '/metadata/drafts', book)).status).toBe(201);
      const candidate = (await f.call('ada', 'POST', '/metadata/release-candidates', { title: 'Faster lines cost more' })).body;
      expect(candidate.state, JSON.stringify(candidate.issues)).toBe('validated');
      const impact = await ok(f.call('ada', 'GET', `/metadata/release-candidates/${candidate.candidateId}/impact`));
      const of = (quoteId: string) => (impact.quotes as Json[]).find((q) => q.quoteId === quoteId)!;

      // Then the change quote's before and after are both deltas against the installed base: only the upgrade's prorated
      // remainder moves (the new site and the disconnect's remainder and fee are untouched by the candidate).
      const changed = of(change);
      expect(changed).toMatchObject({ basis: 'change', termTotalBefore: changePriced.totals.termTotal, invalidLines: [] });
      expect(changed.error).toBeUndefined();
      // The upgrade's new line net rises by the list price's share (299.00 -> 349.00, after the same customer and term
      // discounts), known to a cent and a half a month (both line nets are rounded): so is the prorated remainder over the term.
      const perMonth = (Number(upgradeFee.lineNet) * 50) / 299;
      const { daysRemaining, daysInTerm } = upgradeFee.proration as Json;
      const months = (24 * daysRemaining) / daysInTerm;
      expect(Math.abs(Number(changed.delta) - perMonth * months)).toBeLessThanOrEqual(0.015 * months + 0.01);
      expect(Number(changed.termTotalAfter)).toBeCloseTo(Number(changePriced.totals.termTotal) + Number(changed.delta), 2);
      // The renewal's figure is its new term (no one-time charges): the candidate does not touch its 500 Mbit/s line.
      expect(of(renewal)).toMatchObject({ basis: 'renewal', termTotalBefore: renewalPriced.totals.termTotal, termTotalAfter: renewalPriced.totals.termTotal, delta: '0' });
    }, 300_000);

    it('a renewal that disconnects an asset whose term has lapsed does not renew it: no proration, no fee, nothing charged; the order ends the asset', async () => {
      // Given a renewal of a lapsed asset (its term ended 70 days ago) and of one whose term still runs.
      const [lapsed, kept] = [await installed(), await installed()];
      await prisma().$executeRaw`UPDATE installed_asset SET term_start = current_date - 800, term_end = current_date - 70 WHERE id = ${lapsed}::uuid`;
      const old = await assetOf(lapsed);
      const { quoteId } = await ok(changeQuote([lapsed, kept], 'renewal', 24), 201);

      // When the rep disconnects the lapsed line and prices.
      await ok(f.call('rita', 'POST', `/quotes/${quoteId}/commands/disconnect-line`, { lineId: 'L1' }));
      const priced = await ok(f.call('rita', 'POST', `/quotes/${quoteId}/commands/price`));

      // Then the line is not renewed: its recurring charges stop with nothing prorated (nothing is left of its term) and no
      // early-termination fee; the totals are the other line's new term alone.
      const trace = (await ok(f.call('rita', 'GET', `/quotes/${quoteId}/price-trace`))).result as Json;
      const [notRenewed, renewed] = trace.change.lines as [Json, Json];
      expect(notRenewed).toMatchObject({ action: 'disconnect', assetId: lapsed, term: { end: old.termEnd } });
      expect(notRenewed.renewedTerm).toBeUndefined();
      const recurring = (old.charges as Json[]).filter((c) => c.chargeType === 'recurring');
      expect(notRenewed.charges).toEqual(recurring.map((c) => expect.objectContaining({
        charge: c.charge, previousLineNet: c.lineNet, lineNet: '0.00', periodDelta: `-${c.lineNet}`, termDelta: '0.00', reason: expect.stringMatching(/^not renewed: its term ended on /),
      })));
      expect((notRenewed.charges as Json[]).some((c) => c.proration || c.fee)).toBe(false);
      expect(renewed).toMatchObject({ action: 'modify', assetId: kept, renewedTerm: { months: 24 } });
      const sum = (l: Json) => (l.charges as Json[]).reduce((t, c) => t + Math.round(Number(c.termDelta) * 100), 0) / 100;
      expect(priced.totals).toMatchObject({ oneTime: '0.00', termTotal: sum(renewed).toFixed(2) });

      // And the order disconnects the lapsed asset with no charge and renews the other.
      const orderId = await acceptAndOrder(quoteId);
      const order = await f.until(orderId, ['fulfilled'], 90_000);
      expect(order.lines.map((l: Json) => [l.lineId, l.action, l.assetId])).toEqual([['L1', 'disconnect', lapsed], ['L2', 'modify', kept]]);
      expect(order.lines[0].charges).toEqual([]);
      expect(await assetOf(lapsed)).toMatchObject({ state: 'disconnected', version: 2, lastOrderId: orderId });
      expect(await assetOf(kept)).toMatchObject({ state: 'active', version: 2, termMonths: 24 });
    }, 300_000);
  });

  it('a renewal that stops a running asset: its credit and early-termination fee are the current term, the renewal the new term; the totals keep both (ADR 0022, fifth addendum)', async () => {
    // Given a renewal of two assets installed 100 days ago for 24 months, one of which the rep disconnects (its term still runs).
    const [kept, stopped] = [await installed(), await installed()];
    await installedAgo(kept, 100);
    await installedAgo(stopped, 100);
    const { quoteId } = await ok(changeQuote([kept, stopped], 'renewal', 36), 201);
    await ok(f.call('rita', 'POST', `/quotes/${quoteId}/commands/disconnect-line`, { lineId: 'L2' }));

    // When it is priced.
    const priced = await ok(f.call('rita', 'POST', `/quotes/${quoteId}/commands/price`));
    const trace = (await ok(f.call('rita', 'GET', `/quotes/${quoteId}/price-trace`))).result as Json;

    // Then each line says its part, and the split shows the credit (negative) and the fee apart from the new term.
    const [renewed, disconnected] = trace.change.lines as [Json, Json];
    expect([renewed.termPart, disconnected.termPart]).toEqual(['new', 'current']);
    const cents = (v: string) => BigInt(Math.round(Number(v) * 100));
    const sum = (l: Json, pick: (c: Json) => boolean = () => true) => (l.charges as Json[]).filter(pick).reduce((t, c) => t + cents(c.termDelta), 0n);
    const credit = sum(disconnected, (c) => c.chargeType === 'recurring');
    const fee = (disconnected.charges as Json[]).find((c) => c.charge === 'early-termination')!;
    expect(credit < 0n && cents(fee.lineNet) > 0n).toBe(true);
    const money = (v: bigint) => `${v < 0n ? '-' : ''}${(v < 0n ? -v : v) / 100n}.${String((v < 0n ? -v : v) % 100n).padStart(2, '0')}`;
    const { currentTerm, newTerm } = trace.change.termTotals as { currentTerm: Json; newTerm: Json };
    expect(currentTerm).toMatchObject({ oneTime: fee.lineNet, termTotal: money(credit + cents(fee.lineNet)) });
    expect(newTerm).toMatchObject({ oneTime: '0.00', termTotal: money(sum(renewed)) });
    // The totals (what approval, the document and acceptance use) stay everything the quote commits: the two parts added.
    for (const field of ['oneTime', 'monthly', 'annual', 'termTotal']) expect(money(cents(currentTerm[field]) + cents(newTerm[field])), field).toBe(priced.totals[field]);
    expect(trace.totals).toEqual(priced.totals);
  }, 240_000);

  describe('bad input: 4xx problem+json naming the field, nothing written', () => {
    const quotes = () => prisma().quote.count();

    it('refuses an unknown asset, another account\'s, another tenant\'s, a malformed id, a disconnected asset and another currency', async () => {
      const count = await quotes();
      const refused = async (as: 'rita' | 'eve', body: Json, status: number, code: string, field: string) => {
        const r = await f.call(as, 'POST', '/quotes', body);
        expect(r.status, JSON.stringify(r.body)).toBe(status);
        expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(r.body).toMatchObject({ code, errors: [expect.objectContaining({ field })] });
      };
      const change = (assetIds: string[], accountId = 'acct-1', currency = 'EUR') => ({ accountId, currency, termMonths: 24, basis: { kind: 'change', assetIds } });
      await refused('rita', change([upgraded, randomUUID()]), 422, 'asset-unknown', 'body/basis/assetIds/1');
      await refused('rita', change([upgraded], 'acct-2'), 422, 'asset-unknown', 'body/basis/assetIds/0');
      await refused('eve', change([upgraded]), 422, 'asset-unknown', 'body/basis/assetIds/0');
      await refused('rita', change(['not-an-asset']), 400, 'validation-failed', 'body/basis/assetIds/0');
      await refused('rita', change([ended]), 422, 'asset-not-active', 'body/basis/assetIds/0');
      await refused('rita', change([upgraded], 'acct-1', 'USD'), 422, 'asset-currency', 'body/currency');
      await refused('rita', { ...change([upgraded]), basis: { kind: 'change', assetIds: [] } }, 400, 'validation-failed', 'body/basis/assetIds');
      expect(await quotes()).toBe(count);
    });

    it('refuses a change of an asset whose term has ended (renew it instead)', async () => {
      const asset = await installed();
      await prisma().$executeRaw`UPDATE installed_asset SET term_start = current_date - 800, term_end = current_date - 70 WHERE id = ${asset}::uuid`;
      const r = await changeQuote([asset]);
      expect(r.status).toBe(422);
      expect(r.body).toMatchObject({ code: 'term-ended', errors: [{ field: 'body/basis/assetIds/0', rule: 'term-running' }] });
      // A renewal of it is what to do: it starts today.
      expect((await changeQuote([asset], 'renewal')).status).toBe(201);
    }, 120_000);

    it('refuses disconnecting twice, reconfiguring a disconnected line, and disconnecting a line that adds; the quote stays as it was', async () => {
      const { quoteId } = await ok(changeQuote([upgraded]), 201);
      await ok(f.call('rita', 'POST', `/quotes/${quoteId}/lines`, internetLine()), 201);
      await ok(f.call('rita', 'POST', `/quotes/${quoteId}/commands/disconnect-line`, { lineId: 'L1' }));
      const version = (await ok(f.call('rita', 'GET', `/quotes/${quoteId}`))).version;
      const twice = await f.call('rita', 'POST', `/quotes/${quoteId}/commands/disconnect-line`, { lineId: 'L1' });
      expect(twice).toMatchObject({ status: 409, body: { code: 'line-disconnected', errors: [{ field: 'body/lineId', rule: 'line-not-disconnected' }] } });
      const modify = await f.call('rita', 'POST', `/quotes/${quoteId}/commands/configure-line`, { lineId: 'L1', quantity: 1, selections: { ...internetLine().selections, bandwidth: 1000 } });
      expect(modify).toMatchObject({ status: 409, body: { code: 'line-disconnected', errors: [{ field: 'body/lineId' }] } });
      const adding = await f.call('rita', 'POST', `/quotes/${quoteId}/commands/disconnect-line`, { lineId: 'L2' });
      expect(adding).toMatchObject({ status: 422, body: { code: 'line-not-asset', errors: [{ field: 'body/lineId', rule: 'line-of-asset' }] } });
      const missing = await f.call('rita', 'POST', `/quotes/${quoteId}/commands/disconnect-line`, { lineId: 'L9' });
      expect(missing).toMatchObject({ status: 404, body: { code: 'line-not-found' } });
      const after = await ok(f.call('rita', 'GET', `/quotes/${quoteId}`));
      expect(after.version).toBe(version);
      expect(after.revision.lines.map((l: Json) => l.action)).toEqual(['disconnect', 'add']);
    });
  });

  describe('idempotency of the new commands', () => {
    it('a change quote created twice with one Idempotency-Key is one quote with one answer; so is a disconnect', async () => {
      const key = { 'idempotency-key': `k-${randomUUID()}` };
      const body = { accountId: 'acct-1', currency: 'EUR', termMonths: 24, basis: { kind: 'change', assetIds: [upgraded] } };
      const [a, b] = await Promise.all([f.call('rita', 'POST', '/quotes', body, key), f.call('rita', 'POST', '/quotes', body, key)]);
      expect([a.status, b.status]).toEqual([201, 201]);
      expect(a.body).toEqual(b.body);
      const replay = await f.call('rita', 'POST', '/quotes', body, key);
      expect(replay.body).toEqual(a.body);
      expect(await prisma().quote.count({ where: { id: a.body.quoteId } })).toBe(1);
      expect(await prisma().quoteLine.count({ where: { quoteId: a.body.quoteId } })).toBe(1);
      // Another body under the same key is refused.
      expect((await f.call('rita', 'POST', '/quotes', { ...body, termMonths: 36 }, key)).status).toBe(422);

      const dkey = { 'idempotency-key': `k-${randomUUID()}` };
      const first = await ok(f.call('rita', 'POST', `/quotes/${a.body.quoteId}/commands/disconnect-line`, { lineId: 'L1' }, dkey));
      const again = await ok(f.call('rita', 'POST', `/quotes/${a.body.quoteId}/commands/disconnect-line`, { lineId: 'L1' }, dkey));
      expect(again).toEqual(first);
      expect((await ok(f.call('rita', 'GET', `/quotes/${a.body.quoteId}`))).version).toBe(first.version);
      expect(await prisma().outboxEvent.count({ where: { aggregateId: a.body.quoteId, eventType: 'QuoteLineDisconnected' } })).toBe(1);
    });
  });
});
