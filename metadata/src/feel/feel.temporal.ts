/**
 * The FEEL temporal model of DMN 1.5 (10.3.2.3 and its tables of the specific
 * semantics of addition and subtraction, multiplication and division), over feelin's value
 * classes (FeelDate, FeelTime, FeelDateTime, FeelDuration wrap Temporal values), so feelin's
 * other built-ins keep accepting our values. feelin 8.2 gets these wrong and they are the bulk
 * of the DMN TCK's arithmetic cases:
 *
 * - both duration kinds: years and months (a count of months) and days and time (seconds and
 *   nanoseconds); they never mix (`P1Y + P1D`, `P1Y = P365D` are null), multiply and divide by
 *   numbers, and divide by a duration of their kind;
 * - date-times subtract as instants (zones and offsets honoured), a zoned and a local one do not
 *   subtract (null); a date is midnight UTC when it meets a date-time;
 * - date + days-and-time duration is a date; time + years-and-months duration is null;
 * - negative years and years beyond 9999 (as far as Temporal reaches: +-271,821);
 * - every invalid combination is null, never NaN.
 */
import { Temporal } from 'temporal-polyfill';
import { FeelDate, FeelDateTime, FeelDuration, FeelTime } from 'feelin';

export type Temporalish = FeelDate | FeelTime | FeelDateTime | FeelDuration;

const NANOS_PER_SECOND = 1_000_000_000;
const BIG_NANOS = 1_000_000_000n;

// --- values -----------------------------------------------------------------------------------

/** FEEL's own spelling of a year: at least four digits, `-` for negative ones, no `+`. */
function formatYear(year: number): string {
  return `${year < 0 ? '-' : ''}${String(Math.abs(year)).padStart(4, '0')}`;
}

const two = (n: number) => String(n).padStart(2, '0');

function formatPlainDate(d: { year: number; month: number; day: number }): string {
  return `${formatYear(d.year)}-${two(d.month)}-${two(d.day)}`;
}

export function makeDate(value: Temporal.PlainDate): FeelDate {
  // feelin's `iso` is Temporal's spelling (`+012345-01-01`, `-002017-...`); FEEL's is ours.
  return Object.assign(new FeelDate(value), { iso: formatPlainDate(value) });
}

function zoneSuffix(zone: string | null): string {
  if (zone === null) return '';
  if (zone === 'UTC') return 'Z';
  return /^[+-]\d\d:\d\d(:\d\d)?$/.test(zone) ? zone : `@${zone}`;
}

export function makeTime(value: Temporal.PlainTime, zone: string | null): FeelTime {
  return new FeelTime(value, zone);
}

export function makeDateTime(value: Temporal.PlainDateTime, zone: string | null): FeelDateTime {
  return Object.assign(new FeelDateTime(value, zone), { iso: `${formatPlainDate(value)}T${value.toPlainTime().toString()}${zoneSuffix(zone)}` });
}

/** A duration as FEEL sees it: months, or seconds plus nanoseconds (same sign). */
export type DurationParts = { yearsMonths: true; months: number } | { yearsMonths: false; seconds: number; nanos: number };

/**
 * A FeelDuration built without feelin's constructor, which balances through Temporal with a
 * 1970 anchor and so throws for large values (`P99999999Y`, `P999999999M`).
 */
function rawDuration(value: Temporal.Duration, yearsMonths: boolean, iso: string): FeelDuration {
  const duration = Object.create(FeelDuration.prototype) as FeelDuration;
  Object.defineProperty(duration, 'value', { value, enumerable: false, writable: true, configurable: true });
  Object.assign(duration, { yearsMonths, iso });
  return duration;
}

