/**
 * The pricing engine: a pure function of (published release, input) -> deep-frozen PriceResult
 * with a replayable trace per charge (STYLE habit 2). No I/O, no clock, no randomness, no float
 * near money; the input is never mutated. README.md states the semantics this file implements:
 * price-book selection, list prices (flat, attribute, slab and range tiers), the waterfall
 * phases and stacking, manual discounts, floors, rounding, term totals and the hashes.
 *
 * Speed (issue 4, item 4): everything that depends only on the release and the currency (price
 * books indexed by (offering, charge), decimal prices parsed, FEEL conditions compiled through
 * the release's FEEL cache, rules filtered and sorted per phase, reasons written) is a plan,
 * built once per (release, currency) and kept in a WeakMap on the ReleaseView, so it lives
 * exactly as long as the release view does. A request only evaluates compiled closures and
 * does decimal arithmetic.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
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
import { applyOperation, Dec, formatAmount, roundingModeOf, roundTo } from './pricing-trace';
import {
  PricingInputError,
  type ChargeKind,
  type ManualDiscount,
  type PriceOptions,
  type PriceResult,
  type PricedCharge,
  type PricedLine,
  type PricingInput,
  type PricingLineInput,
  type RoundingMode,
  type SkippedRule,
  type TraceOperation,
  type TraceSource,
  type TraceStep,
  type VersionRef,
} from './pricing.types';

/** Extra decimals kept on a slab tier's average unit price when it does not terminate (README). */
export const SLAB_GUARD_DECIMALS = 6;
const MAX_TERM_MONTHS = 1200;
const MAX_QUANTITY = 1_000_000_000;

// --- the plan: compiled once per (release, currency) -------------------------------------------

type Row = { value?: unknown; min: number; max: number; price: Dec; label: string };
type Tier = { from: number; to: number; price: Dec; label: string };
type Entry =
  | { type: 'flat'; price: Dec }
  | { type: 'attribute'; characteristic: string; rows: Row[] }
  | { type: 'tiered'; mode: 'slab' | 'range'; tiers: Tier[] };

type Book = { key: string; contentHash: string; validFrom: string; validTo?: string; source: TraceSource; entries: Map<string, Entry> };

type Rule = {
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
  value: Dec;
  reason: string;
  /** Floors only: the reasons of a floor that bites and of one that does not. */
  floorReasons?: { reached: string; notReached: string };
  offerings?: ReadonlySet<string>;
  charges?: ReadonlySet<string>;
};

type ScheduleTier = { from: number; to: number; percent: Dec; operation: TraceOperation; reason: string };
type Schedule = { key: string; basis: 'quantity' | 'term'; source: TraceSource; offerings?: ReadonlySet<string>; tiers: ScheduleTier[] };

type ChargePlan = { entry: Entry | undefined; phases: Rule[][]; schedules: Schedule[] };

type BookPlan = {
  book: Book;
  rules: Rule[];
  schedules: Schedule[];
  versions: PriceResult['versions'];
  chargePlans: Map<string, ChargePlan>;
};

type CurrencyPlan = {
  currency: string;
  decimals: number;
  rounding: RoundingMode;
  roundOperation: TraceOperation;
  roundSource: TraceSource;
  roundReason: string;
  /** Price books in this currency, latest validFrom first, then by key. */
  books: Book[];
  bookPlans: Map<string, BookPlan>;
  offerings: Map<string, readonly Charge[]>;
};

const plans = new WeakMap<ReleaseView, Map<string, CurrencyPlan>>();

