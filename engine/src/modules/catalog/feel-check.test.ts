import { describe, expect, it } from 'vitest';
import { EVALUATION_TIMEOUT_MS, checkFeel, evaluateBounded } from './feel-check';

describe('checkFeel: what the studio\'s FEEL editor shows, from the engine\'s compiler', () => {
  it('gives a compile error at its character offsets, with the parser\'s message and no variables', () => {
    expect(checkFeel({ expression: 'quantity >= ' })).toEqual({
      ok: false,
      dialect: 'expression',
      variables: [],
      error: { phase: 'compile', message: 'Incomplete <Comparison>', from: 12, to: 12 },
    });
    expect(checkFeel({ expression: '' }).error).toEqual({ phase: 'compile', message: 'Incomplete <Expression>', from: 0, to: 0 });
  });

  it('evaluates against the sample values and lists the names the expression reads', () => {
    const result = checkFeel({ expression: 'quantity >= 10 and access = "copper"', context: { quantity: 12, access: 'copper' } });
    expect(result).toEqual({ ok: true, dialect: 'expression', variables: ['quantity', 'access'], value: true, type: 'boolean', display: 'true' });
    expect(checkFeel({ expression: 'quantity >= 10', context: { quantity: 3 } }).value).toBe(false);
    // A name without a sample value is null, as in FEEL.
    expect(checkFeel({ expression: 'quantity' })).toMatchObject({ ok: true, value: null, type: 'null', display: 'null' });
  });

  it('tests unary tests against the input, under ?', () => {
    expect(checkFeel({ expression: '< 10, [20..30]', dialect: 'unary-tests', input: 25 })).toMatchObject({ ok: true, dialect: 'unary-tests', value: true });
    expect(checkFeel({ expression: '< 10, [20..30]', dialect: 'unary-tests', input: 15 })).toMatchObject({ ok: true, value: false });
    expect(checkFeel({ expression: '[20..', dialect: 'unary-tests', input: 15 }).error?.phase).toBe('compile');
  });

  it.each([
    ['"copper"', 'string', 'copper', '"copper"'],
    ['1.5 * 2', 'number', 3, '3'],
    ['[1, "a", null]', 'list', [1, 'a', null], '[1, "a", null]'],
    ['{a: 1, "b c": [true]}', 'context', { a: 1, 'b c': [true] }, '{a: 1, "b c": [true]}'],
    ['date("2024-01-02")', 'date', '2024-01-02', 'date("2024-01-02")'],
    ['duration("P1D")', 'duration', 'P1D', 'duration("P1D")'],
    ['(1..3]', 'range', { start: 1, end: 3, 'start included': false, 'end included': true }, '(1..3]'],
    ['function(a) a', 'function', null, 'function'],
    ['{start: 1, end: 2, "start included": true, "end included": true}', 'context', { start: 1, end: 2, 'start included': true, 'end included': true }, '{start: 1, end: 2, "start included": true, "end included": true}'],
  ])('writes %s as JSON and as FEEL (%s)', (expression, type, value, display) => {
    expect(checkFeel({ expression })).toEqual({ ok: true, dialect: 'expression', variables: [], value, type, display });
  });

  it('reports a failure on these values as an evaluate error (feelin\'s message), keeping the variables', () => {
    expect(checkFeel({ expression: 'x > true', context: { x: 1 } })).toEqual({
      ok: false,
      dialect: 'expression',
      variables: ['x'],
      error: { phase: 'evaluate', message: 'unsupported range: true..null' },
    });
  });

  it('stops an evaluation that runs past the time bound, and the shared sandbox works afterwards', () => {
    const started = Date.now();
    expect(() => evaluateBounded(() => {
      for (;;);
    }, 200)).toThrow(expect.objectContaining({ code: 'ERR_SCRIPT_EXECUTION_TIMEOUT' }));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(evaluateBounded(() => 42)).toBe(42);
    expect(checkFeel({ expression: '1 + 1' }).value).toBe(2);
  });

  it('reports an evaluation the compiler stops (an unbounded range) as an evaluate error', () => {
    const started = Date.now();
    const result = checkFeel({ expression: 'for i in 1..1.5 return i instance of number' });
    expect(result).toMatchObject({ ok: false, error: { phase: 'evaluate' } });
    expect(Date.now() - started).toBeLessThan(EVALUATION_TIMEOUT_MS * 3);
  });

  it('does not send back a value too large to show', () => {
    expect(checkFeel({ expression: 'for i in 1..30000 return "abcdefgh"' }).error?.message).toMatch(/^the value is too large to show \(330001 characters/);
  });
});
