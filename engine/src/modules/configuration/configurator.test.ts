import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import {
  createReleaseView,
  type BundleContent,
  type ConfigurationRuleSetContent,
  type MetadataItem,
  type ProductOfferingContent,
  type ProductSpecificationContent,
  type ReleaseView,
} from '@cpq/metadata';
import { businessInternetOffering, sampleCatalog } from '@cpq/metadata/samples';
import { describe, expect, it } from 'vitest';
import { applyFix, configurationInputHash, configure, ConfigurationInputError, type ConfigurationInput, type ConfigurationIssue, type ConfigurationResult } from './index';

// --- fixtures: the sample catalog, plus a "lab" offering for what the samples do not show ------

const labSpec: ProductSpecificationContent = {
  name: 'Lab',
  characteristics: [
    { key: 'tier', name: 'Tier', valueType: 'enum', required: true, values: ['a', 'b', 'c'].map((v) => ({ value: v, label: v.toUpperCase() })), default: 'a' },
    { key: 'size', name: 'Size', valueType: 'integer', required: true, range: { min: 1, max: 10, step: 1 }, default: 1 },
    { key: 'plus', name: 'Size plus one', valueType: 'integer', required: false, range: { min: 0, max: 100 } },
    { key: 'total', name: 'Twice plus', valueType: 'integer', required: false, range: { min: 0, max: 100 } },
    { key: 'latency', name: 'Latency', valueType: 'number', required: false, unit: 'ms', range: { min: 0, max: 1000 } },
    { key: 'colour', name: 'Colour', valueType: 'enum', required: true, values: [{ value: 'red', label: 'Red' }, { value: 'blue', label: 'Blue' }] },
    { key: 'note', name: 'Note', valueType: 'string', required: false, maxLength: 5 },
  ],
};

const labRules: ConfigurationRuleSetContent = {
  name: 'Lab rules',
  targets: ['lab'],
  rules: [
    // Declared before the rule it reads: evaluation follows dependencies, not declaration order.
    { id: 'total-twice', type: 'derived', characteristic: 'total', expression: 'plus * 2', message: 'Total is twice plus', severity: 'info' },
    { id: 'plus-one', type: 'derived', characteristic: 'plus', expression: 'size + 1', message: 'Plus is size + 1', severity: 'info' },
    { id: 'latency-cap', type: 'value-constraint', condition: 'tier = "a"', constraint: 'latency <= 250', message: 'Tier A allows at most 250 ms', severity: 'error' },
    { id: 'big-needs-router', type: 'requires', condition: 'quantity >= 10', offerings: ['managed-router'], message: 'Ten or more need a router', severity: 'error' },
    { id: 'c-prefers-size', type: 'value-constraint', condition: 'tier = "c"', constraint: 'size >= 5', message: 'Tier C works best from size 5', severity: 'warning' },
  ],
};

const offering = (name: string, specification: string): ProductOfferingContent => ({ ...structuredClone(businessInternetOffering), name, specification });

const labKit: BundleContent = {
  name: 'Lab kit',
  offering: 'lab-kit',
  groups: [{ key: 'pick', name: 'Pick one', min: 1, max: 1 }],
  options: [
    { offering: 'managed-router', min: 0, max: 1, defaultQuantity: 1, group: 'pick' },
    { offering: 'security-addon', min: 0, max: 1, defaultQuantity: 0, group: 'pick' },
  ],
};

function catalog(): MetadataItem[] {
  return [
    ...sampleCatalog(),
    { kind: 'product-specification', key: 'lab', content: labSpec },
    { kind: 'product-offering', key: 'lab', content: offering('Lab', 'lab') },
    { kind: 'configuration-rule-set', key: 'lab-rules', content: labRules },
    { kind: 'product-offering', key: 'lab-kit', content: offering('Lab kit', 'security-addon') },
    { kind: 'bundle', key: 'lab-kit', content: labKit },
  ];
}

function releaseOf(items: MetadataItem[], releaseId = 'rel-1'): ReleaseView {
  return createReleaseView({ releaseId, releaseNumber: 1, contentHash: `h-${releaseId}` }, items.map((i) => ({ ...i, contentHash: `h-${i.key}` })));
}