export function yearsMonthsDuration(months: number): FeelDuration | null {
  if (!Number.isFinite(months)) return null;
  const total = Math.trunc(months) + 0; // + 0: no negative zero
  const sign = total < 0 ? -1 : 1;
  const years = Math.trunc(Math.abs(total) / 12);
  const rest = Math.abs(total) % 12;
  let value: Temporal.Duration;
  try {
    value = Temporal.Duration.from({ years: sign * years, months: sign * rest });
  } catch {
    return null;
  }
  const iso = total === 0 ? 'P0M' : `${sign < 0 ? '-' : ''}P${years ? `${years}Y` : ''}${rest ? `${rest}M` : ''}`;
  return rawDuration(value, true, iso);
}

export function daysTimeDuration(seconds: number, nanos = 0): FeelDuration | null {
  if (!Number.isFinite(seconds) || !Number.isFinite(nanos)) return null;
  // Normalise: whole seconds and 0 <= |nanos| < 1e9 with the sign of the total.
  let s = Math.trunc(seconds);
  let n = Math.round((seconds - s) * NANOS_PER_SECOND + nanos);
  s += Math.trunc(n / NANOS_PER_SECOND);
  n %= NANOS_PER_SECOND;
  if (s > 0 && n < 0) {
    s -= 1;
    n += NANOS_PER_SECOND;
  } else if (s < 0 && n > 0) {
    s += 1;
    n -= NANOS_PER_SECOND;
  }
  if (!Number.isSafeInteger(s)) return null;
  const sign = s < 0 || n < 0 ? -1 : 1;
  const abs = Math.abs(s);
  const days = Math.trunc(abs / 86400);
  const hours = Math.trunc((abs % 86400) / 3600);
  const minutes = Math.trunc((abs % 3600) / 60);
  const secs = abs % 60;
  const fraction = Math.abs(n);
  let value: Temporal.Duration;
  try {
    value = Temporal.Duration.from({
      days: sign * days, hours: sign * hours, minutes: sign * minutes, seconds: sign * secs,
      milliseconds: sign * Math.trunc(fraction / 1e6), microseconds: sign * (Math.trunc(fraction / 1e3) % 1000), nanoseconds: sign * (fraction % 1000),
    });
  } catch {
    return null;
  }
  let iso = `${sign < 0 ? '-' : ''}P${days ? `${days}D` : ''}`;
  if (hours || minutes || secs || fraction) {
    iso += `T${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}`;
    if (secs || fraction) iso += `${secs}${fraction ? `.${String(fraction).padStart(9, '0').replace(/0+$/, '')}` : ''}S`;
  } else if (!days) {
    iso = 'PT0S';
  }
  return rawDuration(value, false, iso);
}

export function durationParts(d: FeelDuration): DurationParts {
  const v = d.value as Temporal.Duration;
  if (d.yearsMonths) return { yearsMonths: true, months: v.years * 12 + v.months };
  const seconds = ((v.weeks * 7 + v.days) * 24 + v.hours) * 3600 + v.minutes * 60 + v.seconds;
  const nanos = v.milliseconds * 1e6 + v.microseconds * 1e3 + v.nanoseconds;
  return { yearsMonths: false, seconds: seconds + Math.trunc(nanos / NANOS_PER_SECOND), nanos: nanos % NANOS_PER_SECOND };
}

/** A duration's magnitude in its own unit (months, or seconds with a fraction). */
function durationTotal(parts: DurationParts): number {
  return parts.yearsMonths ? parts.months : parts.seconds + parts.nanos / NANOS_PER_SECOND;
}

export function isTemporalValue(value: unknown): value is Temporalish {
  return value instanceof FeelDate || value instanceof FeelTime || value instanceof FeelDateTime || value instanceof FeelDuration;
}

// --- parsing ----------------------------------------------------------------------------------

// XML Schema years: four digits or more, no leading zero beyond four digits, optional minus.
const YEAR = '(-?(?:[1-9]\\d{4,}|\\d{4}))';
const DATE_PATTERN = new RegExp(`^${YEAR}-(\\d\\d)-(\\d\\d)$`);
const TIME_PATTERN = /^(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d(?::\d\d)?|@[^@\s]+)?$/;
/** The offsets Java and feel-scala accept (the TCK refuses `+19:00`). */
const MAX_OFFSET_SECONDS = 18 * 3600;

