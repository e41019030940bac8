import Decimal from 'decimal.js';
import fc from 'fast-check';
import {
  createReleaseView,
  currencyDecimals,
  PRICING_PHASES,
  type DiscountScheduleContent,
  type MetadataItem,
  type PriceBookEntry,
  type PricingRule,
  type ProductOfferingContent,
} from '@cpq/metadata';
import { describe, expect, it } from 'vitest';
import { price, replayTrace, type PriceResult, type PricingInput, type PricingLineInput } from './index';
import { canonicalJson } from './pricing-engine';

// Generated releases (a fixed set of offerings; price books in EUR, JPY or KWD with flat,
// attribute, slab and range entries; random rule sets and schedules) and generated quotes.

const CURRENCIES = ['EUR', 'JPY', 'KWD'] as const;
type Currency = (typeof CURRENCIES)[number];

const offering = (charges: ProductOfferingContent['charges']): ProductOfferingContent => ({
  name: 'Generated',
  specification: 'box',
  status: 'active',
  validFrom: '2025-01-01',
  channels: ['direct', 'partner'],
  segments: ['enterprise', 'smb'],
  charges,
});

const OFFERINGS: Record<string, ProductOfferingContent> = {
  a: offering([
    { key: 'setup', name: 'Setup', type: 'one-time' },
    { key: 'fee', name: 'Fee', type: 'recurring', period: 'monthly' },
  ]),
  b: offering([{ key: 'fee', name: 'Fee', type: 'recurring', period: 'monthly' }]),
  c: offering([
    { key: 'fee', name: 'Fee', type: 'recurring', period: 'annual' },
    { key: 'seat', name: 'Seat', type: 'recurring', period: 'monthly' },
  ]),
  d: offering([{ key: 'seat', name: 'Seat', type: 'one-time' }]),
};
const OFFERING_KEYS = Object.keys(OFFERINGS);

/** A price in minor units of the currency, written with its decimals. */
const amount = (currency: Currency, max = 200_000) =>
  fc.integer({ min: 0, max }).map((minor) => new Decimal(minor).div(10 ** currencyDecimals(currency)!).toFixed(currencyDecimals(currency)!));

const percent = fc.integer({ min: 0, max: 10_000 }).map((basis) => new Decimal(basis).div(100).toFixed());

const entryFor = (currency: Currency, offeringKey: string, charge: string): fc.Arbitrary<PriceBookEntry> =>
  fc.oneof(
    amount(currency).map((price): PriceBookEntry => ({ offering: offeringKey, charge, type: 'flat', price })),
    fc.tuple(amount(currency), amount(currency)).map(
      ([low, high]): PriceBookEntry => ({
        offering: offeringKey,
        charge,
        type: 'attribute',
        characteristic: 'speed',
        rows: [
          { min: 0, max: 250, price: low },
          { min: 251, max: 1000, price: high },
        ],
      }),
    ),
    fc.tuple(fc.constantFrom('slab' as const, 'range' as const), fc.integer({ min: 1, max: 15 }), fc.array(amount(currency), { minLength: 3, maxLength: 3 })).map(
      ([mode, width, [p1, p2, p3]]): PriceBookEntry => ({
        offering: offeringKey,
        charge,
        type: 'tiered',
        mode,
        tiers: [
          { from: 1, to: width, price: p1! },
          { from: width + 1, to: 2 * width, price: p2! },
          { from: 2 * width + 1, price: p3! },
        ],
      }),
    ),
  );

const CONDITIONS = [
  'true',
  'false',
  'quantity >= 5',
  'segment = "enterprise"',
  'channel = "partner"',
  'speed > 200',
  'termMonths >= 24',
  'charge = "fee"',
  'chargeType = "one-time"',
  'tier = "gold" and quantity < 20',
  'offering in ("a", "c")',
];

