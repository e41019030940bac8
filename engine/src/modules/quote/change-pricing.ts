import type { DisconnectFee, PricingRuleSetContent, ReleaseView } from '@cpq/metadata';
import type { PriceResult, PriceTotals } from '../pricing';
import { hashResult } from '../pricing';
import { dayNumber, divideHalfUp, formatUnits, prorateRecurring, prorationOf, ProrationError, toUnits, type Proration } from './proration';

/**
 * Prices a quote of the installed base (ADR 0022): the pricing core has priced the add and
 * modify lines at the pinned release's prices; this adds, per line, what changes against the
 * asset the line names and totals of that delta.
 *
 * change (mid-term): an add line counts in full; a modify line's recurring charges count by
 * their change per period, prorated over the rest of the asset's term (its own trace step with
 * the dates and the factor), and one-time charges are not charged again, except for what the
 * change adds (units of the line, a bundle option added or more units of one); a disconnect stops the
 * recurring charges (minus the prorated remainder); a no-change line counts zero.
 * renewal: each modify line commits to a new term of the quote's termMonths from the asset's
 * term end (or from the change date when that has passed), at the new prices, without one-time
 * charges; the delta per period against the asset is shown, the totals are the new term's.
 * A disconnect also charges the release's disconnect fees whose scope and condition match it
 * (pricing-rule-set `disconnectFees`, ADR 0022 addendum): one-time, each with its own fee step.
 * A renewal's disconnect of an asset whose term has lapsed is "not renewed": no proration, no
 * fee, nothing charged (ADR 0022, second addendum).
 * `totals` are everything the quote commits; `change.termTotals` splits them into what it does to
 * the assets' current terms and what it commits for new terms (ADR 0022, fifth addendum).
 */

/**
 * What a quote line of an asset keeps of it: the asset as the quote found it. A bundle asset's
 * charges name the option (its offering) they price, as the price result did; absent: the line's
 * own offering (and every charge of an asset installed before options were kept on it).
 */
export type Baseline = {
  offering: string; quantity: number; selections: Record<string, unknown>; currency: string; version: number;
  charges: { charge: string; option?: string; chargeType: string; period?: string; quantity: number; unitNetPrice: string; lineNet: string }[];
  termMonths: number; termStart: string; termEnd: string;
  /**
   * A bundle asset's configured options (offering, quantity per line unit, normalized selections;
   * explicit zeros kept), as its order line had them (ADR 0022, fourth addendum). Absent: not
   * known (an asset installed before they were kept): the line's action and its one-time
   * charges are decided as before, by the line's quantity and selections alone.
   */
  options?: { offering: string; quantity: number; selections: Record<string, unknown> }[];
};
export type LineAction = 'add' | 'modify' | 'disconnect' | 'no-change';
/**
 * Which part of the quote's commitment a change line counts in (ADR 0022, fifth addendum):
 * `current`: the asset's term as it runs now (a mid-term modify's prorated delta and the one-time
 * charges of what it adds, a disconnect's prorated credit and its fees, a no-change, a renewal's
 * disconnect of a lapsed asset, which counts nothing); `new`: a term that starts with this quote
 * (a renewal's renewed line, for the quote's term from the old term's end; a new line, for the
 * quote's term).
 */
export type TermPart = 'current' | 'new';
export type ChangeLine = {
  lineId: string; offering: string; action: LineAction; assetId: string | null; assetVersion: number | null; baseline: Baseline | null;
  /** The line's options as configured now (its normalized children); absent or null: not known (one-time charges by the line's quantity, as before). */
  children?: readonly { offering: string; quantity: number }[] | null;
};

