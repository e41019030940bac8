/**
 * The pricing engine: a pure function of (published release, input) -> deep-frozen PriceResult
 * with a replayable trace per charge (STYLE habit 2). No I/O, no clock, no randomness, no float
 * near money; the input is never mutated. README.md states the semantics this file implements:
 * price-book selection, list prices (flat, attribute, slab and range tiers), the waterfall
 * phases and stacking, manual discounts, floors, rounding, term totals and the hashes.
 *
 * Speed (issue 4, item 4): everything that depends only on the release and the currency (price
 * books indexed by (offering, charge), prices parsed, FEEL conditions compiled through the
 * release's FEEL cache, rules filtered and sorted per phase, reasons written) is a plan, built
 * once per (release, currency) and kept in a WeakMap on the ReleaseView, so it lives exactly as
 * long as the release view. A request only evaluates compiled closures and does integer math.
 *
 * Money is exact decimal fixed-point: a BigInt count of 10^-scale units, where the working
 * scale is the currency's decimals + GUARD_DECIMALS. decimal.js (pricing-trace.ts) costs about
 * 1 µs per waterfall step against 0.15 µs for this, and a 2,000-line quote has some 40,000
 * steps; decimal.js stays the independent reference that replays every trace in the tests.
 */
import { createHash } from 'node:crypto';
import {
  currencyDecimals,
  PRICING_PHASES,
  type Charge,
  type PriceBookEntry,
  type PricingActionType,
  type PricingPhase,
  type ReleaseView,
  type Stacking,
} from '@cpq/metadata';
import { GUARD_DECIMALS, roundingModeOf } from './pricing-trace';
import {
  PricingInputError,
  type ChargeKind,
  type ManualDiscount,
  type PriceOptions,
  type PriceResult,
  type PricedCharge,
  type PricedLine,
  type PricingInput,
  type PricingChildInput,
  type PricingLineInput,
  type RoundingMode,
  type SkippedRule,
  type TraceOperation,
  type TraceSource,
  type TraceStep,
  type VersionRef,
} from './pricing.types';

const MAX_TERM_MONTHS = 1200;
const MAX_QUANTITY = 1_000_000_000;

// --- exact decimal fixed-point (exported for its tests, not in index.ts) -------------------------------

const POW10: readonly bigint[] = Array.from({ length: 64 }, (_, i) => 10n ** BigInt(i));
const DECIMAL = /^(\d{1,15})(?:\.(\d{1,8}))?$/;

/** n / d rounded to an integer: half-up = half away from zero; half-even = half to the even neighbour. d > 0. */
export function divRound(n: bigint, d: bigint, mode: RoundingMode = 'half-up'): bigint {
  const negative = n < 0n;
  const a = negative ? -n : n;
  let q = a / d;
  const twice = (a - q * d) * 2n;
  if (twice > d || (twice === d && (mode === 'half-up' || q % 2n === 1n))) q += 1n;
  return negative ? -q : q;
}

/** A decimal string (as the metadata schemas allow: up to 15 integer and 8 decimal digits) at `scale`, rounded half-up if it has more decimals. */
export function parseFixed(text: string, scale: number): bigint {
  const match = DECIMAL.exec(text);
  if (!match) throw new Error(`not a decimal: ${text}`); // the schemas let nothing else through
  const fraction = match[2] ?? '';
  const units = BigInt(match[1]! + fraction);
  return fraction.length <= scale ? units * POW10[scale - fraction.length]! : divRound(units, POW10[fraction.length - scale]!);
}

/** A percentage as an exact factor num/den: (100 - p)/100 for a discount, (100 + p)/100 for a markup. */
function percentFactor(text: string, sign: 1n | -1n): { num: bigint; den: bigint } {
  const match = DECIMAL.exec(text);
  if (!match) throw new Error(`not a decimal: ${text}`);
  const fraction = match[2] ?? '';
  const den = 100n * POW10[fraction.length]!;
  return { num: den + sign * BigInt(match[1]! + fraction), den };
}

/** Fixed-point units as text: at least `decimals` places ("49.00"), more when the value has them ("47.9465"). */
export function formatFixed(units: bigint, scale: number, decimals: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const cut = digits.length - scale;
  let end = digits.length;
  while (end > cut + decimals && digits.charCodeAt(end - 1) === 48) end--;
  const text = end > cut ? `${digits.slice(0, cut)}.${digits.slice(cut, end)}` : digits.slice(0, cut);
  return negative && units !== 0n ? `-${text}` : text;
}

// --- the plan: compiled once per (release, currency) -------------------------------------------

/** What a step does, in fixed-point: `amount` for amount actions, `num/den` for percentages. */
type FixedOp = { type: PricingActionType; amount: bigint; num: bigint; den: bigint };

type Row = { value?: unknown; min: number; max: number; price: bigint; label: string };
type Tier = { from: number; to: number; price: bigint; label: string };
type Entry = (
  | { type: 'flat'; price: bigint }
  | { type: 'attribute'; characteristic: string; rows: Row[] }
  | { type: 'tiered'; mode: 'slab' | 'range'; tiers: Tier[] }
) & { quantityFrom?: string };

type Book = { key: string; contentHash: string; validFrom: string; validTo?: string; source: TraceSource; entries: Map<string, Entry> };

type Rule = {
  /** Position in the book plan's rules: the slot of its per-line memo. */
  index: number;
  /** The condition reads no charge-level name (charge, chargeType, period): evaluated once per line. */
  perLine: boolean;
  id: string;
  setKey: string;
  phase: PricingPhase;
  order: number;
  priority: number;
  stacking: Stacking;
  source: TraceSource;
  /** Null when the condition does not compile (a release that passed validation has none). */
  condition: ((context: Record<string, unknown>) => unknown) | null;
  compileError?: string;
  operation: TraceOperation;
  fixed: FixedOp;
  reason: string;
  /** Floors only: the reasons of a floor that bites and of one that does not. */
  floorReasons?: { reached: string; notReached: string };
  offerings?: ReadonlySet<string>;
  charges?: ReadonlySet<string>;
};