export function dateFromParts(year: number, month: number, day: number): FeelDate | null {
  if (![year, month, day].every(Number.isInteger)) return null;
  try {
    return makeDate(Temporal.PlainDate.from({ year, month, day }, { overflow: 'reject' }));
  } catch {
    return null;
  }
}

export function parseDate(text: string): FeelDate | null {
  const match = DATE_PATTERN.exec(text);
  if (!match) return null;
  return dateFromParts(Number(match[1]), Number(match[2]), Number(match[3]));
}

type ParsedTime = { time: Temporal.PlainTime; zone: string | null; nextDay: boolean };

/** `+hh:mm[:ss]` as seconds east of UTC, or null when out of range. */
function offsetSeconds(zone: string): number | null {
  const match = /^([+-])(\d\d):(\d\d)(?::(\d\d))?$/.exec(zone);
  if (!match) return null;
  const seconds = Number(match[2]) * 3600 + Number(match[3]) * 60 + Number(match[4] ?? 0);
  if (Number(match[3]) > 59 || Number(match[4] ?? 0) > 59 || seconds > MAX_OFFSET_SECONDS) return null;
  return match[1] === '-' ? -seconds : seconds;
}

const validZones = new Set<string>();

/** A zone as feelin spells it: 'UTC' for Z and +-00:00, the offset, or an IANA name. */
function normaliseZone(zone: string | undefined): string | null | undefined {
  if (zone === undefined) return null;
  if (zone === 'Z') return 'UTC';
  if (zone.startsWith('@')) {
    const name = zone.slice(1);
    if (validZones.has(name)) return name;
    try {
      new Temporal.PlainDateTime(1970, 1, 1).toZonedDateTime(name);
    } catch {
      return undefined;
    }
    validZones.add(name);
    return name;
  }
  const seconds = offsetSeconds(zone);
  if (seconds === null) return undefined;
  return seconds === 0 ? 'UTC' : zone;
}

function parseTimeParts(text: string): ParsedTime | null {
  const match = TIME_PATTERN.exec(text);
  if (!match) return null;
  const [, h, m, s, fraction, zoneText] = match;
  const zone = normaliseZone(zoneText);
  if (zone === undefined) return null;
  let hour = Number(h);
  const minute = Number(m);
  const second = Number(s);
  if (fraction !== undefined && fraction.length > 9) return null;
  // 24:00:00 is the end of the day: midnight of the next one.
  const nextDay = hour === 24 && minute === 0 && second === 0 && !Number(fraction ?? 0);
  if (nextDay) hour = 0;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const nanos = fraction ? Number(fraction.padEnd(9, '0')) : 0;
  const time = new Temporal.PlainTime(hour, minute, second, Math.trunc(nanos / 1e6), Math.trunc(nanos / 1e3) % 1000, nanos % 1000);
  return { time, zone, nextDay };
}

export function parseTime(text: string): FeelTime | null {
  const parsed = parseTimeParts(text);
  return parsed && makeTime(parsed.time, parsed.zone);
}

export function parseDateTime(text: string): FeelDateTime | null {
  const at = text.indexOf('T');
  if (at < 0) {
    const date = parseDate(text);
    return date && makeDateTime((date.value as Temporal.PlainDate).toPlainDateTime(), null);
  }
  const date = parseDate(text.slice(0, at));
  const time = parseTimeParts(text.slice(at + 1));
  if (!date || !time) return null;
  try {
    let plain = (date.value as Temporal.PlainDate).toPlainDateTime(time.time);
    if (time.nextDay) plain = plain.add({ days: 1 });
    return makeDateTime(plain, time.zone);
  } catch {
    return null;
  }
}

const DURATION_PATTERN = /^(-)?P(?=\d|T\d)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d*))?S)?)?$/;

