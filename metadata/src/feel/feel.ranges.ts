/**
 * Ranges as FEEL values (DMN 1.5 10.3.2.7; range functions 10.3.4.7), on feelin's FeelRange so feelin's own
 * code still recognises them. Where DMN 1.5 differs from feelin 8.2:
 *
 * - an interval literal's endpoint that is null is unknown, not open: `5 in [1..null]` is null
 *   (feelin: true), and `(null..10)` is not the range `< 10`;
 * - a unary comparison used as a value is a range of its own kind (`op`): `(< 10)`, `(>= 5)`,
 *   `(= 10)`, `(!= 10)`; its properties read as the interval's (`(= 10).start` is 10) but it
 *   equals only the same comparison (`(= 10) = [10..10]` is false, `(= 10) = (= 10)` true);
 * - membership of an incomparable value is null; ranges equal by kind, bounds and inclusion;
 * - `range("[1..3]")` builds a range from a literal's text; the interval functions
 *   (`before` ... `coincides`) answer for points and ranges with three-valued logic.
 */
import { FeelRange } from 'feelin';
import { compareTemporal, isTemporalValue, temporalEquals } from './feel.temporal';

export type RangeOp = '<' | '<=' | '>' | '>=' | '=' | '!=';

/** The FEEL types a range may hold (feelin's getType names). */
export type RangeValueType = 'number' | 'string' | 'date' | 'time' | 'date time' | 'duration';

/** A FEEL range; `op` marks one made from a unary comparison (`< 10`). */
export class Range extends FeelRange {
  declare readonly op: RangeOp | null;

  constructor(props: { start: unknown; end: unknown; startIncluded: boolean; endIncluded: boolean; valueType: string | null }, op: RangeOp | null = null) {
    super({ start: props.start, end: props.end, 'start included': props.startIncluded, 'end included': props.endIncluded, valueType: props.valueType });
    Object.defineProperty(this, 'op', { value: op, enumerable: false });
  }

  override includes(value: unknown): boolean | null {
    return rangeIncludes(this, value);
  }
}

export function valueTypeOf(value: unknown): RangeValueType | null {
  switch (typeof value) {
    case 'number': return 'number';
    case 'string': return 'string';
  }
  if (!isTemporalValue(value)) return null;
  const name = (value as object).constructor.name;
  // feelin's classes: FeelDate, FeelTime, FeelDateTime, FeelDuration
  return name === 'FeelDate' ? 'date' : name === 'FeelTime' ? 'time' : name === 'FeelDateTime' ? 'date time' : 'duration';
}

/**
 * Orders two values a range may hold: numbers, strings, temporals of one type. Null when they
 * do not compare (different types, duration kinds, a null).
 */
export function compareValues(a: unknown, b: unknown): -1 | 0 | 1 | null {
  if (a === null || a === undefined || b === null || b === undefined) return null;
  const kind = typeof a;
  if (kind === 'number' || kind === 'string') {
    if (typeof b !== kind) return null;
    return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  }
  return compareTemporal(a, b);
}

/** A range from an interval literal `[a..b]`: endpoints of one orderable type, or null. */
export function intervalRange(start: unknown, end: unknown, startIncluded: boolean, endIncluded: boolean): Range {
  const startType = start === null || start === undefined ? null : valueTypeOf(start);
  const endType = end === null || end === undefined ? null : valueTypeOf(end);
  if ((start !== null && startType === null) || (end !== null && endType === null) || (startType && endType && startType !== endType)) {
    // feelin's wording, so callers that expect its error keep seeing it.
    throw new Error(`unsupported range: ${String(start)}..${String(end)}`);
  }
  return new Range({ start: start ?? null, end: end ?? null, startIncluded, endIncluded, valueType: startType ?? endType });
}

/** The range of a unary comparison: `< 10`, `>= 5`, `= 3`, `!= 3`. */
export function comparisonRange(op: RangeOp, bound: unknown): Range {
  const valueType = bound === null || bound === undefined ? null : valueTypeOf(bound);
  switch (op) {
    case '<': return new Range({ start: null, end: bound, startIncluded: false, endIncluded: false, valueType }, op);
    case '<=': return new Range({ start: null, end: bound, startIncluded: false, endIncluded: true, valueType }, op);
    case '>': return new Range({ start: bound, end: null, startIncluded: false, endIncluded: false, valueType }, op);
    case '>=': return new Range({ start: bound, end: null, startIncluded: true, endIncluded: false, valueType }, op);
    case '=': return new Range({ start: bound, end: bound, startIncluded: true, endIncluded: true, valueType }, op);
    default: return new Range({ start: bound, end: bound, startIncluded: false, endIncluded: false, valueType }, op);
  }
}