const ruleFor = (currency: Currency, phase: PricingRule['phase'], order: number): fc.Arbitrary<PricingRule> =>
  fc
    .record({
      condition: fc.constantFrom(...CONDITIONS),
      action:
        phase === 'floor'
          ? amount(currency, 50_000).map((value) => ({ type: 'floor' as const, value, currency }))
          : fc.oneof(
              percent.map((value) => ({ type: 'percent-discount' as const, value })),
              percent.map((value) => ({ type: 'markup' as const, value })),
              amount(currency, 20_000).map((value) => ({ type: 'amount-discount' as const, value, currency })),
              amount(currency).map((value) => ({ type: 'override' as const, value, currency })),
            ),
      priority: fc.integer({ min: 0, max: 5 }),
      stacking: fc.constantFrom('exclusive' as const, 'best-price' as const, 'stack' as const),
      scope: fc.option(fc.record({ offerings: fc.subarray(OFFERING_KEYS, { minLength: 1 }) }), { nil: undefined }),
    })
    .map(({ scope, ...rest }) => ({ id: `${phase}-${order}`, phase, order, ...rest, ...(scope ? { scope } : {}) }));

const scheduleArb: fc.Arbitrary<DiscountScheduleContent> = fc
  .tuple(fc.constantFrom('quantity' as const, 'term' as const), fc.integer({ min: 1, max: 20 }), percent, percent)
  .map(([basis, width, p1, p2]) => ({
    name: 'Generated schedule',
    basis,
    tiers: [
      { from: 1, to: width, percent: p1 },
      { from: width + 1, percent: p2 },
    ],
  }));

type Catalog = { currency: Currency; items: MetadataItem[] };

const catalogArb: fc.Arbitrary<Catalog> = fc.constantFrom(...CURRENCIES).chain((currency) => {
  const slots = OFFERING_KEYS.flatMap((key) => OFFERINGS[key]!.charges.map((c) => [key, c.key] as const));
  return fc
    .record({
      entries: fc.tuple(...slots.map(([o, c]) => entryFor(currency, o, c))),
      rules: fc.tuple(...PRICING_PHASES.map(() => fc.array(fc.nat(), { maxLength: 4 }).map((orders) => orders.length))).chain((counts) =>
        fc.tuple(...PRICING_PHASES.flatMap((phase, p) => Array.from({ length: counts[p]! }, (_, order) => ruleFor(currency, phase, order + 1)))),
      ),
      schedules: fc.array(scheduleArb, { maxLength: 2 }),
    })
    .map(({ entries, rules, schedules }) => ({
      currency,
      items: [
        { kind: 'product-specification', key: 'box', content: { name: 'Box', characteristics: [] } },
        ...OFFERING_KEYS.map((key): MetadataItem => ({ kind: 'product-offering', key, content: OFFERINGS[key] })),
        { kind: 'price-book', key: 'book', content: { name: 'Book', currency, validFrom: '2025-01-01', entries } },
        ...(rules.length > 0 ? [{ kind: 'pricing-rule-set' as const, key: 'rules', content: { name: 'Rules', rules } }] : []),
        ...schedules.map((content, i): MetadataItem => ({ kind: 'discount-schedule', key: `schedule-${i}`, content })),
      ],
    }));
});

const lineArb = (currency: Currency): fc.Arbitrary<Omit<PricingLineInput, 'lineId'>> =>
  fc.record(
    {
      offering: fc.constantFrom(...OFFERING_KEYS),
      quantity: fc.integer({ min: 1, max: 60 }),
      characteristics: fc.record({ speed: fc.integer({ min: 0, max: 1000 }), tier: fc.constantFrom('gold', 'silver') }),
      manualDiscount: fc.option(
        fc.oneof(
          percent.map((p) => ({ percent: p, actor: 'rep', reason: 'generated', authority: 'level-1' })),
          amount(currency, 10_000).map((a) => ({ amount: a, actor: 'rep', reason: 'generated', authority: 'level-1' })),
        ),
        { nil: undefined },
      ),
    },
    { requiredKeys: ['offering', 'quantity', 'characteristics'] },
  );

