/**
 * The pricing engine's input and result (see README.md for the semantics). Money, prices and
 * percentages are decimal strings everywhere ("49.90", "12.5"), never JSON numbers: the engine
 * computes with exact decimal fixed-point (BigInt) and the trace replay with decimal.js; no float
 * ever comes near an amount.
 */
import type { ChargePeriod, ChargeType, PricingActionType, PricingPhase } from '@cpq/metadata';

// --- input ----------------------------------------------------------------------------------

export type PricingCustomer = { segment?: string; channel?: string; accountId?: string };

/**
 * A rep's discount on one line, applied in the manual phase after that phase's rules. `percent`
 * (0..100) or `amount` (per unit, in the quote's currency, at most its decimals), exactly one.
 * `charges` narrows it to some of the offering's charges (absent: every charge of the line).
 * actor, reason and authority (e.g. the approval level or role that allows it) go into the trace.
 */
export type ManualDiscount = (
  | { percent: string; amount?: undefined }
  | { amount: string; percent?: undefined }
) & { actor: string; reason: string; authority: string; charges?: string[] };

export type PricingLineInput = {
  /** Unique within the quote. */
  lineId: string;
  offering: string;
  /** Integer >= 1. */
  quantity: number;
  /** The configured, normalized characteristic values (the configurator's output). */
  characteristics: Record<string, unknown>;
  manualDiscount?: ManualDiscount;
  /**
   * A bundle's options as configured (the configurator's normalized children): each is priced
   * with its own offering's charges and rules, for quantity x the line's quantity units, and
   * its charges join the line's, marked with `option`. Options at quantity 0 are not bought.
   */
  children?: PricingChildInput[];
};

export type PricingChildInput = { offering: string; quantity: number; characteristics: Record<string, unknown> };

export type PricingInput = {
  /** ISO 4217 code the platform knows (CURRENCY_DECIMALS). */
  currency: string;
  /** YYYY-MM-DD: selects the price book valid that day. */
  pricingDate: string;
  /** Committed term in months (integer >= 1); absent: no committed term (see README, term totals). */
  termMonths?: number;
  customer?: PricingCustomer;
  lines: PricingLineInput[];
};

export type PriceOptions = {
  /** Carried into the result as is (not part of resultHash); the caller names its results. */
  resultId?: string;
};

// --- errors ---------------------------------------------------------------------------------

export const PRICING_ERROR_CODES = [
  'invalid-input',
  'unknown-currency',
  'invalid-date',
  'invalid-term',
  'invalid-quantity',
  'duplicate-line',
  'unknown-offering',
  'no-price-book',
  'no-price',
  'invalid-manual-discount',
] as const;
export type PricingErrorCode = (typeof PRICING_ERROR_CODES)[number];

/**
 * The input cannot be priced. `field` is a path into the input (`lines[3].quantity`,
 * `currency`), so the HTTP edge answers 4xx naming it. Thrown before anything is priced.
 */
export class PricingInputError extends Error {
  constructor(
    readonly code: PricingErrorCode,
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'PricingInputError';
  }
}

// --- result ---------------------------------------------------------------------------------

/** Rounding of amounts to the currency's decimals; the engine uses 'half-up' for every currency. */
export type RoundingMode = 'half-up' | 'half-even';

export type VersionRef = { key: string; contentHash: string };

/** Where a trace step comes from, with the content hash (version) of the item it read. */
export type TraceSource =
  | { kind: 'price-book'; key: string; version: string }
  | { kind: 'pricing-rule-set'; key: string; ruleId: string; version: string }
  | { kind: 'discount-schedule'; key: string; version: string }
  /** key = the lineId; version = 'input' (the discount is part of the priced input). */
  | { kind: 'manual'; key: string; version: 'input'; actor: string; reason: string; authority: string }
  /** key = the currency; version = the rounding rule, e.g. "half-up/2". */
  | { kind: 'rounding'; key: string; version: string };

