import fc from 'fast-check';
import { createReleaseView, type ReleaseView } from '@cpq/metadata';
import { sampleCatalog } from '@cpq/metadata/samples';
import { describe, expect, it } from 'vitest';
import { applyFix, configure, type ConfigurationInput, type ConfigurationIssue, type ConfigurationResult } from './index';

// Properties over generated configurations of the sample catalog: Business Internet lines with
// values inside and outside the domains (and of the wrong type), on quotes with other offerings;
// and SD-WAN bundles with generated children.

const releaseOf = () =>
  createReleaseView({ releaseId: 'rel-p', releaseNumber: 1, contentHash: 'h-rel-p' }, sampleCatalog().map((i) => ({ ...i, contentHash: `h-${i.key}` })));
const release: ReleaseView = releaseOf();

const either = <T>(inside: fc.Arbitrary<T>, ...outside: fc.Arbitrary<unknown>[]): fc.Arbitrary<unknown> =>
  fc.oneof({ arbitrary: inside, weight: 3 }, ...outside.map((arbitrary) => ({ arbitrary, weight: 1 })));

const selectionsArb: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    access: either(fc.constantFrom('fiber', 'copper', '5g'), fc.constant('dsl'), fc.integer()),
    bandwidth: either(fc.integer({ min: 1, max: 200 }).map((k) => k * 50), fc.integer({ min: -100, max: 12000 }), fc.constant('100'), fc.boolean()),
    slaTier: either(fc.constantFrom('basic', 'standard', 'premium'), fc.constant('gold'), fc.constant(null)),
    staticIps: either(fc.integer({ min: 0, max: 64 }), fc.integer({ min: -5, max: 80 }), fc.constant(2.5)),
    backupLine: either(fc.boolean(), fc.constantFrom('yes', 'true')),
    installationDate: either(fc.constantFrom('2025-06-01', '2026-01-31'), fc.constant('tomorrow'), fc.constant(20250601)),
    siteReference: either(fc.string({ maxLength: 12 }), fc.string({ minLength: 81, maxLength: 90 }), fc.constant(7)),
    speed: fc.constantFrom('fast', 1),
  },
  { requiredKeys: [] },
);

const contextArb = fc.record(
  {
    quoteOfferings: fc.subarray(['security-addon', 'managed-router', 'sd-wan']),
    channel: fc.constantFrom('direct', 'partner', 'retail'),
    segment: fc.constantFrom('enterprise', 'smb'),
    termMonths: fc.integer({ min: 1, max: 60 }),
  },
  { requiredKeys: ['quoteOfferings'] },
);

const lineArb: fc.Arbitrary<ConfigurationInput> = fc.record({ selections: selectionsArb, context: contextArb }).map(({ selections, context }) => ({
  offering: 'business-internet',
  selections,
  context,
}));

const childSelectionsArb: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    access: either(fc.constantFrom('fiber', 'copper', '5g'), fc.constant('dsl')),
    bandwidth: either(fc.integer({ min: 1, max: 40 }).map((k) => k * 50), fc.integer({ min: 1, max: 3000 })),
    slaTier: fc.constantFrom('basic', 'standard', 'premium'),
  },
  { requiredKeys: [] },
);

const bundleArb: fc.Arbitrary<ConfigurationInput> = fc
  .record({
    sites: either(fc.integer({ min: 2, max: 500 }), fc.integer({ min: -5, max: 600 })),
    internet: fc.option(fc.record({ quantity: fc.integer({ min: 0, max: 4 }), selections: childSelectionsArb }), { nil: undefined }),
    router: fc.option(fc.record({ quantity: fc.integer({ min: 0, max: 3 }), selections: fc.record({ model: either(fc.constantFrom('small', 'large'), fc.constant('huge')) }, { requiredKeys: [] }) }), { nil: undefined }),
    security: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
    stranger: fc.option(fc.integer({ min: 0, max: 1 }), { nil: undefined }),
    quoteOfferings: fc.subarray(['security-addon', 'managed-router']),
  })
  .map(({ sites, internet, router, security, stranger, quoteOfferings }) => ({
    offering: 'sd-wan',
    selections: { sites },
    children: [
      ...(internet ? [{ offering: 'business-internet', ...internet }] : []),
      ...(router ? [{ offering: 'managed-router', ...router }] : []),
      ...(security !== undefined ? [{ offering: 'security-addon', quantity: security }] : []),
      ...(stranger !== undefined ? [{ offering: 'lab', quantity: stranger }] : []),
    ],
    context: { quoteOfferings },
  }));

const anyInput = fc.oneof(lineArb, bundleArb);

const allIssues = (r: ConfigurationResult): ConfigurationIssue[] => [...r.violations, ...r.warnings];
const sameIssue = (a: ConfigurationIssue, b: ConfigurationIssue) => a.ruleId === b.ruleId && a.ruleSetKey === b.ruleSetKey && a.child === b.child;