const release = releaseOf(catalog());
const bi = (selections: Record<string, unknown>, context?: ConfigurationInput['context']): ConfigurationInput => ({ offering: 'business-internet', selections, ...(context ? { context } : {}) });
const issues = (r: ConfigurationResult): ConfigurationIssue[] => [...r.violations, ...r.warnings];
const issue = (r: ConfigurationResult, ruleId: string, child?: string) => issues(r).find((i) => i.ruleId === ruleId && i.child === child);
const ids = (list: ConfigurationIssue[]) => list.map((i) => (i.child ? `${i.child}:${i.ruleId}` : i.ruleId));
const changesOf = (i: ConfigurationIssue | undefined) => (i?.fixes ?? []).map((f) => f.changes);

describe('configure: defaults and derived values', () => {
  it('given no selection, when configured, then the defaults apply and the derived value is computed', () => {
    const result = configure(release, bi({}));
    expect(result.valid).toBe(true);
    expect(result.normalized.selections).toEqual({ access: 'fiber', backupLine: false, bandwidth: 100, slaTier: 'standard', staticIps: 0 });
    expect(Object.keys(result.normalized.selections)).toEqual(['access', 'backupLine', 'bandwidth', 'slaTier', 'staticIps']);
    expect(result.derivations).toEqual([
      {
        characteristic: 'backupLine',
        value: false,
        ruleId: 'premium-backup',
        ruleSetKey: 'business-internet-rules',
        ruleVersion: 'h-business-internet-rules',
        message: 'The premium SLA includes a backup line',
      },
    ]);
  });

  it('given the premium SLA, then the backup line is derived and offered as its only value', () => {
    const result = configure(release, bi({ slaTier: 'premium' }));
    expect(result.normalized.selections.backupLine).toBe(true);
    expect(result.domains.backupLine).toEqual({
      allowed: [true],
      disabled: [{ value: false, ruleId: 'premium-backup', ruleSetKey: 'business-internet-rules', ruleVersion: 'h-business-internet-rules', message: 'The premium SLA includes a backup line' }],
    });
  });

  it('given a selection the derived rule overrides, then an info warning explains it with a fix', () => {
    const result = configure(release, bi({ slaTier: 'premium', backupLine: false }));
    expect(result.valid).toBe(true);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatchObject({ ruleId: 'premium-backup', severity: 'info', characteristics: ['backupLine'] });
    expect(changesOf(result.warnings[0])).toEqual([
      [{ scope: 'line', characteristic: 'backupLine', from: false, to: true }],
      [{ scope: 'line', characteristic: 'backupLine', from: false }],
    ]);
  });

  it('computes derived values in dependency order, whatever the declaration order', () => {
    const result = configure(release, { offering: 'lab', selections: { colour: 'red', size: 4 } });
    expect(result.normalized.selections).toMatchObject({ size: 4, plus: 5, total: 10 });
    expect(result.derivations.map((d) => [d.characteristic, d.value, d.ruleId])).toEqual([
      ['plus', 5, 'plus-one'],
      ['total', 10, 'total-twice'],
    ]);
  });

  it('reports a required characteristic without a default, with a fix per allowed value', () => {
    const result = configure(release, { offering: 'lab', selections: {} });
    expect(ids(result.violations)).toEqual(['required.colour']);
    expect(result.violations[0]!.source).toBe('product-specification');
    expect(changesOf(result.violations[0])).toEqual([
      [{ scope: 'line', characteristic: 'colour', to: 'red' }],
      [{ scope: 'line', characteristic: 'colour', to: 'blue' }],
    ]);
  });
});

