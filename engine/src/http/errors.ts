/**
 * Every error the API can answer with, by stable code. Modules add their codes here (one
 * entry each); the error handler maps a code to RFC 9457 problem+json from this table, so a
 * code without a status or title does not compile.
 */
export const PROBLEM_TYPE_BASE = 'https://cpq.example/problems/';

export const ERROR_CATALOG = {
  'validation-failed': { status: 400, title: 'The request is not valid' },
  'malformed-body': { status: 400, title: 'The request body is not well-formed JSON' },
  'unauthenticated': { status: 401, title: 'Authentication is required' },
  'forbidden': { status: 403, title: 'The actor may not do this' },
  'not-found': { status: 404, title: 'No such resource' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'conflict': { status: 409, title: 'The request conflicts with the current state' },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'rate-limited': { status: 429, title: 'Too many requests; retry after the time in Retry-After' },
  'precondition-required': { status: 428, title: 'This command needs If-Match with the version you read' },
  'version-conflict': { status: 409, title: 'The resource changed since you read it' },
  'metadata-invalid': { status: 422, title: 'The metadata is not valid' },
  'draft-already-exists': { status: 409, title: 'A draft with this kind and key already exists' },
  'draft-not-found': { status: 404, title: 'No such draft' },
  'no-drafts': { status: 422, title: 'There are no drafts to put in a release candidate' },
  'candidate-not-found': { status: 404, title: 'No such release candidate' },
  'candidate-state': { status: 409, title: 'The release candidate is not in a state that allows this' },
  'candidate-stale': { status: 409, title: 'Another release was published after this candidate was validated' },
  'four-eyes-violation': { status: 403, title: 'An author of the change cannot approve it' },
  'camunda-deployment-failed': { status: 422, title: 'Camunda refused the release\'s BPMN/DMN' },
  'release-not-found': { status: 404, title: 'No such release' },
  'release-item-not-found': { status: 404, title: 'No such item in this release' },
  'release-unchanged': { status: 409, title: 'The release has the current release\'s content: nothing to roll forward' },
  'idempotency-key-required': { status: 428, title: 'This command needs an Idempotency-Key header' },
  'idempotency-key-reused': { status: 422, title: 'The Idempotency-Key was used with a different request' },
  'idempotency-in-flight': { status: 409, title: 'A request with this Idempotency-Key is still running' },
  'quote-not-found': { status: 404, title: 'No such quote' },
  'line-not-found': { status: 404, title: 'No such line on this revision' },
  'quote-state': { status: 409, title: 'The quote revision is not in a state that allows this' },
  'configuration-input': { status: 422, title: 'The configuration input cannot be evaluated' },
  'configuration-invalid': { status: 422, title: 'An invalid configuration cannot be priced as final' },
  'pricing-input': { status: 422, title: 'The quote cannot be priced as it is' },
  'price-stale': { status: 409, title: 'The price is older than the last material change' },
  'approval-stale': { status: 409, title: 'The approval is older than the last material change' },
  'quote-expired': { status: 409, title: 'The quote revision has expired' },
  'revision-not-current': { status: 409, title: 'Only the current revision can do this' },
  'document-required': { status: 409, title: 'Acceptance needs a generated quote document' },
  'already-accepted': { status: 409, title: 'The quote already has an accepted revision' },
  'acceptance-evidence-required': { status: 422, title: 'A rep accepting for the customer must record the evidence' },
  'work-item-not-found': { status: 404, title: 'No such work item for you' },
  'approval-authority': { status: 403, title: 'You do not hold the authority this approval needs' },
  'tenant-already-exists': { status: 409, title: 'A tenant with this id already exists' },
  'tenant-not-found': { status: 404, title: 'No such tenant' },
  'account-not-found': { status: 404, title: 'No such account' },
  'account-exists': { status: 409, title: 'An account with this id already exists' },
  'account-unknown': { status: 422, title: 'The quote names no active account of the tenant' },
  'document-not-found': { status: 404, title: 'No such quote document' },
  'document-stale': { status: 409, title: 'The quote document no longer matches the quote\'s material facts' },
  'dependency-unavailable': { status: 503, title: 'A dependency is unavailable' },
  'concurrent-update': { status: 409, title: 'Another command changed this resource at the same moment' },
  'busy': { status: 503, title: 'The engine is at capacity; retry shortly' },
  'work-item-claimed': { status: 409, title: 'Another approver holds this work item' },
  'order-not-found': { status: 404, title: 'No such order' },
  'quote-not-accepted': { status: 409, title: 'The quote has no accepted revision to order' },
  'order-exists': { status: 409, title: 'The accepted revision already has its primary order' },
  'order-state': { status: 409, title: 'The order is not in a state that allows this' },
  'plan-not-found': { status: 404, title: 'The order is not decomposed yet' },
  'step-not-found': { status: 404, title: 'No such step in the order\'s plan' },
  'step-state': { status: 409, title: 'The fulfillment step is not in a state that allows this' },
  'fallout-not-found': { status: 404, title: 'No such fallout case' },
  'fallout-state': { status: 409, title: 'The fallout case was resolved already' },
  'fallout-action': { status: 422, title: 'The fallout case does not allow this action' },
  'asset-unknown': { status: 422, title: 'The account has no such installed asset' },
  'asset-not-active': { status: 422, title: 'The installed asset is disconnected' },
  'asset-currency': { status: 422, title: 'The installed asset is billed in another currency than the quote' },
  'term-ended': { status: 422, title: 'The installed asset\'s term has ended: renew it instead' },
  'line-disconnected': { status: 409, title: 'The line disconnects its asset already' },
  'line-not-asset': { status: 422, title: 'The line adds a new item; only a line of an installed asset can disconnect' },
  'asset-stale': { status: 409, title: 'An installed asset the quote changes has moved on since the quote was made' },
  'internal': { status: 500, title: 'Internal error' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

/**
 * Refusals that say "not now" rather than "not this": the same request may succeed when
 * retried, so they are never remembered as the answer to an Idempotency-Key.
 */
export const TRANSIENT_CODES: ReadonlySet<ErrorCode> = new Set(['concurrent-update', 'busy', 'dependency-unavailable', 'idempotency-in-flight', 'rate-limited']);

export type FieldError = { field: string; rule: string; message: string };

export type DomainErrorOptions = {
  /** A refusal that may not hold on a retry with the same key (e.g. an order in flight that may be cancelled): never stored as the key's answer. */
  transient?: boolean;
  /** What failed underneath (e.g. the dependency's own error), kept for the caller's decisions and logs; never shown to clients. */
  cause?: unknown;
};

/**
 * A typed, expected failure: thrown by modules, mapped to problem+json at the edge. Flags come
 * as named options (`new DomainError(code, message, errors, { transient: true })`), so a call
 * says what it means rather than passing a bare boolean.
 */
export class DomainError extends Error {
  /** Never stored as an Idempotency-Key's answer (see DomainErrorOptions.transient). */
  readonly transient: boolean;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly errors: FieldError[] = [],
    options: DomainErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DomainError';
    this.transient = options.transient ?? false;
  }
}

export type Problem = {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail?: string;
  instance?: string;
  correlationId?: string;
  errors?: FieldError[];
};

export function problem(code: ErrorCode, detail?: string, extra: Partial<Problem> = {}): Problem {
  const { status, title } = ERROR_CATALOG[code];
  return { type: `${PROBLEM_TYPE_BASE}${code}`, title, status, code, ...(detail ? { detail } : {}), ...extra };
}