/**
 * What a step did, enough to recompute amountOut from amountIn (pricing-trace.ts `replayOperation`).
 * Intermediate amounts are kept at the working scale (the currency's decimals + 6), half-up:
 * - `list`: amountOut = value (the first step, from zero: the price book's unit price);
 * - `percent-discount`: max(0, amountIn x (100 - value) / 100); `markup`: amountIn x (100 + value) / 100;
 * - `amount-discount`: max(0, amountIn - value) (per unit); `override`: value;
 * - `floor`: max(amountIn, min(value, unitListPrice)) (a floor never raises a price above list);
 * - `round`: amountIn rounded to `value` decimals with `mode`.
 */
export type TraceOperation =
  | { type: 'list' | PricingActionType; value: string }
  /** value = the number of decimals, e.g. "2". */
  | { type: 'round'; value: string; mode: RoundingMode };

export type TracePhase = PricingPhase | 'rounding';

export type TraceStep = {
  /** 1-based position in the charge's waterfall. */
  step: number;
  phase: TracePhase;
  source: TraceSource;
  operation: TraceOperation;
  amountIn: string;
  /** amountOut - amountIn (negative for a discount). */
  adjustment: string;
  amountOut: string;
  reason: string;
};

/** A rule whose condition matched (or failed) but that did not apply, and why. */
export type SkippedRule = { phase: PricingPhase; source: TraceSource; reason: string };

export type PricedCharge = {
  charge: string;
  /** The bundle option (its offering) whose charge this is; absent: the line's own offering. */
  option?: string;
  /** Units priced: the line's quantity, or line quantity x the price book's `quantityFrom` characteristic. */
  quantity: number;
  chargeType: ChargeType;
  /** Recurring charges only. */
  period?: ChargePeriod;
  /** The price book's unit price (for slab tiers: the quantity-weighted average, see README). */
  unitListPrice: string;
  trace: TraceStep[];
  skipped: SkippedRule[];
  /** The last step's amountOut: rounded to the currency's decimals. */
  unitNetPrice: string;
  /** unitNetPrice x quantity, exact. */
  lineNet: string;
  /** one-time: lineNet; monthly: lineNet x termMonths; annual: lineNet x termMonths / 12 rounded; no term: 0. */
  termTotal: string;
  /** A floor rule raised the price: the discounts before it were cut at the floor. */
  floorReached: boolean;
};

export type PricedLine = { lineId: string; offering: string; quantity: number; charges: PricedCharge[] };

export type ChargeKind = 'one-time' | 'monthly' | 'annual';

export type PriceTotals = {
  /** Sum of lineNet of one-time charges. */
  oneTime: string;
  /** Sum of lineNet of monthly recurring charges (per month). */
  monthly: string;
  /** Sum of lineNet of annual recurring charges (per year). */
  annual: string;
  /** Sum of every charge's termTotal. */
  termTotal: string;
  byChargeType: Record<ChargeKind, { net: string; termTotal: string }>;
};

type Result = {
  resultId?: string;
  releaseId: string;
  releaseNumber: number;
  currency: string;
  pricingDate: string;
  termMonths: number | null;
  rounding: { mode: RoundingMode; decimals: number };
  versions: { priceBooks: VersionRef[]; ruleSets: VersionRef[]; schedules: VersionRef[] };
  /** In input order; see README for why totals and hashes do not depend on it. */
  lines: PricedLine[];
  totals: PriceTotals;
  /** sha256 of the canonical input (lines sorted by lineId). */
  inputHash: string;
  /** sha256 of the canonical result without resultId and resultHash (lines sorted by lineId). */
  resultHash: string;
};

export type DeepReadonly<T> = T extends (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** The result is deep-frozen: nothing downstream can change a priced quote. */
export type PriceResult = DeepReadonly<Result>;
export type PricedChargeView = DeepReadonly<PricedCharge>;
export type PricedLineView = DeepReadonly<PricedLine>;
export type TraceStepView = DeepReadonly<TraceStep>;
