// Values of the TCK's test files (feel-tck.ts): typed XML values into FEEL values (built by the
// engine under test with its own constructors, `date("...")` etc.), and results compared with
// the expected values in a form neither engine chooses:
// - numbers: equal within 0.00000001, the tolerance of the TCK's own runners for Camunda and
//   Drools (NUMBER_COMPARISON_PRECISION in runners/); both engines compute in IEEE doubles,
//   while the TCK writes decimal128 results (up to 34 digits) or rounded ones (54.59815003);
// - dates, times, date-times: their fields (year, ..., fraction of a second, zone: `Z`, `UTC`
//   and `+00:00` are one zone), read from the value's components, not its string;
// - durations: their kind (years and months or days and time) and their total (months or seconds);
// - contexts: the same entry names, each equal; lists: the same length, each equal.
import { childNamed, childrenNamed, type XmlElement } from './feel-tck.xml';
import type { FeelEngine } from './feel-tck.dmn';

const XSI_TYPE = 'xsi:type';

/** A typed XML value (`<value xsi:type="xsd:date">`, components, lists) as a FEEL value. */
export function toFeelValue(holder: XmlElement, engine: FeelEngine): unknown {
  const value = childNamed(holder, 'value');
  if (value) return scalar(value, engine);
  const list = childNamed(holder, 'list');
  if (list) {
    if (list.attrs['xsi:nil'] === 'true') return null;
    return childrenNamed(list, 'item').map((item) => toFeelValue(item, engine));
  }
  const components = childrenNamed(holder, 'component');
  if (components.length > 0) {
    return Object.fromEntries(components.map((c) => [c.attrs.name ?? '', c.attrs['xsi:nil'] === 'true' ? null : toFeelValue(c, engine)]));
  }
  return null;
}

const quote = (text: string) => JSON.stringify(text);

function scalar(value: XmlElement, engine: FeelEngine): unknown {
  if (value.attrs['xsi:nil'] === 'true') return null;
  const text = value.text.trim();
  switch (value.attrs[XSI_TYPE]?.replace(/^.*:/, '')) {
    case 'string': return value.text;
    case 'boolean': return text === 'true';
    case 'decimal': case 'double': case 'integer': case 'int': case 'long': return xsdNumber(text);
    case 'date': return engine.literal(`date(${quote(text)})`);
    case 'time': return engine.literal(`time(${quote(text)})`);
    case 'dateTime': return engine.literal(`date and time(${quote(text)})`);
    case 'duration': return engine.literal(`duration(${quote(text)})`);
    default: return value.text;
  }
}

function xsdNumber(text: string): number {
  if (text === 'INF') return Infinity;
  if (text === '-INF') return -Infinity;
  return Number(text);
}

// --- comparison -------------------------------------------------------------------------------

/** Whether `actual` equals the expected value held by `holder` (`<expected>`, `<item>`, `<component>`). */
export function matchesExpected(actual: unknown, holder: XmlElement): boolean {
  const value = childNamed(holder, 'value');
  if (value) return matchesScalar(actual, value);
  const list = childNamed(holder, 'list');
  if (list) {
    if (list.attrs['xsi:nil'] === 'true') return actual === null || actual === undefined;
    const items = childrenNamed(list, 'item');
    return Array.isArray(actual) && actual.length === items.length && items.every((item, i) => matchesExpected(actual[i], item));
  }
  const components = childrenNamed(holder, 'component');
  if (components.length > 0) {
    if (!isContext(actual) || Object.keys(actual).length !== components.length) return false;
    return components.every((c) => {
      const name = c.attrs.name ?? '';
      if (!Object.prototype.hasOwnProperty.call(actual, name)) return false;
      return c.attrs['xsi:nil'] === 'true' ? actual[name] === null || actual[name] === undefined : matchesExpected(actual[name], c);
    });
  }
  return actual === null || actual === undefined;
}

function matchesScalar(actual: unknown, value: XmlElement): boolean {
  if (value.attrs['xsi:nil'] === 'true') return actual === null || actual === undefined;
  const text = value.text.trim();
  switch (value.attrs[XSI_TYPE]?.replace(/^.*:/, '')) {
    case 'string': return actual === value.text;
    case 'boolean': return actual === (text === 'true');
    case 'decimal': case 'double': case 'integer': case 'int': case 'long': return typeof actual === 'number' && sameNumber(actual, xsdNumber(text));
    case 'date': return kindOf(actual) === 'FeelDate' && temporalText(actual) === normaliseTemporal(text);
    case 'time': return kindOf(actual) === 'FeelTime' && temporalText(actual) === normaliseTemporal(text);
    case 'dateTime': return kindOf(actual) === 'FeelDateTime' && temporalText(actual) === normaliseTemporal(text);
    case 'duration': {
      if (kindOf(actual) !== 'FeelDuration') return false;
      const expected = parseDuration(text);
      return expected !== null && sameDuration(durationOf(actual), expected);
    }
    default: return actual === value.text;
  }
}

