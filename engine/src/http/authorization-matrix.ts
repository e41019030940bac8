import { QUOTE_VIEWS, VIEW_CONTRACT, VIEW_POLICY } from '../modules/quote';
import { ROLES, type Role } from './auth';

/**
 * The authorization policy of the API as one table (issue 12, item 5): for every operation of
 * the contract, which role may call it, and that a principal of another tenant may not touch
 * this tenant's resources. `authorization-matrix.int.test.ts` walks every cell through HTTP on a
 * real engine (a route that lets through a role the table denies fails it), and
 * `deploy/prr/generate.ts` renders it as docs/prr/authorization-matrix.md.
 *
 * 'allow': the route lets the caller in (the answer may still be a 4xx about the request or the
 * state). 'deny': 403, or 404 where existence must not leak. Which of a tenant's resources a role
 * sees (a rep their team's quotes, a customer their account's) is the modules' access rules
 * (quote.access.ts, order.access.ts); the test's principals each see the test resources by them.
 */
export const OUTSIDER = 'other-tenant' as const;
export type Subject = Role | typeof OUTSIDER;
export type Access = 'allow' | 'deny';
export type OperationPolicy = {
  /** How the caller authenticates: a user or service token, the operator token, the scrape token, or nothing. */
  auth: 'bearer' | 'operator' | 'metrics' | 'public';
  cells: Record<Subject, Access>;
  /** The test calls it on a real resource of the tenant, so a 404 is a refusal (false: an id that does not exist). */
  realResource: boolean;
  why: string;
};

type Options = { outsider?: Access; realResource?: boolean };
const row = (auth: OperationPolicy['auth'], allowed: readonly Role[], why: string, o: Options = {}): OperationPolicy => ({
  auth, why, realResource: o.realResource ?? true,
  cells: { ...Object.fromEntries(ROLES.map((r) => [r, allowed.includes(r) ? 'allow' : 'deny'])), [OUTSIDER]: o.outsider ?? 'deny' } as Record<Subject, Access>,
});
const STAFF = ROLES.filter((r) => r !== 'customer');
const EVERYONE = ROLES;
const NOBODY: Role[] = [];

/** A tenant's own resource addressed by id: its roles as listed, another tenant never (404). An outsider's 'allow' is in its own tenant, and the test checks that its answer names nothing of this tenant. */
const own = (allowed: readonly Role[], why: string, o: Options = {}) => row('bearer', allowed, why, o);
/** A command or a listing in the caller's own tenant: an outsider acts in theirs, never sees this one's. */
const inOwnTenant = (allowed: readonly Role[], why: string, o: Options = {}) => row('bearer', allowed, why, { outsider: 'allow', realResource: false, ...o });
/** Not a user's operation: every user token is refused (401/403). */
const notForUsers = (auth: 'operator' | 'metrics', why: string) => row(auth, NOBODY, why, { realResource: false });
const open = (why: string) => row('public', EVERYONE, why, { outsider: 'allow', realResource: false });

/** The quote views' cells, from VIEW_POLICY (a shape: allow; forbidden or hidden: deny). */
const views = Object.fromEntries(QUOTE_VIEWS.map((view) => {
  const { operationId } = VIEW_CONTRACT[view];
  const allowed = ROLES.filter((role) => !['forbidden', 'hidden'].includes(VIEW_POLICY[role][view]));
  const listing = view === 'listQuotes';
  return [operationId, listing
    ? inOwnTenant(EVERYONE, 'VIEW_POLICY (quote.view-policy.ts): each role lists the quotes it sees (ops none: an empty list)')
    : own(allowed, 'VIEW_POLICY (quote.view-policy.ts): the shape each role gets is checked by quote-view-matrix.int.test.ts')];
})) as Record<string, OperationPolicy>;

const SELLERS: Role[] = ['rep', 'sales-manager'];
const QUOTE_EDITORS: Role[] = SELLERS;