type ScheduleTier = { from: number; to: number; operation: TraceOperation; fixed: FixedOp; reason: string };
type Schedule = { key: string; basis: 'quantity' | 'term'; source: TraceSource; offerings?: ReadonlySet<string>; tiers: ScheduleTier[] };

type ChargePlan = { entry: Entry | undefined; phases: Rule[][]; schedules: Schedule[] };

type BookPlan = { book: Book; rules: Rule[]; schedules: Schedule[]; versions: PriceResult['versions']; chargePlans: Map<string, ChargePlan> };

type CurrencyPlan = {
  currency: string;
  decimals: number;
  /** The working scale: decimals + GUARD_DECIMALS. */
  scale: number;
  /** 10^GUARD_DECIMALS: working units per minor unit of the currency. */
  guard: bigint;
  rounding: RoundingMode;
  roundOperation: TraceOperation;
  roundSource: TraceSource;
  roundReason: string;
  /** Zero as text ("0.00"): where every waterfall starts. */
  zeroText: string;
  /** Price books in this currency, latest validFrom first, then by key. */
  books: Book[];
  bookPlans: Map<string, BookPlan>;
  offerings: Map<string, readonly Charge[]>;
};

const plans = new WeakMap<ReleaseView, Map<string, CurrencyPlan>>();

const freeze = Object.freeze;
const PHASE_INDEX = new Map<PricingPhase, number>(PRICING_PHASES.map((phase, i) => [phase, i]));
const entryKey = (offering: string, charge: string) => `${offering}\n${charge}`;
/** The names of the FEEL context that change from one charge of a line to the next. */
const CHARGE_NAMES: ReadonlySet<string> = new Set(['charge', 'chargeType', 'period']);
/** Every name the engine puts in the FEEL context; a characteristic of the same name is hidden. */
const CONTEXT_NAMES: ReadonlySet<string> = new Set(['offering', 'quantity', 'termMonths', 'segment', 'channel', 'accountId', 'currency', 'pricingDate', ...CHARGE_NAMES]);
/** The names pricing conditions are compiled with (the line's characteristics come on top, unknown here). */
const PRICING_NAMES: readonly string[] = [...CONTEXT_NAMES];
/** Never copied from a request into the context (assigning it would replace the object's prototype). */
const UNSAFE_NAMES: ReadonlySet<string> = new Set(['__proto__']);
const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Compiles the pricing plan of a release for one currency (or for every currency of its price
 * books) ahead of the first request: call it when a release is loaded. `price` does the same
 * lazily, once, for a currency it has not seen.
 */
export function preparePricing(release: ReleaseView, currency?: string): void {
  const currencies = currency ? [currency] : [...new Set(release.list('price-book').map((b) => b.content.currency))];
  for (const code of currencies) if (currencyDecimals(code) !== undefined) planFor(release, code);
}

function planFor(release: ReleaseView, currency: string): CurrencyPlan {
  let byCurrency = plans.get(release);
  if (!byCurrency) plans.set(release, (byCurrency = new Map()));
  let plan = byCurrency.get(currency);
  if (!plan) byCurrency.set(currency, (plan = compilePlan(release, currency)));
  return plan;
}

function compilePlan(release: ReleaseView, currency: string): CurrencyPlan {
  const decimals = currencyDecimals(currency) ?? 0;
  const scale = decimals + GUARD_DECIMALS;
  const rounding = roundingModeOf(currency);
  const books = release
    .list('price-book')
    .filter((item) => item.content.currency === currency)
    .map((item): Book => {
      const source: TraceSource = freeze({ kind: 'price-book', key: item.key, version: item.contentHash });
      const entries = new Map(item.content.entries.map((e) => [entryKey(e.offering, e.charge), compileEntry(e, scale, decimals)] as const));
      const { validFrom, validTo } = item.content;
      return { key: item.key, contentHash: item.contentHash, validFrom, ...(validTo ? { validTo } : {}), source, entries };
    })
    .sort((a, b) => byString(b.validFrom, a.validFrom) || byString(a.key, b.key));
  const offerings = new Map(release.list('product-offering').map((o) => [o.key, freeze(o.content.charges.map((c) => freeze({ ...c })))] as const));
  const plan: CurrencyPlan = {
    currency,
    decimals,
    scale,
    guard: POW10[GUARD_DECIMALS]!,
    rounding,
    roundOperation: freeze({ type: 'round', value: String(decimals), mode: rounding }),
    roundSource: freeze({ kind: 'rounding', key: currency, version: `${rounding}/${decimals}` }),
    roundReason: `unit net price rounded to ${decimals} decimals (${currency}), ${rounding}`,
    zeroText: formatFixed(0n, scale, decimals),
    books,
    bookPlans: new Map(),
    offerings,
  };
  const schedules = compileSchedules(release, scale);
  for (const book of books) plan.bookPlans.set(book.key, compileBookPlan(release, plan, book, schedules));
  return plan;
}

function compileEntry(entry: PriceBookEntry, scale: number, decimals: number): Entry {
  const compiled = compileEntryPrice(entry, scale, decimals);
  return entry.quantityFrom !== undefined ? { ...compiled, quantityFrom: entry.quantityFrom } : compiled;
}

function compileEntryPrice(entry: PriceBookEntry, scale: number, decimals: number): Entry {
  const money = (text: string) => parseFixed(text, scale);
  switch (entry.type) {
    case 'flat':
      return { type: 'flat', price: money(entry.price) };
    case 'attribute':
      return {
        type: 'attribute',
        characteristic: entry.characteristic,
        rows: entry.rows.map((row) => {
          if (row.value !== undefined) return { value: row.value, min: NaN, max: NaN, price: money(row.price), label: `${entry.characteristic} = ${JSON.stringify(row.value)}` };
          const label = `${entry.characteristic} in ${row.min ?? ''}..${row.max ?? ''}`;
          return { min: row.min ?? -Infinity, max: row.max ?? Infinity, price: money(row.price), label };
        }),
      };
    case 'tiered':
      return {
        type: 'tiered',
        mode: entry.mode,
        tiers: entry.tiers.map((t) => {
          const price = money(t.price);
          return { from: t.from, to: t.to ?? Infinity, price, label: `${t.from}${t.to === undefined ? '+' : `-${t.to}`} at ${formatFixed(price, scale, decimals)}` };
        }),
      };
  }
}