describe('configure: rules of every kind', () => {
  type RuleCase = {
    name: string;
    input: ConfigurationInput;
    ruleId: string;
    severity?: 'error' | 'warning';
    characteristics: string[];
    offerings?: string[];
    fixes: unknown[];
  };
  const cases: RuleCase[] = [
    {
      name: 'value-constraint: copper carries at most 100 Mbit/s',
      input: bi({ access: 'copper', bandwidth: 500 }),
      ruleId: 'copper-bandwidth',
      characteristics: ['access', 'bandwidth'],
      fixes: [
        [{ scope: 'line', characteristic: 'access', from: 'copper', to: 'fiber' }],
        [{ scope: 'line', characteristic: 'access', from: 'copper', to: '5g' }],
        [{ scope: 'line', characteristic: 'bandwidth', from: 500, to: 100 }],
      ],
    },
    {
      name: 'value-constraint: 5G carries at most 1 Gbit/s (nearest bandwidth proposed)',
      input: bi({ access: '5g', bandwidth: 2000 }),
      ruleId: '5g-bandwidth',
      characteristics: ['access', 'bandwidth'],
      fixes: [
        [{ scope: 'line', characteristic: 'access', from: '5g', to: 'fiber' }],
        [{ scope: 'line', characteristic: 'bandwidth', from: 2000, to: 1000 }],
      ],
    },
    {
      name: 'compatibility: no basic SLA on 5G',
      input: bi({ access: '5g', slaTier: 'basic' }),
      ruleId: 'access-sla',
      characteristics: ['access', 'slaTier'],
      fixes: [
        [{ scope: 'line', characteristic: 'access', from: '5g', to: 'fiber' }],
        [{ scope: 'line', characteristic: 'access', from: '5g', to: 'copper' }],
        [{ scope: 'line', characteristic: 'slaTier', from: 'basic', to: 'standard' }],
        [{ scope: 'line', characteristic: 'slaTier', from: 'basic', to: 'premium' }],
      ],
    },
    {
      name: 'excludes across the quote: the security add-on needs more than the basic SLA',
      input: bi({ slaTier: 'basic' }, { quoteOfferings: ['security-addon'] }),
      ruleId: 'security-needs-sla',
      characteristics: ['slaTier'],
      offerings: ['security-addon'],
      fixes: [
        [{ scope: 'quote', offering: 'security-addon', from: 1, to: 0 }],
        [{ scope: 'line', characteristic: 'slaTier', from: 'basic', to: 'standard' }],
        [{ scope: 'line', characteristic: 'slaTier', from: 'basic', to: 'premium' }],
      ],
    },
    {
      name: 'requires across the quote: a managed router needs Business Internet',
      input: { offering: 'managed-router', selections: {} },
      ruleId: 'needs-internet',
      characteristics: [],
      offerings: ['business-internet'],
      fixes: [[{ scope: 'quote', offering: 'business-internet', from: 0, to: 1 }]],
    },
    {
      name: 'requires with a condition on the context quantity',
      input: { offering: 'lab', selections: { colour: 'red' }, context: { quantity: 10 } },
      ruleId: 'big-needs-router',
      characteristics: [],
      offerings: ['managed-router'],
      fixes: [[{ scope: 'quote', offering: 'managed-router', from: 0, to: 1 }]],
    },
    {
      name: 'value-constraint of severity warning: reported, not blocking',
      input: { offering: 'lab', selections: { colour: 'red', tier: 'c', size: 2 } },
      ruleId: 'c-prefers-size',
      severity: 'warning',
      characteristics: ['tier', 'size'],
      fixes: [
        [{ scope: 'line', characteristic: 'tier', from: 'c', to: 'a' }],
        [{ scope: 'line', characteristic: 'tier', from: 'c', to: 'b' }],
        [{ scope: 'line', characteristic: 'size', from: 2, to: 5 }],
      ],
    },
    {
      name: 'value-constraint on a continuous number: the rule\'s constant is the nearest fix',
      input: { offering: 'lab', selections: { colour: 'red', latency: 400.5 } },
      ruleId: 'latency-cap',
      characteristics: ['tier', 'latency'],
      fixes: [
        [{ scope: 'line', characteristic: 'tier', from: 'a', to: 'b' }],
        [{ scope: 'line', characteristic: 'tier', from: 'a', to: 'c' }],
        [{ scope: 'line', characteristic: 'latency', from: 400.5, to: 250 }],
      ],
    },
  ];

  it.each(cases)('$name', ({ input, ruleId, severity = 'error', characteristics, offerings, fixes }) => {
    const result = configure(release, input);
    const found = issue(result, ruleId);
    expect(found, JSON.stringify(issues(result))).toBeDefined();
    expect(found).toMatchObject({ severity, characteristics, ruleSetKey: expect.any(String), ruleVersion: expect.stringMatching(/^h-/), source: 'configuration-rule-set' });
    expect(found!.message.length).toBeGreaterThan(0);
    expect(found!.offerings).toEqual(offerings);
    expect(changesOf(found)).toEqual(fixes);
    expect(result.valid).toBe(severity !== 'error');
  });

  it.each([
    ['the required offering is elsewhere on the quote', { offering: 'managed-router', selections: {}, context: { quoteOfferings: ['business-internet'] } }],
    ['the rule\'s condition does not hold', bi({ slaTier: 'standard' }, { quoteOfferings: ['security-addon'] })],
    ['a rule whose context name is absent is not evaluated', { offering: 'lab', selections: { colour: 'red' } }],
  ])('no violation when %s', (_name, input: ConfigurationInput) => {
    const result = configure(release, input);
    expect(result.violations).toEqual([]);
    expect(result.valid).toBe(true);
  });
});