type ChargeKey = 'one-time' | 'monthly' | 'annual';
export type ChangeCharge = {
  charge: string;
  /** The bundle option (its offering) whose charge this is; absent: the line's own offering. */
  option?: string;
  chargeType: 'one-time' | 'recurring'; period?: 'monthly' | 'annual';
  /** What the asset pays per period (one-time: what it paid), and what the line pays now. */
  previousLineNet: string; lineNet: string;
  /** lineNet - previousLineNet per period (one-time: what is charged now). */
  periodDelta: string;
  /** What the change adds to (or takes from) the commitment: prorated for a mid-term change. */
  termDelta: string;
  /** The proration step: dates, days, factor, amounts and the reason in words. */
  proration?: Proration & { step: 'proration'; fullTermDelta: string; amountOut: string; reason: string };
  /** A disconnect fee's step: the rule that charged it, what it was computed from, and why. */
  fee?: FeeStep;
  reason: string;
};
export type FeeStep = {
  step: 'disconnect-fee'; source: { kind: 'pricing-rule-set'; key: string; feeId: string }; name: string; condition: string;
  type: DisconnectFee['fee']['type']; value: string; currency?: string;
  /** percent-of-remaining: the remainder of the recurring charges it is a percentage of; amount: the asset's quantity. */
  basis: string; amountOut: string; reason: string;
};
export type ChangeLineResult = {
  lineId: string; action: LineAction; assetId: string | null; assetVersion: number | null;
  /** The part of `change.termTotals` the line's charges count in. */
  termPart: TermPart;
  /** The asset's current term; a renewal's line also has the new one. */
  term: { start: string; end: string; months: number } | null;
  renewedTerm?: { start: string; end: string; months: number };
  charges: ChangeCharge[];
  /** Disconnect fees whose condition could not be evaluated on this line (never charged). */
  skippedFees?: { source: FeeStep['source']; reason: string }[];
};
/**
 * The quote's totals split by the part of its commitment (ADR 0022, fifth addendum): each field of
 * `currentTerm` plus the same field of `newTerm` is exactly the same field of the result's `totals`.
 * A renewal that stops a running asset shows its prorated credit and its fees under `currentTerm`
 * and the renewed lines' new terms under `newTerm`; a mid-term change has everything under
 * `currentTerm` except its new lines.
 */
export type TermTotals = { currentTerm: PriceTotals; newTerm: PriceTotals };
export type ChangeSection = { basis: 'change' | 'renewal'; changeDate: string; lines: ChangeLineResult[]; pricedTotals: PriceTotals; termTotals: TermTotals };
export type ChangePriceResult = PriceResult & { change: ChangeSection };

/** A line the change cannot price (its asset's term is over): the command names the line. */
export class ChangeLineError extends Error {
  constructor(readonly lineId: string, readonly code: string, message: string) {
    super(message);
    this.name = 'ChangeLineError';
  }
}

/** A release's disconnect fee, its condition compiled once (the release's FEEL cache). */
export type FeeRule = { ruleSet: string; fee: DisconnectFee; condition: ((context: Record<string, unknown>) => unknown) | null; compileError?: string };
/** The names a disconnect fee's condition reads besides the asset's characteristics. */
export const FEE_NAMES: readonly string[] = ['offering', 'quantity', 'termMonths', 'daysRemaining', 'monthsRemaining', 'segment', 'channel', 'currency'];

/** The disconnect fees of a release's pricing rule sets, in rule set key then list order. */
export function disconnectFeesOf(view: ReleaseView): FeeRule[] {
  return view.list('pricing-rule-set').sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .flatMap((set) => ((set.content as PricingRuleSetContent).disconnectFees ?? []).map((fee): FeeRule => {
      const compiled = view.feel.compile(fee.condition, 'expression', { names: FEE_NAMES });
      return compiled.ok ? { ruleSet: set.key, fee, condition: compiled.compiled.evaluate } : { ruleSet: set.key, fee, condition: null, compileError: compiled.error.message };
    }));
}

export type ChangeOptions = {
  basis: 'change' | 'renewal'; changeDate: string; termMonths: number;
  /** The release's disconnect fees (absent: none) and the quote's customer context they read. */
  fees?: readonly FeeRule[]; customer?: { segment?: string; channel?: string };
};

/** Whole months from `from` to `to` (dates), as addMonths counts them. */
function monthsBetween(from: string, to: string): number {
  let months = 0;
  while (addMonths(from, months + 1) <= to) months += 1;
  return months;
}

