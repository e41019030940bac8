import { describe, expect, it } from 'vitest';
import type { MetadataItem } from '../types';
import type { BundleContent } from './bundle.kind';
import type { ProductOfferingContent } from './product-offering.kind';
import { businessInternetOffering, sampleCatalog } from './samples';
import { findings, kindCases, ref, validateWithFeelin, type InvalidCase } from './test-support';

const cases: InvalidCase<BundleContent>[] = [
  { name: 'no option', change: (c) => (c.options = []), code: 'schema.minItems', pointer: '/options' },
  { name: 'a negative min', change: (c) => (c.options[0]!.min = -1), code: 'schema.minimum', pointer: '/options/0/min' },
  { name: 'a root offering that does not resolve', change: (c) => (c.offering = 'sd-lan'), code: 'reference.unresolved', pointer: '/offering' },
  { name: 'an option offering that does not resolve', change: (c) => (c.options[2]!.offering = 'firewall'), code: 'reference.unresolved', pointer: '/options/2/offering' },
  { name: 'an offering offered twice', change: (c) => (c.options[2]!.offering = 'managed-router'), code: 'duplicate', pointer: '/options/2/offering' },
  { name: 'option min above max', change: (c) => Object.assign(c.options[1]!, { min: 5, max: 1 }), code: 'range.invalid', pointer: '/options/1' },
  { name: 'a default quantity below min', change: (c) => (c.options[0]!.defaultQuantity = 1), code: 'default.domain', pointer: '/options/0/defaultQuantity' },
  { name: 'an option in an unknown group', change: (c) => (c.options[1]!.group = 'cables'), code: 'group.unknown', pointer: '/options/1/group' },
  { name: 'a group key listed twice', change: (c) => (c.groups[1]!.key = 'hardware'), code: 'duplicate', pointer: '/groups/1/key' },
  { name: 'group min above max', change: (c) => (c.groups[0]!.min = 2), code: 'range.invalid', pointer: '/groups/0' },
  {
    name: 'a group needing more selections than it has options',
    change: (c) => Object.assign(c.groups[1]!, { min: 2, max: 2 }),
    code: 'group.unsatisfiable',
    pointer: '/groups/1/min',
  },
  {
    name: 'more mandatory options than a group allows',
    change: (c) => {
      c.options[1]!.min = 1;
      Object.assign(c.options[2]!, { group: 'hardware', min: 1, max: 1, defaultQuantity: 1 });
    },
    code: 'group.unsatisfiable',
    pointer: '/groups/0/max',
  },
  { name: 'defaults that do not satisfy a group', change: (c) => (c.groups[1]!.min = 1), code: 'group.defaults', pointer: '/groups/1' },
  {
    name: 'a bundle that includes its own root offering',
    change: (c) => c.options.push({ offering: 'sd-wan', min: 0, max: 1, defaultQuantity: 0 }),
    code: 'cycle',
    pointer: '/options/3/offering',
  },
];

describe('bundle', () => {
  kindCases(ref('bundle', 'sd-wan-bundle'), cases);

  /** Offerings o1..on and bundles b-i: o-i bundled with o-(i+1) (plus business-internet). */
  function chain(levels: number, closing?: string): MetadataItem[] {
    const items: MetadataItem[] = [];
    for (let i = 1; i <= levels + 1; i++) {
      items.push({ kind: 'product-offering', key: `o${i}`, content: { ...structuredClone(businessInternetOffering), name: `O${i}` } satisfies ProductOfferingContent });
    }
    for (let i = 1; i <= levels; i++) {
      const child = i === levels && closing ? closing : `o${i + 1}`;
      items.push({
        kind: 'bundle',
        key: `b${i}`,
        content: { name: `B${i}`, offering: `o${i}`, groups: [], options: [{ offering: child, min: 1, max: 1, defaultQuantity: 1 }] } satisfies BundleContent,
      });
    }
    return items;
  }

  it('accepts bundles nested 3 levels deep', async () => {
    const issues = await validateWithFeelin([...sampleCatalog(), ...chain(3)]);
    expect(issues).toEqual([]);
  });

  it('refuses a bundle nested 4 levels deep, at the option that nests too deep', async () => {
    const issues = await validateWithFeelin([...sampleCatalog(), ...chain(4)]);
    expect(findings(issues, ref('bundle', 'b1'))).toEqual([{ code: 'bundle.depth', pointer: '/options/0/offering' }]);
    expect(findings(issues, ref('bundle', 'b2'))).toEqual([]);
  });

  it('reports a cycle through other bundles on every bundle of the cycle', async () => {
    const issues = await validateWithFeelin([...sampleCatalog(), ...chain(3, 'o1')]);
    for (const key of ['b1', 'b2', 'b3']) {
      expect(findings(issues, ref('bundle', key))).toEqual([{ code: 'cycle', pointer: '/options/0/offering' }]);
    }
    expect(issues.find((i) => i.item.key === 'b3')?.message).toContain('o3 -> o1 -> o2 -> o3');
  });

  it('follows nesting into bundles of the base release', async () => {
    const items = chain(4);
    const b1 = items.filter((i) => i.key === 'b1');
    const issues = await validateWithFeelin(b1, [...sampleCatalog(), ...items.filter((i) => i.key !== 'b1')]);
    expect(findings(issues, ref('bundle', 'b1'))).toEqual([{ code: 'bundle.depth', pointer: '/options/0/offering' }]);
  });
});