/** An ISO 8601 / XML Schema duration: years and months, or days and time (not both). */
export function parseDuration(text: string): FeelDuration | null {
  const match = DURATION_PATTERN.exec(text);
  if (!match) return null;
  const [, minus, y, mo, d, h, mi, s, fraction] = match;
  const sign = minus ? -1 : 1;
  const yearsMonths = y !== undefined || mo !== undefined;
  const daysTime = d !== undefined || h !== undefined || mi !== undefined || s !== undefined;
  if (yearsMonths && daysTime) return null;
  if (yearsMonths) return yearsMonthsDuration(sign * (Number(y ?? 0) * 12 + Number(mo ?? 0)));
  const seconds = ((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(mi ?? 0)) * 60 + Number(s ?? 0);
  const nanos = fraction ? Number(fraction.slice(0, 9).padEnd(9, '0')) : 0;
  return daysTimeDuration(sign * seconds, sign * nanos);
}

/** The `@"..."` literal: a duration, a time, a date-time or a date, by its shape. */
export function parseTemporalLiteral(text: string): Temporalish | null {
  if (/^-?P/.test(text)) return parseDuration(text);
  if (/^\d\d:\d\d:\d\d/.test(text)) return parseTime(text);
  if (text.includes('T')) return parseDateTime(text);
  return parseDate(text);
}

/** time(hour, minute, second, offset?): fractional seconds kept, offset a days and time duration. */
export function timeFromParts(hour: number, minute: number, second: number, offset: FeelDuration | null): FeelTime | null {
  if (!Number.isInteger(hour) || !Number.isInteger(minute) || typeof second !== 'number' || !Number.isFinite(second)) return null;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second >= 60) return null;
  const whole = Math.trunc(second);
  const nanos = Math.round((second - whole) * NANOS_PER_SECOND);
  let zone: string | null = null;
  if (offset !== null) {
    if (offset.yearsMonths) return null;
    const parts = durationParts(offset) as { seconds: number; nanos: number };
    if (parts.nanos || Math.abs(parts.seconds) > MAX_OFFSET_SECONDS) return null;
    const abs = Math.abs(parts.seconds);
    const text = `${parts.seconds < 0 ? '-' : '+'}${two(Math.trunc(abs / 3600))}:${two(Math.trunc((abs % 3600) / 60))}${abs % 60 ? `:${two(abs % 60)}` : ''}`;
    zone = parts.seconds === 0 ? 'UTC' : text;
  }
  return makeTime(new Temporal.PlainTime(hour, minute, whole, Math.trunc(nanos / 1e6), Math.trunc(nanos / 1e3) % 1000, nanos % 1000), zone);
}

// --- instants ---------------------------------------------------------------------------------

const EPOCH = new Temporal.PlainDate(1970, 1, 1);

function fixedOffset(zone: string): number | null {
  if (zone === 'UTC') return 0;
  return offsetSeconds(zone);
}

/** Epoch nanoseconds of a wall clock in a zone (a local one read as UTC). */
function instantOf(plain: Temporal.PlainDateTime, zone: string | null): bigint {
  const utc = plain.toZonedDateTime('UTC').epochNanoseconds;
  if (zone === null) return utc;
  const fixed = fixedOffset(zone);
  if (fixed !== null) return utc - BigInt(fixed) * BIG_NANOS;
  return plain.toZonedDateTime(zone).epochNanoseconds;
}

function dateTimeInstant(value: FeelDateTime): bigint {
  return instantOf(value.value as Temporal.PlainDateTime, value.zone);
}

/** A date meeting a date-time is its midnight in UTC (DMN 1.5 10.3.2.3). */
function dateAsDateTime(value: FeelDate): FeelDateTime {
  return makeDateTime((value.value as Temporal.PlainDate).toPlainDateTime(), 'UTC');
}

/** A time's nanoseconds since midnight UTC (a local one read as UTC, a named zone on 1970-01-01). */
function timeInstant(value: FeelTime): bigint {
  return instantOf(EPOCH.toPlainDateTime(value.value as Temporal.PlainTime), value.zone);
}

