import {
  compileFeel,
  createReleaseView,
  validateReleaseSet,
  type DiscountScheduleContent,
  type MetadataItem,
  type PriceBookContent,
  type PriceBookEntry,
  type PricingRule,
  type PricingRuleSetContent,
  type ProductOfferingContent,
  type ProductSpecificationContent,
} from '@cpq/metadata';
import { sampleCatalog } from '@cpq/metadata/samples';
import { describe, expect, it } from 'vitest';
import {
  hashResult,
  preparePricing,
  price,
  PricingInputError,
  replayTrace,
  TraceReplayError,
  type PriceResult,
  type PricedChargeView,
  type PricingInput,
  type PricingLineInput,
} from './index';
import { divRound, formatFixed, parseFixed } from './pricing-engine';

// --- a small synthetic catalog ---------------------------------------------------------------------
//
// `box` (spec) has `speed` (integer 0..1000) and `tier` (enum). Offerings:
// - widget: setup (one-time), fee (monthly), care (annual); flat prices;
// - by-attr: fee priced by speed ranges and by-tier: fee priced by tier values;
// - slab / range: seat (monthly) with tiers 1-10 at 10.00, 11-20 at 8.00, 21-30 at 5.00 (last closed);
// - orphan: a charge no price book prices.

const item = <C>(kind: MetadataItem['kind'], key: string, content: C): MetadataItem => ({ kind, key, content });

const spec: ProductSpecificationContent = {
  name: 'Box',
  characteristics: [
    { key: 'speed', name: 'Speed', valueType: 'integer', required: true, range: { min: 0, max: 1000 } },
    { key: 'tier', name: 'Tier', valueType: 'enum', required: false, values: [{ value: 'gold', label: 'Gold' }, { value: 'silver', label: 'Silver' }] },
  ],
};

const offering = (name: string, charges: ProductOfferingContent['charges']): ProductOfferingContent => ({
  name,
  specification: 'box',
  status: 'active',
  validFrom: '2025-01-01',
  channels: ['direct', 'partner'],
  segments: ['enterprise', 'smb'],
  charges,
});

const OFFERINGS: Record<string, ProductOfferingContent> = {
  widget: offering('Widget', [
    { key: 'setup', name: 'Setup', type: 'one-time' },
    { key: 'fee', name: 'Fee', type: 'recurring', period: 'monthly' },
    { key: 'care', name: 'Care', type: 'recurring', period: 'annual' },
  ]),
  'by-attr': offering('By attribute', [{ key: 'fee', name: 'Fee', type: 'recurring', period: 'monthly' }]),
  'by-tier': offering('By tier', [{ key: 'fee', name: 'Fee', type: 'recurring', period: 'monthly' }]),
  slab: offering('Slab', [{ key: 'seat', name: 'Seat', type: 'recurring', period: 'monthly' }]),
  range: offering('Range', [{ key: 'seat', name: 'Seat', type: 'recurring', period: 'monthly' }]),
  orphan: offering('Orphan', [{ key: 'fee', name: 'Fee', type: 'recurring', period: 'monthly' }]),
};

const TIERS = [
  { from: 1, to: 10, price: '10.00' },
  { from: 11, to: 20, price: '8.00' },
  { from: 21, to: 30, price: '5.00' },
];

const eurEntries = (widget = { setup: '100.00', fee: '100.00', care: '120.00' }): PriceBookEntry[] => [
  { offering: 'widget', charge: 'setup', type: 'flat', price: widget.setup },
  { offering: 'widget', charge: 'fee', type: 'flat', price: widget.fee },
  { offering: 'widget', charge: 'care', type: 'flat', price: widget.care },
  {
    offering: 'by-attr',
    charge: 'fee',
    type: 'attribute',
    characteristic: 'speed',
    rows: [
      { min: 0, max: 100, price: '20.00' },
      { min: 101, max: 500, price: '40.00' },
    ],
  },
  {
    offering: 'by-tier',
    charge: 'fee',
    type: 'attribute',
    characteristic: 'tier',
    rows: [
      { value: 'gold', price: '30.00' },
      { value: 'silver', price: '15.00' },
    ],
  },
  { offering: 'slab', charge: 'seat', type: 'tiered', mode: 'slab', tiers: TIERS },
  { offering: 'range', charge: 'seat', type: 'tiered', mode: 'range', tiers: TIERS },
];

const book = (currency: string, entries: PriceBookEntry[], validFrom = '2025-01-01', validTo?: string): PriceBookContent => ({
  name: `${currency} prices`,
  currency,
  validFrom,
  ...(validTo ? { validTo } : {}),
  entries,
});

const rule = (id: string, phase: PricingRule['phase'], action: PricingRule['action'], more: Partial<PricingRule> = {}): PricingRule => ({
  id,
  phase,
  condition: 'true',
  action,
  priority: 10,
  order: 1,
  stacking: 'stack',
  ...more,
});

const rules = (list: PricingRule[], priceBooks?: string[]): PricingRuleSetContent => ({ name: 'Rules', ...(priceBooks ? { priceBooks } : {}), rules: list });

const HEADER = { releaseId: 'rel-1', releaseNumber: 7, contentHash: 'release-hash' };

/** The base catalog (spec, offerings, EUR book) plus `extra` items, as a release view. */
function release(...extra: MetadataItem[]) {
  const items = [item('product-specification', 'box', spec), ...Object.entries(OFFERINGS).map(([key, content]) => item('product-offering', key, content))];
  if (!extra.some((i) => i.kind === 'price-book')) items.push(item('price-book', 'eur', book('EUR', eurEntries())));
  items.push(...extra);
  return createReleaseView(HEADER, items.map((i) => ({ ...i, contentHash: `h-${i.key}` })));
}

const line = (offeringKey: string, quantity = 1, more: Partial<PricingLineInput> = {}): PricingLineInput => ({
  lineId: `l-${offeringKey}-${quantity}`,
  offering: offeringKey,
  quantity,
  characteristics: {},
  ...more,
});

const quote = (lines: PricingLineInput[], more: Partial<PricingInput> = {}): PricingInput => ({ currency: 'EUR', pricingDate: '2026-03-01', lines, ...more });

const chargeOf = (result: PriceResult, charge: string, lineIndex = 0): PricedChargeView => {
  const found = result.lines[lineIndex]!.charges.find((c) => c.charge === charge);
  if (!found) throw new Error(`no charge ${charge}`);
  return found;
};

