import { ROLES, type Principal, type Role } from '../../http/auth';
import { DomainError } from '../../http/errors';
import { canSee, type QuoteOwnership } from './quote.access';

/**
 * Who sees what of a quote (issue 8, item 6): for every role and every view, the shape it
 * gets or the refusal. Which quotes a role sees at all stays quote.access.ts's rule; this
 * table decides how much of a visible quote it sees. The views build each shape from an
 * allow-list (quote.view-redaction.ts); the contract names a schema per shape
 * (VIEW_CONTRACT) and the role-matrix test walks this same table, so a new role or view
 * fails to compile until every cell is decided, tested and described in the contract.
 */

/** The shapes a view can answer with, most complete first ('full' = the internal view). */
export type ViewShapes = {
  getQuote: 'full' | 'integration' | 'customer';
  listQuotes: 'full' | 'customer';
  timeline: 'full';
  priceTrace: 'full' | 'breakdown';
  approvalEvidence: 'full' | 'integration';
  document: 'full';
};
export type QuoteViewName = keyof ViewShapes;

/** 'forbidden': 403 (the caller may know the quote exists); 'hidden': 404, as for a quote it cannot see. */
export type Refusal = 'forbidden' | 'hidden';
export type ViewDecision<V extends QuoteViewName> = ViewShapes[V] | Refusal;
export type ViewPolicy = { readonly [R in Role]: { readonly [V in QuoteViewName]: ViewDecision<V> } };

const FULL = { getQuote: 'full', listQuotes: 'full', timeline: 'full', priceTrace: 'full', approvalEvidence: 'full', document: 'full' } as const;

export const VIEW_POLICY: ViewPolicy = {
  // The seller's side works the deal and answers for it: the whole evidence.
  rep: FULL,
  'sales-manager': FULL,
  finance: FULL,
  admin: FULL,
  // Operations works orders and fallout, not quotes; quote.access.ts shows it none.
  ops: { getQuote: 'hidden', listQuotes: 'hidden', timeline: 'hidden', priceTrace: 'hidden', approvalEvidence: 'hidden', document: 'hidden' },
  // The customer sees the offer it may accept: terms, lines, prices per charge, totals,
  // validity, state and the document. Never floors, costs, the pricing rules, manual discount
  // reasons, approval evidence or authority limits, nor the audit trail (details, correlation
  // ids, internal actors): the seller's negotiation position is not part of the offer.
  customer: { getQuote: 'customer', listQuotes: 'customer', timeline: 'forbidden', priceTrace: 'breakdown', approvalEvidence: 'forbidden', document: 'full' },
  // Systems acting for the tenant (workers, CRM/billing sync) need the commercial facts with
  // their ids, the list -> net per charge for billing, the document to deliver, and which
  // levels were decided how (the approval worker confirms every level before the process
  // ends). They need no one's reasons, authority limits or the pricing rules' internals, and
  // no audit trail: least privilege for a credential that is not a person.
  integrator: { getQuote: 'integration', listQuotes: 'full', timeline: 'forbidden', priceTrace: 'breakdown', approvalEvidence: 'integration', document: 'full' },
};

/**
 * Where each view and shape is described in the contract (contracts/openapi/quote-api.yaml):
 * the operation and the component schema of its 200 answer (null: not JSON, the PDF).
 */
export const VIEW_CONTRACT: { readonly [V in QuoteViewName]: { operationId: string; shapes: { readonly [S in ViewShapes[V]]: string | null } } } = {
  getQuote: { operationId: 'getQuote', shapes: { full: 'Quote', integration: 'IntegrationQuoteView', customer: 'CustomerQuoteView' } },
  listQuotes: { operationId: 'listQuotes', shapes: { full: 'QuoteSummary', customer: 'CustomerQuoteSummary' } },
  timeline: { operationId: 'getQuoteTimeline', shapes: { full: 'QuoteTimeline' } },
  priceTrace: { operationId: 'getQuotePriceTrace', shapes: { full: 'QuotePriceTrace', breakdown: 'PriceBreakdown' } },
  approvalEvidence: { operationId: 'getQuoteApprovalEvidence', shapes: { full: 'ApprovalEvidence', integration: 'IntegrationApprovalEvidence' } },
  document: { operationId: 'getQuoteDocument', shapes: { full: null } },
};

export const QUOTE_VIEWS = Object.keys(VIEW_CONTRACT) as QuoteViewName[];
export const VIEW_ROLES: readonly Role[] = ROLES;

/** A view's decisions, most generous first: the shapes in their declared order, then the refusals. */
function preference<V extends QuoteViewName>(view: V): ViewDecision<V>[] {
  return [...(Object.keys(VIEW_CONTRACT[view].shapes) as ViewShapes[V][]), 'forbidden', 'hidden'];
}

/**
 * The decision for a caller on one quote. A caller with several roles gets the most generous
 * decision among the roles through which it sees the quote: a rep who is also a customer of
 * another account does not get the rep's view of that account's quotes.
 */
export function decideView<V extends QuoteViewName>(view: V, principal: Principal, quote: QuoteOwnership): ViewDecision<V> {
  const order = preference(view);
  let best: ViewDecision<V> = 'hidden';
  for (const role of principal.roles) {
    if (!canSee({ ...principal, roles: [role] }, quote)) continue;
    const decision = VIEW_POLICY[role][view] as ViewDecision<V>;
    if (order.indexOf(decision) < order.indexOf(best)) best = decision;
  }
  return best;
}

/** The shape the caller gets, or the refusal as a domain error (404 never says the quote exists). */
export function grantedShape<V extends QuoteViewName>(view: V, principal: Principal, quote: QuoteOwnership & { id: string }): ViewShapes[V] {
  const decision = decideView(view, principal, quote);
  if (decision === 'hidden') throw new DomainError('quote-not-found', `no quote ${quote.id}`);
  if (decision === 'forbidden') throw new DomainError('forbidden', `your role may not read the ${view} of a quote`);
  return decision as ViewShapes[V];
}