function nanosToDuration(nanos: bigint): FeelDuration | null {
  return daysTimeDuration(Number(nanos / BIG_NANOS), Number(nanos % BIG_NANOS));
}

const isZoned = (value: FeelTime | FeelDateTime) => value.zone !== null;

// --- arithmetic -------------------------------------------------------------------------------

function addToDateTime(value: FeelDateTime, parts: DurationParts): FeelDateTime | null {
  const plain = value.value as Temporal.PlainDateTime;
  try {
    if (parts.yearsMonths) return makeDateTime(plain.add({ months: parts.months }), value.zone);
    const shift = { seconds: parts.seconds, nanoseconds: parts.nanos };
    // A named zone moves along its own clock (daylight saving); a fixed offset or none does not.
    if (value.zone !== null && fixedOffset(value.zone) === null) {
      return makeDateTime(plain.toZonedDateTime(value.zone).add(shift).toPlainDateTime(), value.zone);
    }
    return makeDateTime(plain.add(shift), value.zone);
  } catch {
    return null;
  }
}

function addToDate(value: FeelDate, parts: DurationParts): FeelDate | null {
  const plain = value.value as Temporal.PlainDate;
  try {
    if (parts.yearsMonths) return makeDate(plain.add({ months: parts.months }));
    // The date of (midnight + duration): date - PT1H is the day before.
    return makeDate(plain.toPlainDateTime().add({ seconds: parts.seconds, nanoseconds: parts.nanos }).toPlainDate());
  } catch {
    return null;
  }
}

function addToTime(value: FeelTime, parts: DurationParts): FeelTime | null {
  if (parts.yearsMonths) return null;
  return makeTime((value.value as Temporal.PlainTime).add({ seconds: parts.seconds, nanoseconds: parts.nanos }), value.zone);
}

function negate(parts: DurationParts): DurationParts {
  return parts.yearsMonths ? { yearsMonths: true, months: -parts.months } : { yearsMonths: false, seconds: -parts.seconds, nanos: -parts.nanos };
}

function fromParts(parts: DurationParts): FeelDuration | null {
  return parts.yearsMonths ? yearsMonthsDuration(parts.months) : daysTimeDuration(parts.seconds, parts.nanos);
}

function shift(value: unknown, parts: DurationParts): unknown {
  if (value instanceof FeelDateTime) return addToDateTime(value, parts);
  if (value instanceof FeelDate) return addToDate(value, parts);
  if (value instanceof FeelTime) return addToTime(value, parts);
  return null;
}

function addDurations(a: FeelDuration, b: FeelDuration, sign: 1 | -1): FeelDuration | null {
  if (a.yearsMonths !== b.yearsMonths) return null;
  const x = durationParts(a);
  const y = durationParts(sign < 0 ? negateDuration(b)! : b);
  if (x.yearsMonths && y.yearsMonths) return yearsMonthsDuration(x.months + y.months);
  const p = x as { seconds: number; nanos: number };
  const q = y as { seconds: number; nanos: number };
  return daysTimeDuration(p.seconds + q.seconds, p.nanos + q.nanos);
}

/** `a + b` where at least one operand is temporal. */
export function temporalAdd(a: unknown, b: unknown): unknown {
  if (a instanceof FeelDuration && b instanceof FeelDuration) return addDurations(a, b, 1);
  if (b instanceof FeelDuration) return shift(a, durationParts(b));
  if (a instanceof FeelDuration) return shift(b, durationParts(a));
  return null;
}

