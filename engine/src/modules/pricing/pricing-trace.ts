/**
 * Replaying a trace: recomputes a charge's unit net price from its steps alone, as a person
 * would by hand (README.md, "Trace"), and checks every recorded amount on the way.
 *
 * This is deliberately a second implementation of the waterfall's arithmetic: the engine
 * computes with exact scaled integers (BigInt, for speed), the replay with decimal.js. The
 * property tests replay every generated trace, so the two must agree on every step.
 */
import Decimal from 'decimal.js';
import type { PricedChargeView, RoundingMode, TraceOperation } from './pricing.types';

/**
 * decimal.js with an explicit configuration, never the library's global one (another module
 * could change it). 50 significant digits hold every product the waterfall forms exactly (an
 * amount of at most 24 digits times a percentage factor of at most 11), so nothing is rounded
 * except where the rules below say so. Plain notation for every amount a price can take.
 */
export const Dec = Decimal.clone({ precision: 50, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -60, toExpPos: 60 });
export type Dec = Decimal;

/**
 * Intermediate amounts carry this many decimals beyond the currency's (the working scale):
 * EUR amounts are worked at 8 decimals, JPY at 6, KWD at 9. Each step's result is rounded
 * half-up to the working scale; the unit net price is rounded to the currency's decimals once,
 * after the floor phase (README.md, "Rounding").
 */
export const GUARD_DECIMALS = 6;

/**
 * Rounding mode per currency of the final rounding (unit net price, term totals of annual
 * charges). Half-up (commercial rounding: a half rounds away from zero, and our amounts are never
 * negative) for every currency: invoices, the customer's check by hand and EU rules for amounts
 * in euro (Regulation 1103/97 art. 5) round halves up. A currency that needs another mode gets a
 * line here; round steps in traces carry the mode they used.
 */
export const ROUNDING_BY_CURRENCY: Readonly<Record<string, RoundingMode>> = Object.freeze({});
export const DEFAULT_ROUNDING: RoundingMode = 'half-up';

export function roundingModeOf(currency: string): RoundingMode {
  return Object.hasOwn(ROUNDING_BY_CURRENCY, currency) ? ROUNDING_BY_CURRENCY[currency]! : DEFAULT_ROUNDING;
}

const MODES: Record<RoundingMode, Decimal.Rounding> = { 'half-up': Decimal.ROUND_HALF_UP, 'half-even': Decimal.ROUND_HALF_EVEN };
const ZERO = new Dec(0);
const HUNDRED = new Dec(100);

/** The number of decimals written in a decimal string ("49.00" -> 2). */
export function scaleOf(text: string): number {
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

/**
 * One step by the book: the amount after `operation` given the amount before it, at the
 * working scale `scale`. `listPrice` bounds a floor (a floor cuts discounts; it never raises a
 * price above its list price). Never below zero.
 */
export function replayOperation(operation: TraceOperation, amountIn: Dec, listPrice: Dec, scale: number): Dec {
  const value = new Dec(operation.value);
  const atScale = (d: Dec) => d.toDecimalPlaces(scale, Decimal.ROUND_HALF_UP);
  switch (operation.type) {
    case 'list':
    case 'override':
      return value;
    case 'percent-discount':
      return Dec.max(ZERO, atScale(amountIn.times(HUNDRED.minus(value)).div(HUNDRED)));
    case 'markup':
      return atScale(amountIn.times(HUNDRED.plus(value)).div(HUNDRED));
    case 'amount-discount':
      return Dec.max(ZERO, amountIn.minus(value));
    case 'floor':
      return Dec.max(amountIn, Dec.min(value, listPrice));
    case 'round':
      return amountIn.toDecimalPlaces(value.toNumber(), MODES[operation.mode]);
  }
}

export class TraceReplayError extends Error {
  constructor(
    readonly step: number,
    message: string,
  ) {
    super(`trace step ${step}: ${message}`);
    this.name = 'TraceReplayError';
  }
}

/**
 * Recomputes a priced charge's unit net price from its trace alone: from zero, applies each
 * step's operation to the running amount and checks that the step records that amountIn, that
 * amountOut and that adjustment (amountOut - amountIn), in order. Returns the final amount
 * written like `unitNetPrice` (the currency's decimals); throws TraceReplayError at the first
 * step that does not add up, or when the trace does not end at the charge's unitNetPrice.
 */
export function replayTrace(charge: PricedChargeView): string {
  const decimals = scaleOf(charge.unitNetPrice);
  const scale = decimals + GUARD_DECIMALS;
  const listPrice = new Dec(charge.unitListPrice);
  let amount = ZERO;
  charge.trace.forEach((step, index) => {
    if (step.step !== index + 1) throw new TraceReplayError(step.step, `is at position ${index + 1}`);
    if (!new Dec(step.amountIn).equals(amount)) throw new TraceReplayError(step.step, `amountIn ${step.amountIn} is not the previous amount ${amount.toFixed()}`);
    const out = replayOperation(step.operation, amount, listPrice, scale);
    if (!new Dec(step.amountOut).equals(out)) throw new TraceReplayError(step.step, `amountOut ${step.amountOut} should be ${out.toFixed()}`);
    if (!new Dec(step.adjustment).equals(out.minus(amount))) throw new TraceReplayError(step.step, `adjustment ${step.adjustment} should be ${out.minus(amount).toFixed()}`);
    amount = out;
  });
  const replayed = amount.toFixed(decimals);
  if (!amount.equals(replayed) || replayed !== charge.unitNetPrice) {
    throw new TraceReplayError(charge.trace.length, `the trace ends at ${amount.toFixed(Math.max(decimals, amount.decimalPlaces()))}, the charge says ${charge.unitNetPrice}`);
  }
  return replayed;
}
