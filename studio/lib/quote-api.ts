import type { ApiSchema, BodyOf, ResponseOf } from '@cpq/contracts/api-types';

/**
 * The quote contract's shapes the rep, approver and customer screens read
 * (contracts/openapi/quote-api.yaml, workflow-task-api.yaml, configuration-api.yaml).
 */
export type QuoteSummary = ApiSchema<'QuoteSummary'>;
export type CustomerQuoteSummary = ApiSchema<'CustomerQuoteSummary'>;
export type QuoteList = ResponseOf<'listQuotes'>;
/** The internal view (rep, sales-manager, finance, admin). */
export type Quote = ApiSchema<'Quote'>;
export type QuoteLine = ApiSchema<'QuoteLine'>;
/** What a customer user gets of its quote: the offer, nothing internal. */
export type CustomerQuote = ApiSchema<'CustomerQuoteView'>;
export type QuoteView = ResponseOf<'getQuote'>;
export type ChargeTerms = ApiSchema<'ChargeTerms'>;
export type TotalsTerms = ApiSchema<'TotalsTerms'>;
export type PriceTraceView = ApiSchema<'QuotePriceTrace'>;
export type PriceBreakdown = ApiSchema<'PriceBreakdown'>;
export type ApprovalEvidence = ApiSchema<'ApprovalEvidence'>;
export type Timeline = ApiSchema<'QuoteTimeline'>;
export type TimelineEntry = Timeline['entries'][number];
export type WorkItem = ApiSchema<'WorkItem'>;
export type NewQuote = BodyOf<'createQuote'>;
export type NewLine = BodyOf<'addQuoteLine'>;
export type ManualDiscountInput = NonNullable<NewLine['manualDiscount']>;
export type AcceptInput = BodyOf<'acceptQuote'>;
export type ConfigurationInput = BodyOf<'evaluateConfiguration'>;
/** Whether discounts being typed need approval, and from whom (POST /quotes/{id}/approval-preview). */
export type ApprovalPreview = ApiSchema<'ApprovalPreview'>;
export type ApprovalPreviewInput = BodyOf<'previewQuoteApproval'>;

/** Revision states the list filters by (the contract's enum). */
export const QUOTE_STATES = ['draft', 'priced', 'submitted', 'approved', 'rejected', 'accepted', 'expired', 'withdrawn', 'superseded'] as const;
export type QuoteState = (typeof QUOTE_STATES)[number];

// --- the price result as the trace carries it (engine/src/modules/pricing/pricing.types.ts) --
// The contract types `result` as an open object; these are the fields the screens draw.

export type TraceSource =
  | { kind: 'price-book'; key: string; version: string }
  | { kind: 'pricing-rule-set'; key: string; ruleId: string; version: string }
  | { kind: 'discount-schedule'; key: string; version: string }
  | { kind: 'manual'; key: string; version: 'input'; actor: string; reason: string; authority: string }
  | { kind: 'rounding'; key: string; version: string };

export type TraceStep = {
  step: number;
  phase: string;
  source: TraceSource;
  operation: { type: string; value: string; mode?: string };
  amountIn: string;
  adjustment: string;
  amountOut: string;
  reason: string;
};

export type PricedCharge = {
  /** A bundle option's charge: the option's offering (absent: the line's own offering). */
  option?: string;
  charge: string;
  quantity: number;
  chargeType: 'one-time' | 'recurring';
  period?: 'monthly' | 'annual';
  unitListPrice: string;
  trace: TraceStep[];
  unitNetPrice: string;
  lineNet: string;
  termTotal: string;
  floorReached: boolean;
};

export type PricedLine = { lineId: string; offering: string; quantity: number; charges: PricedCharge[] };

export type PriceTotals = TotalsTerms & { byChargeType?: Record<'one-time' | 'monthly' | 'annual', { net: string; termTotal: string }> };

export type PriceResult = {
  releaseId: string;
  releaseNumber: number;
  currency: string;
  pricingDate: string;
  termMonths: number | null;
  lines: PricedLine[];
  totals: PriceTotals;
  resultHash: string;
  /** A change or renewal quote's pricing against the installed base (ADR 0022): totals are its delta. */
  change?: ChangeSection;
};

/** engine/src/modules/quote/change-pricing.ts, as the price result carries it. */
export type ChangeSection = {
  basis: 'change' | 'renewal';
  changeDate: string;
  /**
   * The totals split by the part of the commitment (ADR 0022, fifth addendum): what the quote does to the assets'
   * running terms (prorated changes, a disconnect's credit and fees) and what it commits for new terms (renewed
   * lines, new lines); the two add up to the result's totals. Absent in results priced before it was added.
   */
  termTotals?: { currentTerm: PriceTotals; newTerm: PriceTotals };
  lines: {
    lineId: string; action: string; assetId: string | null;
    /** The part of termTotals the line counts in. */
    termPart?: 'current' | 'new';
    term: { start: string; end: string; months: number } | null;
    renewedTerm?: { start: string; end: string; months: number };
    charges: {
      charge: string;
      /** The bundle option (its offering) whose charge this is, compared with the same option's; absent: the line's own offering. */
      option?: string;
      chargeType: string; period?: string; previousLineNet: string; lineNet: string; periodDelta: string; termDelta: string;
      proration?: { reason: string };
      /** A disconnect fee's step: the pricing rule set's fee that charged it, by its name in the release. */
      fee?: { name: string; source: { kind: string; key: string; feeId: string } };
      reason: string;
    }[];
  }[];
};

/** The price result inside a trace view (typed open in the contract). */
export const priceResultOf = (trace: PriceTraceView): PriceResult => trace.result as unknown as PriceResult;
