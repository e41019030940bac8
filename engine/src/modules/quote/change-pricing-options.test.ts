import { createReleaseView, type MetadataItem } from '@cpq/metadata';
import { sampleCatalog } from '@cpq/metadata/samples';
import { describe, expect, it } from 'vitest';
import { configure } from '../configuration';
import { price, type PricingChildInput, type PriceResult } from '../pricing';
import { priceChange, unitsOf, type Baseline, type ChangeLine } from './change-pricing';
import { assetLineAction } from './commands/change-quote.commands';
import { canonicalOptions, installedOptionsInput, sameOptions } from './quote.line-options';
import type { LineOffering, LineOption } from './quote.repository';

// A bundle asset keeps its configured options (issue 11; ADR 0022, fourth addendum): a change
// quote's line starts from them, its action compares them (canonical form), and the one-time
// charges of what a change adds to an option (an option added, more units of one) are charged,
// those of options as they were not. An asset whose options are not known (installed before they
// were kept) is treated as before. The sample release, with a one-time activation charge given
// to the security add-on (the sample's options have no one-time charge but Business Internet's
// installation, free at 24 months and more): the pricing core and the configurator are pure.

const items = sampleCatalog().map((i): MetadataItem => {
  if (i.kind === 'product-offering' && i.key === 'security-addon') {
    const content = structuredClone(i.content) as { charges: unknown[] };
    content.charges.push({ key: 'activation', name: 'Activation', type: 'one-time' });
    return { ...i, content } as MetadataItem;
  }
  if (i.kind === 'price-book' && i.key === 'eur-list') {
    const content = structuredClone(i.content) as { entries: unknown[] };
    content.entries.push({ offering: 'security-addon', charge: 'activation', type: 'flat', price: '80.00' });
    return { ...i, content } as MetadataItem;
  }
  return i;
});
const view = createReleaseView({ releaseId: 'rel-1', releaseNumber: 3, contentHash: 'h' }, items.map((i) => ({ ...i, contentHash: `h-${i.key}` })));

const internetValues = (bandwidth: number) => ({ access: 'fiber', bandwidth, slaTier: 'standard', staticIps: 0 });
const internet = (bandwidth = 100, quantity = 2): PricingChildInput => ({ offering: 'business-internet', quantity, characteristics: internetValues(bandwidth) });
const security = (quantity = 1): PricingChildInput => ({ offering: 'security-addon', quantity, characteristics: {} });
const router = (quantity = 1): PricingChildInput => ({ offering: 'managed-router', quantity, characteristics: { model: 'small', wifi: true } });
const asOptions = (children: PricingChildInput[]): LineOption[] => children.map((c) => ({ offering: c.offering, quantity: c.quantity, selections: c.characteristics }));
/** The options as the configurator normalizes them (defaults applied): what the accepted snapshot keeps and the asset gets. */
const normalized = (children: PricingChildInput[]): LineOption[] => configure(view, { offering: 'sd-wan', selections: { sites: 2 }, children: asOptions(children), context: { quantity: 1 } }).normalized.children;
const bundle = (children: PricingChildInput[], quantity = 1): PriceResult => price(view, {
  // 12 months: Business Internet's installation is charged (free from 24 months on).
  currency: 'EUR', pricingDate: '2027-07-02', termMonths: 12, customer: { segment: 'enterprise', channel: 'direct' },
  lines: [{ lineId: 'L1', offering: 'sd-wan', quantity, characteristics: { sites: 2 }, children }],
});
/** The asset an order of `children` installed: its charges and (unless `unknown`) its options. */
const assetOf = (children: PricingChildInput[], o: { unknown?: boolean; quantity?: number } = {}): Baseline => ({
  offering: 'sd-wan', quantity: o.quantity ?? 1, selections: { sites: 2 }, currency: 'EUR', version: 1, termMonths: 12, termStart: '2027-01-01', termEnd: '2028-01-01',
  charges: bundle(children, o.quantity ?? 1).lines[0]!.charges.map((c) => ({
    charge: c.charge, ...(c.option !== undefined ? { option: c.option } : {}), chargeType: c.chargeType, ...(c.period ? { period: c.period } : {}),
    quantity: c.quantity, unitNetPrice: c.unitNetPrice, lineNet: c.lineNet,
  })),
  ...(o.unknown ? {} : { options: asOptions(children) }),
});
const modify = (baseline: Baseline, children: PricingChildInput[] | null): ChangeLine => ({
  lineId: 'L1', offering: 'sd-wan', action: 'modify', assetId: 'a-1', assetVersion: 1, baseline, children: children && asOptions(children),
});
const change = { basis: 'change' as const, changeDate: '2027-07-02', termMonths: 12 };
const oneTime = (result: ReturnType<typeof priceChange>) => result.change.lines[0]!.charges.filter((c) => c.chargeType === 'one-time')
  .map((c) => [c.option ?? null, c.charge, c.lineNet]);
