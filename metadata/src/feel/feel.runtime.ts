/**
 * FEEL value semantics for compiled expressions: a faithful port of the helpers that feelin 8.2
 * (`node_modules/feelin/dist/index.js`) keeps private — name resolution, typing, equality,
 * ranges, function invocation. Compiled closures must agree with feelin's interpreter on every
 * input, so each function below mirrors its feelin counterpart line by line (named in the
 * comment); do not "improve" one without changing the property tests' reference too.
 *
 * Where DMN 1.5 and feelin 8.2 disagree, the DMN semantics win and live in their own modules:
 * temporal values (feel.temporal.ts), ranges (feel.ranges.ts) and the built-ins that change
 * (feel.builtins.ts); the functions here route to them.
 */
import { FeelDate, FeelDateTime, FeelDuration, FeelFunction, FeelRange, FeelTime, evaluate as feelinEvaluate } from 'feelin';
import { builtinOverrides } from './feel.builtins';
import { compareValues, Range, rangeEquals, rangeIncludes, setRangeEquality } from './feel.ranges';
import { addDays, isTemporalValue, temporalEquals } from './feel.temporal';

export type Dict = Record<string, unknown>;
export type FeelType =
  | 'nil' | 'boolean' | 'number' | 'string' | 'list' | 'context'
  | 'date' | 'time' | 'date time' | 'duration' | 'range' | 'function' | 'literal';
export type JsFunction = (...args: unknown[]) => unknown;

const hasOwn = Object.prototype.hasOwnProperty;

/** feelin `isContext`: a plain object. */
export function isContext(value: unknown): value is Dict {
  return value !== null && value !== undefined && Object.getPrototypeOf(value) === Object.prototype;
}

/** feelin `getType`: the order of the checks matters (a FeelRange is an object, not a context). */
export function getType(value: unknown): FeelType {
  if (value === null || value === undefined) return 'nil';
  switch (typeof value) {
    case 'boolean': return 'boolean';
    case 'number': return 'number';
    case 'string': return 'string';
  }
  if (Array.isArray(value)) return 'list';
  if (isContext(value)) return 'context';
  if (value instanceof FeelDate) return 'date';
  if (value instanceof FeelTime) return 'time';
  if (value instanceof FeelDateTime) return 'date time';
  if (value instanceof FeelDuration) return 'duration';
  if (value instanceof FeelRange) return 'range';
  if (value instanceof FeelFunction) return 'function';
  return 'literal';
}

export function isRange(value: unknown): value is FeelRange {
  return value instanceof FeelRange;
}

/** feelin `isTruthy` (if-then-else, filters, quantifiers): anything but `false` and `null`. */
export function isTruthy(value: unknown): boolean {
  return value !== false && value !== null;
}

// --- names ------------------------------------------------------------------------------------

/** lezer-feel `normalizeContextKey`: spaces around `. / - ' + * **` and runs of spaces. */
export function normalizeContextKey(name: string): string {
  return name.replace(/\s*([./\-'+]|\*\*?)\s*/g, ' $1 ').replace(/\s{2,}/g, ' ').trim();
}

/** feelin `has`: an own property, or a getter on the prototype chain (e.g. `date.year`). */
export function has(target: object, name: string): boolean {
  if (hasOwn.call(target, name)) return true;
  for (let proto = Object.getPrototypeOf(target); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    if (descriptor) return typeof descriptor.get === 'function';
  }
  return false;
}

/** A name resolved once at compile time: the raw name, its normal form, its letters only. */
export type NameRef = { name: string; normalized: string; bare: string };

export function nameRef(name: string): NameRef {
  const normalized = normalizeContextKey(name);
  return { name, normalized, bare: stripSpaces(normalized) };
}

// The characters JavaScript's `\s` matches (what normalizeContextKey rewrites).
function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13) || code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a)
    || code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff;
}

function stripSpaces(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) if (!isSpace(text.charCodeAt(i))) out += text[i];
  return out;
}