describe('configure: allowed values', () => {
  it('disables each enum value that a rule would refuse, naming the rule', () => {
    const result = configure(release, bi({ access: 'copper' }, { quoteOfferings: ['security-addon'] }));
    expect(result.domains.slaTier!.allowed).toEqual(['standard']);
    expect(result.domains.slaTier!.disabled.map((d) => [d.value, d.ruleId])).toEqual([
      ['basic', 'security-needs-sla'],
      ['premium', 'access-sla'],
    ]);
    expect(result.domains.access!.allowed).toEqual(['fiber', 'copper', '5g']);
  });

  it('disables the access a bandwidth already rules out', () => {
    const result = configure(release, bi({ bandwidth: 2000 }));
    expect(result.domains.access!.allowed).toEqual(['fiber']);
    expect(result.domains.access!.disabled.map((d) => [d.value, d.ruleId])).toEqual([
      ['copper', 'copper-bandwidth'],
      ['5g', '5g-bandwidth'],
    ]);
  });

  it.each([
    ['fiber', { min: 50, max: 10000, step: 50 }, []],
    ['copper', { min: 50, max: 100, step: 50 }, [[{ above: 100 }, 'copper-bandwidth']]],
    ['5g', { min: 50, max: 1000, step: 50 }, [[{ above: 1000 }, '5g-bandwidth']]],
  ])('with access %s the bandwidth interval is %j', (access, allowed, disabled) => {
    const result = configure(release, bi({ access }));
    expect(result.domains.bandwidth!.allowed).toEqual(allowed);
    expect(result.domains.bandwidth!.disabled.map((d) => [d.value, d.ruleId])).toEqual(disabled);
  });

  it('tightens a continuous range from a simple constraint, and leaves it when the condition does not hold', () => {
    expect(configure(release, { offering: 'lab', selections: { colour: 'red' } }).domains.latency).toEqual({
      allowed: { min: 0, max: 250 },
      disabled: [{ value: { above: 250 }, ruleId: 'latency-cap', ruleSetKey: 'lab-rules', ruleVersion: 'h-lab-rules', message: 'Tier A allows at most 250 ms' }],
    });
    expect(configure(release, { offering: 'lab', selections: { colour: 'red', tier: 'b' } }).domains.latency).toEqual({ allowed: { min: 0, max: 1000 }, disabled: [] });
  });

  it('lists enum, boolean and numeric characteristics, not free text or dates', () => {
    const result = configure(release, bi({}));
    expect(Object.keys(result.domains)).toEqual(['access', 'backupLine', 'bandwidth', 'slaTier', 'staticIps']);
    expect(result.domains.staticIps).toEqual({ allowed: { min: 0, max: 64, step: 1 }, disabled: [] });
  });
});

