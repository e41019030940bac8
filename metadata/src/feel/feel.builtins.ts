/**
 * Built-in functions where DMN 1.5 and feelin 8.2 part ways. Every other built-in is feelin's
 * own (feel.runtime.ts `getBuiltin`). Each function takes its parameters by the names the
 * specification gives them (`$args`, as feelin's built-ins declare theirs), answers null for
 * arguments it does not accept, and never throws.
 *
 * - date(), time(), date and time(), duration(), years and months duration(), `@"..."`: the
 *   temporal model of feel.temporal.ts (negative and long years, 24:00:00, offsets up to
 *   +-18:00, fractional seconds in time(h, m, s, offset), years-and-months results);
 * - is(), abs() of a duration: kinds and zones kept apart;
 * - list replace(): negative positions count from the end, a position outside the list or a
 *   match function without two parameters is null;
 * - range(): a range from a literal's text; before() ... coincides(): every signature of
 *   the range functions (10.3.4.7);
 * - round up/down/half up/half down(), decimal(): the scale is an integer within
 *   [-6111..6176] (decimal128), else null;
 * - matches(), replace(), split(): XML Schema regular expressions with the `x` and `q` flags,
 *   character class subtraction (`[A-Z-[OI]]`) and `\p{IsBasicLatin}` blocks.
 */
import { FeelDuration, FeelFunction, FeelRange } from 'feelin';
import {
  combineDateTime, dateFromParts, dateOf, negateDuration, parseDate, parseDateTime, parseDuration, parseTemporalLiteral, parseTime,
  temporalIs, timeFromParts, timeOf, yearsAndMonthsBetween, durationParts, isTemporalValue,
} from './feel.temporal';
import {
  after, before, coincides, during, finishedBy, finishes, includesRange, meets, overlaps, overlapsAfter, overlapsBefore, startedBy, starts,
} from './feel.ranges';

type JsFunction = ((...args: unknown[]) => unknown) & { $args?: string[] };

