import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  compileFeel,
  METADATA_KINDS,
  PRICING_ACTIONS,
  PRICING_PHASES,
  validateReleaseSet,
  type ApprovalPolicyContent,
  type BpmnModelContent,
  type BundleContent,
  type ConfigurationRuleSetContent,
  type ConfigurationRuleType,
  type DiscountScheduleContent,
  type DmnModelContent,
  type FulfillmentDecompositionMapContent,
  type MetadataItem,
  type MetadataKind,
  type PriceBookContent,
  type PricingRuleSetContent,
  type ProductOfferingContent,
  type ProductSpecificationContent,
  type QuoteScreenLayoutContent,
  type Stacking,
} from '@cpq/metadata';
import { demoCatalog } from './demo-release';

// Every configuration rule type and stacking policy: a type added to the metadata model but
// missing here fails to compile, so the coverage test below cannot silently fall behind.
const RULE_TYPES = ['requires', 'excludes', 'value-constraint', 'derived', 'compatibility'] as const satisfies readonly ConfigurationRuleType[];
const STACKINGS = ['exclusive', 'best-price', 'stack'] as const satisfies readonly Stacking[];
const exhaustive = <T extends true>(proof: T) => proof;
exhaustive<[Exclude<ConfigurationRuleType, (typeof RULE_TYPES)[number]>] extends [never] ? true : false>(true);
exhaustive<[Exclude<Stacking, (typeof STACKINGS)[number]>] extends [never] ? true : false>(true);

const catalog = demoCatalog();
const ofKind = <C>(kind: MetadataKind) => catalog.filter((i) => i.kind === kind) as MetadataItem<C>[];
const contentOf = <C>(kind: MetadataKind, key: string) => {
  const found = catalog.find((i) => i.kind === kind && i.key === key);
  if (!found) throw new Error(`the demo has no ${kind} ${key}`);
  return found.content as C;
};

describe('the demo release', () => {
  it('validates without a single issue', async () => {
    expect(await validateReleaseSet(demoCatalog(), { compileFeel })).toEqual([]);
  });

  it('hands out fresh copies', () => {
    const first = demoCatalog();
    (first[0]!.content as { name: string }).name = 'changed';
    expect((demoCatalog()[0]!.content as { name: string }).name).not.toBe('changed');
  });

  it('reads the models from bpmn/ as they are', () => {
    const file = (name: string) => readFileSync(new URL(`../../bpmn/${name}`, import.meta.url), 'utf8');
    expect(contentOf<BpmnModelContent>('bpmn-model', 'quote-approval').xml).toBe(file('quote-approval.bpmn'));
    expect(contentOf<BpmnModelContent>('bpmn-model', 'order-fulfillment').xml).toBe(file('order-fulfillment.bpmn'));
    expect(contentOf<DmnModelContent>('dmn-model', 'approval-level').xml).toBe(file('approval-level.dmn'));
  });
});