const caseArb = catalogArb.chain((catalog) =>
  fc
    .record({
      lines: fc.uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 6 }), lineArb(catalog.currency)), { maxLength: 12, selector: ([id]) => id }),
      termMonths: fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
      segment: fc.constantFrom('enterprise', 'smb', undefined),
      channel: fc.constantFrom('direct', 'partner', undefined),
    })
    .map(({ lines, termMonths, segment, channel }) => {
      const input: PricingInput = {
        currency: catalog.currency,
        pricingDate: '2026-03-01',
        ...(termMonths !== undefined ? { termMonths } : {}),
        customer: { ...(segment ? { segment } : {}), ...(channel ? { channel } : {}) },
        lines: lines.map(([lineId, l]) => ({ lineId, ...l })),
      };
      return { catalog, input };
    }),
);

const viewOf = (catalog: Catalog) =>
  createReleaseView({ releaseId: 'generated', releaseNumber: 1, contentHash: 'generated' }, catalog.items.map((i) => ({ ...i, contentHash: `h-${i.key}` })));

const RUNS = { numRuns: 150 };

/** RFC 8785 for JSON values, the plain way (every object's keys sorted): what canonicalJson must write. */
const canonicalReference = (value: unknown): string =>
  Array.isArray(value) ? `[${value.map(canonicalReference).join(',')}]`
  : value !== null && typeof value === 'object'
    ? `{${Object.keys(value).sort().filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalReference((value as Record<string, unknown>)[k])}`).join(',')}}`
    : JSON.stringify(value);

describe('canonical JSON', () => {
  it('writes what sorting every object would (its fast path for flat objects in order included)', () => {
    const key = fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('1', '10', '9', '__proto__x', 'a', 'B', 'é'));
    const flat = fc.dictionary(key, fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.constant(undefined)));
    // Objects whose keys happen to be in order, as a line's characteristics often are.
    const ordered = flat.map((o) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
    fc.assert(fc.property(fc.oneof(fc.jsonValue(), flat, ordered, fc.array(fc.oneof(flat, ordered))), (value) => {
      expect(canonicalJson(value)).toBe(canonicalReference(value));
    }), { numRuns: 2000 });
  });
});

describe('pricing properties', () => {
  it('the same input gives the same result, byte for byte (fresh release view, copied input)', () => {
    fc.assert(
      fc.property(caseArb, ({ catalog, input }) => {
        const first = JSON.stringify(price(viewOf(catalog), input));
        const view = viewOf(structuredClone(catalog));
        price(view, structuredClone(input)); // a warm plan gives the same bytes as a cold one
        expect(JSON.stringify(price(view, structuredClone(input)))).toBe(first);
      }),
      RUNS,
    );
  });

  it('totals equal the sum of the line components; lineNet = unit x quantity', () => {
    fc.assert(
      fc.property(caseArb, ({ catalog, input }) => {
        const result = price(viewOf(catalog), input);
        const sums = { 'one-time': [new Decimal(0), new Decimal(0)], monthly: [new Decimal(0), new Decimal(0)], annual: [new Decimal(0), new Decimal(0)] };
        for (const line of result.lines) {
          for (const c of line.charges) {
            expect(new Decimal(c.lineNet).equals(new Decimal(c.unitNetPrice).times(line.quantity))).toBe(true);
            const sum = sums[c.chargeType === 'one-time' ? 'one-time' : c.period === 'annual' ? 'annual' : 'monthly'];
            sum[0] = sum[0]!.plus(c.lineNet);
            sum[1] = sum[1]!.plus(c.termTotal);
          }
        }
        const { totals } = result;
        for (const kind of ['one-time', 'monthly', 'annual'] as const) {
          expect(new Decimal(totals.byChargeType[kind].net).equals(sums[kind][0]!)).toBe(true);
          expect(new Decimal(totals.byChargeType[kind].termTotal).equals(sums[kind][1]!)).toBe(true);
        }
        expect([totals.oneTime, totals.monthly, totals.annual]).toEqual([totals.byChargeType['one-time'].net, totals.byChargeType.monthly.net, totals.byChargeType.annual.net]);
        const term = Object.values(totals.byChargeType).reduce((t, k) => t.plus(k.termTotal), new Decimal(0));
        expect(new Decimal(totals.termTotal).equals(term)).toBe(true);
      }),
      RUNS,
    );
  });

  it('replaying each trace gives the final unit price, never negative, with the currency decimals', () => {
    fc.assert(
      fc.property(caseArb, ({ catalog, input }) => {
        const result = price(viewOf(catalog), input);
        const decimals = currencyDecimals(catalog.currency)!;
        for (const line of result.lines) {
          for (const c of line.charges) {
            expect(replayTrace(c)).toBe(c.unitNetPrice);
            expect(new Decimal(c.unitNetPrice).isNegative()).toBe(false);
            expect(new Decimal(c.unitNetPrice).decimalPlaces()).toBeLessThanOrEqual(decimals);
            expect(c.unitNetPrice.split('.')[1]?.length ?? 0).toBe(decimals);
            expect(c.floorReached).toBe(c.trace.some((s) => s.operation.type === 'floor' && new Decimal(s.adjustment).isPositive() && !new Decimal(s.adjustment).isZero()));
          }
        }
      }),
      RUNS,
    );
  });

  it('the result does not depend on the order of lines: totals and hashes equal, each line the same, output in input order', () => {
    fc.assert(
      fc.property(
        caseArb.chain((c) => fc.tuple(fc.constant(c), fc.shuffledSubarray(c.input.lines, { minLength: c.input.lines.length, maxLength: c.input.lines.length }))),
        ([{ catalog, input }, shuffled]) => {
          const view = viewOf(catalog);
          const a = price(view, input);
          const b = price(view, { ...input, lines: shuffled });
          expect([b.totals, b.inputHash, b.resultHash]).toEqual([a.totals, a.inputHash, a.resultHash]);
          expect(b.lines.map((l) => l.lineId)).toEqual(shuffled.map((l) => l.lineId));
          const byId = new Map(a.lines.map((l) => [l.lineId, l]));
          for (const line of b.lines) expect(line).toEqual(byId.get(line.lineId));
        },
      ),
      RUNS,
    );
  });

  it('equal lines are priced once and shared, and every line prices as it does alone (copies with other lineIds included)', () => {
    fc.assert(
      fc.property(caseArb, ({ catalog, input }) => {
        const view = viewOf(catalog);
        // Each line twice more, under other ids: a rollout of equal sites, with and without manual discounts.
        const lines = input.lines.flatMap((l) => [l, { ...l, lineId: `${l.lineId}#2` }, { ...l, lineId: `${l.lineId}#3` }]);
        const result = price(view, { ...input, lines });
        result.lines.forEach((line, i) => {
          const alone = price(view, { ...input, lines: [lines[i]!] }).lines[0];
          expect(line).toEqual(alone);
          const first = result.lines[i - (i % 3)]!;
          // Shared when nothing of the line names it (a manual discount's trace names its line).
          if (lines[i]!.manualDiscount === undefined) expect(line.charges).toBe(first.charges);
          else if (i % 3 !== 0 && line.charges.length > 0) expect(line.charges).not.toBe(first.charges);
        });
        const net = (r: PriceResult) => r.totals.termTotal;
        const sumAlone = lines.reduce((t, l) => t.plus(net(price(view, { ...input, lines: [l] }))), new Decimal(0));
        expect(new Decimal(result.totals.termTotal).equals(sumAlone)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('several matching rules never raise an error: any generated release prices any generated quote', () => {
    fc.assert(
      fc.property(caseArb, ({ catalog, input }) => {
        const result: PriceResult = price(viewOf(catalog), input);
        expect(result.lines).toHaveLength(input.lines.length);
      }),
      RUNS,
    );
  });
});