/**
 * What a charge before the change is matched with after it: the charge key within its bundle
 * option (an option's offering, none for the line's own offering), so that two options with the
 * same charge key are each compared with themselves, an option added shows as added and one
 * removed as removed. A baseline without any option marks (an asset installed before options were
 * kept on its charges, or a line without options) cannot say which option a charge was: its
 * charges are matched by key and occurrence on both sides (the first monthly-fee with the first),
 * as the pricing core lists them (the line's own, then the options in configuration order),
 * whatever the new side is (marked, unmarked, or none at all for a disconnect).
 * Keys are unique on each side by construction: a key's second charge gets its occurrence, so two
 * charges are never one (a Map of them would keep the last and drop the other's money).
 */
export function chargeMatchKeys(before: readonly { charge: string; option?: string }[], now: readonly { charge: string; option?: string }[]): { before: string[]; now: string[] } {
  const unmarked = !before.some((c) => c.option !== undefined);
  const keys = (charges: readonly { charge: string; option?: string }[]) => {
    const seen = new Map<string, number>();
    return charges.map((c) => {
      const key = `${unmarked ? '' : c.option ?? ''}\u0000${c.charge}`;
      const n = seen.get(key) ?? 0;
      seen.set(key, n + 1);
      return n === 0 ? key : `${key}\u0001${n}`;
    });
  };
  return { before: keys(before), now: keys(now) };
}

const keyOf = (c: { chargeType: string; period?: string }): ChargeKey => (c.chargeType === 'one-time' ? 'one-time' : c.period === 'annual' ? 'annual' : 'monthly');

/** Months after an ISO date, clamped to the month's end (2027-01-31 + 1 = 2027-02-28), as PostgreSQL's date + interval does. */
export function addMonths(iso: string, months: number): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(d, last))).toISOString().slice(0, 10);
}