const freeze = Object.freeze;
const PHASE_INDEX = new Map<PricingPhase, number>(PRICING_PHASES.map((phase, i) => [phase, i]));
const entryKey = (offering: string, charge: string) => `${offering}\n${charge}`;
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
  const rounding = roundingModeOf(currency);
  const books = release
    .list('price-book')
    .filter((item) => item.content.currency === currency)
    .map((item): Book => {
      const source: TraceSource = freeze({ kind: 'price-book', key: item.key, version: item.contentHash });
      const entries = new Map(item.content.entries.map((e) => [entryKey(e.offering, e.charge), compileEntry(e, decimals)] as const));
      const { validFrom, validTo } = item.content;
      return { key: item.key, contentHash: item.contentHash, validFrom, ...(validTo ? { validTo } : {}), source, entries };
    })
    .sort((a, b) => byString(b.validFrom, a.validFrom) || byString(a.key, b.key));
  const offerings = new Map(release.list('product-offering').map((o) => [o.key, freeze(o.content.charges.map((c) => freeze({ ...c })))] as const));
  const plan: CurrencyPlan = {
    currency,
    decimals,
    rounding,
    roundOperation: freeze({ type: 'round', value: String(decimals), mode: rounding }),
    roundSource: freeze({ kind: 'rounding', key: currency, version: `${rounding}/${decimals}` }),
    roundReason: `unit net price rounded to ${decimals} decimals (${currency}), ${rounding}`,
    books,
    bookPlans: new Map(),
    offerings,
  };
  const schedules = compileSchedules(release);
  for (const book of books) plan.bookPlans.set(book.key, compileBookPlan(release, plan, book, schedules));
  return plan;
}

function compileEntry(entry: PriceBookEntry, decimals: number): Entry {
  switch (entry.type) {
    case 'flat':
      return { type: 'flat', price: new Dec(entry.price) };
    case 'attribute':
      return {
        type: 'attribute',
        characteristic: entry.characteristic,
        rows: entry.rows.map((row) => {
          const price = new Dec(row.price);
          if (row.value !== undefined) return { value: row.value, min: NaN, max: NaN, price, label: `${entry.characteristic} = ${JSON.stringify(row.value)}` };
          const min = row.min ?? -Infinity;
          const max = row.max ?? Infinity;
          return { min, max, price, label: `${entry.characteristic} in ${row.min ?? '..'}..${row.max ?? ''}`.replace('....', '..') };
        }),
      };
    case 'tiered':
      return {
        type: 'tiered',
        mode: entry.mode,
        tiers: entry.tiers.map((t) => ({
          from: t.from,
          to: t.to ?? Infinity,
          price: new Dec(t.price),
          label: `${t.from}${t.to === undefined ? '+' : `-${t.to}`} at ${formatAmount(new Dec(t.price), decimals)}`,
        })),
      };
  }
}