describe('configure: values outside the domain and wrong types', () => {
  it.each([
    ['a bandwidth above the maximum', { bandwidth: 20000 }, 'domain.bandwidth', [[{ scope: 'line', characteristic: 'bandwidth', from: 20000, to: 10000 }]]],
    ['a bandwidth off the step (nearest, lower on a tie)', { bandwidth: 75 }, 'domain.bandwidth', [[{ scope: 'line', characteristic: 'bandwidth', from: 75, to: 50 }]]],
    ['a bandwidth above the maximum on copper (nearest allowed)', { access: 'copper', bandwidth: 20000 }, 'domain.bandwidth', [[{ scope: 'line', characteristic: 'bandwidth', from: 20000, to: 100 }]]],
    [
      'an access that is not a value',
      { access: 'dsl' },
      'domain.access',
      ['fiber', 'copper', '5g'].map((to) => [{ scope: 'line', characteristic: 'access', from: 'dsl', to }]),
    ],
    ['a bandwidth given as text', { bandwidth: '100' }, 'type.bandwidth', [[{ scope: 'line', characteristic: 'bandwidth', from: '100', to: 100 }]]],
    [
      'a boolean given as text',
      { backupLine: 'true', slaTier: 'premium' },
      'type.backupLine',
      [[{ scope: 'line', characteristic: 'backupLine', from: 'true', to: true }], [{ scope: 'line', characteristic: 'backupLine', from: 'true', to: false }]],
    ],
    ['a site reference that is too long', { siteReference: 'x'.repeat(81) }, 'domain.siteReference', [[{ scope: 'line', characteristic: 'siteReference', from: 'x'.repeat(81), to: 'x'.repeat(80) }]]],
    ['a date that is not a date (no fix known)', { installationDate: '31/12/2025' }, 'domain.installationDate', []],
    ['a characteristic the spec does not have', { speed: 'fast' }, 'characteristic.unknown.speed', [[{ scope: 'line', characteristic: 'speed', from: 'fast' }]]],
  ])('%s', (_name, selections, ruleId, fixes) => {
    const result = configure(release, bi(selections));
    expect(result.valid).toBe(false);
    const found = issue(result, ruleId);
    expect(found, JSON.stringify(result.violations)).toMatchObject({ source: 'product-specification', ruleSetKey: 'business-internet', ruleVersion: 'h-business-internet', severity: 'error' });
    expect(found!.message).toMatch(/\S/);
    expect(changesOf(found)).toEqual(fixes);
  });

  it('does not evaluate rules over a value outside the domain (one explanation, not two)', () => {
    const result = configure(release, bi({ access: 'copper', bandwidth: 20000 }));
    expect(ids(result.violations)).toEqual(['domain.bandwidth']);
  });
});