function fixedOp(type: PricingActionType, value: string, scale: number): FixedOp {
  if (type === 'percent-discount' || type === 'markup') return { type, amount: 0n, ...percentFactor(value, type === 'markup' ? 1n : -1n) };
  return { type, amount: parseFixed(value, scale), num: 1n, den: 1n };
}

function compileSchedules(release: ReleaseView, scale: number): Schedule[] {
  return release
    .list('discount-schedule')
    .sort((a, b) => byString(a.key, b.key))
    .map((item) => {
      const { basis, offerings, tiers } = item.content;
      const unit = basis === 'term' ? ' months' : '';
      return {
        key: item.key,
        basis,
        source: freeze({ kind: 'discount-schedule', key: item.key, version: item.contentHash }),
        ...(offerings ? { offerings: new Set(offerings) } : {}),
        tiers: tiers
          .filter((t) => parseFixed(t.percent, scale) !== 0n) // a 0 % tier changes nothing: no step
          .map((t) => ({
            from: t.from,
            to: t.to ?? Infinity,
            operation: freeze({ type: 'percent-discount', value: t.percent }),
            fixed: fixedOp('percent-discount', t.percent, scale),
            reason: `${item.key}: ${basis} ${t.from}${t.to === undefined ? '+' : `-${t.to}`}${unit}, ${t.percent}% discount`,
          })),
      };
    });
}

function compileBookPlan(release: ReleaseView, plan: CurrencyPlan, book: Book, schedules: Schedule[]): BookPlan {
  const sets = release
    .list('pricing-rule-set')
    .filter((set) => !set.content.priceBooks || set.content.priceBooks.includes(book.key))
    .sort((a, b) => byString(a.key, b.key));
  const rules: Rule[] = [];
  for (const set of sets) {
    for (const rule of set.content.rules) {
      const { action } = rule;
      // An amount in another currency does not apply when pricing in this one (pricing-rule-set.kind.ts).
      if (action.currency !== undefined && action.currency !== plan.currency) continue;
      const compiled = release.feel.compile(rule.condition, 'expression', { names: PRICING_NAMES });
      const fixed = fixedOp(action.type, action.value, plan.scale);
      // What was applied, as the trace shows it (an amount at the working scale, a percentage as authored).
      const value = fixed.den === 1n ? formatFixed(fixed.amount, plan.scale, plan.decimals) : action.value;
      const shown = describeAction(action.type, value, plan.currency);
      const why = rule.description ?? `when ${rule.condition}`;
      rules.push({
        index: 0,
        perLine: compiled.ok && !compiled.compiled.variables.some((name) => CHARGE_NAMES.has(name)),
        id: rule.id,
        setKey: set.key,
        phase: rule.phase,
        order: rule.order,
        priority: rule.priority,
        stacking: rule.stacking,
        source: freeze({ kind: 'pricing-rule-set', key: set.key, ruleId: rule.id, version: set.contentHash }),
        condition: compiled.ok ? compiled.compiled.evaluate : null,
        ...(compiled.ok ? {} : { compileError: compiled.error.message }),
        operation: freeze({ type: action.type, value }),
        fixed,
        reason: `rule ${rule.id}: ${shown} (${rule.stacking}), ${why}`,
        ...(action.type === 'floor'
          ? { floorReasons: { reached: `rule ${rule.id}: ${shown} reached, discounts cut at the floor; ${why}`, notReached: `rule ${rule.id}: ${shown} not reached; ${why}` } }
          : {}),
        ...(rule.scope?.offerings ? { offerings: new Set(rule.scope.offerings) } : {}),
        ...(rule.scope?.charges ? { charges: new Set(rule.scope.charges) } : {}),
      });
    }
  }
  // Waterfall order: phase, then the rule's explicit order, then rule set key and rule id
  // (orders are unique within a set and phase; the tie-breakers make two sets deterministic).
  rules.sort((a, b) => PHASE_INDEX.get(a.phase)! - PHASE_INDEX.get(b.phase)! || a.order - b.order || byString(a.setKey, b.setKey) || byString(a.id, b.id));
  rules.forEach((rule, i) => (rule.index = i));
  const ref = (key: string, contentHash: string): VersionRef => freeze({ key, contentHash });
  return {
    book,
    rules,
    schedules,
    versions: freeze({
      priceBooks: freeze([ref(book.key, book.contentHash)]),
      ruleSets: freeze(sets.map((s) => ref(s.key, s.contentHash))),
      schedules: freeze(schedules.map((s) => ref(s.key, s.source.version))),
    }),
    chargePlans: new Map(),
  };
}

function describeAction(type: PricingActionType, value: string, currency: string): string {
  switch (type) {
    case 'percent-discount':
      return `${value}% discount`;
    case 'markup':
      return `${value}% markup`;
    case 'amount-discount':
      return `${value} ${currency} off per unit`;
    case 'override':
      return `price set to ${value} ${currency}`;
    case 'floor':
      return `floor ${value} ${currency}`;
  }
}

/** The rules and schedules that can touch one (offering, charge), per phase; memoised in the plan. */
function chargePlanOf(bookPlan: BookPlan, offering: string, charge: string): ChargePlan {
  const key = entryKey(offering, charge);
  let chargePlan = bookPlan.chargePlans.get(key);
  if (!chargePlan) {
    const phases: Rule[][] = PRICING_PHASES.map(() => []);
    for (const rule of bookPlan.rules) {
      if (rule.offerings && !rule.offerings.has(offering)) continue;
      if (rule.charges && !rule.charges.has(charge)) continue;
      phases[PHASE_INDEX.get(rule.phase)!]!.push(rule);
    }
    const schedules = bookPlan.schedules.filter((s) => (!s.offerings || s.offerings.has(offering)) && s.tiers.length > 0);
    chargePlan = { entry: bookPlan.book.entries.get(key), phases, schedules };
    bookPlan.chargePlans.set(key, chargePlan);
  }
  return chargePlan;
}