/** FEEL `=` of the runtime (feel.runtime.ts registers it; it knows lists and contexts too). */
let equality: (a: unknown, b: unknown) => boolean | null = (a, b) => pointEquals(a, b);

export function setRangeEquality(equals: (a: unknown, b: unknown) => boolean | null): void {
  equality = equals;
}

function opOf(range: FeelRange): RangeOp | null {
  return range instanceof Range ? range.op : null;
}

/** FEEL equality of two points a range may hold (numbers, strings, temporals). */
function pointEquals(a: unknown, b: unknown): boolean | null {
  if (isTemporalValue(a) || isTemporalValue(b)) return temporalEquals(a, b);
  if (typeof a !== typeof b) return null;
  return a === b;
}

/**
 * The order membership uses: temporal values by DMN (null across types or duration kinds);
 * anything else by JS relational operators, as feelin's `cmp` does (so `true in [1..5]` and
 * `1 < "a"` keep feelin's answers, a documented quirk, rather than FEEL's null).
 */
function order(a: unknown, b: unknown): -1 | 0 | 1 | null {
  if (isTemporalValue(a) || isTemporalValue(b)) return compareTemporal(a, b);
  const x = a as number;
  const y = b as number;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * `value in range`: true, false, or null. The two ends are tests joined by FEEL's `and`: an
 * unknown (null) endpoint or an incomparable value makes its side null, and a side that is
 * false decides (`-1 in [0..null]` is false, `5 in [1..null]` null).
 */
export function rangeIncludes(range: FeelRange, value: unknown): boolean | null {
  const op = opOf(range);
  // `= x` / `!= x` are equality tests, defined for a null value too (`null in (= "a")` is false).
  if (op === '=') return equality(value, range.start);
  if (op === '!=') {
    const equal = equality(value, range.start);
    return equal === null ? null : !equal;
  }
  if (value === null || value === undefined) return null;
  if (value instanceof FeelRange) return rangeIncludesRange(range, value);
  let { start, end } = range;
  let startIncluded = range['start included'];
  let endIncluded = range['end included'];
  const openStart = op === '<' || op === '<=';
  const openEnd = op === '>' || op === '>=';
  if (!openStart && !openEnd && start === null && end === null) return null;
  // A descending literal `[10..1]` reads as `[1..10]`, as feelin does.
  if (start !== null && end !== null && order(start, end) === 1) {
    [start, end] = [end, start];
    [startIncluded, endIncluded] = [endIncluded, startIncluded];
  }
  let above: boolean | null = true;
  if (!openStart) {
    const c = start === null ? null : order(value, start);
    above = c === null ? null : startIncluded ? c >= 0 : c > 0;
  }
  let below: boolean | null = true;
  if (!openEnd) {
    const c = end === null ? null : order(value, end);
    below = c === null ? null : endIncluded ? c <= 0 : c < 0;
  }
  if (above === false || below === false) return false;
  return above === null || below === null ? null : true;
}

function rangeIncludesRange(container: FeelRange, value: FeelRange): boolean | null {
  return includesRange(container, value);
}

/** Range equality: the same kind (`op`), endpoints and inclusion. */
export function rangeEquals(a: FeelRange, b: FeelRange): boolean {
  if (opOf(a) !== opOf(b) || a['start included'] !== b['start included'] || a['end included'] !== b['end included']) return false;
  const same = (x: unknown, y: unknown) => (x === null || y === null ? x === y : pointEquals(x, y) === true);
  return same(a.start, b.start) && same(a.end, b.end);
}

// --- interval functions (DMN 1.5 10.3.4.9, table 78) -------------------------------------------

type Tri = boolean | null;

const and = (...values: Tri[]): Tri => (values.includes(false) ? false : values.includes(null) ? null : true);
const or = (...values: Tri[]): Tri => (values.includes(true) ? true : values.includes(null) ? null : false);

function cmp(a: unknown, b: unknown): number | null {
  return compareValues(a, b);
}
const lt = (a: unknown, b: unknown): Tri => { const c = cmp(a, b); return c === null ? null : c < 0; };
const gt = (a: unknown, b: unknown): Tri => { const c = cmp(a, b); return c === null ? null : c > 0; };
const eq = (a: unknown, b: unknown): Tri => { const c = cmp(a, b); return c === null ? null : c === 0; };

type Bounds = { start: unknown; end: unknown; si: boolean; ei: boolean };

function bounds(r: FeelRange): Bounds {
  return { start: r.start, end: r.end, si: r['start included'], ei: r['end included'] };
}

const isRange = (v: unknown): v is FeelRange => v instanceof FeelRange;

export function before(a: unknown, b: unknown): Tri {
  if (!isRange(a) && !isRange(b)) return lt(a, b);
  if (!isRange(a)) { const r = bounds(b as FeelRange); return or(lt(a, r.start), and(eq(a, r.start), !r.si)); }
  if (!isRange(b)) { const r = bounds(a); return or(lt(r.end, b), and(eq(r.end, b), !r.ei)); }
  const r1 = bounds(a);
  const r2 = bounds(b);
  return or(lt(r1.end, r2.start), and(or(!r1.ei, !r2.si), eq(r1.end, r2.start)));
}

export function after(a: unknown, b: unknown): Tri {
  return before(b, a);
}

export function meets(a: FeelRange, b: FeelRange): Tri {
  const r1 = bounds(a);
  const r2 = bounds(b);
  return and(r1.ei, r2.si, eq(r1.end, r2.start));
}

export function overlaps(a: FeelRange, b: FeelRange): Tri {
  const r1 = bounds(a);
  const r2 = bounds(b);
  return and(
    or(gt(r1.end, r2.start), and(eq(r1.end, r2.start), r1.ei, r2.si)),
    or(lt(r1.start, r2.end), and(eq(r1.start, r2.end), r1.si, r2.ei)),
  );
}

export function overlapsBefore(a: FeelRange, b: FeelRange): Tri {
  const r1 = bounds(a);
  const r2 = bounds(b);
  return and(
    or(lt(r1.start, r2.start), and(eq(r1.start, r2.start), r1.si, !r2.si)),
    or(gt(r1.end, r2.start), and(eq(r1.end, r2.start), r1.ei, r2.si)),
    or(lt(r1.end, r2.end), and(eq(r1.end, r2.end), or(!r1.ei, r2.ei))),
  );
}

export function overlapsAfter(a: FeelRange, b: FeelRange): Tri {
  return overlapsBefore(b, a);
}

export function finishes(a: unknown, b: FeelRange): Tri {
  const r2 = bounds(b);
  if (!isRange(a)) return and(r2.ei, eq(r2.end, a));
  const r1 = bounds(a);
  return and(r1.ei === r2.ei, eq(r1.end, r2.end), or(gt(r1.start, r2.start), and(eq(r1.start, r2.start), or(!r1.si, r2.si))));
}

export function finishedBy(a: FeelRange, b: unknown): Tri {
  const r1 = bounds(a);
  if (!isRange(b)) return and(r1.ei, eq(r1.end, b));
  const r2 = bounds(b);
  return and(r1.ei === r2.ei, eq(r1.end, r2.end), or(lt(r1.start, r2.start), and(eq(r1.start, r2.start), or(r1.si, !r2.si))));
}

export function includesRange(a: FeelRange, b: unknown): Tri {
  const r1 = bounds(a);
  if (!isRange(b)) {
    return or(and(lt(r1.start, b), gt(r1.end, b)), and(eq(r1.start, b), r1.si), and(eq(r1.end, b), r1.ei));
  }
  const r2 = bounds(b);
  return and(
    or(lt(r1.start, r2.start), and(eq(r1.start, r2.start), or(r1.si, !r2.si))),
    or(gt(r1.end, r2.end), and(eq(r1.end, r2.end), or(r1.ei, !r2.ei))),
  );
}

export function during(a: unknown, b: FeelRange): Tri {
  return includesRange(b, a);
}

export function starts(a: unknown, b: FeelRange): Tri {
  const r2 = bounds(b);
  if (!isRange(a)) return and(eq(r2.start, a), r2.si);
  const r1 = bounds(a);
  return and(eq(r1.start, r2.start), r1.si === r2.si, or(lt(r1.end, r2.end), and(eq(r1.end, r2.end), or(!r1.ei, r2.ei))));
}

export function startedBy(a: FeelRange, b: unknown): Tri {
  const r1 = bounds(a);
  if (!isRange(b)) return and(eq(r1.start, b), r1.si);
  const r2 = bounds(b);
  return and(eq(r1.start, r2.start), r1.si === r2.si, or(lt(r2.end, r1.end), and(eq(r2.end, r1.end), or(!r2.ei, r1.ei))));
}

export function coincides(a: unknown, b: unknown): Tri {
  if (!isRange(a) && !isRange(b)) return eq(a, b);
  if (!isRange(a) || !isRange(b)) return null;
  const r1 = bounds(a);
  const r2 = bounds(b);
  return and(eq(r1.start, r2.start), r1.si === r2.si, eq(r1.end, r2.end), r1.ei === r2.ei);
}