describe('configure: bundles', () => {
  const sdWan = (children?: ConfigurationInput['children'], quoteOfferings?: string[]): ConfigurationInput => ({
    offering: 'sd-wan',
    selections: {},
    ...(children ? { children } : {}),
    ...(quoteOfferings ? { context: { quoteOfferings } } : {}),
  });

  it('given no children, the options take their default quantities and requires sees the siblings', () => {
    const result = configure(release, sdWan());
    expect(result.violations).toEqual([]);
    expect(result.normalized.children).toEqual([
      { offering: 'business-internet', quantity: 2, selections: { access: 'fiber', backupLine: false, bandwidth: 100, slaTier: 'standard', staticIps: 0 } },
      { offering: 'managed-router', quantity: 2, selections: { model: 'small', wifi: true } },
    ]);
  });

  it.each([
    [
      'an option below its minimum',
      [{ offering: 'business-internet', quantity: 1 }],
      'bundle.cardinality.business-internet',
      [[{ scope: 'child', offering: 'business-internet', from: 1, to: 2 }]],
    ],
    [
      'an option above its maximum',
      [{ offering: 'security-addon', quantity: 2 }],
      'bundle.cardinality.security-addon',
      [[{ scope: 'child', offering: 'security-addon', from: 2, to: 1 }]],
    ],
    ['a child that is not an option', [{ offering: 'lab', quantity: 1 }], 'bundle.child.lab', [[{ scope: 'child', offering: 'lab', from: 1, to: 0 }]]],
  ])('%s', (_name, children, ruleId, fixes) => {
    const result = configure(release, sdWan(children));
    const found = issue(result, ruleId);
    expect(found, JSON.stringify(result.violations)).toMatchObject({ source: 'bundle', ruleSetKey: 'sd-wan-bundle', ruleVersion: 'h-sd-wan-bundle' });
    expect(changesOf(found)).toEqual(fixes);
  });

  it('a plain offering takes no children', () => {
    const result = configure(release, { ...bi({}), children: [{ offering: 'managed-router', quantity: 1 }] });
    expect(issue(result, 'bundle.child.managed-router')).toMatchObject({ source: 'product-offering', offerings: ['managed-router'] });
  });

  it.each([
    [
      'too many options of a group',
      [{ offering: 'security-addon', quantity: 1 }],
      [[{ scope: 'child', offering: 'managed-router', from: 1, to: 0 }], [{ scope: 'child', offering: 'security-addon', from: 1, to: 0 }]],
    ],
    [
      'too few options of a group',
      [{ offering: 'managed-router', quantity: 0 }],
      [[{ scope: 'child', offering: 'managed-router', from: 0, to: 1 }], [{ scope: 'child', offering: 'security-addon', from: 0, to: 1 }]],
    ],
  ])('%s', (_name, children, fixes) => {
    const result = configure(release, { offering: 'lab-kit', selections: {}, children, context: { quoteOfferings: ['business-internet'] } });
    expect(changesOf(issue(result, 'bundle.group.pick'))).toEqual(fixes);
  });

  it('configures each child against its own specification and rules, and names the child', () => {
    const result = configure(release, sdWan([{ offering: 'business-internet', quantity: 2, selections: { access: 'copper', bandwidth: 1000 } }, { offering: 'security-addon', quantity: 1 }]));
    const found = issue(result, 'copper-bandwidth', 'business-internet');
    expect(found).toMatchObject({ child: 'business-internet', characteristics: ['access', 'bandwidth'] });
    expect(changesOf(found)).toContainEqual([{ scope: 'child', offering: 'business-internet', characteristic: 'bandwidth', from: 1000, to: 100 }]);
    expect(result.normalized.children[0]).toEqual({
      offering: 'business-internet',
      quantity: 2,
      selections: { access: 'copper', backupLine: false, bandwidth: 1000, slaTier: 'standard', staticIps: 0 },
    });
  });

  it('a child rule sees its siblings: excluding one proposes removing it from the bundle', () => {
    const result = configure(release, sdWan([{ offering: 'business-internet', quantity: 2, selections: { slaTier: 'basic' } }, { offering: 'security-addon', quantity: 1 }]));
    const found = issue(result, 'security-needs-sla', 'business-internet');
    expect(changesOf(found)[0]).toEqual([{ scope: 'child', offering: 'security-addon', from: 1, to: 0 }]);
  });

  it('a requires fix adds a missing sibling at its minimum quantity', () => {
    const result = configure(release, sdWan([{ offering: 'business-internet', quantity: 0 }]));
    expect(changesOf(issue(result, 'needs-internet', 'managed-router'))).toEqual([[{ scope: 'child', offering: 'business-internet', from: 0, to: 2 }]]);
  });
});

describe('configure: eligibility', () => {
  it.each([
    ['a channel the offering is not sold in', { channel: 'retail' }, 'offering.channel'],
    ['a segment the offering is not sold to', { segment: 'consumer' }, 'offering.segment'],
  ])('%s', (_name, context, ruleId) => {
    const result = configure(release, bi({}, context));
    expect(issue(result, ruleId)).toMatchObject({ source: 'product-offering', fixes: [] });
  });
});