/** `a - b` where at least one operand is temporal. */
export function temporalSubtract(a: unknown, b: unknown): unknown {
  if (a instanceof FeelDuration) return b instanceof FeelDuration ? addDurations(a, b, -1) : null;
  if (b instanceof FeelDuration) return shift(a, negate(durationParts(b)));
  if (a instanceof FeelTime || b instanceof FeelTime) {
    if (!(a instanceof FeelTime && b instanceof FeelTime) || isZoned(a) !== isZoned(b)) return null;
    return nanosToDuration(timeInstant(a) - timeInstant(b));
  }
  if (a instanceof FeelDate && b instanceof FeelDate) {
    return daysTimeDuration((b.value as Temporal.PlainDate).until(a.value as Temporal.PlainDate, { largestUnit: 'day' }).days * 86400);
  }
  const left = a instanceof FeelDate ? dateAsDateTime(a) : a;
  const right = b instanceof FeelDate ? dateAsDateTime(b) : b;
  if (!(left instanceof FeelDateTime) || !(right instanceof FeelDateTime) || isZoned(left) !== isZoned(right)) return null;
  try {
    return nanosToDuration(dateTimeInstant(left) - dateTimeInstant(right));
  } catch {
    return null;
  }
}

function scale(parts: DurationParts, factor: number): FeelDuration | null {
  if (!Number.isFinite(factor)) return null;
  if (parts.yearsMonths) return yearsMonthsDuration(Math.trunc(parts.months * factor));
  return daysTimeDuration(durationTotal(parts) * factor);
}

/** `a * b` where at least one operand is temporal: only a duration and a number multiply. */
export function temporalMultiply(a: unknown, b: unknown): unknown {
  if (a instanceof FeelDuration && typeof b === 'number') return scale(durationParts(a), b);
  if (b instanceof FeelDuration && typeof a === 'number') return scale(durationParts(b), a);
  return null;
}

/** `a / b` where at least one operand is temporal: duration / number, duration / duration of its kind. */
export function temporalDivide(a: unknown, b: unknown): unknown {
  if (!(a instanceof FeelDuration)) return null;
  if (typeof b === 'number') return b === 0 ? null : scale(durationParts(a), 1 / b);
  if (b instanceof FeelDuration && a.yearsMonths === b.yearsMonths) {
    const divisor = durationTotal(durationParts(b));
    return divisor === 0 ? null : durationTotal(durationParts(a)) / divisor;
  }
  return null;
}

export function negateDuration(d: FeelDuration): FeelDuration | null {
  return fromParts(negate(durationParts(d)));
}

// --- comparison -------------------------------------------------------------------------------

const sign = (n: bigint | number): -1 | 0 | 1 => (n > 0 ? 1 : n < 0 ? -1 : 0);

const BIG_NANOS_PER_MILLI = 1_000_000n;

/**
 * Instants compare to the millisecond, as the TCK expects (`time("10:30:00.0001") =
 * time("10:30:00.0002")` is true) and feelin does; arithmetic keeps nanoseconds.
 */
function millis(nanos: bigint): bigint {
  const floor = nanos / BIG_NANOS_PER_MILLI;
  return nanos < 0n && floor * BIG_NANOS_PER_MILLI !== nanos ? floor - 1n : floor;
}

/**
 * Orders two temporal values of one FEEL type: -1, 0, 1, or null when they do not compare
 * (different types, durations of different kinds). Zoned date-times and times compare as
 * instants; a local one compares as if in UTC (feelin does the same).
 */
export function compareTemporal(a: unknown, b: unknown): -1 | 0 | 1 | null {
  try {
    if (a instanceof FeelDate && b instanceof FeelDate) return sign(Temporal.PlainDate.compare(a.value as Temporal.PlainDate, b.value as Temporal.PlainDate));
    if (a instanceof FeelDateTime && b instanceof FeelDateTime) return sign(millis(dateTimeInstant(a)) - millis(dateTimeInstant(b)));
    if (a instanceof FeelTime && b instanceof FeelTime) return sign(millis(timeInstant(a)) - millis(timeInstant(b)));
    if (a instanceof FeelDuration && b instanceof FeelDuration) {
      if (a.yearsMonths !== b.yearsMonths) return null;
      const x = durationParts(a);
      const y = durationParts(b);
      if (x.yearsMonths && y.yearsMonths) return sign(x.months - y.months);
      const p = x as { seconds: number; nanos: number };
      const q = y as { seconds: number; nanos: number };
      return sign(p.seconds - q.seconds || p.nanos - q.nanos);
    }
  } catch {
    return null;
  }
  return null;
}

