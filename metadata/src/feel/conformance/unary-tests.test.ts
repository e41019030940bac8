// DMN 1.5, unary tests (10.3.1.2 grammar rules 14-17 and their semantics, as decision table input
// entries use them): an expression that does not mention `?` is a value the input must equal
// (`e` means `? = e`), also when the expression yields a boolean; one that mentions `?` is the
// outcome. feelin 8.2 compares only boolean literals with the input and takes any other
// boolean as the outcome, so the cell `Complex.aBoolean` matched any input while the flag was
// true (TCK 0036-dt-variable-input).
import { describe, expect, it } from 'vitest';
import { cell } from './conformance.support';

describe('unary tests: an expression without ? is compared with the input', () => {
  it.each([
    ['Complex.aBoolean', false, { Complex: { aBoolean: true } }, false], // feelin: true
    ['Complex.aBoolean', true, { Complex: { aBoolean: true } }, true],
    ['not(Complex.aBoolean)', false, { Complex: { aBoolean: true } }, true],
    ['flag', false, { flag: false }, true], // feelin: false
    ['limit > 3', true, { limit: 5 }, true],
    ['limit > 3', false, { limit: 5 }, false], // feelin: true
    ['? > 3', 5, {}, true],
    ['? > limit', 4, { limit: 5 }, false],
    ['true', true, {}, true],
    ['x', 3, { x: 3 }, true],
    ['"a", "b"', 'b', {}, true],
    ['[1..5]', 5, {}, true],
    ['-', null, {}, true],
  ] as [string, unknown, Record<string, unknown>, boolean][])('%s with ? = %j and %j is %j', (source, input, context, expected) => {
    expect(cell(source, input, context)).toBe(expected);
  });

  it('keeps `x in (...)` an equality with x, whatever ? holds', () => {
    expect(cell('(? = null) or (true in flag)', 'a', { flag: true })).toBe(true);
  });
});