// --- input checks -------------------------------------------------------------------------------

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function fail(code: PricingInputError['code'], field: string, message: string): never {
  throw new PricingInputError(code, field, message);
}

function checkDate(value: unknown): string {
  const match = typeof value === 'string' ? DATE.exec(value) : null;
  if (!match) fail('invalid-date', 'pricingDate', 'pricingDate must be a date written YYYY-MM-DD');
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    fail('invalid-date', 'pricingDate', `${String(value)} is not a calendar date`);
  }
  return value as string;
}

function checkManual(raw: unknown, at: string, charges: readonly Charge[], decimals: number): void {
  if (!isObject(raw)) fail('invalid-manual-discount', at, 'a manual discount is an object');
  for (const name of ['actor', 'reason', 'authority'] as const) {
    const value = raw[name];
    if (typeof value !== 'string' || value.trim() === '') fail('invalid-manual-discount', `${at}.${name}`, `a manual discount names its ${name}`);
  }
  const hasPercent = raw.percent !== undefined;
  if (hasPercent === (raw.amount !== undefined)) fail('invalid-manual-discount', at, 'a manual discount has either a percent or an amount');
  const name = hasPercent ? 'percent' : 'amount';
  const value = raw[name];
  const match = typeof value === 'string' ? DECIMAL.exec(value) : null;
  if (!match) fail('invalid-manual-discount', `${at}.${name}`, `${name} must be a non-negative decimal string with at most 8 decimals, e.g. "12.5"`);
  if (hasPercent && parseFixed(match[0], 8) > parseFixed('100', 8)) fail('invalid-manual-discount', `${at}.percent`, 'a discount is at most 100 %');
  if (!hasPercent && (match[2]?.length ?? 0) > decimals) {
    fail('invalid-manual-discount', `${at}.amount`, `the currency has ${decimals} decimals; ${match[0]} has more`);
  }
  if (raw.charges !== undefined) {
    if (!Array.isArray(raw.charges)) fail('invalid-manual-discount', `${at}.charges`, 'charges is a list of charge keys');
    raw.charges.forEach((charge, i) => {
      if (!charges.some((c) => c.key === charge)) fail('invalid-manual-discount', `${at}.charges[${i}]`, `the offering has no charge ${JSON.stringify(charge)}`);
    });
  }
}

// --- pricing --------------------------------------------------------------------------------------

type Manual = { operation: TraceOperation; fixed: FixedOp; source: TraceSource; reason: string; charges?: ReadonlySet<string> };
/** `matches[rule.index]`: 0 not evaluated yet for this line, 1 true, 2 not true (per-line rules only). */
type LineState = {
  line: PricingLineInput; index: number; context: Record<string, unknown>; matches: Uint8Array; manual?: Manual;
  /** Where the line (or the bundle option) is in the input, for the field of an error. */
  at: string;
  /** A bundle option's offering; its `line` is the option priced for the line's units. */
  option?: string;
  /** The bundle options bought with the line (quantity > 0). */
  options?: LineState[];
};

/**
 * Prices a quote against a published release. Pure and deterministic: the same (release, input)
 * gives the same result, byte for byte. Throws PricingInputError (code, field) when the input
 * cannot be priced; nothing else is expected to throw.
 */