/** Whether `key` without its spaces equals `bare` (a cheap, allocation-free pre-check). */
function sameLetters(key: string, bare: string): boolean {
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < key.length && isSpace(key.charCodeAt(i))) i++;
    if (i === key.length) return j === bare.length;
    if (j === bare.length || key.charCodeAt(i) !== bare.charCodeAt(j)) return false;
    i++;
    j++;
  }
}

/**
 * feelin `getFromContext`: `undefined` when absent. Exact key first, then the normalised key,
 * then any key whose normal form matches (so `{"static  ip count": 1}` answers
 * `static ip count`). Normalisation only moves spaces, so a key whose letters differ is skipped
 * without running the regular expressions — the common miss (a built-in function name) stays cheap.
 */
export function lookup(ref: NameRef, target: unknown): unknown {
  if (target === null || target === undefined) return undefined;
  const kind = typeof target;
  if (kind === 'boolean' || kind === 'number' || kind === 'string') return undefined;
  const object = target as Dict;
  if (has(object, ref.name)) return object[ref.name];
  if (ref.normalized !== ref.name && has(object, ref.normalized)) return object[ref.normalized];
  // Own enumerable keys in Object.entries order (for-in lists own keys first, in that order).
  // Most keys differ from the name in their first letter: reject those before anything else.
  const first = ref.bare.charCodeAt(0);
  for (const key in object) {
    const head = key.charCodeAt(0);
    if (head !== first && !isSpace(head)) continue;
    if (sameLetters(key, ref.bare) && hasOwn.call(object, key) && normalizeContextKey(key) === ref.normalized) return object[key];
  }
  return undefined;
}

// --- equality and ranges ----------------------------------------------------------------------

const RANGE_TYPES: ReadonlySet<FeelType> = new Set<FeelType>(['string', 'number', 'duration', 'time', 'date time', 'date']);

/**
 * FEEL `=` (feelin `equals`, non-strict): `null` when the types are not comparable. Temporal
 * values and ranges follow DMN 1.5 (feel.temporal.ts, feel.ranges.ts): durations of different
 * kinds are not comparable, a zoned and a local date-time are not equal, ranges equal by kind,
 * bounds and inclusion.
 */
export function equals(left: unknown, right: unknown): boolean | null {
  let a = left;
  let b = right;
  if ((a === null && b !== null) || (a !== null && b === null)) return false;
  if (Array.isArray(a) && a.length < 2) a = a[0];
  if (Array.isArray(b) && b.length < 2) b = b[0];
  if (isTemporalValue(a) || isTemporalValue(b)) {
    if (!isTemporalValue(a) || !isTemporalValue(b)) return null;
    return temporalEquals(a, b);
  }
  const aType = getType(a);
  const bType = getType(b);
  if (aType !== bType) return null;
  switch (aType) {
    case 'nil':
      return true;
    case 'list': {
      const as = a as unknown[];
      const bs = b as unknown[];
      if (as.length !== bs.length) return false;
      return as.every((element, index) => equals(element, bs[index]));
    }
    case 'context': {
      const aEntries = Object.entries(a as Dict);
      const bObject = b as Dict;
      if (aEntries.length !== Object.keys(bObject).length) return false;
      return aEntries.every(([key, value]) => has(bObject, key) && equals(value, bObject[key]));
    }
    case 'range':
      return rangeEquals(a as FeelRange, b as FeelRange);
  }
  // feelin: `a == b`; both operands have the same FEEL type here, so `==` and `===` agree.
  return a === b;
}

setRangeEquality(equals);