function compileSchedules(release: ReleaseView): Schedule[] {
  return release
    .list('discount-schedule')
    .sort((a, b) => byString(a.key, b.key))
    .map((item) => {
      const { basis, offerings, tiers } = item.content;
      const source: TraceSource = freeze({ kind: 'discount-schedule', key: item.key, version: item.contentHash });
      const unit = basis === 'term' ? ' months' : '';
      return {
        key: item.key,
        basis,
        source,
        ...(offerings ? { offerings: new Set(offerings) } : {}),
        tiers: tiers.map((t) => ({
          from: t.from,
          to: t.to ?? Infinity,
          percent: new Dec(t.percent),
          operation: freeze({ type: 'percent-discount', value: t.percent }),
          reason: `${basis} discount schedule: ${basis} in ${t.from}${t.to === undefined ? '+' : `-${t.to}`}${unit}: ${t.percent}% off`,
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
      const compiled = release.feel.compile(rule.condition, 'expression');
      const value = new Dec(action.value);
      const shown = describeAction(action.type, value, plan);
      const why = rule.description ?? `when ${rule.condition}`;
      rules.push({
        id: rule.id,
        setKey: set.key,
        phase: rule.phase,
        order: rule.order,
        priority: rule.priority,
        stacking: rule.stacking,
        source: freeze({ kind: 'pricing-rule-set', key: set.key, ruleId: rule.id, version: set.contentHash }),
        condition: compiled.ok ? compiled.compiled.evaluate : null,
        ...(compiled.ok ? {} : { compileError: compiled.error.message }),
        operation: freeze({ type: action.type, value: action.value }),
        value,
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

function describeAction(type: PricingActionType, value: Dec, plan: CurrencyPlan): string {
  const amount = `${formatAmount(value, plan.decimals)} ${plan.currency}`;
  switch (type) {
    case 'percent-discount':
      return `${value.toFixed()}% discount`;
    case 'markup':
      return `${value.toFixed()}% markup`;
    case 'amount-discount':
      return `${amount} off per unit`;
    case 'override':
      return `price set to ${amount}`;
    case 'floor':
      return `floor ${amount}`;
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
    const schedules = bookPlan.schedules.filter((s) => !s.offerings || s.offerings.has(offering));
    chargePlan = { entry: bookPlan.book.entries.get(key), phases, schedules };
    bookPlan.chargePlans.set(key, chargePlan);
  }
  return chargePlan;
}

// --- input checks -------------------------------------------------------------------------------

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DECIMAL = /^\d{1,15}(\.\d{1,10})?$/;

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

function checkOptionalString(value: unknown, field: string): void {
  if (value !== undefined && typeof value !== 'string') fail('invalid-input', field, `${field} must be a string`);
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
  if (typeof value !== 'string' || !DECIMAL.test(value)) fail('invalid-manual-discount', `${at}.${name}`, `${name} must be a non-negative decimal string, e.g. "12.5"`);
  if (hasPercent && new Dec(value).greaterThan(100)) fail('invalid-manual-discount', `${at}.percent`, 'a discount is at most 100 %');
  if (!hasPercent && new Dec(value).decimalPlaces() > decimals) {
    fail('invalid-manual-discount', `${at}.amount`, `the currency has ${decimals} decimals; ${value} has more`);
  }
  if (raw.charges !== undefined) {
    if (!Array.isArray(raw.charges)) fail('invalid-manual-discount', `${at}.charges`, 'charges is a list of charge keys');
    raw.charges.forEach((charge, i) => {
      if (!charges.some((c) => c.key === charge)) fail('invalid-manual-discount', `${at}.charges[${i}]`, `the offering has no charge ${JSON.stringify(charge)}`);
    });
  }
}

// --- pricing --------------------------------------------------------------------------------------

type LineState = {
  line: PricingLineInput;
  index: number;
  context: Record<string, unknown>;
  manual?: { operation: TraceOperation; value: Dec; source: TraceSource; reason: string; charges?: ReadonlySet<string> };
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
  for (const name of ['segment', 'channel', 'accountId'] as const) checkOptionalString(customer[name], `customer.${name}`);
  if (!Array.isArray(input.lines)) fail('invalid-input', 'lines', 'lines is a list');

  const plan = planFor(release, currency);
  const book = plan.books.find((b) => b.validFrom <= pricingDate && (b.validTo === undefined || pricingDate < b.validTo));
  if (!book) fail('no-price-book', 'currency', `no ${currency} price book of release ${release.releaseNumber} is valid on ${pricingDate}`);
  const bookPlan = plan.bookPlans.get(book.key)!;

  // Check every line's fields first; a price the book lacks is found while pricing (no-price).
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
    states.push({
      line,
      index,
      // What FEEL conditions read (README): the line's values, then the names the engine owns.
      context: {
        ...characteristics,
        offering: line.offering,
        quantity,
        termMonths,
        segment: customer.segment ?? null,
        channel: customer.channel ?? null,
        accountId: customer.accountId ?? null,
        currency,
        pricingDate,
        charge: null,
        chargeType: null,
        period: null,
      },
      ...(line.manualDiscount ? { manual: compileManual(line.manualDiscount, line.lineId, plan) } : {}),
    });
  });

  const totals = { 'one-time': newTotal(), monthly: newTotal(), annual: newTotal() };
  const lines = states.map((state): PricedLine => {
    const charges = plan.offerings.get(state.line.offering)!.map((charge) => {
      const priced = priceCharge(plan, bookPlan, state, charge, termMonths);
      const total = totals[chargeKind(charge)];
      total.net = total.net.plus(priced.lineNetDec);
      total.term = total.term.plus(priced.termTotalDec);
      return priced.charge;
    });
    return freeze({ lineId: state.line.lineId, offering: state.line.offering, quantity: state.line.quantity, charges: freeze(charges) as PricedCharge[] });
  });

  const money = (d: Dec) => formatAmount(d, plan.decimals);
  const byChargeType = freeze({
    'one-time': freeze({ net: money(totals['one-time'].net), termTotal: money(totals['one-time'].term) }),
    monthly: freeze({ net: money(totals.monthly.net), termTotal: money(totals.monthly.term) }),
    annual: freeze({ net: money(totals.annual.net), termTotal: money(totals.annual.term) }),
  });
  const result = {
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
      termTotal: money(totals['one-time'].term.plus(totals.monthly.term).plus(totals.annual.term)),
      byChargeType,
    }),
    inputHash: hashInput(input, customer, termMonths, states),
  };
  const resultHash = sha256(canonicalJson({ ...result, lines: sortedByLineId(lines) }));
  return freeze({ ...(options.resultId !== undefined ? { resultId: options.resultId } : {}), ...result, resultHash }) as PriceResult;
}

const newTotal = () => ({ net: new Dec(0), term: new Dec(0) });
const chargeKind = (charge: Charge): ChargeKind => (charge.type === 'one-time' ? 'one-time' : charge.period === 'annual' ? 'annual' : 'monthly');

function compileManual(manual: ManualDiscount, lineId: string, plan: CurrencyPlan): NonNullable<LineState['manual']> {
  const percent = manual.percent !== undefined;
  const text = percent ? manual.percent! : manual.amount!;
  const value = new Dec(text);
  const what = percent ? `${value.toFixed()}% discount` : `${formatAmount(value, plan.decimals)} ${plan.currency} off per unit`;
  return {
    operation: freeze({ type: percent ? 'percent-discount' : 'amount-discount', value: text }),
    value,
    source: freeze({ kind: 'manual', key: lineId, version: 'input', actor: manual.actor, reason: manual.reason, authority: manual.authority }),
    reason: `manual ${what} by ${manual.actor} under ${manual.authority}: ${manual.reason}`,
    ...(manual.charges ? { charges: new Set(manual.charges) } : {}),
  };
}

type Priced = { charge: PricedCharge; lineNetDec: Dec; termTotalDec: Dec };

function priceCharge(plan: CurrencyPlan, bookPlan: BookPlan, state: LineState, charge: Charge, termMonths: number | null): Priced {
  const { line, context } = state;
  const { decimals } = plan;
  const chargePlan = chargePlanOf(bookPlan, line.offering, charge.key);
  if (!chargePlan.entry) {
    fail('no-price', `lines[${state.index}].offering`, `price book ${bookPlan.book.key} has no price for charge ${charge.key} of ${line.offering}`);
  }
  context.charge = charge.key;
  context.chargeType = charge.type;
  context.period = charge.period ?? null;

  const list = listPrice(chargePlan.entry, state, charge.key, bookPlan.book, decimals);
  const listText = formatAmount(list.price, decimals);
  const trace: TraceStep[] = [];
  const skipped: SkippedRule[] = [];
  let amount = new Dec(0);
  let floorReached = false;

  const push = (phase: TraceStep['phase'], source: TraceSource, operation: TraceOperation, out: Dec, reason: string) => {
    trace.push(
      freeze({
        step: trace.length + 1,
        phase,
        source,
        operation,
        amountIn: formatAmount(amount, decimals),
        adjustment: formatAmount(out.minus(amount), decimals),
        amountOut: formatAmount(out, decimals),
        reason,
      }),
    );
    amount = out;
  };
  const applyRule = (rule: Rule) => {
    const out = applyOperation(rule.operation, amount, rule.value, list.price);
    let reason = rule.reason;
    if (rule.floorReasons) {
      const bites = out.greaterThan(amount);
      floorReached ||= bites;
      reason = bites ? rule.floorReasons.reached : rule.floorReasons.notReached;
      if (bites && rule.value.greaterThan(list.price)) reason += `; the floor is above the list price, so the price stops at list ${listText}`;
    }
    push(rule.phase, rule.source, rule.operation, out, reason);
  };

  push('list', bookPlan.book.source, freeze({ type: 'list', value: listText }), list.price, list.reason);

  for (let p = 0; p < PRICING_PHASES.length; p++) {
    const phase = PRICING_PHASES[p]!;
    if (phase === 'volume-term') {
      for (const schedule of chargePlan.schedules) {
        const basis = schedule.basis === 'quantity' ? line.quantity : termMonths;
        if (basis === null) continue;
        const tier = schedule.tiers.find((t) => t.from <= basis && basis <= t.to);
        if (!tier || tier.percent.isZero()) continue;
        push(phase, schedule.source, tier.operation, applyOperation(tier.operation, amount, tier.percent, list.price), tier.reason);
      }
    }
    const rules = chargePlan.phases[p]!;
    if (rules.length > 0) applyPhase(phase, rules, context, amount, list.price, skipped, applyRule);
    if (phase === 'manual' && state.manual && (!state.manual.charges || state.manual.charges.has(charge.key))) {
      const { manual } = state;
      push(phase, manual.source, manual.operation, applyOperation(manual.operation, amount, manual.value, list.price), manual.reason);
    }
  }

  const rounded = roundTo(amount, decimals, plan.rounding);
  if (!rounded.equals(amount)) push('rounding', plan.roundSource, plan.roundOperation, rounded, plan.roundReason);

  const lineNet = rounded.times(line.quantity);
  const termTotal =
    charge.type === 'one-time'
      ? lineNet
      : termMonths === null
        ? new Dec(0)
        : charge.period === 'annual'
          ? roundTo(lineNet.times(termMonths).div(12), decimals, plan.rounding)
          : lineNet.times(termMonths);
  const priced: PricedCharge = {
    charge: charge.key,
    chargeType: charge.type,
    ...(charge.period !== undefined ? { period: charge.period } : {}),
    unitListPrice: listText,
    trace: freeze(trace) as TraceStep[],
    skipped: freeze(skipped) as SkippedRule[],
    unitNetPrice: formatAmount(rounded, decimals),
    lineNet: formatAmount(lineNet, decimals),
    termTotal: formatAmount(termTotal, decimals),
    floorReached,
  };
  return { charge: freeze(priced), lineNetDec: lineNet, termTotalDec: termTotal };
}

/**
 * One phase's rules (already in order): evaluate every condition, then let stacking decide.
 * An exclusive match wins alone (highest priority, then first in order); otherwise every stack
 * rule applies in order, and of the best-price matches only the one giving the lowest price
 * from the amount entering the phase applies, at its own place in the order. Never an error:
 * a condition that throws or does not compile is recorded as skipped.
 */
function applyPhase(
  phase: PricingPhase,
  rules: Rule[],
  context: Record<string, unknown>,
  phaseInput: Dec,
  listPrice: Dec,
  skipped: SkippedRule[],
  applyRule: (rule: Rule) => void,
): void {
  let matched: Rule[] | undefined;
  for (const rule of rules) {
    let hit: unknown;
    if (!rule.condition) {
      skipped.push(freeze({ phase, source: rule.source, reason: `condition does not compile: ${rule.compileError ?? ''}` }));
      continue;
    }
    try {
      hit = rule.condition(context);
    } catch (err) {
      skipped.push(freeze({ phase, source: rule.source, reason: `condition failed: ${err instanceof Error ? err.message : String(err)}` }));
      continue;
    }
    if (hit === true) (matched ??= []).push(rule);
  }
  if (!matched) return;
  if (matched.length === 1) {
    applyRule(matched[0]!);
    return;
  }

  let exclusive: Rule | undefined;
  for (const rule of matched) if (rule.stacking === 'exclusive' && (!exclusive || rule.priority > exclusive.priority)) exclusive = rule;
  if (exclusive) {
    const winner = exclusive;
    applyRule(winner);
    for (const rule of matched) {
      if (rule !== winner) skipped.push(freeze({ phase, source: rule.source, reason: `exclusive rule ${winner.id} (priority ${winner.priority}) applies alone in the ${phase} phase` }));
    }
    return;
  }

  let best: { rule: Rule; out: Dec } | undefined;
  const losers: { rule: Rule; out: Dec }[] = [];
  for (const rule of matched) {
    if (rule.stacking !== 'best-price') continue;
    const out = applyOperation(rule.operation, phaseInput, rule.value, listPrice);
    // Lowest price; on a tie the higher priority, then the earlier rule in order (already sorted).
    if (!best || out.lessThan(best.out) || (out.equals(best.out) && rule.priority > best.rule.priority)) {
      if (best) losers.push(best);
      best = { rule, out };
    } else {
      losers.push({ rule, out });
    }
  }
  for (const rule of matched) if (rule.stacking === 'stack' || rule === best?.rule) applyRule(rule);
  for (const loser of losers) {
    skipped.push(
      freeze({
        phase,
        source: loser.rule.source,
        reason: `best-price: from ${phaseInput.toFixed()}, rule ${best!.rule.id} gives ${best!.out.toFixed()}, this rule ${loser.out.toFixed()}`,
      }),
    );
  }
}

function listPrice(entry: Entry, state: LineState, charge: string, book: Book, decimals: number): { price: Dec; reason: string } {
  const { line, index } = state;
  const quantity = line.quantity;
  switch (entry.type) {
    case 'flat':
      return { price: entry.price, reason: `list price of ${line.offering}/${charge} in price book ${book.key}` };
    case 'attribute': {
      const value = line.characteristics?.[entry.characteristic];
      const row = entry.rows.find((r) => (r.value !== undefined ? r.value === value : typeof value === 'number' && r.min <= value && value <= r.max));
      if (!row) {
        fail(
          'no-price',
          `lines[${index}].characteristics.${entry.characteristic}`,
          `price book ${book.key} has no price for ${line.offering}/${charge} with ${entry.characteristic} = ${JSON.stringify(value) ?? 'nothing'}`,
        );
      }
      return { price: row.price, reason: `list price of ${line.offering}/${charge} in price book ${book.key} where ${row.label} (${entry.characteristic} = ${JSON.stringify(value)})` };
    }
    case 'tiered': {
      const last = entry.tiers[entry.tiers.length - 1]!;
      if (quantity > last.to) {
        fail('no-price', `lines[${index}].quantity`, `price book ${book.key} prices ${line.offering}/${charge} up to ${last.to} units, not ${quantity}`);
      }
      if (entry.mode === 'range') {
        const tier = entry.tiers.find((t) => t.from <= quantity && quantity <= t.to)!;
        return { price: tier.price, reason: `range tiers in price book ${book.key}: all ${quantity} units at tier ${tier.label}` };
      }
      // Slab: each unit at the price of the tier it falls in; the unit price is the average.
      let sum = new Dec(0);
      const parts: string[] = [];
      for (const tier of entry.tiers) {
        if (tier.from > quantity) break;
        const units = Math.min(quantity, tier.to) - tier.from + 1;
        sum = sum.plus(tier.price.times(units));
        parts.push(`${units} x ${tier.label}`);
      }
      const exact = sum.div(quantity);
      const average = roundTo(exact, decimals + SLAB_GUARD_DECIMALS, 'half-up');
      const note = average.equals(exact) ? '' : ` (average rounded to ${decimals + SLAB_GUARD_DECIMALS} decimals)`;
      return {
        price: average,
        reason: `slab tiers in price book ${book.key}: ${parts.join(' + ')} = ${formatAmount(sum, decimals)} for ${quantity} units${note}`,
      };
    }
  }
}

// --- hashes ---------------------------------------------------------------------------------------

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function canonicalJson(value: unknown): string {
  try {
    const text = (canonicalize as unknown as (v: unknown) => string | undefined)(value);
    if (text !== undefined) return text;
  } catch {
    // NaN or Infinity in the input: not JSON, reported below.
  }
  return fail('invalid-input', 'lines', 'the input holds a value JSON cannot carry (NaN, Infinity)');
}

function sortedByLineId<T extends { lineId: string }>(lines: readonly T[]): T[] {
  return [...lines].sort((a, b) => byString(a.lineId, b.lineId));
}

/** Over what determines the price only, lines by lineId: the same quote hashes the same in any line order. */
function hashInput(input: PricingInput, customer: Record<string, unknown>, termMonths: number | null, states: LineState[]): string {
  const lines = sortedByLineId(states.map((s) => s.line)).map((line) => ({
    lineId: line.lineId,
    offering: line.offering,
    quantity: line.quantity,
    characteristics: line.characteristics ?? {},
    manualDiscount: line.manualDiscount,
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