export const NUMBER_TOLERANCE = 0.00000001;

export function sameNumber(a: number, b: number): boolean {
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) < NUMBER_TOLERANCE;
}

function kindOf(value: unknown): string {
  return value === null || value === undefined ? 'null' : ((value as object).constructor?.name ?? typeof value);
}

function isContext(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype;
}

type TemporalFields = {
  year?: number; month?: number; day?: number; hour?: number; minute?: number; second?: number;
  millisecond?: number; microsecond?: number; nanosecond?: number;
};

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');

/** A date / time / date-time value as `[-]Y-MM-DDThh:mm:ss[.f][zone]` from its fields. */
function temporalText(value: unknown): string {
  const holder = value as { unwrap(): TemporalFields; zone?: string | null };
  const fields = holder.unwrap();
  let text = '';
  if (fields.year !== undefined) text += `${fields.year < 0 ? '-' : ''}${pad(fields.year, 4)}-${pad(fields.month!)}-${pad(fields.day!)}`;
  if (fields.hour !== undefined) {
    const nanos = (fields.millisecond ?? 0) * 1e6 + (fields.microsecond ?? 0) * 1e3 + (fields.nanosecond ?? 0);
    const fraction = nanos ? `.${String(nanos).padStart(9, '0').replace(/0+$/, '')}` : '';
    text += `${text ? 'T' : ''}${pad(fields.hour)}:${pad(fields.minute!)}:${pad(fields.second!)}${fraction}`;
  }
  return text + zoneText(holder.zone ?? null);
}

function zoneText(zone: string | null): string {
  if (zone === null) return '';
  if (zone === 'UTC' || zone === 'Z' || zone === 'Etc/UTC' || zone === '+00:00' || zone === '-00:00') return 'Z';
  if (/^[+-]\d\d:\d\d(:\d\d)?$/.test(zone)) return zone;
  return `@${zone}`;
}

/** The expected text normalised the same way (`10:00:00.500` -> `10:00:00.5`, `+00:00` -> `Z`). */
function normaliseTemporal(text: string): string {
  const match = /^(-?\d{4,9}-\d\d-\d\d)?(?:T?(\d\d:\d\d:\d\d)(?:\.(\d+))?)?(Z|[+-]\d\d:\d\d(?::\d\d)?|@.+)?$/.exec(text);
  if (!match) return text;
  const [, date, time, fraction, zone] = match;
  const year = date ? /^(-?)(\d+)(-.*)$/.exec(date) : null;
  let out = year ? `${year[1]}${year[2]!.replace(/^0+(?=\d{4})/, '')}${year[3]}` : '';
  if (time) {
    const f = fraction?.replace(/0+$/, '');
    out += `${out ? 'T' : ''}${time}${f ? `.${f}` : ''}`;
  }
  if (zone) out += zone.startsWith('@') ? zone : zoneText(zone === 'Z' ? 'UTC' : zone);
  return out;
}

type DurationValue = { yearsMonths: boolean; total: number };

function durationOf(value: unknown): DurationValue {
  const d = value as { yearsMonths: boolean; unwrap(): Record<string, number> };
  const v = d.unwrap();
  if (d.yearsMonths) return { yearsMonths: true, total: v.years! * 12 + v.months! };
  const seconds = ((v.weeks ?? 0) * 7 + (v.days ?? 0)) * 86400 + (v.hours ?? 0) * 3600 + (v.minutes ?? 0) * 60 + (v.seconds ?? 0)
    + (v.milliseconds ?? 0) / 1e3 + (v.microseconds ?? 0) / 1e6 + (v.nanoseconds ?? 0) / 1e9;
  return { yearsMonths: false, total: seconds };
}

const DURATION = /^(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

function parseDuration(text: string): DurationValue | null {
  const m = DURATION.exec(text);
  if (!m) return null;
  const [, sign, y, mo, d, h, mi, s] = m;
  const k = sign ? -1 : 1;
  if ((y || mo) && !(d || h || mi || s)) return { yearsMonths: true, total: k * (Number(y ?? 0) * 12 + Number(mo ?? 0)) };
  if (y || mo) return null;
  return { yearsMonths: false, total: k * (Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(mi ?? 0) * 60 + Number(s ?? 0)) };
}

function sameDuration(a: DurationValue, b: DurationValue): boolean {
  // A zero duration of either kind matches `PT0S` / `P0M`: the TCK writes zero either way.
  if (a.total === 0 && b.total === 0) return true;
  return a.yearsMonths === b.yearsMonths && sameNumber(a.total, b.total);
}
