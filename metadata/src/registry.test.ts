import { describe, expect, it, vi } from 'vitest';
import type { ConfigurationRuleSetContent } from './kinds/configuration-rule-set.kind';
import type { ProductOfferingContent } from './kinds/product-offering.kind';
import type { ProductSpecificationContent } from './kinds/product-specification.kind';
import { businessInternetLayout, businessInternetOffering, businessInternetSpec, sampleCatalog } from './kinds/samples';
import { compileFeel } from './feel';
import { catalogWith, feelinCompile, findings, ref, validateWithFeelin } from './kinds/test-support';
import { MAX_CONTENT_DEPTH, METADATA_KINDS, registry, validateItemShape, validateReleaseSet } from './registry';
import type { MetadataItem, MetadataKind } from './types';

const spec = (content: ProductSpecificationContent = businessInternetSpec): MetadataItem => ({ kind: 'product-specification', key: 'business-internet', content });
const offering = (content: ProductOfferingContent = businessInternetOffering): MetadataItem => ({ kind: 'product-offering', key: 'business-internet', content });
const layout: MetadataItem = { kind: 'quote-screen-layout', key: 'business-internet-layout', content: businessInternetLayout };

/** Arrays nested `depth` levels deep: [[[...[]...]]]. */
function nested(depth: number): unknown {
  let value: unknown = [];
  for (let i = 1; i < depth; i++) value = [value];
  return value;
}

