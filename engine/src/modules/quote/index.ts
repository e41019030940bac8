// Public surface of the quote module: lifecycle commands, views, work items, routes.
export { createQuoteService, dealMetricsOf, businessKeyOf, QUOTE_APPROVAL_PROCESS } from './quote.service';
export type { QuoteService } from './quote.service';
export { createQuoteViews } from './quote.views';
export type { QuoteViews } from './quote.views';
export { createWorkItemService } from './work-items.service';
export type { WorkItemService, WorkItemView } from './work-items.service';
export { quoteRoutes } from './quote.routes';
export { approvalPreviewRoutes } from './approval-preview.routes';
export { TRANSITIONS, allowed, nextState } from './quote.state';
export { createImpactReplay } from './impact-replay';
export type { ImpactReplay, QuoteImpact } from './impact-replay';
// What an accepted revision committed to, for the order module (read through here, never its tables).
export { acceptedRevisionSnapshot } from './quote.accepted-snapshot';
export type { AcceptedSnapshot, AcceptedLine, AcceptedCharge } from './quote.accepted-snapshot';
// Business signals for the operations metrics (engine/src/observability).
export { quoteSignals } from './quote.signals';
export type { QuoteSignals } from './quote.signals';
// The role x view policy: the authorization matrix (http/authorization-matrix.ts) takes the quote views' cells from it.
export { QUOTE_VIEWS, VIEW_CONTRACT, VIEW_POLICY } from './quote.view-policy';