/** feelin `createRange`: infers the element type and throws for bounds it cannot order. */
export function createRange(start: unknown, end: unknown, startIncluded = true, endIncluded = true): FeelRange {
  const startType = start === null ? null : getType(start);
  const endType = end === null ? null : getType(end);
  const type = startType ?? endType;
  const valueType = type !== null && RANGE_TYPES.has(type) && (startType === null || startType === type) && (endType === null || endType === type)
    ? type
    : null;
  if (valueType === null && !(start === null && end === null)) {
    throw new Error(`unsupported range: ${String(start)}..${String(end)}`);
  }
  return new FeelRange({ start, end, 'start included': startIncluded, 'end included': endIncluded, valueType });
}

function cmp(a: unknown, b: unknown): number {
  const x = a as number;
  const y = b as number;
  return x < y ? -1 : x > y ? 1 : 0;
}

function isPrimitiveProbe(value: unknown): boolean {
  const kind = typeof value;
  return kind === 'number' || kind === 'string' || kind === 'boolean';
}

/**
 * `range.includes` for a range known at compile time. For a number or string range with both
 * bounds known (or an open side from `< x` / `> x`) and a number or string probe of its type,
 * membership reduces to JS relational operators on the raw values; anything else takes the
 * general path (feel.ranges.ts `rangeIncludes`).
 */
export function rangeMatcher(range: FeelRange): (probe: unknown) => boolean | null {
  const { valueType } = range;
  const op = range instanceof Range ? range.op : null;
  const general = (probe: unknown) => rangeIncludes(range, probe);
  if ((valueType !== 'number' && valueType !== 'string') || op === '=' || op === '!=') return general;
  if (op === null && (range.start === null || range.end === null)) return general;
  let low: unknown = range.start;
  let high: unknown = range.end;
  let lowIncluded = range['start included'];
  let highIncluded = range['end included'];
  if (low !== null && high !== null && cmp(low, high) > 0) {
    [low, high] = [high, low];
    [lowIncluded, highIncluded] = [highIncluded, lowIncluded];
  }
  return (probe) => {
    if (typeof probe !== valueType) return general(probe);
    if (low !== null) {
      const c = cmp(probe, low);
      if (lowIncluded ? c < 0 : c <= 0) return false;
    }
    if (high !== null) {
      const c = cmp(probe, high);
      if (highIncluded ? c > 0 : c >= 0) return false;
    }
    return true;
  };
}

/**
 * `probe between start and end` for same-typed number or string bounds (feelin:
 * `createRange(start, end).includes(probe)`: inclusive, descending bounds reordered).
 */
export function betweenPrimitives(probe: unknown, start: number | string, end: number | string): boolean | null {
  if (!isPrimitiveProbe(probe)) return createRange(start, end).includes(probe);
  const [low, high] = cmp(start, end) > 0 ? [end, start] : [start, end];
  return cmp(probe, low) >= 0 && cmp(probe, high) <= 0;
}

/**
 * `probe between start and end` for temporal bounds (DMN: `start <= probe and probe <= end`,
 * descending bounds reordered as feelin does); null when they do not compare.
 */
export function betweenOrdered(probe: unknown, start: unknown, end: unknown): boolean | null {
  let low = start;
  let high = end;
  if (compareValues(low, high) === 1) [low, high] = [high, low];
  const above = compareValues(probe, low);
  const below = compareValues(probe, high);
  if (above === null || below === null) return null;
  return above >= 0 && below <= 0;
}

/** feelin `compareValue`: a test is a function, a range or a value to equal. */
export function compareValue(test: unknown, value: unknown): unknown {
  if (typeof test === 'function') return (test as JsFunction)(value);
  if (test instanceof FeelRange) return rangeIncludes(test, value);
  return equals(test, value);
}

/** feelin `compareIn`: three-valued membership (`x in (...)`). */
export function compareIn(value: unknown, tests: unknown): boolean | null {
  let list: unknown[];
  if (Array.isArray(tests)) list = tests;
  else if (tests === null || tests === undefined) return null;
  else list = [tests];
  let unknown = false;
  for (const test of list) {
    let result = compareValue(test, value);
    if (result === null && !(test instanceof FeelRange) && typeof test !== 'function') result = false;
    if (result === true) return true;
    if (result === null) unknown = true;
  }
  return unknown ? null : false;
}