const unitNet = (view: ReturnType<typeof release>, input: PricingInput, charge = 'fee') => chargeOf(price(view, input), charge).unitNetPrice;

const ruleIds = (charge: PricedChargeView) => charge.trace.flatMap((s) => (s.source.kind === 'pricing-rule-set' ? [s.source.ruleId] : []));

function inputError(run: () => unknown): { code: string; field: string } {
  try {
    run();
  } catch (err) {
    if (err instanceof PricingInputError) return { code: err.code, field: err.field };
    throw err;
  }
  throw new Error('no PricingInputError');
}

// --- tests -------------------------------------------------------------------------------------------

describe('the test catalog', () => {
  it('is a valid release (so the engine is tested on what publish lets through)', async () => {
    const items: MetadataItem[] = [
      item('product-specification', 'box', spec),
      ...Object.entries(OFFERINGS).map(([key, content]) => item('product-offering', key, content)),
      item('price-book', 'eur', book('EUR', eurEntries())),
      item('price-book', 'jpy', book('JPY', [{ offering: 'widget', charge: 'fee', type: 'flat', price: '101' }])),
      item('price-book', 'kwd', book('KWD', [{ offering: 'widget', charge: 'fee', type: 'flat', price: '1.001' }])),
    ];
    expect(await validateReleaseSet(items, { compileFeel })).toEqual([]);
  });
});

describe('list prices', () => {
  it.each([
    ['validFrom is inclusive', '2026-01-01', 'eur-2026', '90.00'],
    ['validTo is exclusive', '2025-12-31', 'eur-2025', '100.00'],
  ])('given two EUR books, when pricing on a date (%s), then the book valid that day prices', (_label, pricingDate, key, expected) => {
    const view = release(
      item('price-book', 'eur-2025', book('EUR', eurEntries(), '2025-01-01', '2026-01-01')),
      item('price-book', 'eur-2026', book('EUR', eurEntries({ setup: '90.00', fee: '90.00', care: '90.00' }), '2026-01-01')),
    );
    const result = price(view, quote([line('widget')], { pricingDate }));
    expect(result.versions.priceBooks).toEqual([{ key, contentHash: `h-${key}` }]);
    expect(chargeOf(result, 'fee').unitListPrice).toBe(expected);
  });

  it('given two books valid the same day, then the latest validFrom wins', () => {
    const view = release(
      item('price-book', 'eur-old', book('EUR', eurEntries(), '2025-01-01')),
      item('price-book', 'eur-new', book('EUR', eurEntries({ setup: '1.00', fee: '2.00', care: '3.00' }), '2026-02-01')),
    );
    expect(unitNet(view, quote([line('widget')]))).toBe('2.00');
  });

  it.each([
    ['a lower bound', 0, '20.00'],
    ['an upper bound', 100, '20.00'],
    ['the next row', 101, '40.00'],
    ['the last bound', 500, '40.00'],
  ])('given a price by speed ranges (inclusive), when speed is %s (%d), then the row covering it prices', (_label, speed, expected) => {
    expect(unitNet(release(), quote([line('by-attr', 1, { characteristics: { speed } })]))).toBe(expected);
  });

  it.each([
    ['gold', '30.00'],
    ['silver', '15.00'],
  ])('given a price by tier value, when tier is %s, then that row prices', (tier, expected) => {
    expect(unitNet(release(), quote([line('by-tier', 1, { characteristics: { tier } })]))).toBe(expected);
  });

  it.each([
    ['outside every range', 'by-attr', { speed: 501 }, 'lines[0].characteristics.speed'],
    ['missing', 'by-attr', {}, 'lines[0].characteristics.speed'],
    ['a value no row has', 'by-tier', { tier: 'bronze' }, 'lines[0].characteristics.tier'],
  ])('given an attribute price, when the value is %s, then no-price names the characteristic', (_label, offeringKey, characteristics, field) => {
    expect(inputError(() => price(release(), quote([line(offeringKey, 1, { characteristics })])))).toEqual({ code: 'no-price', field });
  });

  // Tiers 1-10 at 10.00, 11-20 at 8.00, 21-30 at 5.00.
  // slab: each unit at the tier it falls in; unit list price = slab sum / quantity.
  // range: every unit at the tier the whole quantity falls in.
  it.each([
    ['slab', 1, '10.00', '10.00', '10.00'],
    ['slab', 10, '10.00', '10.00', '100.00'],
    ['slab', 11, '9.81818182', '9.82', '108.02'], // sum 108.00; unit rounded after the waterfall (README)
    ['slab', 20, '9.00', '9.00', '180.00'],
    ['slab', 21, '8.80952381', '8.81', '185.01'], // sum 185.00
    ['slab', 30, '7.66666667', '7.67', '230.10'], // sum 230.00
    ['range', 1, '10.00', '10.00', '10.00'],
    ['range', 10, '10.00', '10.00', '100.00'],
    ['range', 11, '8.00', '8.00', '88.00'],
    ['range', 20, '8.00', '8.00', '160.00'],
    ['range', 21, '5.00', '5.00', '105.00'],
    ['range', 30, '5.00', '5.00', '150.00'],
  ])('given %s tiers, when the quantity is %d, then unit list %s, unit net %s, line %s', (mode, quantity, list, net, lineNet) => {
    const seat = chargeOf(price(release(), quote([line(mode, quantity)])), 'seat');
    expect([seat.unitListPrice, seat.unitNetPrice, seat.lineNet]).toEqual([list, net, lineNet]);
    expect(seat.trace[0]!.reason).toContain(mode === 'slab' ? 'slab tiers' : 'range tiers');
  });

  it('given slab tiers, then the list step spells out the units per tier', () => {
    const seat = chargeOf(price(release(), quote([line('slab', 21)])), 'seat');
    expect(seat.trace[0]!.reason).toContain('10 x 1-10 at 10.00 + 10 x 11-20 at 8.00 + 1 x 21-30 at 5.00 = 185.00 for 21 units');
  });

  it.each(['slab', 'range'])('given %s tiers whose last tier is closed, when the quantity is above it, then no-price names the quantity', (mode) => {
    expect(inputError(() => price(release(), quote([line(mode, 31)])))).toEqual({ code: 'no-price', field: 'lines[0].quantity' });
  });
});