export function price(release: ReleaseView, input: PricingInput, options: PriceOptions = {}): PriceResult {
  if (!isObject(input)) fail('invalid-input', '', 'the pricing input is an object');
  const { currency } = input;
  if (typeof currency !== 'string' || currencyDecimals(currency) === undefined) {
    fail('unknown-currency', 'currency', `${JSON.stringify(currency)} is not a currency the platform prices in`);
  }
  const pricingDate = checkDate(input.pricingDate);
  const termMonths = input.termMonths ?? null;
  if (termMonths !== null && (!Number.isInteger(termMonths) || termMonths < 1 || termMonths > MAX_TERM_MONTHS)) {
    fail('invalid-term', 'termMonths', `termMonths must be a whole number of months from 1 to ${MAX_TERM_MONTHS}`);
  }
  const customer = input.customer ?? {};
  if (!isObject(customer)) fail('invalid-input', 'customer', 'customer is an object');
  for (const name of ['segment', 'channel', 'accountId'] as const) {
    if (customer[name] !== undefined && typeof customer[name] !== 'string') fail('invalid-input', `customer.${name}`, `customer.${name} must be a string`);
  }
  if (!Array.isArray(input.lines)) fail('invalid-input', 'lines', 'lines is a list');

  const plan = planFor(release, currency);
  const book = plan.books.find((b) => b.validFrom <= pricingDate && (b.validTo === undefined || pricingDate < b.validTo));
  if (!book) fail('no-price-book', 'currency', `no ${currency} price book of release ${release.releaseNumber} is valid on ${pricingDate}`);
  const bookPlan = plan.bookPlans.get(book.key)!;

  // Every line's fields first; a price the book lacks is found while pricing (no-price).
  const states: LineState[] = [];
  const seen = new Set<string>();
  input.lines.forEach((line: PricingLineInput, index) => {
    const at = `lines[${index}]`;
    if (!isObject(line)) fail('invalid-input', at, 'a line is an object');
    if (typeof line.lineId !== 'string' || line.lineId === '') fail('invalid-input', `${at}.lineId`, 'lineId is a non-empty string');
    if (seen.has(line.lineId)) fail('duplicate-line', `${at}.lineId`, `lineId ${JSON.stringify(line.lineId)} is used by two lines`);
    seen.add(line.lineId);
    const charges = typeof line.offering === 'string' ? plan.offerings.get(line.offering) : undefined;
    if (!charges) fail('unknown-offering', `${at}.offering`, `release ${release.releaseNumber} has no offering ${JSON.stringify(line.offering)}`);
    const { quantity } = line;
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) {
      fail('invalid-quantity', `${at}.quantity`, `quantity must be a whole number from 1 to ${MAX_QUANTITY}, not ${JSON.stringify(quantity)}`);
    }
    const characteristics = line.characteristics ?? {};
    if (!isObject(characteristics)) fail('invalid-input', `${at}.characteristics`, 'characteristics is an object of values by key');
    if (line.manualDiscount !== undefined) checkManual(line.manualDiscount, `${at}.manualDiscount`, charges, plan.decimals);
    const manual = line.manualDiscount ? compileManual(line.manualDiscount, line.lineId, plan) : undefined;
    const state = stateOf(line, index, at, characteristics, manual);
    if (line.children !== undefined) {
      if (!Array.isArray(line.children)) fail('invalid-input', `${at}.children`, 'children is a list of bundle options');
      const offerings = new Set<string>();
      state.options = line.children.flatMap((child: PricingChildInput, i) => {
        const where = `${at}.children[${i}]`;
        if (!isObject(child)) fail('invalid-input', where, 'a bundle option is an object');
        if (typeof child.offering !== 'string' || !plan.offerings.has(child.offering)) {
          fail('unknown-offering', `${where}.offering`, `release ${release.releaseNumber} has no offering ${JSON.stringify(child.offering)}`);
        }
        if (offerings.has(child.offering)) fail('duplicate-line', `${where}.offering`, `the line lists option ${child.offering} twice`);
        offerings.add(child.offering);
        if (!Number.isInteger(child.quantity) || child.quantity < 0 || child.quantity * quantity > MAX_QUANTITY) {
          fail('invalid-quantity', `${where}.quantity`, `an option's quantity must be a whole number from 0, not ${JSON.stringify(child.quantity)}`);
        }
        if (child.quantity === 0) return [];
        const values = child.characteristics ?? {};
        if (!isObject(values)) fail('invalid-input', `${where}.characteristics`, 'characteristics is an object of values by key');
        // The option is bought for each of the line's units. A manual discount on the line covers
        // its options too, unless it names charges (those are the line's own offering's).
        const priced = { lineId: line.lineId, offering: child.offering, quantity: child.quantity * quantity, characteristics: values };
        return [{ ...stateOf(priced, index, where, values, manual && !manual.charges ? manual : undefined), option: child.offering }];
      });
    }
    states.push(state);
  });

  /** The line's (or option's) rule state: what FEEL conditions read (README), and the rules' memo. */
  function stateOf(line: PricingLineInput, index: number, at: string, characteristics: Record<string, unknown>, manual: Manual | undefined): LineState {
    // The names the engine owns, and the line's values under any other name. (Built in this
    // order on purpose: an object spread followed by these properties costs V8 some 7 µs per
    // line, this about 0.1 µs.)
    const context: Record<string, unknown> = {
      offering: line.offering,
      quantity: line.quantity,
      termMonths,
      segment: customer.segment ?? null,
      channel: customer.channel ?? null,
      accountId: customer.accountId ?? null,
      currency,
      pricingDate,
      charge: null,
      chargeType: null,
      period: null,
    };
    for (const key of Object.keys(characteristics)) if (!CONTEXT_NAMES.has(key) && !UNSAFE_NAMES.has(key)) context[key] = characteristics[key];
    return { line, index, at, matches: new Uint8Array(bookPlan.rules.length), context, ...(manual ? { manual } : {}) };
  }

  const sums: Record<ChargeKind, { net: bigint; term: bigint }> = { 'one-time': { net: 0n, term: 0n }, monthly: { net: 0n, term: 0n }, annual: { net: 0n, term: 0n } };
  type Contribution = { sum: { net: bigint; term: bigint }; net: bigint; term: bigint };
  const chargesOf = (state: LineState, contributions: Contribution[]): PricedCharge[] => plan.offerings.get(state.line.offering)!.flatMap((charge) => {
    const priced = priceCharge(plan, bookPlan, state, charge, termMonths);
    // A charge with no units (0 static IPs) is not bought: it is not on the result at all.
    if (priced.charge.quantity === 0) return [];
    contributions.push({ sum: sums[charge.type === 'one-time' ? 'one-time' : charge.period === 'annual' ? 'annual' : 'monthly'], net: priced.lineNet, term: priced.termTotal });
    return [state.option === undefined ? priced.charge : freeze({ option: state.option, ...priced.charge })];
  });
  // A line's charges depend on the line and the quote's context only (never on other lines), so
  // lines that agree on everything priced (a rollout of 500 equal sites) are priced once and share
  // one frozen charges list; the evidence store writes a shared list once (quote/price-evidence.ts).
  // A manual discount names its line in the trace: such lines are priced on their own.
  const priceds = new Map<string, { charges: PricedCharge[]; contributions: Contribution[] }>();
  const lines = states.map((state): PricedLine => {
    const key = state.manual ? undefined : canonicalJson([state.line.offering, state.line.quantity, state.line.characteristics ?? {}, state.line.children ?? []]);
    let priced = key === undefined ? undefined : priceds.get(key);
    if (!priced) {
      const contributions: Contribution[] = [];
      const charges = [...chargesOf(state, contributions), ...(state.options ?? []).flatMap((option) => chargesOf(option, contributions))];
      priced = { charges: freeze(charges) as PricedCharge[], contributions };
      if (key !== undefined) priceds.set(key, priced);
    }
    for (const c of priced.contributions) {
      c.sum.net += c.net;
      c.sum.term += c.term;
    }
    return freeze({ lineId: state.line.lineId, offering: state.line.offering, quantity: state.line.quantity, charges: priced.charges });
  });

  const money = (units: bigint) => formatFixed(units, plan.scale, plan.decimals);
  const total = (kind: ChargeKind) => freeze({ net: money(sums[kind].net), termTotal: money(sums[kind].term) });
  const byChargeType = freeze({ 'one-time': total('one-time'), monthly: total('monthly'), annual: total('annual') });
  const result = {
    ...(options.resultId !== undefined ? { resultId: options.resultId } : {}),
    releaseId: release.releaseId,
    releaseNumber: release.releaseNumber,
    currency,
    pricingDate,
    termMonths,
    rounding: freeze({ mode: plan.rounding, decimals: plan.decimals }),
    versions: bookPlan.versions,
    lines: freeze(lines),
    totals: freeze({
      oneTime: byChargeType['one-time'].net,
      monthly: byChargeType.monthly.net,
      annual: byChargeType.annual.net,
      termTotal: money(sums['one-time'].term + sums.monthly.term + sums.annual.term),
      byChargeType,
    }),
    inputHash: hashInput(input, customer, termMonths, states),
    resultHash: '',
  };
  result.resultHash = hashResult(result as PriceResult);
  return freeze(result) as PriceResult;
}