export function priceChange(core: PriceResult, lines: readonly ChangeLine[], o: ChangeOptions): ChangePriceResult {
  const decimals = core.rounding.decimals;
  const zero = formatUnits(0n, decimals);
  const blank = (): Sums => ({ 'one-time': { net: 0n, term: 0n }, monthly: { net: 0n, term: 0n }, annual: { net: 0n, term: 0n } });
  const sums: Record<TermPart, Sums> = { current: blank(), new: blank() };
  let part: TermPart = 'current';
  // Every amount counts in the part of the line being priced (`part`, set per line below).
  const add = (key: ChargeKey, net: string, term: string) => {
    sums[part][key].net += toUnits(net, decimals);
    sums[part][key].term += toUnits(term, decimals);
  };
  const priced = new Map(core.lines.map((l) => [l.lineId, l]));
  const resultLines: PriceResult['lines'][number][] = [];
  const changeLines: ChangeLineResult[] = [];

  for (const line of lines) {
    const base = line.baseline;
    const term = base ? { start: base.termStart, end: base.termEnd, months: base.termMonths } : null;
    const pricedLine = priced.get(line.lineId);
    const charges: ChangeCharge[] = [];
    // A new line and a renewal's renewed line commit to a new term; everything else acts on the asset's running term.
    part = line.action === 'add' || (o.basis === 'renewal' && line.action === 'modify') ? 'new' : 'current';
    const result: ChangeLineResult = { lineId: line.lineId, action: line.action, assetId: line.assetId, assetVersion: line.assetVersion, termPart: part, term, charges };

    if (line.action === 'add') {
      for (const c of pricedLine?.charges ?? []) {
        charges.push({ ...chargeOf(c), previousLineNet: zero, lineNet: c.lineNet, periodDelta: c.lineNet, termDelta: c.termTotal, reason: 'a new line: charged in full for the quote\'s term' });
        add(keyOf(c), c.lineNet, c.termTotal);
      }
      if (pricedLine) resultLines.push(pricedLine);
    } else if (line.action === 'no-change') {
      for (const c of base!.charges) {
        if (c.chargeType === 'one-time') continue;
        charges.push({ ...chargeOf(c), previousLineNet: c.lineNet, lineNet: c.lineNet, periodDelta: zero, termDelta: zero, reason: 'unchanged: nothing to charge' });
      }
    } else if (o.basis === 'renewal' && line.action === 'disconnect' && dayNumber(base!.termEnd) <= dayNumber(o.changeDate)) {
      // A renewal's disconnect of an asset whose term has lapsed means "do not renew it": nothing is left of the term to
      // prorate or to charge an early-termination fee on, and there is no new term; the order ends the asset.
      for (const c of base!.charges) {
        if (c.chargeType === 'one-time') continue;
        const previousLineNet = formatUnits(toUnits(c.lineNet, decimals), decimals);
        charges.push({ ...chargeOf(c), previousLineNet, lineNet: zero, periodDelta: formatUnits(-toUnits(c.lineNet, decimals), decimals), termDelta: zero,
          reason: `not renewed: its term ended on ${base!.termEnd}; nothing to charge` });
      }
    } else {
      // modify (change or renewal) and disconnect: recurring charges matched by key; one-time charges are never charged again.
      const now = line.action === 'disconnect' ? [] : (pricedLine?.charges ?? []).filter((c) => c.chargeType !== 'one-time');
      const before = base!.charges.filter((c) => c.chargeType !== 'one-time');
      // Matched by charge within its bundle option (chargeMatchKeys): each option's charge against the same option's.
      const matchKeys = chargeMatchKeys(before, now);
      const oldByKey = new Map(before.map((c, i) => [matchKeys.before[i]!, c]));
      const nextByKey = new Map(now.map((c, i) => [matchKeys.now[i]!, c]));
      // Never priced with a charge silently dropped: chargeMatchKeys keeps keys unique, this says so if it ever did not.
      if (oldByKey.size !== before.length || nextByKey.size !== now.length) throw new Error(`line ${line.lineId}: two charges have the same match key`);
      const keys = [...new Set([...matchKeys.before, ...matchKeys.now])];
      let proration: Proration | undefined;
      if (o.basis === 'renewal' && line.action === 'modify') {
        // The new term starts when the old one ends, or today when that has passed (a lapsed asset).
        const start = dayNumber(base!.termEnd) > dayNumber(o.changeDate) ? base!.termEnd : o.changeDate;
        result.renewedTerm = { start, end: addMonths(start, o.termMonths), months: o.termMonths };
      } else {
        try {
          proration = prorationOf({ start: base!.termStart, end: base!.termEnd }, o.changeDate);
        } catch (error) {
          if (error instanceof ProrationError) throw new ChangeLineError(line.lineId, error.code, `line ${line.lineId} (asset ${line.assetId}): ${error.message}`);
          throw error;
        }
      }
      for (const key of keys) {
        const old = oldByKey.get(key);
        const next = nextByKey.get(key);
        const shape = chargeOf((next ?? old)!);
        const previousLineNet = old ? formatUnits(toUnits(old.lineNet, decimals), decimals) : zero;
        const lineNet = next?.lineNet ?? zero;
        const periodDelta = formatUnits(toUnits(lineNet, decimals) - toUnits(previousLineNet, decimals), decimals);
        if (result.renewedTerm) {
          charges.push({ ...shape, previousLineNet, lineNet, periodDelta, termDelta: next?.termTotal ?? zero,
            reason: `renewed for ${o.termMonths} months from ${result.renewedTerm.start} at the release's prices` });
          add(keyOf(shape), lineNet, next?.termTotal ?? zero);
          continue;
        }
        const p = prorateRecurring(periodDelta, shape, base!.termMonths, proration!, decimals);
        charges.push({
          ...shape, previousLineNet, lineNet, periodDelta, termDelta: p.proratedDelta,
          proration: { step: 'proration', ...proration!, fullTermDelta: p.fullTermDelta, amountOut: p.proratedDelta, reason: p.reason },
          reason: line.action === 'disconnect' ? 'disconnected: the recurring charge stops for the rest of the term' : 'changed mid-term: the difference for the rest of the term',
        });
        add(keyOf(shape), periodDelta, p.proratedDelta);
      }
      if (line.action === 'disconnect' && o.fees?.length) {
        const remainder = -charges.reduce((sum, c) => sum + toUnits(c.termDelta, decimals), 0n);
        for (const charge of disconnectFees(line, base!, proration!, remainder, o, core.currency, decimals, result)) {
          charges.push(charge);
          add('one-time', charge.lineNet, charge.termDelta);
        }
      }
      // Units a mid-term change adds have never paid their one-time charges: they pay them now, at the
      // release's unit net price (the units the asset already had are not charged again).
      const added: PriceResult['lines'][number]['charges'][number][] = [];
      if (pricedLine && line.action === 'modify' && !result.renewedTerm) {
        for (const c of pricedLine.charges.filter((charge) => charge.chargeType === 'one-time')) {
          const { before: unitsBefore, now: unitsNow, of } = unitsOf(c.option, line, base!, pricedLine.quantity);
          if (unitsNow <= unitsBefore) continue;
          const units = (c.quantity * (unitsNow - unitsBefore)) / unitsNow;
          if (!Number.isInteger(units) || units <= 0) continue;
          const amount = formatUnits(toUnits(c.unitNetPrice, decimals) * BigInt(units), decimals);
          added.push({ ...c, quantity: units, lineNet: amount, termTotal: amount });
          const what = of === 'line' ? `${units} unit${units === 1 ? '' : 's'} added (quantity ${base!.quantity} -> ${pricedLine.quantity})`
            : unitsBefore === 0 ? `option ${c.option} added (${unitsNow} unit${unitsNow === 1 ? '' : 's'}): ${units} charged`
              : `option ${c.option}: ${units} unit${units === 1 ? '' : 's'} added (${unitsBefore} -> ${unitsNow})`;
          charges.push({ ...chargeOf(c), previousLineNet: zero, lineNet: amount, periodDelta: amount, termDelta: amount,
            reason: `${what}: the one-time charge at ${c.unitNetPrice} each` });
          add('one-time', amount, amount);
        }
      }
      // What the order installs on the asset: the line's new recurring charges, and what the added units pay once (a disconnect keeps the asset's).
      if (pricedLine && line.action === 'modify') resultLines.push({ ...pricedLine, charges: [...now, ...added] });
    }
    changeLines.push(result);
  }

  // The totals are the two parts added in integers of minor units: each part's decimal adds up to them exactly.
  const both = blank();
  for (const key of Object.keys(both) as ChargeKey[]) {
    both[key].net = sums.current[key].net + sums.new[key].net;
    both[key].term = sums.current[key].term + sums.new[key].term;
  }
  const totals = totalsOf(both, decimals);
  const termTotals: TermTotals = { currentTerm: totalsOf(sums.current, decimals), newTerm: totalsOf(sums.new, decimals) };
  const { resultHash: _hash, ...rest } = core;
  const withChange = { ...rest, lines: resultLines, totals, change: { basis: o.basis, changeDate: o.changeDate, lines: changeLines, pricedTotals: core.totals as PriceTotals, termTotals } };
  return { ...withChange, resultHash: hashResult({ ...withChange, resultHash: '' } as unknown as PriceResult) } as unknown as ChangePriceResult;
}