describe('the demo release covers the metadata model', () => {
  it('has an item of every kind', () => {
    const kinds = new Set(catalog.map((i) => i.kind));
    expect(METADATA_KINDS.filter((k) => !kinds.has(k))).toEqual([]);
  });

  it('uses every configuration rule type', () => {
    const used = new Set(ofKind<ConfigurationRuleSetContent>('configuration-rule-set').flatMap((s) => s.content.rules.map((r) => r.type)));
    expect(RULE_TYPES.filter((t) => !used.has(t))).toEqual([]);
    // requires with and without a condition
    const requires = ofKind<ConfigurationRuleSetContent>('configuration-rule-set').flatMap((s) => s.content.rules.filter((r) => r.type === 'requires'));
    expect(requires.some((r) => r.condition === undefined) && requires.some((r) => r.condition !== undefined)).toBe(true);
  });

  it('uses every pricing phase, action and stacking policy', () => {
    const rules = ofKind<PricingRuleSetContent>('pricing-rule-set').flatMap((s) => s.content.rules);
    expect(PRICING_PHASES.filter((p) => !rules.some((r) => r.phase === p))).toEqual([]);
    expect(PRICING_ACTIONS.filter((a) => !rules.some((r) => r.action.type === a))).toEqual([]);
    expect(STACKINGS.filter((s) => !rules.some((r) => r.stacking === s))).toEqual([]);
    // Amount actions exist in both currencies, so pricing in USD gets the same waterfall.
    for (const type of ['amount-discount', 'override', 'floor'] as const) {
      expect(new Set(rules.filter((r) => r.action.type === type).map((r) => r.action.currency))).toEqual(new Set(['EUR', 'USD']));
    }
  });

  it('uses every price-entry shape: flat, attribute by value and by range, slab and volume tiers', () => {
    const entries = ofKind<PriceBookContent>('price-book').flatMap((b) => b.content.entries);
    expect(entries.some((e) => e.type === 'flat')).toBe(true);
    expect(entries.some((e) => e.type === 'attribute' && e.rows.some((r) => r.value !== undefined))).toBe(true);
    expect(entries.some((e) => e.type === 'attribute' && e.rows.some((r) => r.min !== undefined))).toBe(true);
    expect(entries.some((e) => e.type === 'tiered' && e.mode === 'slab')).toBe(true);
    expect(entries.some((e) => e.type === 'tiered' && e.mode === 'range')).toBe(true);
  });

  it('prices every charge of every offering in EUR and in USD', () => {
    const books = ofKind<PriceBookContent>('price-book');
    expect(books.map((b) => b.content.currency).sort()).toEqual(['EUR', 'USD']);
    const charges = ofKind<ProductOfferingContent>('product-offering').flatMap((o) => o.content.charges.map((c) => `${o.key}/${c.key}`)).sort();
    for (const book of books) expect(book.content.entries.map((e) => `${e.offering}/${e.charge}`).sort()).toEqual(charges);
  });

  it('has one-time, monthly and annual charges, and discount schedules by term and by quantity', () => {
    const charges = ofKind<ProductOfferingContent>('product-offering').flatMap((o) => o.content.charges);
    expect(new Set(charges.map((c) => c.period ?? c.type))).toEqual(new Set(['one-time', 'monthly', 'annual']));
    expect(ofKind<DiscountScheduleContent>('discount-schedule').map((s) => s.content.basis).sort()).toEqual(['quantity', 'term']);
  });

  it('lays out and decomposes every offering, showing every characteristic', () => {
    const offerings = ofKind<ProductOfferingContent>('product-offering');
    const layouts = ofKind<QuoteScreenLayoutContent>('quote-screen-layout');
    const maps = ofKind<FulfillmentDecompositionMapContent>('fulfillment-decomposition-map');
    for (const offering of offerings) {
      const layout = layouts.find((l) => l.content.offering === offering.key);
      expect(layout, offering.key).toBeDefined();
      const shown = layout!.content.sections.flatMap((s) => s.fields.map((f) => f.characteristic)).sort();
      const spec = contentOf<ProductSpecificationContent>('product-specification', offering.content.specification);
      expect(shown, offering.key).toEqual(spec.characteristics.map((c) => c.key).sort());
      expect(maps.some((m) => m.content.offering === offering.key), offering.key).toBe(true);
    }
  });

  it('nests the SD-WAN site pack in the SD-WAN bundle (2-500 sites)', () => {
    const bundle = contentOf<BundleContent>('bundle', 'sd-wan');
    expect(bundle.options).toEqual([{ offering: 'sd-wan-site', min: 2, max: 500, defaultQuantity: 2 }]);
    const pack = contentOf<BundleContent>('bundle', 'sd-wan-site-pack');
    expect(pack.offering).toBe('sd-wan-site');
    expect(pack.options.map((o) => o.offering)).toEqual(expect.arrayContaining(['managed-router', 'business-internet']));
  });

  it('has the approval matrix of the brief, decided by the approval-level DMN', () => {
    const policy = contentOf<ApprovalPolicyContent>('approval-policy', 'standard-approval');
    expect(policy.decisionModel).toBe('approval-level');
    expect(policy.fourEyes).toBe(true);
    expect(policy.levels.map((l) => [l.role, l.limits.maxDiscountPercent, l.limits.maxDealValue?.amount])).toEqual([
      ['rep', '10', '250000.00'],
      ['sales-manager', '25', '250000.00'],
      ['finance', undefined, undefined],
    ]);
  });
});

describe('the demo rules mean what they say (compiled FEEL)', () => {
  const rulesOf = (key: string) => contentOf<ConfigurationRuleSetContent>('configuration-rule-set', key).rules;
  /** Ids of the value constraints of a rule set that a configuration violates. */
  const violations = (key: string, configuration: Record<string, unknown>) =>
    rulesOf(key).flatMap((rule) => {
      if (rule.type !== 'value-constraint') return [];
      const run = (source: string) => {
        const compiled = compileFeel(source, 'expression');
        if (!compiled.ok) throw new Error(compiled.error.message);
        return compiled.compiled.evaluate(configuration);
      };
      if (rule.condition !== undefined && run(rule.condition) !== true) return [];
      return run(rule.constraint) === true ? [] : [rule.id];
    });
  const line = { access: 'fiber', bandwidth: 100, slaTier: 'business', staticIps: 0, termMonths: 24, quantity: 1 };

  it.each([
    { name: 'fiber at 10 Gbit/s', config: { ...line, bandwidth: 10000 }, expected: [] },
    { name: 'copper at 100 Mbit/s', config: { ...line, access: 'copper', bandwidth: 100 }, expected: [] },
    { name: 'copper at 150 Mbit/s', config: { ...line, access: 'copper', bandwidth: 150 }, expected: ['copper-bandwidth'] },
    { name: '5G at 1 Gbit/s', config: { ...line, access: '5g', bandwidth: 1000 }, expected: [] },
    { name: '5G at 2 Gbit/s', config: { ...line, access: '5g', bandwidth: 2000 }, expected: ['5g-bandwidth'] },
    { name: '32 static IPs on the basic SLA', config: { ...line, staticIps: 32, slaTier: 'basic' }, expected: ['static-ips-sla'] },
    { name: 'an 18-month term', config: { ...line, termMonths: 18 }, expected: ['term-offered'] },
  ])('Business Internet: $name', ({ config, expected }) => {
    expect(violations('business-internet-rules', config)).toEqual(expected);
  });

  it.each([
    { sites: 50, topology: 'full-mesh', expected: [] },
    { sites: 51, topology: 'full-mesh', expected: ['full-mesh-sites'] },
    { sites: 500, topology: 'hub-and-spoke', expected: [] },
  ])('SD-WAN: $sites sites, $topology', ({ sites, topology, expected }) => {
    expect(violations('sd-wan-rules', { sites, topology, termMonths: 36 })).toEqual(expected);
  });
});