function compileManual(manual: ManualDiscount, lineId: string, plan: CurrencyPlan): Manual {
  const percent = manual.percent !== undefined;
  const text = percent ? manual.percent! : manual.amount!;
  const fixed = fixedOp(percent ? 'percent-discount' : 'amount-discount', text, plan.scale);
  const value = percent ? text : formatFixed(fixed.amount, plan.scale, plan.decimals);
  return {
    operation: freeze({ type: fixed.type, value }),
    fixed,
    source: freeze({ kind: 'manual', key: lineId, version: 'input', actor: manual.actor, reason: manual.reason, authority: manual.authority }),
    reason: `manual ${describeAction(fixed.type, value, plan.currency)} by ${manual.actor} under ${manual.authority}: ${manual.reason}`,
    ...(manual.charges ? { charges: new Set(manual.charges) } : {}),
  };
}

/** One step in fixed-point; the same arithmetic as replayOperation (pricing-trace.ts) in decimal.js. */
function applyFixed(op: FixedOp, amountIn: bigint, listPrice: bigint): bigint {
  switch (op.type) {
    case 'percent-discount':
    case 'markup': {
      const out = divRound(amountIn * op.num, op.den);
      return out < 0n ? 0n : out;
    }
    case 'amount-discount': {
      const out = amountIn - op.amount;
      return out < 0n ? 0n : out;
    }
    case 'override':
      return op.amount;
    case 'floor': {
      const floor = op.amount < listPrice ? op.amount : listPrice;
      return amountIn < floor ? floor : amountIn;
    }
  }
}

type Priced = { charge: PricedCharge; lineNet: bigint; termTotal: bigint };

/** One charge's waterfall in progress (plain functions over it: no closures per charge). */
type Run = {
  plan: CurrencyPlan;
  listPrice: bigint;
  listText: string;
  amount: bigint;
  amountText: string;
  trace: TraceStep[];
  skipped: SkippedRule[];
  floorReached: boolean;
};

function pushStep(run: Run, phase: TraceStep['phase'], source: TraceSource, operation: TraceOperation, out: bigint, reason: string): void {
  const { scale, decimals } = run.plan;
  const outText = formatFixed(out, scale, decimals);
  run.trace.push(
    freeze({ step: run.trace.length + 1, phase, source, operation, amountIn: run.amountText, adjustment: formatFixed(out - run.amount, scale, decimals), amountOut: outText, reason }),
  );
  run.amount = out;
  run.amountText = outText;
}

function applyRule(run: Run, rule: Rule): void {
  const out = applyFixed(rule.fixed, run.amount, run.listPrice);
  let reason = rule.reason;
  if (rule.floorReasons) {
    const bites = out > run.amount;
    run.floorReached ||= bites;
    reason = bites ? rule.floorReasons.reached : rule.floorReasons.notReached;
    if (bites && rule.fixed.amount > run.listPrice) reason += `; the floor is above the list price, so the price stops at list ${run.listText}`;
  }
  pushStep(run, rule.phase, rule.source, rule.operation, out, reason);
}

function priceCharge(plan: CurrencyPlan, bookPlan: BookPlan, state: LineState, charge: Charge, termMonths: number | null): Priced {
  const { line, context } = state;
  const { scale, decimals } = plan;
  const chargePlan = chargePlanOf(bookPlan, line.offering, charge.key);
  if (!chargePlan.entry) {
    fail('no-price', `${state.at}.offering`, `price book ${bookPlan.book.key} has no price for charge ${charge.key} of ${line.offering}`);
  }
  context.charge = charge.key;
  context.chargeType = charge.type;
  context.period = charge.period ?? null;
  const units = chargeUnits(chargePlan.entry, state);

  const list = listPrice(chargePlan.entry, state, charge.key, bookPlan.book, plan, Math.max(units, 1));
  const listText = formatFixed(list.price, scale, decimals);
  const run: Run = { plan, listPrice: list.price, listText, amount: 0n, amountText: plan.zeroText, trace: [], skipped: [], floorReached: false };
  pushStep(run, 'list', bookPlan.book.source, freeze({ type: 'list', value: listText }), list.price, list.reason);

  for (let p = 0; p < PRICING_PHASES.length; p++) {
    const phase = PRICING_PHASES[p]!;
    if (phase === 'volume-term') {
      for (const schedule of chargePlan.schedules) {
        const basis = schedule.basis === 'quantity' ? units : termMonths;
        if (basis === null) continue;
        const tier = schedule.tiers.find((t) => t.from <= basis && basis <= t.to);
        if (tier) pushStep(run, phase, schedule.source, tier.operation, applyFixed(tier.fixed, run.amount, run.listPrice), tier.reason);
      }
    }
    const rules = chargePlan.phases[p]!;
    if (rules.length > 0) applyPhase(run, phase, rules, context, state.matches);
    const { manual } = state;
    if (phase === 'manual' && manual && (!manual.charges || manual.charges.has(charge.key))) {
      pushStep(run, phase, manual.source, manual.operation, applyFixed(manual.fixed, run.amount, run.listPrice), manual.reason);
    }
  }

  const net = divRound(run.amount, plan.guard, plan.rounding) * plan.guard;
  if (net !== run.amount) pushStep(run, 'rounding', plan.roundSource, plan.roundOperation, net, plan.roundReason);

  const lineNet = net * BigInt(units);
  const termTotal =
    charge.type === 'one-time'
      ? lineNet
      : termMonths === null
        ? 0n
        : charge.period === 'annual'
          ? divRound(lineNet * BigInt(termMonths), 12n * plan.guard, plan.rounding) * plan.guard
          : lineNet * BigInt(termMonths);
  const priced: PricedCharge = {
    charge: charge.key,
    chargeType: charge.type,
    quantity: units,
    ...(charge.period !== undefined ? { period: charge.period } : {}),
    unitListPrice: listText,
    trace: freeze(run.trace) as TraceStep[],
    skipped: freeze(run.skipped) as SkippedRule[],
    unitNetPrice: run.amountText,
    lineNet: formatFixed(lineNet, scale, decimals),
    termTotal: formatFixed(termTotal, scale, decimals),
    floorReached: run.floorReached,
  };
  return { charge: freeze(priced), lineNet, termTotal };
}

