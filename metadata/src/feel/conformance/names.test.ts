// DMN 1.5, 10.3.1.2 (grammar rules 20, 27, 28: names) and 10.3.2.11 (scope): a name may contain
// spaces, keywords and the characters `. / - ' + *`; which names exist depends on the scope,
// so a FEEL text is parsed knowing the names in scope (the DMN model's inputs and decisions,
// context entries, a release's characteristics). feelin parses with the evaluation context's
// names; our compiler parses once, before any context exists, so the names come with
// compileFeel(source, dialect, { names }).
import { describe, expect, it } from 'vitest';
import { compileFeel } from '../feel.compiler';
import { createFeelCache } from '../feel.cache';
import { feel } from './conformance.support';

describe('names with spaces, keywords and operators, given the names in scope', () => {
  it.each([
    ['Date-Time - 1', { 'Date-Time': 10 }, 9],
    ['Income/Month * 12', { 'Income/Month': 100 }, 1200],
    ['values in a list[2]', { 'values in a list': [7, 8] }, 8],
    ['terms and conditions', { 'terms and conditions': true }, true],
    ['decision A 2.1 * 2', { 'decision A 2.1': 5 }, 10],
    ["Applicant's income + 1", { "Applicant's income": 1 }, 2],
    ['Another Date and Time.year', { 'Another Date and Time': feel('@"2021-05-06T10:00:00"') }, 2021],
    ['for loop count + 1', { 'for loop count': 2 }, 3],
  ] as [string, Record<string, unknown>, unknown][])('%s with %j is %j', (source, context, expected) => {
    expect(feel(source, context)).toEqual(expected);
  });

  it('reads them as operators and keywords when they are not in scope (as FEEL defines)', () => {
    // `Date - Time` without the name: a subtraction of two missing names.
    expect(feel('Date-Time - 1', { 'Date-Time': 10 }, [])).toBeNull();
    expect(compileFeel('for loop count + 1', 'expression').ok).toBe(false);
  });

  it('reads nested names from a context shape', () => {
    expect(feel('Applicant.Monthly-Income * 12', { Applicant: { 'Monthly-Income': 100 } }, { Applicant: { 'Monthly-Income': null } })).toBe(1200);
  });

  it('lists the variables read as the scope spells them', () => {
    const result = compileFeel('Date-Time > 3 and Income/Month < 2', 'expression', { names: ['Date-Time', 'Income/Month'] });
    expect(result.ok && result.compiled.variables).toEqual(['Date-Time', 'Income/Month']);
  });

  it('compiles names that cannot change a parse once in a cache, whatever else is in scope', () => {
    const cache = createFeelCache();
    const a = cache.compile('quantity > 1', 'expression', { names: ['quantity', 'term'] });
    expect(cache.compile('quantity > 1', 'expression', { names: ['quantity'] })).toBe(a);
    expect(cache.compile('quantity > 1', 'expression', { names: ['Date-Time'] })).not.toBe(a);
  });
});