// --- iteration budget -------------------------------------------------------------------------

/**
 * Iteration steps one evaluation may take (range elements, `for`/`some`/`every` contexts, filter
 * elements). feelin has no bound: `for i in 1..1e9 return i` exhausts memory, and iterating a
 * range whose end is not reachable in unit steps (`1..1.5`, `(1..1]`) never terminates in
 * feelin 8.2. An authored expression must not take the engine down (STYLE habit 5), so we throw.
 */
export const MAX_ITERATIONS = 1_000_000;
export const budget = { remaining: MAX_ITERATIONS };

export function spend(steps: number): void {
  budget.remaining -= steps;
  if (budget.remaining < 0) throw new Error(`FEEL evaluation exceeded ${MAX_ITERATIONS} iteration steps`);
}

/**
 * The elements a `for` / `some` / `every` iterates over a range value, metered: a number range
 * in unit steps from its start upwards (`[1..3]`), a date range day by day (DMN 1.5: iteration contexts of `for`).
 * Null (an error) for a descending range literal, a character range or an unknown endpoint.
 */
export function rangeElements(range: FeelRange): unknown[] | null {
  const { start, end } = range;
  const startIncluded = range['start included'];
  const endIncluded = range['end included'];
  if (typeof start === 'number' && typeof end === 'number') {
    if (start > end) return null;
    return steps(start, end, startIncluded, endIncluded);
  }
  if (start instanceof FeelDate && end instanceof FeelDate) {
    if (compareValues(start, end) === 1) return null;
    return dateSteps(start, end, startIncluded, endIncluded);
  }
  return null;
}

/** `for i in a..b`: unit steps up or down between two numbers, or days between two dates. */
export function iterationElements(start: unknown, end: unknown): unknown[] | null {
  if (typeof start === 'number' && typeof end === 'number') return steps(start, end, true, true);
  if (start instanceof FeelDate && end instanceof FeelDate) return dateSteps(start, end, true, true);
  return null;
}

/** feelin `numberRangeMap`: unit steps from start towards end, skipping an excluded start. */
function steps(start: number, end: number, startIncluded: boolean, endIncluded: boolean): number[] {
  const direction = start > end ? -1 : 1;
  const result: number[] = [];
  for (let i = start; ; i += direction) {
    spend(1);
    if (i === start && !startIncluded) continue;
    if (i === end && !endIncluded) break;
    result.push(i);
    if (i === end) break;
  }
  return result;
}

function dateSteps(start: FeelDate, end: FeelDate, startIncluded: boolean, endIncluded: boolean): FeelDate[] | null {
  const direction = compareValues(start, end) === 1 ? -1 : 1;
  const result: FeelDate[] = [];
  for (let day: FeelDate | null = start; day !== null; day = addDays(day, direction)) {
    spend(1);
    const atEnd = compareValues(day, end) === 0;
    if (day === start && !startIncluded && !atEnd) continue;
    if (atEnd && !endIncluded) break;
    result.push(day);
    if (atEnd) break;
  }
  return result;
}

// --- functions --------------------------------------------------------------------------------

// feelin does not export its InvocationFailure class; a parameter mismatch hands us an instance.
const failureProbe: unknown = new FeelFunction(() => null, []).invoke([null]);
if (typeof failureProbe !== 'object' || failureProbe === null || !('warning' in failureProbe)) {
  throw new Error('feelin internals changed: FeelFunction#invoke no longer returns an InvocationFailure');
}
const InvocationFailure = failureProbe.constructor as new (...args: never[]) => object;

/** feelin `isInvocationFailure`: the signal a function returns instead of throwing. */
export function isInvocationFailure(value: unknown): boolean {
  return value instanceof InvocationFailure;
}