/**
 * One phase's rules (already in order): evaluate every condition, then let stacking decide.
 * An exclusive match wins alone (highest priority, then first in order); otherwise every stack
 * rule applies in order, and of the best-price matches only the one giving the lowest price
 * from the amount entering the phase applies, at its own place in the order. Never an error:
 * a condition that throws or does not compile is recorded as skipped. Conditions that read no
 * charge-level name are evaluated once per line (`memo`).
 */
function applyPhase(run: Run, phase: PricingPhase, rules: Rule[], context: Record<string, unknown>, memo: Uint8Array): void {
  const { skipped } = run;
  let matched: Rule[] | undefined;
  for (const rule of rules) {
    const known = rule.perLine ? memo[rule.index]! : 0;
    if (known !== 0) {
      if (known === 1) (matched ??= []).push(rule);
      continue;
    }
    if (!rule.condition) {
      skipped.push(freeze({ phase, source: rule.source, reason: `condition does not compile: ${rule.compileError ?? ''}` }));
      continue;
    }
    let hit: unknown;
    try {
      hit = rule.condition(context);
    } catch (err) {
      skipped.push(freeze({ phase, source: rule.source, reason: `condition failed: ${err instanceof Error ? err.message : String(err)}` }));
      continue;
    }
    if (rule.perLine) memo[rule.index] = hit === true ? 1 : 2;
    if (hit === true) (matched ??= []).push(rule);
  }
  if (!matched) return;
  if (matched.length === 1) {
    applyRule(run, matched[0]!);
    return;
  }

  let exclusive: Rule | undefined;
  for (const rule of matched) if (rule.stacking === 'exclusive' && (!exclusive || rule.priority > exclusive.priority)) exclusive = rule;
  if (exclusive) {
    applyRule(run, exclusive);
    const reason = `exclusive rule ${exclusive.id} (priority ${exclusive.priority}) applies alone in the ${phase} phase`;
    for (const rule of matched) if (rule !== exclusive) skipped.push(freeze({ phase, source: rule.source, reason }));
    return;
  }

  const phaseInput = run.amount;
  let best: Rule | undefined;
  let bestOut = 0n;
  const losers: Rule[] = [];
  for (const rule of matched) {
    if (rule.stacking !== 'best-price') continue;
    const out = applyFixed(rule.fixed, phaseInput, run.listPrice);
    // Lowest price; on a tie the higher priority, then the earlier rule in order (already sorted).
    if (!best || out < bestOut || (out === bestOut && rule.priority > best.priority)) {
      if (best) losers.push(best);
      best = rule;
      bestOut = out;
    } else {
      losers.push(rule);
    }
  }
  for (const rule of matched) if (rule.stacking === 'stack' || rule === best) applyRule(run, rule);
  for (const loser of losers) {
    skipped.push(freeze({ phase, source: loser.source, reason: `best-price: rule ${best!.id} gives a lower price (or the same with a higher priority or earlier order)` }));
  }
}

/**
 * The charge's units: the line's quantity, or line quantity x the characteristic the price book
 * names in `quantityFrom` (e.g. static IP addresses per line). 0 means the charge is not bought.
 */
function chargeUnits(entry: Entry, state: LineState): number {
  const { line, at } = state;
  if (entry.quantityFrom === undefined) return line.quantity;
  const value = line.characteristics?.[entry.quantityFrom] ?? 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value * line.quantity > MAX_QUANTITY) {
    fail('invalid-quantity', `${at}.characteristics.${entry.quantityFrom}`, `${entry.quantityFrom} counts units of a charge, so it must be a whole number from 0, not ${JSON.stringify(value)}`);
  }
  return value * line.quantity;
}

function listPrice(entry: Entry, state: LineState, charge: string, book: Book, plan: CurrencyPlan, quantity: number): { price: bigint; reason: string } {
  const { line, at } = state;
  switch (entry.type) {
    case 'flat':
      return { price: entry.price, reason: `list price of ${line.offering}/${charge} in price book ${book.key}` };
    case 'attribute': {
      const value = line.characteristics?.[entry.characteristic];
      const row = entry.rows.find((r) => (r.value !== undefined ? r.value === value : typeof value === 'number' && r.min <= value && value <= r.max));
      if (!row) {
        fail(
          'no-price',
          `${at}.characteristics.${entry.characteristic}`,
          `price book ${book.key} has no price for ${line.offering}/${charge} with ${entry.characteristic} = ${JSON.stringify(value) ?? 'nothing'}`,
        );
      }
      return { price: row.price, reason: `list price of ${line.offering}/${charge} in price book ${book.key} where ${row.label} (${entry.characteristic} = ${JSON.stringify(value)})` };
    }
    case 'tiered': {
      const last = entry.tiers[entry.tiers.length - 1]!;
      if (quantity > last.to) {
        fail('no-price', `${at}.quantity`, `price book ${book.key} prices ${line.offering}/${charge} up to ${last.to} units, not ${quantity}`);
      }
      if (entry.mode === 'range') {
        const tier = entry.tiers.find((t) => t.from <= quantity && quantity <= t.to)!;
        return { price: tier.price, reason: `range tiers in price book ${book.key}: all ${quantity} units at tier ${tier.label}` };
      }
      // Slab: each unit at the price of the tier it falls in; the unit price is the average.
      let sum = 0n;
      const parts: string[] = [];
      for (const tier of entry.tiers) {
        if (tier.from > quantity) break;
        const units = Math.min(quantity, tier.to) - tier.from + 1;
        sum += tier.price * BigInt(units);
        parts.push(`${units} x ${tier.label}`);
      }
      const average = divRound(sum, BigInt(quantity));
      const exact = average * BigInt(quantity) === sum;
      return {
        price: average,
        reason: `slab tiers in price book ${book.key}: ${parts.join(' + ')} = ${formatFixed(sum, plan.scale, plan.decimals)} for ${quantity} units${exact ? '' : `, average rounded to ${plan.scale} decimals`}`,
      };
    }
  }
}