function builtin(names: string[], fn: (...args: unknown[]) => unknown): JsFunction {
  const wrapped: JsFunction = (...args: unknown[]) => {
    try {
      const result = fn(...args);
      return result === undefined ? null : result;
    } catch {
      return null;
    }
  };
  wrapped.$args = names;
  return wrapped;
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isString = (v: unknown): v is string => typeof v === 'string';
/** feelin's implicit conversion of a singleton list argument to its element. */
const single = (v: unknown): unknown => (Array.isArray(v) && v.length === 1 ? v[0] : v);

// --- temporal constructors ----------------------------------------------------------------------

const date = builtin(['year', 'month', 'day', 'from'], (year, month, day, from) => {
  if (from !== undefined) return year === undefined && month === undefined && day === undefined ? dateFrom(single(from)) : null;
  if (isNumber(year)) return isNumber(month) && isNumber(day) ? dateFromParts(year, month, day) : null;
  return month === undefined && day === undefined ? dateFrom(single(year)) : null;
});

function dateFrom(from: unknown): unknown {
  if (isString(from)) return parseDate(from);
  return dateOf(from);
}

const time = builtin(['hour', 'minute', 'second', 'offset', 'from'], (hour, minute, second, offset, from) => {
  if (from !== undefined) return hour === undefined && minute === undefined && second === undefined && offset === undefined ? timeFrom(single(from)) : null;
  if (isNumber(hour)) {
    if (!isNumber(minute) || !isNumber(second)) return null;
    if (offset !== undefined && offset !== null && !(offset instanceof FeelDuration)) return null;
    return timeFromParts(hour, minute, second, (offset as FeelDuration | null | undefined) ?? null);
  }
  return minute === undefined && second === undefined && offset === undefined ? timeFrom(single(hour)) : null;
});

function timeFrom(from: unknown): unknown {
  if (isString(from)) return parseTime(from);
  return timeOf(from);
}

const dateAndTime = builtin(['date', 'time', 'from'], (d, t, from) => {
  if (from !== undefined) return d === undefined && t === undefined && isString(from) ? parseDateTime(from) : null;
  if (t === undefined) return isString(d) ? parseDateTime(d) : null;
  return combineDateTime(d, t);
});

const duration = builtin(['from'], (from) => (isString(from) ? parseDuration(from) : null));

const at = builtin(['string'], (text) => (isString(text) ? parseTemporalLiteral(text) : null));

const yearsAndMonthsDuration = builtin(['from', 'to'], (from, to) => yearsAndMonthsBetween(from, to));

// --- equality, abs ------------------------------------------------------------------------------

function is(feelinIs: JsFunction | undefined): JsFunction {
  return builtin(['value1', 'value2'], (a, b) => {
    if (a === undefined || b === undefined) return false;
    if (isTemporalValue(a) || isTemporalValue(b)) return temporalIs(a, b);
    return feelinIs ? feelinIs(a, b) : null;
  });
}

function abs(feelinAbs: JsFunction | undefined): JsFunction {
  return builtin(['n'], (value) => {
    if (value instanceof FeelDuration) {
      const parts = durationParts(value);
      const negative = parts.yearsMonths ? parts.months < 0 : parts.seconds < 0 || parts.nanos < 0;
      return negative ? negateDuration(value) : value;
    }
    return feelinAbs ? feelinAbs(value) : null;
  });
}

// --- lists --------------------------------------------------------------------------------------

const listReplace = builtin(['list', 'position', 'newItem', 'match'], (value, position, newItem, match) => {
  if (value === null || value === undefined) return null;
  // A single value is a singleton list, as for any list parameter.
  const list = Array.isArray(value) ? value : [value];
  const matcher = position !== undefined && position !== null ? position : match;
  if (position !== undefined && position !== null && match !== undefined) return null;
  if (isNumber(matcher)) {
    const index = Math.trunc(matcher);
    if (index === 0 || Math.abs(index) > list.length) return null;
    const at = index > 0 ? index - 1 : list.length + index;
    const copy = list.slice();
    copy[at] = newItem === undefined ? null : newItem;
    return copy;
  }
  if (matcher instanceof FeelFunction) {
    if (matcher.parameterNames.length !== 2) return null;
    const replaced: unknown[] = [];
    for (const item of list) {
      const hit: unknown = matcher.invoke([item, newItem]);
      if (typeof hit !== 'boolean') return null;
      replaced.push(hit ? newItem : item);
    }
    return replaced;
  }
  return null;
});

// --- numbers ------------------------------------------------------------------------------------

/** decimal128 scales: -6111 ... 6176; a fractional scale is truncated. */
function withScale(original: JsFunction | undefined): JsFunction {
  return builtin(['n', 'scale'], (n, scale) => {
    const value = single(n);
    const s = single(scale);
    // NaN and infinities pass through to feelin's arithmetic, as before (feelin: NaN in, NaN out).
    if (typeof value !== 'number' || typeof s !== 'number') return null;
    const integral = Math.trunc(s);
    if (integral < -6111 || integral > 6176) return null;
    return original ? original(value, integral) : null;
  });
}

// --- ranges -------------------------------------------------------------------------------------

/** Set by the compiler: the range a literal's text denotes, or null (see feel.compiler.ts). */
let rangeFromText: (text: string) => FeelRange | null = () => null;

export function setRangeParser(parse: (text: string) => FeelRange | null): void {
  rangeFromText = parse;
}

const range = builtin(['from'], (from) => (isString(from) ? rangeFromText(from) : null));

/** Interval functions take points or ranges under the names the specification gives each
 * signature (`point1, point2`, `point, range`, `range, point`, `range1, range2`; 10.3.4.7). */
function interval(fn: (a: unknown, b: unknown) => boolean | null, ranges: 'a' | 'b' | 'both' | 'none'): JsFunction {
  return builtin(['point1', 'point2', 'point', 'range', 'range1', 'range2'], (...args) => {
    const given = args.length <= 2 ? args : args.filter((a) => a !== undefined);
    if (given.length !== 2) return null;
    const [a, b] = given;
    if (a === null || a === undefined || b === null || b === undefined) return null;
    if ((ranges === 'a' || ranges === 'both') && !(a instanceof FeelRange)) return null;
    if ((ranges === 'b' || ranges === 'both') && !(b instanceof FeelRange)) return null;
    return fn(a, b);
  });
}

// --- regular expressions ------------------------------------------------------------------------

const BLOCKS: Record<string, string> = {
  IsBasicLatin: '\\u0000-\\u007F',
  'IsLatin-1Supplement': '\\u0080-\\u00FF',
  IsLatinExtended: '\\u0100-\\u024F',
  IsGreek: '\\u0370-\\u03FF',
  IsCyrillic: '\\u0400-\\u04FF',
};

/**
 * An XML Schema / XPath regular expression as a JS RegExp, or null when it is not one:
 * flags s, m, i, x, q; `x` drops whitespace outside character classes; `q` quotes the pattern;
 * `[A-Z-[OI]]` (class subtraction) through the `v` flag; `\p{IsBasicLatin}`-style blocks.
 */
export function xsdRegExp(pattern: string, flags: string, extra = ''): RegExp | null {
  if (!/^[smixq]*$/.test(flags)) return null;
  let source = pattern;
  if (flags.includes('q')) {
    // `-` and `/` need no escape outside a class (and `\-` is a syntax error with the u flag).
    source = source.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  } else {
    if (flags.includes('x')) source = stripWhitespace(source);
    // \0 is not an XML Schema escape; JS would read it as NUL.
    if (/(^|[^\\])(\\\\)*\\0/.test(source)) return null;
    source = source.replace(/\\([pP])\{(Is[A-Za-z0-9-]+)\}/g, (whole, p: string, block: string) => {
      const chars = BLOCKS[block];
      if (!chars) return whole;
      return p === 'p' ? `[${chars}]` : `[^${chars}]`;
    });
  }
  const subtraction = /\[([^[\]]*?)-\[([^[\]]*)\]\]/;
  let unicode = 'u';
  if (subtraction.test(source)) {
    source = source.replace(new RegExp(subtraction.source, 'g'), (_whole, base: string, sub: string) => `[[${base}]--[${sub}]]`);
    unicode = 'v';
  }
  const jsFlags = unicode + flags.replace(/[xq]/g, '') + extra;
  try {
    return new RegExp(source, [...new Set(jsFlags)].join(''));
  } catch {
    return null;
  }
}

/** The `x` flag: whitespace goes outside character classes, even after a backslash (`hello\ sworld`). */
function stripWhitespace(pattern: string): string {
  let out = '';
  let inClass = 0;
  let escaped = false;
  for (const c of pattern) {
    if (!inClass && (c === ' ' || c === '\t' || c === '\n' || c === '\r')) continue;
    if (escaped) {
      out += c;
      escaped = false;
      continue;
    }
    if (c === '\\') escaped = true;
    else if (c === '[') inClass++;
    else if (c === ']' && inClass > 0) inClass--;
    out += c;
  }
  return out;
}

const optionalFlags = (flags: unknown): string | null => (flags === undefined || flags === null ? '' : isString(flags) ? flags : null);

const matches = builtin(['input', 'pattern', 'flags'], (input, pattern, flags) => {
  const f = optionalFlags(flags);
  if (!isString(input) || !isString(pattern) || f === null) return null;
  const regexp = xsdRegExp(pattern, f);
  return regexp ? regexp.test(input) : null;
});

const replace = builtin(['input', 'pattern', 'replacement', 'flags'], (input, pattern, replacement, flags) => {
  const f = optionalFlags(flags);
  if (!isString(input) || !isString(pattern) || !isString(replacement) || f === null) return null;
  const regexp = xsdRegExp(pattern, f, 'g');
  return regexp ? input.replace(regexp, replacement.replace(/\$0/g, '$$&')) : null;
});

// --- the table ----------------------------------------------------------------------------------

/** The overrides, given feelin's own built-ins (some delegate to them for the cases they get right). */
export function builtinOverrides(feelin: (name: string) => JsFunction | undefined): Record<string, JsFunction> {
  return {
    date,
    time,
    'date and time': dateAndTime,
    duration,
    '@': at,
    'years and months duration': yearsAndMonthsDuration,
    is: is(feelin('is')),
    abs: abs(feelin('abs')),
    'list replace': listReplace,
    range,
    before: interval(before, 'none'),
    after: interval(after, 'none'),
    meets: interval((a, b) => meets(a as FeelRange, b as FeelRange), 'both'),
    'met by': interval((a, b) => meets(b as FeelRange, a as FeelRange), 'both'),
    overlaps: interval((a, b) => overlaps(a as FeelRange, b as FeelRange), 'both'),
    'overlaps before': interval((a, b) => overlapsBefore(a as FeelRange, b as FeelRange), 'both'),
    'overlaps after': interval((a, b) => overlapsAfter(a as FeelRange, b as FeelRange), 'both'),
    finishes: interval((a, b) => finishes(a, b as FeelRange), 'b'),
    'finished by': interval((a, b) => finishedBy(a as FeelRange, b), 'a'),
    includes: interval((a, b) => includesRange(a as FeelRange, b), 'a'),
    during: interval((a, b) => during(a, b as FeelRange), 'b'),
    starts: interval((a, b) => starts(a, b as FeelRange), 'b'),
    'started by': interval((a, b) => startedBy(a as FeelRange, b), 'a'),
    coincides: interval(coincides, 'none'),
    'round up': withScale(feelin('round up')),
    'round down': withScale(feelin('round down')),
    'round half up': withScale(feelin('round half up')),
    'round half down': withScale(feelin('round half down')),
    decimal: withScale(feelin('decimal')),
    matches,
    replace,
  };
}