describe('configure: input that cannot be configured', () => {
  it.each([
    ['an unknown offering', { offering: 'fax-line', selections: {} }, 'unknown-offering', 'offering'],
    ['no offering', { offering: '', selections: {} }, 'invalid-input', 'offering'],
    ['selections that are not an object', { offering: 'business-internet', selections: ['fiber'] }, 'invalid-input', 'selections'],
    ['a value that is not JSON', { offering: 'business-internet', selections: { bandwidth: Number.NaN } }, 'invalid-input', 'selections.bandwidth'],
    ['a negative child quantity', { offering: 'sd-wan', selections: {}, children: [{ offering: 'business-internet', quantity: -1 }] }, 'invalid-quantity', 'children[0].quantity'],
    ['a fractional child quantity', { offering: 'sd-wan', selections: {}, children: [{ offering: 'business-internet', quantity: 1.5 }] }, 'invalid-quantity', 'children[0].quantity'],
    [
      'a child listed twice',
      { offering: 'sd-wan', selections: {}, children: [{ offering: 'managed-router', quantity: 1 }, { offering: 'managed-router', quantity: 2 }] },
      'duplicate-child',
      'children[1].offering',
    ],
    ['a zero line quantity', { offering: 'business-internet', selections: {}, context: { quantity: 0 } }, 'invalid-quantity', 'context.quantity'],
    ['quote offerings that are not keys', { offering: 'business-internet', selections: {}, context: { quoteOfferings: [1] } }, 'invalid-input', 'context.quoteOfferings'],
  ])('%s', (_name, input, code, field) => {
    let thrown: unknown;
    try {
      configure(release, input as unknown as ConfigurationInput);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigurationInputError);
    expect(thrown).toMatchObject({ code, field, message: expect.stringMatching(/\S/) });
  });
});

describe('configure: reproducibility', () => {
  const input: ConfigurationInput = {
    offering: 'sd-wan',
    selections: { sites: 4 },
    children: [
      { offering: 'security-addon', quantity: 1 },
      { offering: 'business-internet', quantity: 3, selections: { slaTier: 'premium', access: 'fiber' } },
    ],
    context: { quoteOfferings: ['lab', 'managed-router'], segment: 'enterprise' },
  };

  it('the input hash is over (release id, order-normalized input)', () => {
    const a = configure(release, input);
    const reordered: ConfigurationInput = {
      context: { segment: 'enterprise', quoteOfferings: ['managed-router', 'lab', 'lab'] },
      children: [...input.children!].reverse().map((c) => ({ ...c, ...(c.selections ? { selections: { access: 'fiber', slaTier: 'premium' } } : {}) })),
      selections: { sites: 4 },
      offering: 'sd-wan',
    };
    const b = configure(release, reordered);
    expect(b.inputHash).toBe(a.inputHash);
    expect(configurationInputHash(release, reordered)).toBe(a.inputHash);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(configure(releaseOf(catalog(), 'rel-2'), input).inputHash).not.toBe(a.inputHash);
  });

  it('the result hash is sha256 of the canonical result without it', () => {
    const { resultHash, ...rest } = configure(release, input);
    expect(resultHash).toBe(createHash('sha256').update(canonicalize(rest)!).digest('hex'));
  });

  it('does not modify its input', () => {
    const frozen = structuredClone(input);
    deepFreeze(frozen);
    expect(() => configure(release, frozen)).not.toThrow();
    expect(frozen).toEqual(input);
  });

  it('compiles nothing per request: the release\'s FEEL cache stops growing after the first call', () => {
    const fresh = releaseOf(catalog());
    configure(fresh, bi({}));
    configure(fresh, { offering: 'lab', selections: {} });
    const size = fresh.feel.size;
    expect(size).toBeGreaterThan(0);
    configure(fresh, bi({ access: 'copper', bandwidth: 400 }, { quoteOfferings: ['security-addon'] }));
    configure(fresh, { offering: 'lab', selections: { colour: 'blue', tier: 'c', latency: 900 } });
    configure(fresh, bi({ slaTier: 'premium', bandwidth: 'x' }));
    expect(fresh.feel.size).toBe(size);
  });

  it('applyFix applies a fix without touching the input', () => {
    const before = bi({ access: 'copper', bandwidth: 500 }, { quoteOfferings: ['lab'] });
    const snapshot = structuredClone(before);
    const fixed = applyFix(release, before, { description: '', changes: [{ scope: 'line', characteristic: 'bandwidth', from: 500, to: 100 }, { scope: 'quote', offering: 'lab', from: 1, to: 0 }] });
    expect(before).toEqual(snapshot);
    expect(fixed).toEqual(bi({ access: 'copper', bandwidth: 100 }, { quoteOfferings: [] }));
    expect(configure(release, fixed).valid).toBe(true);
  });
});

function deepFreeze(value: unknown): void {
  if (value && typeof value === 'object') {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
}