// --- hashes ---------------------------------------------------------------------------------------

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * RFC 8785 canonical JSON for the values pricing meets (JSON from a request): keys sorted by
 * UTF-16 code units, strings and numbers as JSON.stringify writes them (ECMAScript number
 * formatting, which RFC 8785 adopts), undefined members dropped. Written here because the
 * `canonicalize` package spends ~50 ns per output byte and a 2,000-line input is ~300 KB.
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  write(value, out);
  return out.join('');
}

function write(value: unknown, out: string[]): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') {
    out.push(JSON.stringify(value));
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail('invalid-input', 'lines', 'the input holds a number JSON cannot carry (NaN, Infinity)');
    out.push(JSON.stringify(value));
  } else if (Array.isArray(value)) {
    out.push('[');
    value.forEach((item, i) => {
      if (i > 0) out.push(',');
      write(item === undefined || typeof item === 'function' ? null : item, out);
    });
    out.push(']');
  } else if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    // A flat plain object whose keys are already in order (a line's characteristics, mostly) is
    // written by JSON.stringify, natively: the same text, a fraction of the time.
    if (isFlatInOrder(record, keys)) {
      out.push(JSON.stringify(record));
      return;
    }
    out.push('{');
    let first = true;
    for (const key of keys.sort()) {
      const item = record[key];
      if (item === undefined || typeof item === 'function') continue;
      if (!first) out.push(',');
      first = false;
      out.push(JSON.stringify(key), ':');
      write(item, out);
    }
    out.push('}');
  } else {
    fail('invalid-input', 'lines', `the input holds a ${typeof value}, which JSON cannot carry`);
  }
}

/** Every value a JSON primitive (a finite number), the keys in canonical order, no toJSON. */
function isFlatInOrder(record: Record<string, unknown>, keys: string[]): boolean {
  const proto = Object.getPrototypeOf(record) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  for (let i = 0; i < keys.length; i += 1) {
    if (i > 0 && !(keys[i - 1]! < keys[i]!)) return false;
    const item = record[keys[i]!];
    const type = typeof item;
    if (item !== null && type !== 'string' && type !== 'boolean' && type !== 'undefined' && !(type === 'number' && Number.isFinite(item))) return false;
  }
  return true;
}

const sortedByLineId = <T extends { lineId: string }>(lines: readonly T[]): T[] => [...lines].sort((a, b) => byString(a.lineId, b.lineId));

/** Over what determines the price, lines by lineId: the same quote hashes the same in any line order. */
function hashInput(input: PricingInput, customer: Record<string, unknown>, termMonths: number | null, states: LineState[]): string {
  const lines = sortedByLineId(states.map((s) => s.line)).map((line) => ({
    lineId: line.lineId,
    offering: line.offering,
    quantity: line.quantity,
    characteristics: line.characteristics ?? {},
    manualDiscount: line.manualDiscount,
    ...(line.children?.length ? { children: line.children } : {}),
  }));
  return sha256(
    canonicalJson({
      currency: input.currency,
      pricingDate: input.pricingDate,
      termMonths,
      customer: { segment: customer.segment, channel: customer.channel, accountId: customer.accountId },
      lines,
    }),
  );
}

/**
 * The result's hash (README.md, "Determinism"): sha256 over the canonical JSON of the result's
 * header (everything but resultId, resultHash and lines), then, lines sorted by lineId, every
 * field of every line, charge, trace step and skipped rule except the `reason` texts, which are
 * derived from the hashed sources (with their versions) and operations. Recomputable from a
 * stored result, e.g. to check that it was not altered.
 */
export function hashResult(result: PriceResult): string {
  const { resultId: _id, resultHash: _hash, lines, ...header } = result;
  // Sources are few and long: each is hashed once, in a table, and steps name its position
  // (first seen, walking lines by lineId, so the numbering depends on content only).
  const sources = new Map<object, number>();
  const byText = new Map<string, number>(); // a stored result's equal sources are distinct objects
  const table: string[] = [];
  const sourceId = (source: object): number => {
    let id = sources.get(source);
    if (id === undefined) {
      const text = canonicalJson(source);
      id = byText.get(text);
      if (id === undefined) byText.set(text, (id = table.push(text) - 1));
      sources.set(source, id);
    }
    return id;
  };
  // Fed to the hash in chunks: the text of a 2,000-line result is never held whole.
  const hash = createHash('sha256');
  let chunk = canonicalJson(header);
  const add = (text: string) => {
    chunk += text;
    if (chunk.length > 1 << 16) {
      hash.update(chunk);
      chunk = '';
    }
  };
  for (const line of sortedByLineId(lines)) {
    add(`\nL${JSON.stringify(line.lineId)}\u0001${line.offering}\u0001${line.quantity}`);
    for (const c of line.charges) {
      add(`\nC${c.option !== undefined ? `${c.option}\u0002` : ''}${c.charge}\u0001${c.quantity}\u0001${c.chargeType}\u0001${c.period ?? ''}\u0001${c.unitListPrice}\u0001${c.unitNetPrice}\u0001${c.lineNet}\u0001${c.termTotal}\u0001${c.floorReached}`);
      for (const s of c.trace) add(`\nS${s.phase}\u0001${sourceId(s.source)}\u0001${s.operation.type}\u0001${s.operation.value}\u0001${s.amountOut}`);
      for (const s of c.skipped) add(`\nK${s.phase}\u0001${sourceId(s.source)}`);
    }
  }
  hash.update(chunk);
  hash.update(`\nT${table.join('\n')}`);
  return hash.digest('hex');
}
