import { createReleaseView, type MetadataItem } from '@cpq/metadata';
import { sampleCatalog } from '@cpq/metadata/samples';
import { describe, expect, it } from 'vitest';
import { configure } from '../configuration';
import { price, type PriceResult } from '../pricing';
import { priceChange, type Baseline } from './change-pricing';
import { replayOn, type ReplayLine, type ReplayQuote } from './impact-replay';
import { pricedOptions } from './quote.line-options';

// The impact replay prices a change quote's line as the line is configured again under the
// candidate (its normalized children), so the change pricing must count the same options: a
// candidate that adds a bundle option with a default above 0 adds it to the line, and its one-time
// charge is what a real re-price charges (before: the stored children, without the option, were
// passed, the option counted 0 units now and its one-time charge was left out of the replay).
// Pure: the configurator, the pricing core and the change pricing on two sample releases.

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- catalog content edited in place

/** The sample release with the SD-WAN bundle edited; the security add-on given a one-time activation (80.00 list). */
const release = (id: string, bundle: (content: Json) => void) => createReleaseView({ releaseId: id, releaseNumber: 1, contentHash: id }, sampleCatalog().map((i) => {
  const item = structuredClone(i) as MetadataItem & { content: Json };
  if (item.kind === 'bundle' && item.key === 'sd-wan-bundle') bundle(item.content);
  if (item.kind === 'product-offering' && item.key === 'security-addon') item.content.charges.push({ key: 'activation', name: 'Activation', type: 'one-time' });
  if (item.kind === 'price-book' && item.key === 'eur-list') item.content.entries.push({ offering: 'security-addon', charge: 'activation', type: 'flat', price: '80.00' });
  return { ...item, contentHash: `${id}-${item.key}` };
}));
/** The quote's release: the bundle has no security option. The candidate adds it, one by default. */
const pinned = release('pinned', (c) => { c.options = c.options.filter((o: Json) => o.offering !== 'security-addon'); });
const candidate = release('candidate', (c) => { c.options.find((o: Json) => o.offering === 'security-addon').defaultQuantity = 1; });

const quote: ReplayQuote = { accountId: 'acct-1', currency: 'EUR', termMonths: 12, segment: 'enterprise', channel: 'direct' };
const context = { quantity: 1, termMonths: 12, quoteOfferings: [], segment: 'enterprise', channel: 'direct' };
const internet = (quantity: number) => ({ offering: 'business-internet', quantity, selections: { access: 'fiber', bandwidth: 100, slaTier: 'standard', staticIps: 0 } });
const configured = (view: typeof pinned, children: { offering: string; quantity: number; selections: Record<string, unknown> }[]) => {
  const result = configure(view, { offering: 'sd-wan', selections: { sites: 2 }, children, context });
  expect(result.valid, JSON.stringify(result.violations)).toBe(true);
  return result;
};
const priceOn = (view: typeof pinned, children: ReturnType<typeof configured>['normalized']['children'], pricingDate: string): PriceResult => price(view, {
  currency: 'EUR', pricingDate, termMonths: 12, customer: { accountId: 'acct-1', segment: 'enterprise', channel: 'direct' },
  lines: [{ lineId: 'L1', offering: 'sd-wan', quantity: 1, characteristics: { sites: 2 }, ...pricedOptions(children) }],
});

describe('impact replay of a change quote: the line\'s options as configured under the candidate', () => {
  // The asset: two internet sites and the default routers, installed under the quote's release.
  const installed = configured(pinned, [internet(2)]).normalized.children;
  const installedPrice = priceOn(pinned, installed, '2027-01-01');
  const baseline: Baseline = {
    offering: 'sd-wan', quantity: 1, selections: { sites: 2 }, currency: 'EUR', version: 1, termMonths: 12, termStart: '2027-01-01', termEnd: '2028-01-01',
    charges: installedPrice.lines[0]!.charges.map((c) => ({
      charge: c.charge, ...(c.option !== undefined ? { option: c.option } : {}), chargeType: c.chargeType, ...(c.period ? { period: c.period } : {}),
      quantity: c.quantity, unitNetPrice: c.unitNetPrice, lineNet: c.lineNet,
    })),
    options: installed,
  };
  // The change quote: a third internet site, priced under the quote's release (its stored result).
  const line = configured(pinned, [internet(3)]);
  const change = { basis: 'change' as const, changeDate: '2027-07-02', termMonths: 12 };
  const changeLine = (children: typeof installed) => ({ lineId: 'L1', offering: 'sd-wan', action: 'modify' as const, assetId: 'a-1', assetVersion: 1, baseline, children });
  const stored = priceChange(priceOn(pinned, line.normalized.children, change.changeDate), [changeLine(line.normalized.children)], change);
  const row: ReplayLine = {
    lineId: 'L1', offering: 'sd-wan', quantity: 1, selections: { sites: 2 }, manualDiscount: null, configuration: line,
    action: 'modify', assetId: 'a-1', assetVersion: 1, baseline,
  };

  it('the case this guards: the stored line has no security option, the candidate configures it at 1', () => {
    expect(line.normalized.children.map((c) => c.offering)).not.toContain('security-addon');
    const again = configured(candidate, line.normalized.children).normalized.children;
    expect(again.find((c) => c.offering === 'security-addon')?.quantity).toBe(1);
  });

  it('the option the candidate adds pays its one-time charge in the replay, as a re-price under the candidate does', () => {
    const { invalidLines, after } = replayOn(candidate, quote, 'change', [row], stored);
    expect(invalidLines).toEqual([]);
    // The price command on the line configured under the candidate: the same figure, charge by charge.
    const children = configured(candidate, line.normalized.children).normalized.children;
    const core = priceOn(candidate, children, stored.pricingDate);
    const activation = core.lines[0]!.charges.find((c) => c.option === 'security-addon' && c.charge === 'activation')!.unitNetPrice;
    expect(Number(activation)).toBeGreaterThan(0);
    const charges = (after as ReturnType<typeof priceChange>).change.lines[0]!.charges;
    expect(charges.find((c) => c.option === 'security-addon' && c.charge === 'activation')).toMatchObject({
      chargeType: 'one-time', lineNet: activation, termDelta: activation, reason: expect.stringMatching(/^option security-addon added \(1 unit\): 1 charged/),
    });
    const repriced = priceChange(core, [changeLine(children)], change);
    expect(after.totals).toEqual(repriced.totals);
    expect((after as ReturnType<typeof priceChange>).change).toEqual(repriced.change);
    // The third site's installation and the activation: what the stored result charged once plus the activation.
    expect(Number(after.totals.oneTime)).toBeCloseTo(Number(stored.totals.oneTime) + Number(activation), 2);
  });
});
