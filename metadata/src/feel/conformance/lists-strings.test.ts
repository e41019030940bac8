// DMN 1.5, 10.3.2.5 (lists and filters), 10.3.2.6 (contexts), 10.3.2.9 (instance of and typed
// function parameters), 10.3.4.3 (string functions: XML Schema regular expressions and their
// flags), 10.3.4.4 (list functions), 10.3.4.5 (numeric functions: the scale of rounding).
import { describe, expect, it } from 'vitest';
import { feel } from './conformance.support';

describe('10.3.2.5 lists and filters', () => {
  it('filters a single value as a singleton list (feelin: the value)', () => {
    expect(feel('100[true]')).toEqual([100]);
    expect(feel('"foo"[item = "foo"]')).toEqual(['foo']);
    expect(feel('100[false]')).toEqual([]);
  });
});

describe('10.3.2.6 contexts', () => {
  it('refuses a context with a key twice: null (feelin: the last value)', () => {
    expect(feel('{foo: "bar", foo: "baz"}')).toBeNull();
    expect(feel('{foo: "bar", "foo": "baz"}')).toBeNull();
  });
});

describe('10.3.2.9 types: instance of, typed parameters', () => {
  it.each([
    ['1 instance of number', true],
    ['@"P1D" instance of days and time duration', true],
    ['@"P1D" instance of years and months duration', false],
    ['[1, 2] instance of list<number>', true],
    ['{a: 1} instance of context<a: number>', true],
    ['null instance of Null', true],
    ['null instance of Any', false],
  ])('%s is %j', (source, expected) => {
    expect(feel(source)).toBe(expected);
  });

  it('makes an invocation with an argument outside its parameter\'s type null (feelin: runs it)', () => {
    expect(feel('(function(arg: number) arg)("foo")')).toBeNull();
    expect(feel('(function(arg: number) arg)(1)')).toBe(1);
  });
});

describe('10.3.4.4 list replace(list, position | match, newItem)', () => {
  it.each([
    ['list replace([1,2,3], 2, 4)', [1, 4, 3]],
    ['list replace([1,2,3], -1, 4)', [1, 2, 4]], // from the end (feelin: [1, 4, 3])
    ['list replace([1,2,3], -1.5, 4)', [1, 2, 4]],
    ['list replace(1, 1, 5)', [5]],
    ['list replace([2, 4, 7, 8], function(item, newItem) item < newItem, 5)', [5, 5, 7, 8]],
    ['list replace(match: function(item, newItem) item = 2, newItem: 4, list: [1,2,3])', [1, 4, 3]],
  ])('%s is %j', (source, expected) => {
    expect(feel(source)).toEqual(expected);
  });

  it.each([
    'list replace([1,2,3], 4, 4)', // outside the list (feelin: appends)
    'list replace([1,2,3], -4, 4)', // feelin: prepends
    'list replace([1,2,3], 0, 4)',
    'list replace([2, 4], function(item) item = 2, 5)', // a match takes (item, newItem)
    'list replace([2, 4], function(item, newItem) item, 5)', // and answers a boolean
  ])('%s is null', (source) => {
    expect(feel(source)).toBeNull();
  });
});

describe('10.3.4.3 matches(), replace(): XML Schema regular expressions (feelin: x flag not implemented)', () => {
  it.each([
    ['matches("hello world", "hello\\ sworld", "x")', true],
    ['matches("hello world", "he ll o[ ]worl d", "x")', true],
    ['matches("hello world", "\\p{ IsBasicLatin}+", "x")', true],
    ['matches("x", "[A-Z-[OI]]", "i")', true],
    ['matches("O", "[A-Z-[OI]]", "i")', false],
    ['matches("x[y-z]", "x[y-z]", "q")', true],
    ['replace("a b c d ", "[a-z]", "#", "x")', '# # # # '],
    ['replace("abc", ".^[d-z]*", "#", "smix")', 'abc'],
    ['matches("abcd", "1[asd\\0]")', null],
    ['matches("input", "pattern", "X")', null],
  ])('%s is %j', (source, expected) => {
    expect(feel(source)).toBe(expected);
  });
});

describe('10.3.4.5 rounding: the scale is an integer in [-6111..6176]', () => {
  it.each([
    ['decimal(1/3, 2.5)', 0.33], // feelin: 0.332...
    ['round half up(5.5, 6177)', null], // feelin: 5.5
    ['round up(5.5, -6112)', null],
    ['round down(5.5, 0)', 5],
  ])('%s is %j', (source, expected) => {
    expect(feel(source)).toBe(expected);
  });
});