const unitPrice = (priced: PriceResult, option: string, charge: string) => priced.lines[0]!.charges.find((c) => c.option === option && c.charge === charge)!.unitNetPrice;

describe('a bundle asset\'s configured options in a change', () => {
  it('canonical form: the options bought, by offering, with their values; order, key order and explicit zeros do not matter', () => {
    const a: LineOption[] = [{ offering: 'security-addon', quantity: 1, selections: {} }, { offering: 'business-internet', quantity: 2, selections: { bandwidth: 100, access: 'fiber' } }];
    const b: LineOption[] = [
      { offering: 'business-internet', quantity: 2, selections: { access: 'fiber', bandwidth: 100 } }, { offering: 'managed-router', quantity: 0, selections: {} },
      { offering: 'security-addon', quantity: 1, selections: {} },
    ];
    expect(sameOptions(a, b)).toBe(true);
    expect(canonicalOptions(a)).toBe(canonicalOptions(b));
    // Added, removed, quantity and values changed: each differs.
    expect(sameOptions(a, [...b, { offering: 'managed-router', quantity: 1, selections: {} }].filter((o) => o.quantity > 0))).toBe(false);
    expect(sameOptions(a, b.filter((o) => o.offering !== 'security-addon'))).toBe(false);
    expect(sameOptions(a, b.map((o) => (o.offering === 'business-internet' ? { ...o, quantity: 3 } : o)))).toBe(false);
    expect(sameOptions(a, b.map((o) => (o.offering === 'business-internet' ? { ...o, selections: { access: 'fiber', bandwidth: 500 } } : o)))).toBe(false);
    expect(sameOptions([], [{ offering: 'managed-router', quantity: 0, selections: {} }])).toBe(true);
  });

  it('a change line starts from the installed options: an option left out that now defaults above 0 is kept out (explicit zero); unknown options take the defaults', () => {
    // Installed under a release whose router had no default (so the asset lists no router).
    const installed = normalized([internet(), security(), router(0)]).filter((o) => o.offering !== 'managed-router');
    const input = installedOptionsInput(view, 'sd-wan', installed)!;
    expect(input.map((o) => [o.offering, o.quantity])).toEqual([['business-internet', 2], ['security-addon', 1], ['managed-router', 0]]);
    const configured = configure(view, { offering: 'sd-wan', selections: { sites: 2 }, children: input, context: { quantity: 1 } });
    expect(configured.valid).toBe(true);
    expect(sameOptions(configured.normalized.children, installed)).toBe(true);
    // As the configurator keeps them (an explicit zero listed): configured again, the same.
    const kept = normalized([internet(), security(), router(0)]);
    expect(installedOptionsInput(view, 'sd-wan', kept)).toEqual(kept);
    // Listed (even at 0) is as installed: nothing added.
    expect(installedOptionsInput(view, 'sd-wan', asOptions([internet(), router(0)]))!.map((o) => [o.offering, o.quantity])).toEqual([['business-internet', 2], ['managed-router', 0]]);
    expect(installedOptionsInput(view, 'sd-wan', null)).toBeUndefined();
    expect(installedOptionsInput(view, 'business-internet', [])).toEqual([]);
  });

  it('the line\'s action: modify when only the options differ, no-change when they are the installed ones; an asset without options compares quantity and selections only', () => {
    const installed = [internet(), security(), router(0)];
    const lineOf = (baseline: Baseline): LineOffering => ({ lineId: 'L1', offering: 'sd-wan', quantity: 1, action: 'no-change', assetId: 'a-1', baseline, children: null });
    const configured = (children: PricingChildInput[]) => configure(view, { offering: 'sd-wan', selections: { sites: 2 }, children: asOptions(children), context: { quantity: 1 } });
    const known = lineOf({ ...assetOf(installed), options: normalized(installed) });
    // Each option checked on a configuration of its own: quantity, added, removed, values.
    expect(assetLineAction(known, 1, configured([internet(), security(), router(0)]), 'L1', 'change')).toBe('no-change');
    expect(assetLineAction(known, 1, configured([internet(100, 3), security(), router(0)]), 'L1', 'change')).toBe('modify');
    expect(assetLineAction(known, 1, configured([internet(), security(), router(1)]), 'L1', 'change')).toBe('modify');
    expect(assetLineAction(known, 1, configured([internet(), security(0), router(0)]), 'L1', 'change')).toBe('modify');
    expect(assetLineAction(known, 1, configured([internet(1000), security(), router(0)]), 'L1', 'change')).toBe('modify');
    // Not known: as before (only the line's quantity and selections count).
    const unknown = lineOf(assetOf(installed, { unknown: true }));
    expect(assetLineAction(unknown, 1, configured([internet(100, 3), security(0), router(1)]), 'L1', 'change')).toBe('no-change');
    expect(assetLineAction(unknown, 2, configured([internet(), security(), router(0)]), 'L1', 'change')).toBe('modify');
    // A renewal's line is modify anyway.
    expect(assetLineAction(known, 1, configured([internet(), security(), router(0)]), 'L1', 'renewal')).toBe('modify');
  });

  it('an option added pays its one-time charges on the change; the options as they were pay none again', () => {
    const installed = [internet(), router(1)];
    const now = [internet(), router(1), security()];
    const result = priceChange(bundle(now), [modify(assetOf(installed), now)], change);
    expect(oneTime(result)).toEqual([['security-addon', 'activation', unitPrice(bundle(now), 'security-addon', 'activation')]]);
    expect(result.change.lines[0]!.charges.find((c) => c.charge === 'activation')!.reason).toMatch(/^option security-addon added \(1 unit\): 1 charged: the one-time charge at /);
    expect(result.totals.oneTime).toBe(unitPrice(bundle(now), 'security-addon', 'activation'));
    // The order installs it with the new recurring charges (and the asset's next change finds it paid).
    expect(result.lines[0]!.charges.filter((c) => c.chargeType === 'one-time').map((c) => [c.option, c.charge, c.quantity])).toEqual([['security-addon', 'activation', 1]]);
  });

  it('more units of an option pay the one-time charges of the added units only', () => {
    const installed = [internet(100, 2), security()];
    const now = [internet(100, 3), security()];
    const priced = bundle(now);
    const result = priceChange(priced, [modify(assetOf(installed), now)], change);
    const installation = unitPrice(priced, 'business-internet', 'installation');
    expect(Number(installation)).toBeGreaterThan(0);
    expect(oneTime(result)).toEqual([['business-internet', 'installation', installation]]);
    expect(result.change.lines[0]!.charges.find((c) => c.charge === 'installation')!.reason).toMatch(/^option business-internet: 1 unit added \(2 -> 3\)/);
    // Its monthly fee has the delta of one unit; the other option and the line's own charges none.
    const recurring = result.change.lines[0]!.charges.filter((c) => c.chargeType === 'recurring' && c.periodDelta !== '0.00').map((c) => [c.option, c.charge]);
    expect(recurring).toEqual([['business-internet', 'monthly-fee']]);
    // The line doubled with the option as it was: the option's units double too (2 -> 4), two installations.
    const doubled = priceChange(bundle(installed, 2), [modify(assetOf(installed), installed)], change);
    expect(oneTime(doubled).filter(([option]) => option === 'business-internet')).toEqual([['business-internet', 'installation', (Number(installation) * 2).toFixed(2)]]);
    // Fewer units, or an option removed: nothing is charged (nor refunded).
    expect(oneTime(priceChange(bundle([internet(100, 2)]), [modify(assetOf(now), [internet(100, 2)])], change))).toEqual([]);
  });

  it('options not known on either side: one-time charges count by the line\'s quantity alone, as before', () => {
    const installed = [internet(), router(1)];
    const now = [internet(), router(1), security()];
    // The asset's options are not known: the added option's activation is not charged (the line's quantity did not change).
    expect(oneTime(priceChange(bundle(now), [modify(assetOf(installed, { unknown: true }), now)], change))).toEqual([]);
    // The line's options are not given: the same.
    expect(oneTime(priceChange(bundle(now), [modify(assetOf(installed), null)], change))).toEqual([]);
    expect(unitsOf('security-addon', { children: null }, { quantity: 1, options: asOptions(installed) }, 2)).toEqual({ before: 1, now: 2, of: 'line' });
    // The line's quantity up: every one-time charge for the added line units, as before.
    const twice = priceChange(bundle(now, 2), [modify(assetOf(installed, { unknown: true }), now)], change);
    expect(oneTime(twice).map(([option, charge]) => [option, charge])).toEqual([[null, 'setup'], ['business-internet', 'installation'], ['security-addon', 'activation']]);
  });

  it('a renewal charges no one-time charge, an option added or not', () => {
    const installed = [internet(), router(1)];
    const now = [internet(100, 3), router(1), security()];
    const renewal = priceChange(bundle(now), [modify(assetOf(installed), now)], { basis: 'renewal', changeDate: '2027-12-01', termMonths: 12 });
    expect(oneTime(renewal)).toEqual([]);
  });
});