/** feelin `parseParameterNames`: `$args` of a built-in, else the JS source. */
export function parseParameterNames(fn: JsFunction): string[] {
  const declared = (fn as JsFunction & { $args?: unknown }).$args;
  if (Array.isArray(declared)) return declared as string[];
  const code = fn.toString();
  const match = /^(?:[^(]*\s*)?\(([^)]+)?\)/.exec(code);
  if (!match) throw new Error('failed to parse params: ' + code);
  const params = match[1];
  if (!params) return [];
  return params.split(',').map((p) => p.trim());
}

/** feelin `wrapFunction`: FEEL functions, ranges (membership) and JS functions are invocable. */
export function wrapFunction(fn: unknown, parameterNames: string[] | null = null): FeelFunction | null {
  if (!fn) return null;
  if (fn instanceof FeelFunction) return fn;
  if (fn instanceof FeelRange) return new FeelFunction((value: unknown) => rangeIncludes(fn, value), ['value']);
  if (typeof fn !== 'function') return null;
  return new FeelFunction(fn as JsFunction, parameterNames ?? parseParameterNames(fn as JsFunction));
}

/** Invoke and normalise an InvocationFailure to `null` (feelin `resolveInvocation`). */
export function invoke(fn: FeelFunction, args: unknown): unknown {
  const result: unknown = fn.invoke(args);
  return isInvocationFailure(result) ? null : result;
}

const builtinCache = new Map<string, JsFunction | undefined>();
let overrides: Record<string, JsFunction> | null = null;

/**
 * The built-in function of that name: ours where DMN 1.5 and feelin differ (feel.builtins.ts),
 * else feelin's. Called at compile time only, once per name.
 */
export function getBuiltin(name: string): JsFunction | undefined {
  overrides ??= builtinOverrides(feelinBuiltin);
  return Object.prototype.hasOwnProperty.call(overrides, name) ? overrides[name] : feelinBuiltin(name);
}

/**
 * feelin `getBuiltin`. The table is private, but a name bound to `undefined` in the context
 * makes feelin parse it as one variable and fall back to the built-in — which it returns.
 */
function feelinBuiltin(name: string): JsFunction | undefined {
  if (builtinCache.has(name)) return builtinCache.get(name);
  let fn: JsFunction | undefined;
  try {
    const value: unknown = feelinEvaluate(name, { [name]: undefined }).value;
    fn = typeof value === 'function' ? (value as JsFunction) : undefined;
  } catch {
    fn = undefined;
  }
  builtinCache.set(name, fn);
  return fn;
}

// --- literals ---------------------------------------------------------------------------------

/** feelin `parseString`: strip the quotes, resolve the escapes FEEL knows. */
export function parseString(literal: string): string {
  let str = literal;
  if (str.startsWith('"')) str = str.slice(1);
  if (str.endsWith('"')) str = str.slice(0, -1);
  return str.replace(/(\\")|(\\\\)|(\\n)|(\\r)|(\\t)|(\\u[a-fA-F0-9]{5,6})|((?:\\u[a-fA-F0-9]{1,4})+)/gi, (substring: string, ...groups: unknown[]) => {
    const [quotes, backslash, newline, carriageReturn, tab, codePoint, charCodes] = groups as (string | undefined)[];
    if (quotes) return '"';
    if (newline) return '\n';
    if (carriageReturn) return '\r';
    if (tab) return '\t';
    if (backslash) return '\\';
    const escapePattern = /\\u([a-fA-F0-9]+)/gi;
    if (codePoint) {
      const codePointMatch = escapePattern.exec(codePoint);
      return String.fromCodePoint(parseInt(codePointMatch![1]!, 16));
    }
    if (charCodes) {
      const chars: number[] = [];
      let charCodeMatch: RegExpExecArray | null;
      while ((charCodeMatch = escapePattern.exec(substring)) !== null) chars.push(parseInt(charCodeMatch[1]!, 16));
      return String.fromCharCode(...chars);
    }
    throw new Error('illegal match');
  });
}