type Sums = Record<ChargeKey, { net: bigint; term: bigint }>;

/** Totals of sums in minor units, as the pricing core writes them (net per charge type, and over the term). */
function totalsOf(sums: Sums, decimals: number): PriceTotals {
  return {
    oneTime: formatUnits(sums['one-time'].net, decimals),
    monthly: formatUnits(sums.monthly.net, decimals),
    annual: formatUnits(sums.annual.net, decimals),
    termTotal: formatUnits(sums['one-time'].term + sums.monthly.term + sums.annual.term, decimals),
    byChargeType: {
      'one-time': { net: formatUnits(sums['one-time'].net, decimals), termTotal: formatUnits(sums['one-time'].term, decimals) },
      monthly: { net: formatUnits(sums.monthly.net, decimals), termTotal: formatUnits(sums.monthly.term, decimals) },
      annual: { net: formatUnits(sums.annual.net, decimals), termTotal: formatUnits(sums.annual.term, decimals) },
    },
  };
}

/**
 * The units a one-time charge of a modified line belongs to, before and now (ADR 0022, fourth
 * addendum): the line's quantity for its own charges; for a bundle option's, the option's
 * quantity x the line's quantity, before from the asset's options (0: the option is added) and
 * now from the line's. When either side's options are not known (an asset installed before they
 * were kept), an option's charge counts by the line's quantity alone, as before: the option is
 * taken to be as many per line unit as now.
 */
