// DMN 1.5, 10.3.2.7 (ranges as values: endpoints, inclusion, null endpoints, unary comparisons
// as ranges), 10.3.2.2 (range equality), 10.3.4.1 (range()), 10.3.4.7 (range functions, with the
// specification's examples), the `range<T>` type of `instance of`, and iteration over ranges.
import { describe, expect, it } from 'vitest';
import { feel } from './conformance.support';

describe('10.3.2.7 ranges as values', () => {
  it.each([
    // an endpoint that is null is unknown, not open (feelin: true)
    ['5 in (null..10]', null],
    ['5 in [1..null]', null],
    ['0 in [1..null]', false],
    ['null in [1..10]', null],
    // unary comparisons are ranges of their own kind
    ['(< 10) = (null..10)', false],
    ['(= 10) = [10..10]', false],
    ['(= 10) = (= 10)', true],
    ['(!= 10) = (!= 10)', true],
    ['(< 10) = (< 10)', true],
    ['[1..10] = [1..10]', true],
    ['(1..10] = ]1..10]', true],
    ['[1..2] = [1..3]', false],
    ['5 in (< 10)', true],
    ['null in (= "a")', false],
  ])('%s is %j', (source, expected) => {
    expect(feel(source)).toBe(expected);
  });

  it('gives a unary comparison the properties of its interval (feelin: null)', () => {
    expect(feel('{s: (= 10).start, si: (= 10).start included, e: (= 10).end, ei: (= 10).end included}')).toEqual({ s: 10, si: true, e: 10, ei: true });
    expect(feel('{s: (< 10).start, si: (< 10).start included, e: (< 10).end}')).toEqual({ s: null, si: false, e: 10 });
  });

  it('iterates a number range upwards and a date range day by day; a descending or a character range is an error', () => {
    expect(feel('for i in @"1980-01-01"..@"1980-01-03" return string(i)')).toEqual(['1980-01-01', '1980-01-02', '1980-01-03']);
    expect(feel('for i in @"1980-01-03"..@"1980-01-01" return day of week(i)')).toEqual(['Thursday', 'Wednesday', 'Tuesday']);
    expect(feel('for i in [1..3] return i')).toEqual([1, 2, 3]);
    expect(feel('for i in 0..0 return i')).toEqual([0]); // feelin: null
    expect(feel('for i in [2..1] return i')).toBeNull();
    expect(feel('for i in "a".."z" return i')).toBeNull();
  });
});

describe('10.3.4.1 range(from)', () => {
  it.each([
    ['range("[18..21]") = [18..21]', true],
    ['range("]18..21]") = ]18..21]', true],
    ['range(" [ 1 .. 3 ] ") = [1..3]', true],
    ['range("[\\"a\\"..\\"c\\"]") = ["a".."c"]', true],
    ['range("[@\\"P1D\\"..@\\"P2D\\"]") = [@"P1D"..@"P2D"]', true],
    ['range("[date(\\"1970-01-01\\")..date(\\"1970-01-02\\")]") = [date("1970-01-01")..date("1970-01-02")]', true],
    ['2 in range("[1..3]")', true],
  ])('%s is %j', (source, expected) => {
    expect(feel(source)).toBe(expected);
  });

  it.each([
    'range("[3..1]")', // descending
    'range(">=10")', // not an interval
    'range("[1..\\"b\\"]")', // mixed types
    'range("[null..null]")',
    'range("[date(x)..date(\\"1970-01-02\\")]")', // endpoints are literals
    'range("[..2]")',
  ])('%s is null', (source) => {
    expect(feel(source)).toBeNull();
  });

  it('types ranges: range<T> in instance of', () => {
    expect(feel('range("[1..3]") instance of range<number>')).toBe(true);
    expect(feel('[@"P1Y"..@"P2Y"] instance of range<years and months duration>')).toBe(true);
    expect(feel('[@"P1Y"..@"P2Y"] instance of range<days and time duration>')).toBe(false);
    expect(feel('[1..3] instance of range<string>')).toBe(false);
    expect(feel('[[1..3]] instance of list<range<number>>')).toBe(true);
  });
});

describe('10.3.4.7 range functions (the specification\'s examples; feelin: null for most)', () => {
  it.each([
    ['before(1, 10)', true],
    ['before(1, (1..10])', true],
    ['before([1..10), 10)', true],
    ['before([1..10), [10..20])', true],
    ['after([1..10], [10..20])', false],
    ['meets([1..5], [5..10])', true],
    ['met by([5..10], [1..5])', true],
    ['overlaps([5..10], [1..6])', true],
    ['overlaps before([1..5], [3..8])', true],
    ['overlaps before([1..5], [1..8])', false],
    ['overlaps after([3..8], [1..5])', true],
    ['finishes(10, [1..10])', true],
    ['finishes([3..5], [1..5])', true],
    ['finished by([1..10], 10)', true],
    ['finished by([1..5], [3..5])', true],
    ['includes([1..10], 5)', true],
    ['includes([1..10], [4..6])', true],
    ['during(5, [1..10])', true],
    ['during([4..6], [1..10])', true],
    ['during(1, (1..10])', false],
    ['starts(1, [1..5])', true],
    ['starts([1..5], [1..10])', true],
    ['started by([1..10], 1)', true],
    ['started by([1..10], [1..5])', true],
    ['coincides(5, 5)', true],
    ['coincides([1..5], [1..5])', true],
    ['coincides([1..5], [2..6])', false],
    ['before(point1: 1, point2: 10)', true],
    ['during(point: 5, range: [1..10])', true],
  ])('%s is %j', (source, expected) => {
    expect(feel(source)).toBe(expected);
  });
});