/**
 * FEEL `=` on temporal values: null across types and across duration kinds; a zoned and a
 * local date-time (or time) are never equal; else the same instant / length.
 */
export function temporalEquals(a: unknown, b: unknown): boolean | null {
  if ((a instanceof FeelDateTime && b instanceof FeelDateTime) || (a instanceof FeelTime && b instanceof FeelTime)) {
    if (isZoned(a) !== isZoned(b)) return false;
  }
  const order = compareTemporal(a, b);
  return order === null ? null : order === 0;
}

/** FEEL `is(a, b)`: the same type, kind, zone and value (DMN 1.5 10.3.4.6). */
export function temporalIs(a: unknown, b: unknown): boolean {
  if (a instanceof FeelDuration && b instanceof FeelDuration) return a.yearsMonths === b.yearsMonths && compareTemporal(a, b) === 0;
  if ((a instanceof FeelDateTime && b instanceof FeelDateTime) || (a instanceof FeelTime && b instanceof FeelTime)) {
    return zoneSuffix(a.zone) === zoneSuffix(b.zone) && compareTemporal(a, b) === 0;
  }
  return a instanceof FeelDate && b instanceof FeelDate && compareTemporal(a, b) === 0;
}

// --- functions --------------------------------------------------------------------------------

/** FEEL string() of a temporal value. */
export function formatTemporal(value: Temporalish): string {
  if (value instanceof FeelDate) return formatPlainDate(value.value as Temporal.PlainDate);
  if (value instanceof FeelTime) return `${(value.value as Temporal.PlainTime).toString()}${zoneSuffix(value.zone)}`;
  if (value instanceof FeelDateTime) {
    const plain = value.value as Temporal.PlainDateTime;
    return `${formatPlainDate(plain)}T${plain.toPlainTime().toString()}${zoneSuffix(value.zone)}`;
  }
  return value.iso;
}

/** years and months duration(from, to): whole months between the dates (of date-times). */
export function yearsAndMonthsBetween(from: unknown, to: unknown): FeelDuration | null {
  const a = dateOf(from)?.value as Temporal.PlainDate | undefined;
  const b = dateOf(to)?.value as Temporal.PlainDate | undefined;
  if (!a || !b) return null;
  try {
    const between = a.until(b, { largestUnit: 'year' });
    return yearsMonthsDuration(between.years * 12 + between.months);
  } catch {
    return null;
  }
}

/** The calendar date of a date-time, or the date itself. */
export function dateOf(value: unknown): FeelDate | null {
  if (value instanceof FeelDate) return value;
  if (value instanceof FeelDateTime) return makeDate((value.value as Temporal.PlainDateTime).toPlainDate());
  return null;
}

/** date and time(date, time): the date's day at the time's wall clock, with the time's zone. */
export function combineDateTime(date: unknown, time: unknown): FeelDateTime | null {
  const day = dateOf(date);
  if (!day || !(time instanceof FeelTime)) return null;
  return makeDateTime((day.value as Temporal.PlainDate).toPlainDateTime(time.value as Temporal.PlainTime), time.zone);
}

/** time(from): the time of a date-time (zone kept), of a date (midnight UTC), or itself. */
export function timeOf(value: unknown): FeelTime | null {
  if (value instanceof FeelTime) return value;
  if (value instanceof FeelDateTime) return makeTime((value.value as Temporal.PlainDateTime).toPlainTime(), value.zone);
  if (value instanceof FeelDate) return makeTime(new Temporal.PlainTime(0, 0, 0), 'UTC');
  return null;
}

/** The successor / predecessor day of a date, for iterating a date range. */
export function addDays(value: FeelDate, days: number): FeelDate | null {
  try {
    return makeDate((value.value as Temporal.PlainDate).add({ days }));
  } catch {
    return null;
  }
}