export const AUTHORIZATION_MATRIX: Record<string, OperationPolicy> = {
  // Platform.
  getLiveness: open('probe'),
  getReadiness: open('probe'),
  getOpenApi: open('the contract is public'),
  issueServiceToken: open('client credentials are the authentication; limited per IP (ADR 0021)'),
  getMetrics: notForUsers('metrics', 'the scrape token only (ADR 0018)'),
  registerTenant: notForUsers('operator', 'the platform operator token only'),
  getTenant: notForUsers('operator', 'the platform operator token only'),

  // Metadata: drafts, candidates, audit and FEEL for admins; published releases for staff.
  listMetadataKinds: inOwnTenant(EVERYONE, 'the kinds\' schemas describe the product, not the tenant\'s data'),
  getMetadataKindSchema: inOwnTenant(EVERYONE, 'as listMetadataKinds'),
  evaluateFeel: inOwnTenant(['admin'], 'the studio\'s FEEL editor'),
  listWorkerTopics: inOwnTenant(['admin'], 'the modeler\'s topic list'),
  createDraft: inOwnTenant(['admin'], 'drafts are the admins\''),
  listDrafts: inOwnTenant(['admin'], 'drafts are the admins\''),
  getDraft: own(['admin'], 'drafts are the admins\''),
  editDraft: own(['admin'], 'drafts are the admins\''),
  deleteDraft: own(['admin'], 'drafts are the admins\''),
  createReleaseCandidate: inOwnTenant(['admin'], 'the governed publish (ADR 0007)'),
  listReleaseCandidates: inOwnTenant(['admin'], 'the governed publish'),
  getReleaseCandidate: own(['admin'], 'the governed publish'),
  getReleaseCandidateImpact: own(['admin'], 'the governed publish'),
  diffReleaseCandidate: own(['admin'], 'the governed publish'),
  requestReleaseReview: own(['admin'], 'the governed publish'),
  approveReleaseCandidate: own(['admin'], 'the governed publish; four-eyes (another admin)'),
  rejectReleaseCandidate: own(['admin'], 'the governed publish'),
  publishReleaseCandidate: own(['admin'], 'the governed publish'),
  listReleases: inOwnTenant(STAFF, 'published rules, floors and authority limits are internal: never a customer (cdf2dcc)'),
  getCurrentRelease: inOwnTenant(STAFF, 'as listReleases (the outsider\'s own tenant has no release in the test: 404)', { outsider: 'deny' }),
  getRelease: own(STAFF, 'as listReleases'),
  getReleaseItem: own(STAFF, 'as listReleases'),
  diffReleases: own(STAFF, 'as listReleases'),
  rollForwardRelease: own(['admin'], 'a new candidate, reviewed and published like any other'),
  getReleaseAudit: own(['admin'], 'audit evidence is internal'),
  getItemAudit: own(['admin'], 'audit evidence is internal; by kind and key in the caller\'s own tenant (an outsider gets its own, empty)', { outsider: 'allow' }),

  // Accounts.
  createAccount: inOwnTenant(['admin', 'sales-manager', 'integrator'], 'account.service.ts CREATORS'),
  listAccounts: inOwnTenant(EVERYONE, 'sellers search; a customer finds only its own account'),
  getAccount: own(['admin', 'rep', 'sales-manager', 'finance', 'integrator'], 'sellers and integrations; a customer only its own account (the test\'s is another)'),

  // Configuration: stateless preview against the published release.
  evaluateConfiguration: inOwnTenant(STAFF, 'the seller\'s configurator; its explanations name the release\'s rules, internal as the release is', { outsider: 'deny' }),

  // Quotes: commands by the sellers who may edit the quote; views by VIEW_POLICY.
  createQuote: inOwnTenant(QUOTE_EDITORS, 'sellers quote (against their tenant\'s release; the outsider\'s has none: 404)', { outsider: 'deny' }),
  addQuoteLine: own(QUOTE_EDITORS, 'quote.access.ts canEdit'),
  configureQuoteLine: own(QUOTE_EDITORS, 'quote.access.ts canEdit'),
  priceQuote: own(QUOTE_EDITORS, 'quote.access.ts canEdit'),
  submitQuoteForApproval: own(QUOTE_EDITORS, 'quote.access.ts canEdit'),
  generateQuoteDocument: own(QUOTE_EDITORS, 'quote.access.ts canEdit'),
  acceptQuote: own([...QUOTE_EDITORS, 'customer'], 'the customer, or a seller for the customer with evidence'),
  reviseQuote: own(QUOTE_EDITORS, 'quote.access.ts canEdit'),
  withdrawQuote: own(QUOTE_EDITORS, 'quote.access.ts canEdit'),
  previewQuoteApproval: own(QUOTE_EDITORS, 'the rep sees what a discount would need'),
  disconnectQuoteLine: own(QUOTE_EDITORS, 'quote.access.ts canEdit (change orders, ADR 0022)'),
  ...views,

  // Approver inbox.
  listWorkItems: inOwnTenant(STAFF, 'the approvers\' inbox: each lists the items of its roles; never a customer'),
  getWorkItem: own(['sales-manager'], 'the item\'s candidate role (here level 2: sales-manager); others 404'),
  claimWorkItem: own(['sales-manager'], 'the item\'s candidate role'),
  approveQuote: own(['sales-manager'], 'the item\'s candidate role with the authority (403 approval-authority otherwise)'),
  rejectQuote: own(['sales-manager'], 'the item\'s candidate role'),
  escalateWorkItem: own(['sales-manager', 'admin', 'integrator'], 'the candidate role, admins, and the SLA timer\'s worker (integrator)'),

  // Orders.
  createOrderFromAcceptedQuote: inOwnTenant(['admin', 'rep', 'sales-manager', 'integrator'], 'order.access.ts'),
  listOrders: inOwnTenant(EVERYONE, 'order.access.ts visibility'),
  getOrder: own(EVERYONE, 'order.access.ts visibility'),
  getFulfillmentPlan: own(STAFF, 'order.access.ts: the plan is internal (target systems, steps): not the customer'),
  getOrderTimeline: own(STAFF, 'order.access.ts: the audit trail is internal: not the customer'),
  requestOrderCancellation: own(['admin', 'ops', 'rep', 'sales-manager', 'customer'], 'order.access.ts'),
  recordFulfillmentCallback: own(['integrator'], 'integrations only'),
  completeOrderFulfillment: own(['integrator'], 'integrations only'),
  finishOrderCancellation: own(['integrator'], 'integrations only'),
  beginFulfillmentStep: own(['integrator'], 'integrations only'),
  recordStepOutcome: own(['integrator'], 'integrations only'),
  beginStepCompensation: own(['integrator'], 'integrations only'),
  recordStepCompensation: own(['integrator'], 'integrations only'),
  listInstalledBase: inOwnTenant(EVERYONE, 'sellers, operators, integrations; a customer its own account'),
  listFalloutWorkItems: inOwnTenant(['ops', 'admin'], 'operators (admins read)'),
  getFalloutWorkItem: own(['ops', 'admin'], 'operators (admins read); the test\'s case id does not exist', { realResource: false }),
  resolveFallout: own(['ops'], 'operators; the test\'s case id does not exist', { realResource: false }),
};
