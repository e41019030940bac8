import type { ApiSchema } from '@cpq/contracts/api-types';
import type { ApprovalEvidence } from '../approval';
import type { PriceResult, PricedChargeView } from '../pricing';

/**
 * The redacted shapes of the quote views (quote.view-policy.ts decides who gets which). Each is
 * built from an allow-list of fields, never by deleting known-bad keys from the full view: a
 * field added to the full view later (a margin, a cost, a new reason) stays internal until it
 * is added here on purpose. Pure functions, no I/O; the types are the contract's schemas.
 */

/** The listed keys of `source`, and only those (absent ones stay absent). */
export function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const key of keys) if (key in source) out[key] = source[key];
  return out;
}

// --- customer-safe prices (customer views and the integrators' price breakdown) -------------

export type ChargeTerms = ApiSchema<'ChargeTerms'>;
export type TotalsTerms = ApiSchema<'TotalsTerms'>;

const CHARGE_TERMS = ['charge', 'option', 'chargeType', 'period', 'quantity', 'unitListPrice', 'unitNetPrice', 'lineNet', 'termTotal'] as const;
const TOTALS_TERMS = ['oneTime', 'monthly', 'annual', 'termTotal'] as const;

/** List -> net per charge: no trace, no skipped rules, no floor flag. */
export const chargeTerms = (charge: PricedChargeView): ChargeTerms => pick(charge, CHARGE_TERMS);
export const totalsTerms = (result: PriceResult): TotalsTerms => pick(result.totals, TOTALS_TERMS);

// --- GET /quotes/{id} -----------------------------------------------------------------------

/** The internal view (without its `view` tag) and the price result it was read with. */
export type QuoteReadModel = { quote: Omit<ApiSchema<'Quote'>, 'view'>; priced: PriceResult | null };
export type CustomerQuoteView = ApiSchema<'CustomerQuoteView'>;
export type IntegrationQuoteView = ApiSchema<'IntegrationQuoteView'>;
export type DiscountTerms = ApiSchema<'DiscountTerms'>;

const CUSTOMER_QUOTE = ['quoteId', 'accountId', 'customerName', 'currency', 'termMonths', 'currentRevision', 'version', 'createdAt'] as const;
const CUSTOMER_REVISION = ['revision', 'state', 'validUntil', 'documentId', 'acceptedAt', 'priceFresh'] as const;
const CUSTOMER_LINE = ['lineId', 'position', 'offering', 'quantity', 'selections'] as const;

/** The offer as the customer may read it; prices only when they are the revision's current ones. */
export function customerQuoteView({ quote, priced }: QuoteReadModel): CustomerQuoteView {
  const current = quote.revision.priceFresh ? priced : null;
  const chargesOf = (lineId: string) => (current?.lines.find((l) => l.lineId === lineId)?.charges ?? []).map(chargeTerms);
  return {
    view: 'customer',
    ...pick(quote, CUSTOMER_QUOTE),
    revision: {
      ...pick(quote.revision, CUSTOMER_REVISION),
      lines: quote.revision.lines.map((line) => ({ ...pick(line, CUSTOMER_LINE), charges: chargesOf(line.lineId) })),
      totals: current ? totalsTerms(current) : null,
    },
  };
}

const INTEGRATION_QUOTE = ['quoteId', 'accountId', 'customerName', 'ownerId', 'team', 'currency', 'termMonths', 'currentRevision', 'version', 'createdAt'] as const;
const INTEGRATION_REVISION = [
  'revision', 'state', 'releaseId', 'materialVersion', 'priceResultId', 'priceFresh', 'approvalFresh', 'validUntil', 'documentId',
  'submittedBy', 'acceptedBy', 'acceptedAt', 'totals',
] as const;
const INTEGRATION_LINE = ['lineId', 'position', 'offering', 'quantity', 'selections', 'configurationValid', 'configurationHash', 'violations', 'releaseId'] as const;
const DISCOUNT_TERMS = ['percent', 'amount', 'charges'] as const;

/** The commercial facts with their ids for systems; a manual discount without actor, reason or authority. */
export function integrationQuoteView({ quote }: QuoteReadModel): IntegrationQuoteView {
  const terms = (discount: unknown): DiscountTerms | null =>
    discount !== null && typeof discount === 'object' ? pick(discount as DiscountTerms, DISCOUNT_TERMS) : null;
  return {
    view: 'integration',
    ...pick(quote, INTEGRATION_QUOTE),
    revision: {
      ...pick(quote.revision, INTEGRATION_REVISION),
      lines: quote.revision.lines.map((line) => ({ ...pick(line, INTEGRATION_LINE), manualDiscount: terms(line.manualDiscount) })),
    },
  };
}

// --- GET /quotes ----------------------------------------------------------------------------

export type QuoteSummary = ApiSchema<'QuoteSummary'>;
export type CustomerQuoteSummary = ApiSchema<'CustomerQuoteSummary'>;
const CUSTOMER_SUMMARY = ['quoteId', 'accountId', 'customerName', 'currency', 'currentRevision', 'state', 'createdAt'] as const;
export const customerQuoteSummary = (summary: QuoteSummary): CustomerQuoteSummary => pick(summary, CUSTOMER_SUMMARY);

// --- GET /quotes/{id}/price-trace -----------------------------------------------------------

export type PriceTrace = { quoteId: string; revision: number; priceResultId: string; fresh: boolean; resultHash: string; result: PriceResult };
export type PriceBreakdown = ApiSchema<'PriceBreakdown'>;

/** List -> net per charge and the totals: what was priced, not how the rules got there. */
export function priceBreakdown(trace: PriceTrace): PriceBreakdown {
  return {
    view: 'breakdown',
    ...pick(trace, ['quoteId', 'revision', 'fresh'] as const),
    currency: trace.result.currency,
    termMonths: trace.result.termMonths,
    lines: trace.result.lines.map((line) => ({ ...pick(line, ['lineId', 'offering', 'quantity'] as const), charges: line.charges.map(chargeTerms) })),
    totals: totalsTerms(trace.result),
  };
}

// --- GET /quotes/{id}/approval-evidence -----------------------------------------------------

export type QuoteApprovalEvidence = ApprovalEvidence & { quoteId: string; revision: number };
export type IntegrationApprovalEvidence = ApiSchema<'IntegrationApprovalEvidence'>;

/** Which levels were required and how each was decided: no reasons, authority limits or people. */
export function integrationApprovalEvidence(evidence: QuoteApprovalEvidence): IntegrationApprovalEvidence {
  return {
    view: 'integration',
    ...pick(evidence, ['quoteId', 'revision'] as const),
    requirements: evidence.requirements.map((r) => pick(r, ['level', 'role', 'dueAt'] as const)),
    decisions: evidence.decisions.map((d) => pick(d, ['decisionId', 'level', 'role', 'outcome', 'decidedAt', 'priceResultId', 'materialVersion'] as const)),
  };
}