describe('registry', () => {
  it('has one entry per kind, under its own name, with a stable 2020-12 schema id', () => {
    const kinds: MetadataKind[] = [
      'product-specification', 'product-offering', 'bundle', 'configuration-rule-set', 'price-book', 'pricing-rule-set',
      'discount-schedule', 'approval-policy', 'quote-screen-layout', 'bpmn-model', 'dmn-model', 'fulfillment-decomposition-map',
    ];
    expect([...METADATA_KINDS].sort()).toEqual([...kinds].sort());
    for (const kind of kinds) {
      expect(registry[kind].kind).toBe(kind);
      expect(registry[kind].schema).toMatchObject({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        $id: `https://cpq.example/metadata/${kind}.schema.json`,
        additionalProperties: false,
      });
    }
  });

  it('closes every object and bounds every string and array of every schema', () => {
    const open: string[] = [];
    const walk = (node: unknown, at: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${at}/${i}`));
      if (typeof node !== 'object' || node === null) return;
      const schema = node as Record<string, unknown>;
      if (schema.type === 'object' && schema.additionalProperties !== false && !schema.oneOf) open.push(`${at}: open object`);
      if (schema.type === 'string' && schema.maxLength === undefined && schema.enum === undefined) open.push(`${at}: unbounded string`);
      if (schema.type === 'array' && schema.maxItems === undefined) open.push(`${at}: unbounded array`);
      for (const [k, v] of Object.entries(schema)) walk(v, `${at}/${k}`);
    };
    for (const kind of METADATA_KINDS) walk(registry[kind].schema, kind);
    expect(open).toEqual([]);
  });
});

describe('validateItemShape', () => {
  it('accepts every sample', () => {
    for (const item of sampleCatalog()) expect(validateItemShape(item)).toEqual([]);
  });

  it('reports every schema error with code schema.<keyword> and the instance path', () => {
    const issues = validateItemShape({ ...offering(), content: { ...businessInternetOffering, status: 'live', validFrom: 'soon', extra: 1 } });
    expect(issues.map(({ code, pointer }) => ({ code, pointer }))).toEqual([
      { code: 'schema.additionalProperties', pointer: '' },
      { code: 'schema.enum', pointer: '/status' },
      { code: 'schema.format', pointer: '/validFrom' },
    ]);
    expect(issues[0]!.message).toContain('"extra"');
  });

  it('refuses an unknown kind and a key that is not kebab-case', () => {
    expect(validateItemShape({ kind: 'coupon' as MetadataKind, key: 'x', content: {} })).toEqual([
      { item: { kind: 'coupon', key: 'x' }, pointer: '', code: 'item.kind', message: 'unknown metadata kind "coupon"' },
    ]);
    expect(validateItemShape({ ...spec(), key: 'Business Internet' }).map((i) => i.code)).toEqual(['item.key']);
  });

  it('refuses content over the kind\'s size bound before the schema runs', () => {
    const content = { name: 'x'.repeat(registry['discount-schedule'].maxBytes), unknown: true };
    const issues = validateItemShape({ kind: 'discount-schedule', key: 'huge', content });
    expect(issues.map(({ code, pointer }) => ({ code, pointer }))).toEqual([{ code: 'content.too-large', pointer: '' }]);
  });

  it(`refuses content nested deeper than ${MAX_CONTENT_DEPTH} before the schema runs, at the first too-deep value`, () => {
    const issues = validateItemShape({ kind: 'product-specification', key: 'deep', content: { name: 'x', characteristics: nested(MAX_CONTENT_DEPTH) } });
    expect(issues.map(({ code, pointer }) => ({ code, pointer }))).toEqual([{ code: 'content.too-deep', pointer: `/characteristics${'/0'.repeat(MAX_CONTENT_DEPTH - 1)}` }]);
  });

  it(`lets content ${MAX_CONTENT_DEPTH} levels deep through to the schema`, () => {
    const issues = validateItemShape({ kind: 'product-specification', key: 'deep', content: { name: 'x', characteristics: nested(MAX_CONTENT_DEPTH - 1) } });
    expect(issues.map((i) => i.code)).toEqual(['schema.type']);
  });

  it('refuses huge content early, reading only about maxBytes of it', () => {
    let reads = 0;
    const tiers = new Proxy(Array.from({ length: 1_000_000 }, () => 'tier'), {
      get: (target, property, receiver) => {
        if (typeof property === 'string' && /^\d+$/.test(property)) reads++;
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
    const issues = validateItemShape({ kind: 'discount-schedule', key: 'huge', content: { name: 'x', tiers } });
    expect(issues.map((i) => i.code)).toEqual(['content.too-large']);
    expect(reads).toBeLessThan(registry['discount-schedule'].maxBytes);
  });

  it('measures the size in UTF-8 bytes of the JSON serialization', () => {
    const { maxBytes } = registry['discount-schedule'];
    const fits = { name: 'é'.repeat(Math.floor((maxBytes - 20) / 2)) };
    expect(validateItemShape({ kind: 'discount-schedule', key: 'fits', content: fits }).map((i) => i.code)).not.toContain('content.too-large');
    const over = { name: 'é'.repeat(Math.floor(maxBytes / 2) + 1) };
    expect(validateItemShape({ kind: 'discount-schedule', key: 'over', content: over }).map((i) => i.code)).toEqual(['content.too-large']);
  });

  it('survives self-referencing content (refused as too deep, never serialized)', () => {
    const content: Record<string, unknown> = { name: 'loop' };
    content.self = content;
    expect(validateItemShape({ kind: 'bundle', key: 'loop', content }).map((i) => i.code)).toEqual(['content.too-deep']);
  });
});

describe('validateReleaseSet', () => {
  it('finds no issue in the sample catalog', async () => {
    expect(await validateWithFeelin(sampleCatalog())).toEqual([]);
  });

  it('finds no issue in the sample catalog with the platform FEEL compiler either', async () => {
    expect(await validateReleaseSet(sampleCatalog(), { compileFeel })).toEqual([]);
  });

  it('resolves references across the items of the set', async () => {
    expect(await validateWithFeelin([spec(), offering(), layout])).toEqual([]);
    const issues = await validateWithFeelin([offering(), layout]);
    expect(issues).toEqual([
      {
        item: ref('product-offering', 'business-internet'),
        pointer: '/specification',
        code: 'reference.unresolved',
        message: 'product-specification/business-internet is neither in the release set nor in the current release',
      },
    ]);
  });

  it('resolves references into the base release, and checks against base content', async () => {
    expect(await validateWithFeelin([layout], [spec(), offering()])).toEqual([]);
    const narrower = spec({ ...businessInternetSpec, characteristics: businessInternetSpec.characteristics.filter((c) => c.key !== 'staticIps') });
    const issues = await validateWithFeelin([layout], [narrower, offering()]);
    expect(findings(issues, ref('quote-screen-layout', 'business-internet-layout'))).toEqual([
      { code: 'characteristic.unknown', pointer: '/sections/1/fields/2/characteristic' },
    ]);
  });

  it('lets an item of the set replace the base item of the same kind and key', async () => {
    const narrower = spec({ ...businessInternetSpec, characteristics: businessInternetSpec.characteristics.filter((c) => c.key !== 'staticIps') });
    expect(await validateWithFeelin([spec(), layout], [narrower, offering()])).toEqual([]);
    expect((await validateWithFeelin([narrower, layout], [spec(), offering()])).map((i) => i.code)).toEqual(['characteristic.unknown']);
  });

  it('does not validate the base release itself', async () => {
    const brokenBase = offering({ ...businessInternetOffering, specification: 'gone' });
    expect(await validateWithFeelin([layout], [spec(), brokenBase])).toEqual([]);
  });

  it('reports a (kind, key) that appears twice in the set', async () => {
    const issues = await validateWithFeelin([spec(), offering(), spec()]);
    expect(issues).toEqual([expect.objectContaining({ item: ref('product-specification', 'business-internet'), code: 'item.duplicate', pointer: '' })]);
  });

  it('reports cycles across items on each item of the cycle', async () => {
    const items = catalogWith<ConfigurationRuleSetContent>(ref('configuration-rule-set', 'business-internet-rules'), (c) =>
      c.rules.push({ id: 'needs-router', type: 'requires', offerings: ['managed-router'], message: 'm', severity: 'error' }),
    );
    const issues = await validateWithFeelin(items);
    expect(issues.map(({ item, code, pointer }) => ({ key: item.key, code, pointer }))).toEqual([
      { key: 'business-internet-rules', code: 'cycle', pointer: '/rules/5/offerings/0' },
      { key: 'managed-router-rules', code: 'cycle', pointer: '/rules/0/offerings/0' },
    ]);
  });

  it('returns every issue across the set, not the first', async () => {
    const items = sampleCatalog().map((item) => {
      if (item.kind === 'product-offering' && item.key === 'sd-wan') return { ...item, content: { ...(item.content as object), validTo: '2024-01-01' } };
      if (item.kind === 'discount-schedule') return { ...item, content: { ...(item.content as object), offerings: ['gone'] } };
      if (item.kind === 'bpmn-model') return { ...item, content: { ...(item.content as object), processKey: 'other' } };
      return item;
    });
    items.push({ kind: 'price-book', key: 'broken', content: { name: 'x' } });
    const issues = await validateWithFeelin(items);
    expect(issues.map(({ item, code }) => `${item.kind}/${item.key} ${code}`).sort()).toEqual([
      'bpmn-model/quote-approval bpmn.process-key',
      'discount-schedule/term-discounts reference.unresolved',
      'price-book/broken schema.required',
      'price-book/broken schema.required',
      'price-book/broken schema.required',
      'product-offering/sd-wan date.range',
    ]);
  });

  it('does not look inside an item whose shape is invalid, and still counts it as present', async () => {
    const broken = spec({ ...businessInternetSpec, characteristics: 'none' as never });
    const issues = await validateWithFeelin([broken, offering(), layout]);
    expect(issues.map((i) => `${i.item.kind} ${i.code} ${i.pointer}`)).toEqual(['product-specification schema.type /characteristics']);
  });

  it('reports a FEEL expression that does not parse at its pointer, with the position', async () => {
    const issues = await validateWithFeelin(
      catalogWith<ConfigurationRuleSetContent>(ref('configuration-rule-set', 'business-internet-rules'), (c) => Object.assign(c.rules[0]!, { constraint: 'bandwidth <= (' })),
    );
    expect(issues).toEqual([
      {
        item: ref('configuration-rule-set', 'business-internet-rules'),
        pointer: '/rules/0/constraint',
        code: 'feel.syntax',
        message: 'FEEL does not parse at offset 14 of "bandwidth <= (": unexpected end of expression',
      },
    ]);
  });

  it('compiles each distinct expression once through the given compiler, and survives one that throws', async () => {
    const compileFeel = vi.fn(feelinCompile);
    await validateReleaseSet(sampleCatalog(), { compileFeel });
    const calls = compileFeel.mock.calls.map(([source, dialect]) => `${dialect}:${source}`);
    expect(calls.length).toBeGreaterThan(0);
    expect(new Set(calls).size).toBe(calls.length);

    const issues = await validateReleaseSet([spec(), offering(), { kind: 'pricing-rule-set', key: 'p', content: { name: 'p', rules: [{ id: 'r', phase: 'customer', condition: 'true', action: { type: 'markup', value: '1' }, priority: 0, order: 0, stacking: 'stack' }] } }], {
      compileFeel: () => {
        throw new Error('compiler down');
      },
    });
    expect(issues.map((i) => `${i.code} ${i.pointer} ${i.message}`)).toEqual(['feel.syntax /rules/0/condition FEEL does not parse at offset 0-4 of "true": compiler down']);
  });
});
