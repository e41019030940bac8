import { describe, expect, it } from 'vitest';
import { jsonChanges } from './json-changes';

describe('jsonChanges (a version conflict: where theirs and yours differ)', () => {
  it('lists each differing field with both values, whatever the key order, lists element by element', () => {
    const theirs = { name: 'EUR list (ada)', entries: [{ price: '77.50', type: 'flat' }, { type: 'flat', price: '5.00' }], currency: 'EUR' };
    const yours = { currency: 'EUR', entries: [{ type: 'flat', price: '77.50' }], name: 'EUR list (bert)', validTo: undefined };
    expect(jsonChanges(theirs, yours)).toEqual([
      { pointer: '/name', theirs: 'EUR list (ada)', yours: 'EUR list (bert)' },
      { pointer: '/entries/1', theirs: { type: 'flat', price: '5.00' }, yours: undefined },
    ]);
    expect(jsonChanges(theirs, structuredClone(theirs))).toEqual([]);
    expect(jsonChanges({ a: [1, 2, 3] }, { a: [4, 5, 6] }, 2)).toHaveLength(2);
  });
});
