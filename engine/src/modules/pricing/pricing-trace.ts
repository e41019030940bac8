/**
 * The arithmetic of the waterfall, in one place: the engine prices with `applyOperation` and
 * `replayTrace` recomputes a charge's unit net price from its trace with the same definitions,
 * checking every recorded amount on the way. A trace is data a person can redo by hand
 * (README.md, "Trace"); this file is that procedure as code.
 */
import Decimal from 'decimal.js';
import type { PricedChargeView, RoundingMode, TraceOperation } from './pricing.types';

/**
 * decimal.js with an explicit configuration, never the library's global one (another module
 * could change it): 50 significant digits, results in plain notation (no exponent) for any
 * amount a price can take. Every amount of the engine is a Dec; no JS number touches money.
 */
export const Dec = Decimal.clone({ precision: 50, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -60, toExpPos: 60, modulo: Decimal.ROUND_DOWN });
export type Dec = Decimal;

/**
 * Rounding per currency: half-up (commercial rounding: a half rounds away from zero; our amounts
 * are never negative) for every currency, to the currency's decimals (CURRENCY_DECIMALS). Chosen
 * over half-even because invoices and the customer's own check by hand use it, and EU rules for
 * amounts in euro (Regulation 1103/97 art. 5) round halves up; a currency that needs another
 * mode gets a line here and its traces say so (round steps carry the mode).
 */
export const ROUNDING_BY_CURRENCY: Readonly<Record<string, RoundingMode>> = Object.freeze({});
export const DEFAULT_ROUNDING: RoundingMode = 'half-up';

export function roundingModeOf(currency: string): RoundingMode {
  return Object.hasOwn(ROUNDING_BY_CURRENCY, currency) ? ROUNDING_BY_CURRENCY[currency]! : DEFAULT_ROUNDING;
}

const DECIMAL_MODES: Record<RoundingMode, Decimal.Rounding> = { 'half-up': Decimal.ROUND_HALF_UP, 'half-even': Decimal.ROUND_HALF_EVEN };

export function roundTo(amount: Dec, decimals: number, mode: RoundingMode): Dec {
  return amount.toDecimalPlaces(decimals, DECIMAL_MODES[mode]);
}

const ZERO = new Dec(0);
const HUNDRED = new Dec(100);

/**
 * An amount as text: at least `decimals` places (so "49.00", not "49"), more when the exact
 * value has them (an unrounded intermediate such as "47.9465"). Never an exponent, never "-0".
 */
export function formatAmount(amount: Dec, decimals: number): string {
  const value = amount.isZero() ? ZERO : amount;
  return value.toFixed(Math.max(value.decimalPlaces(), decimals));
}

/** The number of decimals written in a decimal string ("49.00" -> 2). */
export function scaleOf(text: string): number {
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

/**
 * One step of the waterfall: the amount after `operation` given the amount before it. `listPrice`
 * is the charge's unit list price, which bounds a floor (a floor cuts discounts; it never raises
 * a price above its list price). The result is never below zero.
 */
export function applyOperation(operation: TraceOperation, amountIn: Dec, value: Dec, listPrice: Dec): Dec {
  switch (operation.type) {
    case 'list':
    case 'override':
      return value;
    case 'percent-discount':
      return amountIn.times(HUNDRED.minus(value)).div(HUNDRED);
    case 'markup':
      return amountIn.times(HUNDRED.plus(value)).div(HUNDRED);
    case 'amount-discount': {
      const out = amountIn.minus(value);
      return out.isNegative() ? ZERO : out;
    }
    case 'floor': {
      const floor = Dec.min(value, listPrice);
      return amountIn.lessThan(floor) ? floor : amountIn;
    }
    case 'round':
      return roundTo(amountIn, value.toNumber(), operation.mode);
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
 * Recomputes a priced charge's unit net price from its trace alone: starting from zero, applies
 * each step's operation to the running amount and checks that the step records that amountIn,
 * that amountOut and adjustment (amountOut - amountIn), in order. Returns the final amount
 * written with the decimals of `unitNetPrice`; throws TraceReplayError at the first step that
 * does not add up, or if the result is not the charge's unitNetPrice.
 */
export function replayTrace(charge: PricedChargeView): string {
  const listPrice = new Dec(charge.unitListPrice);
  let amount = ZERO;
  charge.trace.forEach((step, index) => {
    if (step.step !== index + 1) throw new TraceReplayError(step.step, `is at position ${index + 1}`);
    if (!new Dec(step.amountIn).equals(amount)) throw new TraceReplayError(step.step, `amountIn ${step.amountIn} is not the previous amount ${amount.toFixed()}`);
    const out = applyOperation(step.operation, amount, new Dec(step.operation.value), listPrice);
    if (!new Dec(step.amountOut).equals(out)) throw new TraceReplayError(step.step, `amountOut ${step.amountOut} should be ${out.toFixed()}`);
    if (!new Dec(step.adjustment).equals(out.minus(amount))) throw new TraceReplayError(step.step, `adjustment ${step.adjustment} should be ${out.minus(amount).toFixed()}`);
    amount = out;
  });
  const replayed = formatAmount(amount, scaleOf(charge.unitNetPrice));
  if (replayed !== charge.unitNetPrice) {
    throw new TraceReplayError(charge.trace.length, `the trace ends at ${replayed}, the charge says ${charge.unitNetPrice}`);
  }
  return replayed;
}