/** The same object with its keys (and list orders that carry no meaning) permuted. */
function permuted(input: ConfigurationInput, order: number[]): ConfigurationInput {
  const shuffle = <T>(list: T[]): T[] => list.map((value, i) => ({ value, rank: order[i % order.length]! * 31 + i })).sort((a, b) => a.rank - b.rank).map((x) => x.value);
  const reorder = (record: Record<string, unknown>) => Object.fromEntries(shuffle(Object.entries(record)));
  return {
    ...(input.context ? { context: { ...input.context, ...(input.context.quoteOfferings ? { quoteOfferings: shuffle(input.context.quoteOfferings) } : {}) } } : {}),
    ...(input.children ? { children: shuffle(input.children).map((c) => ({ ...c, ...(c.selections ? { selections: reorder(c.selections) } : {}) })) } : {}),
    selections: reorder(input.selections),
    offering: input.offering,
  };
}

describe('configure: properties', () => {
  it('the same input gives the same result, byte for byte (also on a freshly loaded release)', () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        const first = JSON.stringify(configure(release, input));
        expect(JSON.stringify(configure(release, structuredClone(input)))).toBe(first);
        expect(JSON.stringify(configure(releaseOf(), structuredClone(input)))).toBe(first);
      }),
      { numRuns: 150 },
    );
  });

  it('the result does not depend on the order selections, children or quote offerings arrive in', () => {
    fc.assert(
      fc.property(anyInput, fc.array(fc.nat(1000), { minLength: 1, maxLength: 12 }), (input, order) => {
        expect(JSON.stringify(configure(release, permuted(input, order)))).toBe(JSON.stringify(configure(release, input)));
      }),
      { numRuns: 200 },
    );
  });

  it('every invalid configuration carries at least one violation with a message, and only errors invalidate', () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        const result = configure(release, input);
        expect(result.valid).toBe(result.violations.length === 0);
        for (const v of result.violations) {
          expect(v.severity).toBe('error');
          expect(v.ruleId).toMatch(/\S/);
          expect(v.ruleVersion).toMatch(/^h-/);
          expect(v.message).toMatch(/\S/);
        }
        for (const w of result.warnings) expect(w.severity).not.toBe('error');
      }),
      { numRuns: 300 },
    );
    // And the generator does produce invalid configurations (the property is not vacuous).
    const invalid = fc.sample(lineArb, { numRuns: 200, seed: 42 }).filter((input) => !configure(release, input).valid);
    expect(invalid.length).toBeGreaterThan(50);
  });

  it('applying any suggested fix removes that violation', () => {
    let checked = 0;
    fc.assert(
      fc.property(anyInput, (input) => {
        const result = configure(release, input);
        for (const found of allIssues(result)) {
          for (const fix of found.fixes) {
            const after = configure(release, applyFix(release, input, fix));
            expect(allIssues(after).some((i) => sameIssue(i, found)), `${found.ruleId}: ${fix.description}`).toBe(false);
            checked++;
          }
        }
      }),
      { numRuns: 200 },
    );
    expect(checked).toBeGreaterThan(100);
  });

  it('the fixes of an issue either all bring no new error, or (when no such fix exists) all do', () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        const result = configure(release, input);
        const before = new Set(result.violations.map((v) => `${v.child ?? ''}|${v.ruleSetKey}|${v.ruleId}`));
        for (const found of allIssues(result)) {
          const clean = found.fixes.map((fix) =>
            configure(release, applyFix(release, input, fix)).violations.every((v) => before.has(`${v.child ?? ''}|${v.ruleSetKey}|${v.ruleId}`)),
          );
          expect(clean.every((c) => c) || clean.every((c) => !c), `${found.ruleId}: ${JSON.stringify(found.fixes)}`).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('a disabled value, once selected, raises the rule that disabled it', () => {
    fc.assert(
      fc.property(lineArb, (input) => {
        const result = configure(release, input);
        for (const [key, domain] of Object.entries(result.domains)) {
          if (!Array.isArray(domain.allowed)) continue;
          for (const disabled of domain.disabled) {
            const after = configure(release, { ...input, selections: { ...input.selections, [key]: disabled.value } });
            expect(allIssues(after).map((i) => i.ruleId), `${key} = ${String(disabled.value)}`).toContain(disabled.ruleId);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('a valid configuration is a fixed point: configuring its normalized form changes nothing', () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        const result = configure(release, input);
        fc.pre(result.valid);
        const again = configure(release, { ...input, selections: result.normalized.selections, children: result.normalized.children });
        expect(again.valid).toBe(true);
        expect(again.normalized).toEqual(result.normalized);
      }),
      { numRuns: 150 },
    );
  });
});