describe('rounding: half-up to the currency decimals, once, after the floor phase', () => {
  const singleCharge = (currency: string, listPrice: string) =>
    release(
      item('price-book', 'b', book(currency, [
        { offering: 'by-tier', charge: 'fee', type: 'flat', price: listPrice },
        { offering: 'slab', charge: 'seat', type: 'flat', price: listPrice },
      ])),
    );

  it.each([
    // currency, list, manual %, amount before rounding, unit net (half-even would give the value in the comment)
    ['EUR', '10.01', '50', '5.005', '5.01'], // half-even: 5.00
    ['EUR', '10.03', '50', '5.015', '5.02'], // half-even: 5.02
    ['EUR', '0.01', '50', '0.005', '0.01'], // half-even: 0.00
    ['EUR', '10.00', '0.05', '9.995', '10.00'],
    ['EUR', '10.00', '0.04', '9.996', '10.00'],
    ['EUR', '10.00', '0.06', '9.994', '9.99'],
    ['JPY', '101', '50', '50.5', '51'], // half-even: 50
    ['JPY', '3', '50', '1.5', '2'], // half-even: 2
    ['JPY', '1001', '10', '900.9', '901'],
    ['JPY', '1001', '0.04', '1000.5996', '1001'],
    ['KWD', '1.001', '50', '0.5005', '0.501'], // half-even: 0.500
    ['KWD', '0.003', '50', '0.0015', '0.002'], // half-even: 0.002
    ['KWD', '2.500', '10', '2.250', '2.250'], // already at 3 decimals: no rounding step
  ])('given %s at %s less %s%%, then %s rounds to %s', (currency, listPrice, percent, before, rounded) => {
    const view = singleCharge(currency, listPrice);
    const fee = chargeOf(
      price(view, quote([line('by-tier', 1, { manualDiscount: { percent, actor: 'ann', reason: 'test', authority: 'rep' } })], { currency })),
      'fee',
    );
    expect(fee.unitNetPrice).toBe(rounded);
    const last = fee.trace.at(-1)!;
    if (before !== rounded) {
      expect(last).toMatchObject({ phase: 'rounding', amountIn: before, amountOut: rounded, source: { kind: 'rounding', key: currency } });
      expect(last.operation).toEqual({ type: 'round', value: currency === 'JPY' ? '0' : currency === 'KWD' ? '3' : '2', mode: 'half-up' });
    } else {
      expect(last).toMatchObject({ phase: 'manual', amountOut: rounded });
    }
    expect(replayTrace(fee)).toBe(rounded);
  });

  it.each([
    ['EUR', '6.66666667'],
    ['JPY', '6.666667'],
    ['KWD', '6.666666667'],
  ])('given %s, then intermediate amounts keep the currency decimals + 6, half-up (%s)', (currency, intermediate) => {
    const view = singleCharge(currency, currency === 'JPY' ? '10' : '10.00');
    const manualDiscount = { percent: '33.33333333', actor: 'ann', reason: 'test', authority: 'rep' };
    const fee = chargeOf(price(view, quote([line('by-tier', 1, { manualDiscount })], { currency })), 'fee');
    expect(fee.trace.map((s) => s.amountOut)).toEqual([currency === 'JPY' ? '10' : currency === 'KWD' ? '10.000' : '10.00', intermediate, currency === 'JPY' ? '7' : currency === 'KWD' ? '6.667' : '6.67']);
    expect(replayTrace(fee)).toBe(fee.unitNetPrice);
  });

  it.each([
    ['JPY', '1000', 3, '3000'],
    ['KWD', '1.250', 3, '3.750'],
    ['EUR', '9.99', 3, '29.97'],
  ])('given a %s price, then amounts carry exactly the currency decimals', (currency, listPrice, quantity, lineNet) => {
    const result = price(singleCharge(currency, listPrice), quote([line('slab', quantity)], { currency, termMonths: 12 }));
    const seat = chargeOf(result, 'seat');
    expect([seat.unitListPrice, seat.unitNetPrice, seat.lineNet]).toEqual([listPrice, listPrice, lineNet]);
    expect(result.totals.monthly).toBe(lineNet);
    expect(result.rounding).toEqual({ mode: 'half-up', decimals: currency === 'JPY' ? 0 : currency === 'KWD' ? 3 : 2 });
  });

  it('given an annual charge and a term that is not whole years, then the term total is rounded half-up', () => {
    const view = release(item('price-book', 'eur', book('EUR', eurEntries({ setup: '0.00', fee: '0.00', care: '100.01' }))));
    const care = chargeOf(price(view, quote([line('widget')], { termMonths: 18 })), 'care');
    expect(care.termTotal).toBe('150.02'); // 100.01 x 18 / 12 = 150.015
  });

  it('given a JPY amount with decimals in a manual discount, then it is refused', () => {
    const view = singleCharge('JPY', '1000');
    const manualDiscount = { amount: '10.5', actor: 'ann', reason: 'x', authority: 'rep' };
    expect(inputError(() => price(view, quote([line('by-tier', 1, { manualDiscount })], { currency: 'JPY' })))).toEqual({
      code: 'invalid-manual-discount',
      field: 'lines[0].manualDiscount.amount',
    });
  });
});

describe('fixed-point arithmetic', () => {
  it.each([
    [5n, 2n, 'half-up', 3n],
    [5n, 2n, 'half-even', 2n],
    [7n, 2n, 'half-even', 4n],
    [-5n, 2n, 'half-up', -3n],
    [-5n, 2n, 'half-even', -2n],
    [14n, 10n, 'half-up', 1n],
    [16n, 10n, 'half-even', 2n],
    [0n, 7n, 'half-up', 0n],
  ] as const)('divRound(%s, %s, %s) = %s', (n, d, mode, expected) => {
    expect(divRound(n, d, mode)).toBe(expected);
  });

  it.each([
    ['49.90', 8, 4990000000n, '49.90'],
    ['0', 8, 0n, '0.00'],
    ['1234', 6, 1234000000n, '1234'],
    ['0.12345678', 2, 12n, '0.12'],
    ['0.125', 2, 13n, '0.13'],
  ])('parses %s at scale %d and writes it back', (text, scale, units, shown) => {
    expect(parseFixed(text, scale)).toBe(units);
    expect(formatFixed(units, scale, scale === 6 ? 0 : 2)).toBe(shown);
  });

  it('writes negative adjustments and keeps the decimals an amount has', () => {
    expect(formatFixed(-495000000n, 8, 2)).toBe('-4.95');
    expect(formatFixed(282150000n, 8, 2)).toBe('2.8215');
    expect(formatFixed(-1n, 8, 2)).toBe('-0.00000001');
  });
});