export function unitsOf(option: string | undefined, line: Pick<ChangeLine, 'children'>, base: Pick<Baseline, 'quantity' | 'options'>, quantityNow: number): { before: number; now: number; of: 'line' | 'option' } {
  if (option === undefined || !Array.isArray(base.options) || !Array.isArray(line.children)) return { before: base.quantity, now: quantityNow, of: 'line' };
  const per = (options: readonly { offering: string; quantity: number }[]) => options.find((o) => o.offering === option)?.quantity ?? 0;
  return { before: per(base.options) * base.quantity, now: per(line.children) * quantityNow, of: 'option' };
}

const chargeOf = (c: { charge: string; option?: string; chargeType: string; period?: string }) => ({
  charge: c.charge, ...(c.option !== undefined ? { option: c.option } : {}), chargeType: c.chargeType as 'one-time' | 'recurring', ...(c.period ? { period: c.period as 'monthly' | 'annual' } : {}),
});

/**
 * The disconnect fees that match a disconnected line: scope (offerings) and FEEL condition over
 * the asset (its characteristics, quantity, offering, term, days and whole months remaining) and
 * the quote's customer. An amount fee is per unit of the asset's quantity, in its currency only;
 * a percent-of-remaining fee is that percentage of `remainder`, the recurring charges the rest
 * of the term would have cost (what the disconnect takes off), rounded once, half-up.
 */
function disconnectFees(line: ChangeLine, base: Baseline, proration: Proration, remainder: bigint, o: ChangeOptions, currency: string, decimals: number, result: ChangeLineResult): ChangeCharge[] {
  const context: Record<string, unknown> = {
    ...base.selections, offering: line.offering, quantity: base.quantity, termMonths: base.termMonths, currency,
    daysRemaining: proration.daysRemaining, monthsRemaining: monthsBetween(o.changeDate, base.termEnd),
    ...(o.customer?.segment ? { segment: o.customer.segment } : {}), ...(o.customer?.channel ? { channel: o.customer.channel } : {}),
  };
  const charges: ChangeCharge[] = [];
  for (const rule of o.fees ?? []) {
    const { fee } = rule;
    const source = { kind: 'pricing-rule-set' as const, key: rule.ruleSet, feeId: fee.id };
    if (fee.scope && !fee.scope.offerings.includes(line.offering)) continue;
    // An amount in another currency does not apply when quoting in this one (as amount rules).
    if (fee.fee.type === 'amount' && fee.fee.currency !== currency) continue;
    let hit: unknown;
    try {
      if (!rule.condition) throw new Error(`condition does not compile: ${rule.compileError ?? ''}`);
      hit = rule.condition(context);
    } catch (error) {
      (result.skippedFees ??= []).push({ source, reason: `condition failed: ${error instanceof Error ? error.message : String(error)}` });
      continue;
    }
    if (hit !== true) continue;
    let amount: bigint;
    let basis: string;
    let how: string;
    if (fee.fee.type === 'amount') {
      amount = toUnits(fee.fee.value, decimals) * BigInt(base.quantity);
      basis = String(base.quantity);
      how = `${fee.fee.value} ${currency} x quantity ${base.quantity}`;
    } else {
      // The percentage exactly (up to 8 decimals), applied to the remainder in one division.
      amount = divideHalfUp(remainder * toUnits(fee.fee.value, 8), 100n * 10n ** 8n);
      basis = formatUnits(remainder, decimals);
      how = `${fee.fee.value} % of ${basis} (the recurring charges for the ${proration.daysRemaining} days left of the term), rounded half-up to ${decimals} decimals`;
    }
    const out = formatUnits(amount, decimals);
    const reason = `${fee.name} (rule ${fee.id} of pricing rule set ${rule.ruleSet}, when ${fee.condition}): ${how} = ${out}`;
    charges.push({
      charge: fee.id, chargeType: 'one-time', previousLineNet: formatUnits(0n, decimals), lineNet: out, periodDelta: out, termDelta: out,
      fee: { step: 'disconnect-fee', source, name: fee.name, condition: fee.condition, type: fee.fee.type, value: fee.fee.value,
        ...(fee.fee.currency ? { currency: fee.fee.currency } : {}), basis, amountOut: out, reason },
      reason: `disconnected: ${fee.description ?? fee.name}`,
    });
  }
  return charges;
}
