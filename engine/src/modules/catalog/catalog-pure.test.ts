import { describe, expect, it } from 'vitest';
import { canonicalJson, itemHash, releaseHash } from './content-hash';
import { diffReleases, diffValues } from './release-diff';

describe('content hash', () => {
  it('does not depend on key order', () => {
    expect(itemHash({ a: 1, b: { c: [1, 2], d: 'x' } })).toBe(itemHash({ b: { d: 'x', c: [1, 2] }, a: 1 }));
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });

  it('changes with any change, including array order and types', () => {
    const base = itemHash({ a: [1, 2], b: '1' });
    for (const changed of [{ a: [2, 1], b: '1' }, { a: [1, 2], b: 1 }, { a: [1, 2], b: '1', c: null }, { a: [1, 2] }]) {
      expect(itemHash(changed)).not.toBe(base);
    }
  });

  it('a release hash is stable across runs and item order, and changes with any item', () => {
    const items = [
      { kind: 'price-book', key: 'eur', contentHash: 'a'.repeat(64) },
      { kind: 'bundle', key: 'sd-wan', contentHash: 'b'.repeat(64) },
    ];
    expect(releaseHash(items)).toBe(releaseHash([...items].reverse()));
    // Fixed values: the hash must be the same on every machine and every run.
    expect(releaseHash(items)).toBe('533578e533913d9c07178bcdc26d93712d123a67f41478cfcf633de32de3b9bf');
    expect(itemHash({ b: 1, a: [1, 'x'] })).toBe('a88dede55f330dbae7d6c99cb78c43213f114625ed11c8fd0b769d117c06bb50');
    expect(releaseHash([items[0]!, { ...items[1]!, contentHash: 'c'.repeat(64) }])).not.toBe(releaseHash(items));
    expect(releaseHash([items[0]!])).not.toBe(releaseHash(items));
  });
});

describe('release diff', () => {
  const item = (kind: string, key: string, content: unknown) => ({ kind, key, content, contentHash: itemHash(content) });

  it('lists added, removed and changed items with field-level changes', () => {
    const from = [item('price-book', 'eur', { currency: 'EUR', entries: [{ price: '10.00' }] }), item('bundle', 'old', { a: 1 }), item('dmn-model', 'same', { x: 1 })];
    const to = [item('price-book', 'eur', { currency: 'EUR', entries: [{ price: '12.00' }], validTo: '2027-01-01' }), item('bundle', 'new', { a: 1 }), item('dmn-model', 'same', { x: 1 })];
    expect(diffReleases(from, to)).toEqual({
      added: [{ kind: 'bundle', key: 'new' }],
      removed: [{ kind: 'bundle', key: 'old' }],
      changed: [{ kind: 'price-book', key: 'eur', changes: [{ pointer: '/entries/0/price', from: '10.00', to: '12.00' }, { pointer: '/validTo', to: '2027-01-01' }] }],
    });
  });

  it('escapes pointer segments and handles arrays that shrink', () => {
    expect(diffValues({ 'a/b': [1, 2, 3] }, { 'a/b': [1] })).toEqual([{ pointer: '/a~1b/1', from: 2 }, { pointer: '/a~1b/2', from: 3 }]);
    expect(diffValues('x', { y: 1 })).toEqual([{ pointer: '', from: 'x', to: { y: 1 } }]);
  });
});