describe('the waterfall', () => {
  it('given rules declared out of order, then they apply by phase (list, customer, volume-term, manual, floor), then by order', () => {
    const view = release(
      item(
        'pricing-rule-set',
        'rs',
        rules([
          rule('floor', 'floor', { type: 'floor', value: '1.00', currency: 'EUR' }),
          rule('manual-cut', 'manual', { type: 'percent-discount', value: '1' }),
          rule('volume', 'volume-term', { type: 'percent-discount', value: '1' }),
          rule('customer-b', 'customer', { type: 'percent-discount', value: '1' }, { order: 2 }),
          rule('customer-a', 'customer', { type: 'percent-discount', value: '1' }, { order: 1 }),
          rule('list', 'list', { type: 'markup', value: '1' }),
        ]),
      ),
    );
    const fee = chargeOf(price(view, quote([line('widget')])), 'fee');
    expect(ruleIds(fee)).toEqual(['list', 'customer-a', 'customer-b', 'volume', 'manual-cut', 'floor']);
    expect(fee.trace.map((s) => s.phase)).toEqual(['list', 'list', 'customer', 'customer', 'volume-term', 'manual', 'floor', 'rounding']);
    expect(replayTrace(fee)).toBe(fee.unitNetPrice);
  });

  it.each([
    // every action kind on a list price of 100.00
    ['percent-discount', { type: 'percent-discount', value: '12.5' }, '87.50'],
    ['markup', { type: 'markup', value: '7' }, '107.00'],
    ['amount-discount', { type: 'amount-discount', value: '15.25', currency: 'EUR' }, '84.75'],
    ['amount-discount beyond the price stops at zero', { type: 'amount-discount', value: '150.00', currency: 'EUR' }, '0.00'],
    ['override', { type: 'override', value: '42.00', currency: 'EUR' }, '42.00'],
    ['100 % discount', { type: 'percent-discount', value: '100' }, '0.00'],
  ] as const)('given a %s rule, then the unit net price follows', (_label, action, expected) => {
    const view = release(item('pricing-rule-set', 'rs', rules([rule('r', 'customer', { ...action })])));
    expect(unitNet(view, quote([line('widget')]))).toBe(expected);
  });

  it('given stack rules, then every one applies on top of the previous, in order (order changes the result)', () => {
    const pct = { type: 'percent-discount', value: '10' } as const;
    const amt = { type: 'amount-discount', value: '5.00', currency: 'EUR' } as const;
    const percentFirst = release(item('pricing-rule-set', 'rs', rules([rule('pct', 'customer', pct, { order: 1 }), rule('amt', 'customer', amt, { order: 2 })])));
    const amountFirst = release(item('pricing-rule-set', 'rs', rules([rule('pct', 'customer', pct, { order: 2 }), rule('amt', 'customer', amt, { order: 1 })])));
    expect(unitNet(percentFirst, quote([line('widget')]))).toBe('85.00'); // 100 x 0.9 - 5
    expect(unitNet(amountFirst, quote([line('widget')]))).toBe('85.50'); // (100 - 5) x 0.9
  });

  it.each([
    ['the highest priority wins', [10, 20], 'ex-2'],
    ['on equal priority, the first in order wins', [10, 10], 'ex-1'],
  ])('given several exclusive rules matching, %s and the phase\'s other rules are skipped', (_label, [p1, p2], winner) => {
    const view = release(
      item(
        'pricing-rule-set',
        'rs',
        rules([
          rule('ex-1', 'customer', { type: 'percent-discount', value: '10' }, { stacking: 'exclusive', priority: p1, order: 1 }),
          rule('ex-2', 'customer', { type: 'percent-discount', value: '20' }, { stacking: 'exclusive', priority: p2, order: 2 }),
          rule('st', 'customer', { type: 'percent-discount', value: '5' }, { order: 3 }),
          rule('bp', 'customer', { type: 'percent-discount', value: '50' }, { stacking: 'best-price', order: 4 }),
          rule('other-phase', 'volume-term', { type: 'percent-discount', value: '1' }),
        ]),
      ),
    );
    const fee = chargeOf(price(view, quote([line('widget')])), 'fee');
    expect(ruleIds(fee)).toEqual([winner, 'other-phase']);
    expect(fee.skipped.map((s) => (s.source.kind === 'pricing-rule-set' ? s.source.ruleId : '')).sort()).toEqual(['bp', 'ex-1', 'ex-2', 'st'].filter((id) => id !== winner));
    expect(fee.skipped[0]!.reason).toContain(`exclusive rule ${winner}`);
  });

  it.each([
    ['10 % beats 15.00 off on 200.00', '200.00', 'pct', '180.00'],
    ['15.00 off beats 10 % on 100.00', '100.00', 'amt', '85.00'],
  ])('given several best-price rules matching, %s: only the lowest price applies', (_label, fee, winner, expected) => {
    const view = release(
      item('price-book', 'eur', book('EUR', eurEntries({ setup: '1.00', fee, care: '1.00' }))),
      item(
        'pricing-rule-set',
        'rs',
        rules([
          rule('pct', 'customer', { type: 'percent-discount', value: '10' }, { stacking: 'best-price', order: 1 }),
          rule('amt', 'customer', { type: 'amount-discount', value: '15.00', currency: 'EUR' }, { stacking: 'best-price', order: 2 }),
        ]),
      ),
    );
    const charge = chargeOf(price(view, quote([line('widget')])), 'fee');
    expect(ruleIds(charge)).toEqual([winner]);
    expect(charge.unitNetPrice).toBe(expected);
    expect(charge.skipped).toHaveLength(1);
    expect(charge.skipped[0]!.reason).toContain(`rule ${winner} gives`);
  });

  it('given best-price and stack rules matching together, then the stack rules and the best of the best-price rules apply, in order', () => {
    const view = release(
      item(
        'pricing-rule-set',
        'rs',
        rules([
          rule('st-1', 'customer', { type: 'percent-discount', value: '10' }, { order: 1 }),
          rule('bp-small', 'customer', { type: 'percent-discount', value: '5' }, { stacking: 'best-price', order: 2 }),
          rule('bp-big', 'customer', { type: 'percent-discount', value: '20' }, { stacking: 'best-price', order: 3 }),
          rule('st-2', 'customer', { type: 'amount-discount', value: '1.00', currency: 'EUR' }, { order: 4 }),
        ]),
      ),
    );
    const fee = chargeOf(price(view, quote([line('widget')])), 'fee');
    expect(ruleIds(fee)).toEqual(['st-1', 'bp-big', 'st-2']);
    expect(fee.unitNetPrice).toBe('71.00'); // 100 x 0.9 x 0.8 - 1
  });

  it('given equal best prices, then the higher priority, then the earlier order wins', () => {
    const view = release(
      item(
        'pricing-rule-set',
        'rs',
        rules([
          rule('a', 'customer', { type: 'percent-discount', value: '10' }, { stacking: 'best-price', order: 1, priority: 1 }),
          rule('b', 'customer', { type: 'amount-discount', value: '10.00', currency: 'EUR' }, { stacking: 'best-price', order: 2, priority: 5 }),
          rule('c', 'customer', { type: 'override', value: '90.00', currency: 'EUR' }, { stacking: 'best-price', order: 3, priority: 5 }),
        ]),
      ),
    );
    expect(ruleIds(chargeOf(price(view, quote([line('widget')])), 'fee'))).toEqual(['b']);
  });

  it('given conditions, scopes and currencies, then only the rules that match the line apply', () => {
    const view = release(
      item(
        'pricing-rule-set',
        'rs',
        rules([
          rule('enterprise', 'customer', { type: 'percent-discount', value: '10' }, { condition: 'segment = "enterprise"', order: 1 }),
          rule('smb', 'customer', { type: 'percent-discount', value: '20' }, { condition: 'segment = "smb"', order: 2 }),
          rule('fee-only', 'customer', { type: 'percent-discount', value: '1' }, { order: 3, scope: { charges: ['fee'] } }),
          rule('other-offering', 'customer', { type: 'percent-discount', value: '1' }, { order: 4, scope: { offerings: ['slab'] } }),
          rule('usd', 'customer', { type: 'amount-discount', value: '1.00', currency: 'USD' }, { order: 5 }),
          rule('many', 'volume-term', { type: 'percent-discount', value: '5' }, { condition: 'quantity >= 10 and charge = "fee" and chargeType = "recurring"' }),
          rule('fast', 'manual', { type: 'markup', value: '50' }, { condition: 'speed > 100 and offering = "widget"' }),
        ]),
      ),
    );
    const result = price(view, quote([line('widget', 10, { characteristics: { speed: 200 } })], { customer: { segment: 'enterprise' } }));
    expect(ruleIds(chargeOf(result, 'fee'))).toEqual(['enterprise', 'fee-only', 'many', 'fast']);
    expect(ruleIds(chargeOf(result, 'setup'))).toEqual(['enterprise', 'fast']);
    expect(result.versions.ruleSets).toEqual([{ key: 'rs', contentHash: 'h-rs' }]);
  });

  it('given characteristics named like the engine\'s context names, then the engine\'s values win; __proto__ is never copied', () => {
    const view = release(item('pricing-rule-set', 'rs', rules([rule('q', 'customer', { type: 'percent-discount', value: '10' }, { condition: 'quantity = 1 and speed = 5' })])));
    const characteristics = JSON.parse('{"quantity": 99, "speed": 5, "__proto__": {"polluted": true}}') as Record<string, unknown>;
    const fee = chargeOf(price(view, quote([line('widget', 1, { characteristics })])), 'fee');
    expect(ruleIds(fee)).toEqual(['q']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('given a rule set bound to another price book, then its rules do not apply', () => {
    const view = release(
      item('price-book', 'eur', book('EUR', eurEntries())),
      item('pricing-rule-set', 'bound', rules([rule('r', 'customer', { type: 'percent-discount', value: '10' })], ['other-book'])),
    );
    const result = price(view, quote([line('widget')]));
    expect(chargeOf(result, 'fee').unitNetPrice).toBe('100.00');
    expect(result.versions.ruleSets).toEqual([]);
  });

  it('given a condition that does not compile, then the rule is skipped with the reason, never an error', () => {
    const view = release(item('pricing-rule-set', 'rs', rules([rule('broken', 'customer', { type: 'percent-discount', value: '10' }, { condition: 'quantity >' })])));
    const fee = chargeOf(price(view, quote([line('widget')])), 'fee');
    expect(fee.unitNetPrice).toBe('100.00');
    expect(fee.skipped[0]!.reason).toMatch(/^condition does not compile/);
  });
});

describe('discount schedules (volume-term phase, before its rules)', () => {
  const schedule = (basis: DiscountScheduleContent['basis'], offerings?: string[]): DiscountScheduleContent => ({
    name: `${basis} discounts`,
    basis,
    ...(offerings ? { offerings } : {}),
    tiers:
      basis === 'quantity'
        ? [
            { from: 1, to: 9, percent: '0' },
            { from: 10, to: 19, percent: '5' },
            { from: 20, percent: '10' },
          ]
        : [
            { from: 12, to: 23, percent: '2' },
            { from: 24, percent: '8' },
          ],
  });

  it.each([
    [9, '30.00'],
    [10, '28.50'],
    [19, '28.50'],
    [20, '27.00'],
  ])('given a quantity schedule, when the quantity is %d, then the unit net is %s', (quantity, expected) => {
    const view = release(item('discount-schedule', 'qty', schedule('quantity')));
    const fee = chargeOf(price(view, quote([line('by-tier', quantity, { characteristics: { tier: 'gold' } })])), 'fee');
    expect(fee.unitNetPrice).toBe(expected);
    expect(fee.trace.filter((s) => s.source.kind === 'discount-schedule')).toHaveLength(quantity >= 10 ? 1 : 0); // a 0 % tier adds no step
  });

  it.each([
    [undefined, '100.00'],
    [11, '100.00'],
    [12, '98.00'],
    [23, '98.00'],
    [24, '92.00'],
    [60, '92.00'],
  ])('given a term schedule, when the term is %s months, then the unit net is %s', (termMonths, expected) => {
    const view = release(item('discount-schedule', 'term', schedule('term')));
    expect(unitNet(view, quote([line('widget')], termMonths === undefined ? {} : { termMonths }))).toBe(expected);
  });

  it('given a schedule for other offerings, then it does not apply', () => {
    const view = release(item('discount-schedule', 'term', schedule('term', ['slab'])));
    const result = price(view, quote([line('widget')], { termMonths: 24 }));
    expect(chargeOf(result, 'fee').unitNetPrice).toBe('100.00');
    expect(result.versions.schedules).toEqual([{ key: 'term', contentHash: 'h-term' }]);
  });

  it('given a schedule and a rule in the volume-term phase, then the schedule applies first and the trace names its version', () => {
    const view = release(
      item('discount-schedule', 'term', schedule('term')),
      item('pricing-rule-set', 'rs', rules([rule('v', 'volume-term', { type: 'amount-discount', value: '2.00', currency: 'EUR' })])),
    );
    const fee = chargeOf(price(view, quote([line('widget')], { termMonths: 24 })), 'fee');
    expect(fee.trace.slice(1).map((s) => [s.source.kind, s.source.version, s.amountOut])).toEqual([
      ['discount-schedule', 'h-term', '92.00'],
      ['pricing-rule-set', 'h-rs', '90.00'],
    ]);
  });
});

describe('manual discounts and floors', () => {
  const manual = { actor: 'ann@example.com', reason: 'match competitor offer', authority: 'sales-manager' };

  it('given a manual discount, then it applies after the manual phase\'s rules and the trace carries actor, reason and authority', () => {
    const view = release(item('pricing-rule-set', 'rs', rules([rule('m', 'manual', { type: 'percent-discount', value: '10' })])));
    const fee = chargeOf(price(view, quote([line('widget', 1, { manualDiscount: { percent: '20', ...manual } })])), 'fee');
    const step = fee.trace.at(-1)!;
    expect(step).toMatchObject({ phase: 'manual', source: { kind: 'manual', key: 'l-widget-1', version: 'input', ...manual }, amountIn: '90.00', adjustment: '-18.00', amountOut: '72.00' });
    expect(step.reason).toBe('manual 20% discount by ann@example.com under sales-manager: match competitor offer');
  });

  it('given a manual amount scoped to one charge, then only that charge is discounted', () => {
    const result = price(release(), quote([line('widget', 1, { manualDiscount: { amount: '30.00', charges: ['care'], ...manual } })]));
    expect(['setup', 'fee', 'care'].map((c) => chargeOf(result, c).unitNetPrice)).toEqual(['100.00', '100.00', '90.00']);
  });

  const floorRule = (value: string, more: Partial<PricingRule> = {}) => rule(`floor-${value}`, 'floor', { type: 'floor', value, currency: 'EUR' }, more);

  it.each([
    ['reached: the discount is cut at the floor', '60.00', '50', '60.00', true, '10.00'],
    ['not reached: no change', '40.00', '50', '50.00', false, '0.00'],
    ['exactly at the floor: not reached', '50.00', '50', '50.00', false, '0.00'],
    ['above the list price: the price stops at list', '150.00', '50', '100.00', true, '50.00'],
  ])('given a floor %s', (_label, floor, percent, expected, reached, adjustment) => {
    const view = release(item('pricing-rule-set', 'rs', rules([floorRule(floor)])));
    const fee = chargeOf(price(view, quote([line('widget', 1, { manualDiscount: { percent, ...manual } })])), 'fee');
    expect(fee.unitNetPrice).toBe(expected);
    expect(fee.floorReached).toBe(reached);
    const step = fee.trace.at(-1)!;
    expect(step).toMatchObject({ phase: 'floor', operation: { type: 'floor', value: floor }, amountIn: '50.00', adjustment, amountOut: expected });
    expect(step.reason).toContain(reached ? 'reached, discounts cut at the floor' : 'not reached');
    expect(replayTrace(fee)).toBe(expected);
  });

  it('given several floors stacking, then the highest floor holds; exclusive, the highest priority alone', () => {
    const stacked = release(item('pricing-rule-set', 'rs', rules([floorRule('30.00', { order: 1 }), floorRule('60.00', { order: 2 })])));
    const exclusive = release(
      item(
        'pricing-rule-set',
        'rs',
        rules([floorRule('30.00', { order: 1, stacking: 'exclusive', priority: 9 }), floorRule('60.00', { order: 2, stacking: 'exclusive', priority: 1 })]),
      ),
    );
    const input = quote([line('widget', 1, { manualDiscount: { percent: '90', ...manual } })]);
    expect(unitNet(stacked, input)).toBe('60.00');
    expect(unitNet(exclusive, input)).toBe('30.00');
  });

  it('given the sample catalog, then the internet floor stops the monthly fee at 25.00', () => {
    const view = createReleaseView(HEADER, sampleCatalog().map((i) => ({ ...i, contentHash: `h-${i.key}` })));
    const result = price(view, {
      currency: 'EUR',
      pricingDate: '2026-03-01',
      termMonths: 36,
      customer: { segment: 'enterprise', channel: 'direct' },
      lines: [{ lineId: 'a', offering: 'business-internet', quantity: 10, characteristics: { bandwidth: 100 }, manualDiscount: { percent: '50', ...manual } }],
    });
    const fee = chargeOf(result, 'monthly-fee');
    // 49.00 -5 % = 46.55, term 10 % = 41.895, loyalty credit 2.50 = 39.395, manual 50 % = 19.6975, floor 25.00
    expect(fee.trace.map((s) => s.amountOut)).toEqual(['49.00', '46.55', '41.895', '39.395', '19.6975', '25.00']);
    expect(fee.floorReached).toBe(true);
    expect(chargeOf(result, 'installation').unitNetPrice).toBe('0.00'); // the free installation promo (term >= 24)
  });

  it.each([
    ['no actor', { percent: '10', reason: 'r', authority: 'a' }, 'lines[0].manualDiscount.actor'],
    ['both percent and amount', { percent: '10', amount: '1.00', actor: 'x', reason: 'r', authority: 'a' }, 'lines[0].manualDiscount'],
    ['a percent above 100', { percent: '100.5', actor: 'x', reason: 'r', authority: 'a' }, 'lines[0].manualDiscount.percent'],
    ['a negative amount', { amount: '-1', actor: 'x', reason: 'r', authority: 'a' }, 'lines[0].manualDiscount.amount'],
    ['an unknown charge', { percent: '1', actor: 'x', reason: 'r', authority: 'a', charges: ['nope'] }, 'lines[0].manualDiscount.charges[0]'],
  ])('given a manual discount with %s, then it is refused naming the field', (_label, manualDiscount, field) => {
    const input = quote([line('widget', 1, { manualDiscount: manualDiscount as PricingLineInput['manualDiscount'] })]);
    expect(inputError(() => price(release(), input))).toEqual({ code: 'invalid-manual-discount', field });
  });
});

describe('charges, term totals and totals', () => {
  it.each([
    [24, { setup: '100.00', fee: '2400.00', care: '240.00' }, '2740.00'],
    [18, { setup: '100.00', fee: '1800.00', care: '180.00' }, '2080.00'],
    [undefined, { setup: '100.00', fee: '0.00', care: '0.00' }, '100.00'],
  ])('given a term of %s months, then one-time counts once, monthly x months, annual x months / 12', (termMonths, perCharge, termTotal) => {
    const result = price(release(), quote([line('widget')], termMonths === undefined ? {} : { termMonths }));
    expect(Object.fromEntries(result.lines[0]!.charges.map((c) => [c.charge, c.termTotal]))).toEqual(perCharge);
    expect(result.totals).toEqual({
      oneTime: '100.00',
      monthly: '100.00',
      annual: '120.00',
      termTotal,
      byChargeType: {
        'one-time': { net: '100.00', termTotal: perCharge.setup },
        monthly: { net: '100.00', termTotal: perCharge.fee },
        annual: { net: '120.00', termTotal: perCharge.care },
      },
    });
    expect(result.termMonths).toBe(termMonths ?? null);
  });

  it('given charges, then each names its type and period and lineNet is unit x quantity', () => {
    const result = price(release(), quote([line('widget', 3)], { termMonths: 12 }));
    expect(result.lines[0]!.charges.map((c) => [c.charge, c.chargeType, c.period, c.lineNet])).toEqual([
      ['setup', 'one-time', undefined, '300.00'],
      ['fee', 'recurring', 'monthly', '300.00'],
      ['care', 'recurring', 'annual', '360.00'],
    ]);
  });

  it('given an empty quote, then every total is zero', () => {
    const result = price(release(), quote([]));
    expect(result.lines).toEqual([]);
    expect(result.totals).toEqual({
      oneTime: '0.00',
      monthly: '0.00',
      annual: '0.00',
      termTotal: '0.00',
      byChargeType: { 'one-time': { net: '0.00', termTotal: '0.00' }, monthly: { net: '0.00', termTotal: '0.00' }, annual: { net: '0.00', termTotal: '0.00' } },
    });
  });
});

describe('bad input is refused with a typed error naming the field', () => {
  it.each([
    ['zero quantity', quote([line('widget', 0)]), 'invalid-quantity', 'lines[0].quantity'],
    ['negative quantity', quote([line('widget', -2)]), 'invalid-quantity', 'lines[0].quantity'],
    ['fractional quantity', quote([line('widget', 1.5)]), 'invalid-quantity', 'lines[0].quantity'],
    ['quantity as text', quote([{ ...line('widget'), quantity: '2' as unknown as number }]), 'invalid-quantity', 'lines[0].quantity'],
    ['the second line bad', quote([line('widget'), line('widget', 0)]), 'invalid-quantity', 'lines[1].quantity'],
    ['unknown offering', quote([line('widget'), line('nope')]), 'unknown-offering', 'lines[1].offering'],
    ['unknown currency', quote([line('widget')], { currency: 'XXX' }), 'unknown-currency', 'currency'],
    ['a currency without a price book', quote([line('widget')], { currency: 'USD' }), 'no-price-book', 'currency'],
    ['a date before every price book', quote([line('widget')], { pricingDate: '2024-12-31' }), 'no-price-book', 'currency'],
    ['a malformed date', quote([line('widget')], { pricingDate: '2026-3-1' }), 'invalid-date', 'pricingDate'],
    ['an impossible date', quote([line('widget')], { pricingDate: '2026-02-30' }), 'invalid-date', 'pricingDate'],
    ['a zero term', quote([line('widget')], { termMonths: 0 }), 'invalid-term', 'termMonths'],
    ['a duplicate lineId', quote([line('widget'), line('widget')]), 'duplicate-line', 'lines[1].lineId'],
    ['a charge without a price', quote([line('orphan')]), 'no-price', 'lines[0].offering'],
    ['lines not a list', { currency: 'EUR', pricingDate: '2026-03-01', lines: {} } as unknown as PricingInput, 'invalid-input', 'lines'],
  ])('%s', (_label, input, code, field) => {
    expect(inputError(() => price(release(), input))).toEqual({ code, field });
  });

  it('carries a message for a person', () => {
    expect(() => price(release(), quote([line('widget', 0)]))).toThrow(/quantity must be a whole number from 1/);
  });
});

describe('the result', () => {
  const input = () =>
    quote(
      [line('widget', 2, { manualDiscount: { percent: '5', actor: 'a', reason: 'r', authority: 'x' } }), line('slab', 21), line('by-attr', 1, { characteristics: { speed: 300 } })],
      { termMonths: 24, customer: { segment: 'enterprise' } },
    );

  it('is deep-frozen and names the release', () => {
    const result = price(release(), input(), { resultId: 'quote-1/v3' });
    expect(result).toMatchObject({ resultId: 'quote-1/v3', releaseId: 'rel-1', releaseNumber: 7, currency: 'EUR', pricingDate: '2026-03-01' });
    const fee = chargeOf(result, 'fee');
    for (const value of [result, result.lines, result.lines[0], fee, fee.trace, fee.trace[0], fee.trace[0]!.source, result.totals, result.versions.priceBooks[0]]) {
      expect(Object.isFrozen(value)).toBe(true);
    }
    expect(() => {
      (fee as { unitNetPrice: string }).unitNetPrice = '0';
    }).toThrow(TypeError);
  });

  it('does not change its input, and gives the same bytes for the same input; resultId is outside the hash', () => {
    const view = release();
    const given = input();
    const copy = structuredClone(given);
    const a = price(view, given);
    expect(given).toEqual(copy);
    const b = price(release(), copy, { resultId: 'other' });
    const { resultId: _ignored, ...rest } = b;
    expect(JSON.stringify(rest)).toBe(JSON.stringify(a));
    expect(a.resultHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not depend on the order of lines (except their order in the output) nor on the key order of values', () => {
    const given = input();
    const a = price(release(), given);
    const reordered = { ...given, lines: [...given.lines].reverse().map((l) => ({ ...l, characteristics: Object.fromEntries(Object.entries(l.characteristics).reverse()) })) };
    const b = price(release(), reordered);
    expect([b.inputHash, b.resultHash, b.totals]).toEqual([a.inputHash, a.resultHash, a.totals]);
    expect(b.lines.map((l) => l.lineId)).toEqual(a.lines.map((l) => l.lineId).reverse());
  });

  it('has a resultHash that a stored copy recomputes (JSON round trip, keys in another order) and that a changed amount breaks', () => {
    const result = price(release(), input());
    const stored = JSON.parse(JSON.stringify(result, (_key, value: unknown) => (value && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).reverse()) : value)));
    expect(hashResult(stored)).toBe(result.resultHash);
    stored.lines[0].charges[1].trace[1].amountOut = '0.01';
    expect(hashResult(stored)).not.toBe(result.resultHash);
  });

  it('changes its hashes when the input changes', () => {
    const a = price(release(), input());
    const b = price(release(), { ...input(), termMonths: 25 });
    expect(b.inputHash).not.toBe(a.inputHash);
    expect(b.resultHash).not.toBe(a.resultHash);
  });

  it('has traces that replay to the unit net price, and a tampered trace does not replay', () => {
    const result = price(release(), input());
    for (const l of result.lines) for (const c of l.charges) expect(replayTrace(c)).toBe(c.unitNetPrice);
    const fee = chargeOf(result, 'fee');
    const tampered = { ...fee, trace: fee.trace.map((s, i) => (i === 1 ? { ...s, amountOut: '1.00' } : s)) };
    expect(() => replayTrace(tampered)).toThrow(TraceReplayError);
    const wrongEnd = { ...fee, unitNetPrice: '95.01' };
    expect(() => replayTrace(wrongEnd)).toThrow(/ends at 95.00/);
  });

  it('compiles each condition once per release, however many quotes are priced', () => {
    const conditions = ['quantity > 1', 'segment = "enterprise"', 'speed >= 100'];
    const view = release(item('pricing-rule-set', 'rs', rules(conditions.map((condition, i) => rule(`r${i}`, 'customer', { type: 'percent-discount', value: '1' }, { condition, order: i })))));
    preparePricing(view);
    const compiled = view.feel.size;
    expect(compiled).toBe(conditions.length);
    for (let i = 0; i < 5; i++) price(view, input());
    expect(view.feel.size).toBe(compiled);
  });
});

describe('bundle options (a line\'s configured children)', () => {
  const bundle = (children: PricingLineInput['children'], more: Partial<PricingLineInput> = {}) => line('widget', 2, { children, ...more });

  it('prices each option with its own charges for quantity x the line\'s units, marked with the option, in the line and the totals', () => {
    const view = release();
    const alone = price(view, quote([line('widget', 2)]));
    const result = price(view, quote([bundle([{ offering: 'by-tier', quantity: 3, characteristics: { tier: 'gold' } }, { offering: 'slab', quantity: 0, characteristics: {} }])]));
    const options = result.lines[0]!.charges.filter((c) => c.option !== undefined);
    expect(options).toEqual([expect.objectContaining({ option: 'by-tier', charge: 'fee', quantity: 6, unitListPrice: '30.00', lineNet: '180.00' })]);
    // The line's own charges are the same as without options, and carry no option.
    expect(result.lines[0]!.charges.filter((c) => c.option === undefined)).toEqual(alone.lines[0]!.charges);
    expect(Number(result.totals.monthly)).toBe(Number(alone.totals.monthly) + 180);
    expect(options[0]!.trace[0]!.reason).toMatch(/by-tier\/fee/);
    expect(hashResult(result)).toBe(result.resultHash);
    expect(result.inputHash).not.toBe(alone.inputHash);
    expect(result.resultHash).not.toBe(alone.resultHash);
  });

  it('rules read the option\'s offering and units; a manual discount on the line covers its options unless it names charges', () => {
    const view = release(item('pricing-rule-set', 'rules', rules([
      rule('by-tier-volume', 'volume-term', { type: 'percent-discount', value: '10' }, { condition: 'offering = "by-tier" and quantity >= 6' }),
    ])));
    const discount = { percent: '50', actor: 'rita', reason: 'launch', authority: 'rep' };
    const whole = price(view, quote([bundle([{ offering: 'by-tier', quantity: 3, characteristics: { tier: 'gold' } }], { manualDiscount: discount })]));
    const option = whole.lines[0]!.charges.find((c) => c.option === 'by-tier')!;
    expect(ruleIds(option)).toEqual(['by-tier-volume']);
    expect(option.unitNetPrice).toBe('13.50'); // 30.00 - 10 % = 27.00, then - 50 % = 13.50
    const narrowed = price(view, quote([bundle([{ offering: 'by-tier', quantity: 3, characteristics: { tier: 'gold' } }], { manualDiscount: { ...discount, charges: ['fee'] } })]));
    expect(narrowed.lines[0]!.charges.find((c) => c.option === 'by-tier')!.unitNetPrice).toBe('27.00');
    expect(chargeOf(narrowed, 'fee').unitNetPrice).toBe('50.00');
  });

  it('bad options are refused with the field: unknown offering, twice the same, a negative or fractional quantity, a value the book has no price for', () => {
    const view = release();
    expect(inputError(() => price(view, quote([bundle([{ offering: 'nope', quantity: 1, characteristics: {} }])])))).toEqual({ code: 'unknown-offering', field: 'lines[0].children[0].offering' });
    expect(inputError(() => price(view, quote([bundle([{ offering: 'slab', quantity: 1, characteristics: {} }, { offering: 'slab', quantity: 2, characteristics: {} }])]))))
      .toEqual({ code: 'duplicate-line', field: 'lines[0].children[1].offering' });
    for (const quantity of [-1, 1.5]) {
      expect(inputError(() => price(view, quote([bundle([{ offering: 'slab', quantity, characteristics: {} }])])))).toEqual({ code: 'invalid-quantity', field: 'lines[0].children[0].quantity' });
    }
    expect(inputError(() => price(view, quote([bundle([{ offering: 'by-tier', quantity: 1, characteristics: { tier: 'bronze' } }])]))))
      .toEqual({ code: 'no-price', field: 'lines[0].children[0].characteristics.tier' });
    expect(inputError(() => price(view, quote([bundle([{ offering: 'orphan', quantity: 1, characteristics: {} }])])))).toEqual({ code: 'no-price', field: 'lines[0].children[0].offering' });
  });

  it('a line without children prices and hashes exactly as before (stored results keep their hashes)', () => {
    const view = release();
    expect(price(view, quote([bundle([])]))).toEqual(price(view, quote([line('widget', 2)])));
  });
});
