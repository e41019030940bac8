import { randomUUID } from 'node:crypto';
import { listOperations, loadApiDocument } from '@cpq/contracts/openapi';
import { sampleCatalog } from '@cpq/metadata/samples';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderFixture, type OrderFixture } from '../../test/order-fixture';
import { tokensFor } from '../../test/release-fixture';
import { ROLES, type Role } from './auth';
import { AUTHORIZATION_MATRIX, OUTSIDER, type Subject } from './authorization-matrix';

// Issue 12, item 5: the role x operation x tenant matrix, walked through HTTP on one engine. For
// every operation of the contract and every role, plus a principal of another tenant holding every
// staff role, the answer must be what AUTHORIZATION_MATRIX (the policy) says: 'allow' is any answer
// but 401/403 and, on a real resource, 404; 'deny' is 403 or 404. A route that lets through a
// role the table denies fails here, and so does a table row for a route that refuses it. The
// quote views' cells come from VIEW_POLICY (quote.view-policy.ts), whose shapes
// quote-view-matrix.int.test.ts checks; this test checks who gets in at all, for every operation.
// MATRIX_PRINT=1 prints the observed matrix (to review a change of policy).

const doc = loadApiDocument();
const OPERATIONS = listOperations(doc).map(({ method, path, operation }) => ({ method, path, operationId: operation.operationId as string }));
const specification = sampleCatalog().find((item) => item.kind === 'product-specification')!;

/** The principal of each subject: staff of team north, the customer of the quotes' account, and an outsider. */
const PEOPLE: Record<Subject, { roles: Role[]; team?: string; accountId?: string; other?: true }> = {
  admin: { roles: ['admin'] }, rep: { roles: ['rep'], team: 'north' }, 'sales-manager': { roles: ['sales-manager'], team: 'north' },
  finance: { roles: ['finance'] }, ops: { roles: ['ops'] }, customer: { roles: ['customer'], accountId: 'acct-1' }, integrator: { roles: ['integrator'] },
  [OUTSIDER]: { roles: ROLES.filter((r) => r !== 'customer'), team: 'north', other: true },
};
const SUBJECTS = Object.keys(PEOPLE) as Subject[];

type Observed = { status: number; code?: string };
type Resources = Record<string, string>;

describe('role x operation x tenant: every operation answers every role as AUTHORIZATION_MATRIX says (real engine)', () => {
  let f: OrderFixture;
  let tokens: Record<Subject, string>;
  const outsiderBodies: Record<string, string> = {};

  beforeAll(async () => {
    f = await createOrderFixture('authz_matrix');
    tokens = await tokensFor(f.t.config, Object.fromEntries(SUBJECTS.map((s) => [s, { tenantId: PEOPLE[s].other ? f.otherTenant : f.tenant, ...PEOPLE[s] }]))) as Record<Subject, string>;
  }, 240_000);
  afterAll(async () => { await f?.close(); });

  const must = async (reply: Promise<{ status: number; body: Record<string, unknown> }>, status: number) => {
    const r = await reply;
    if (r.status !== status) throw new Error(`setup: expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- setup bodies
  };

  /** Fresh resources for one operation (commands change what they touch; reads share one set). */
  async function resourcesFor(operationId: string): Promise<Resources> {
    const r: Resources = { kind: 'product-offering', key: 'business-internet', accountId: 'acct-1', tenantId: f.tenant, stepKey: 'none', workItemId: randomUUID(), documentId: randomUUID(), candidateId: randomUUID(), orderId: randomUUID() };
    const release = await must(f.call('ada', 'GET', '/metadata/releases/current'), 200);
    r.releaseId = release.releaseId as string;
    if (/Quote|WorkItem|Order|Fulfillment|Step|Fallout|Cancellation|InstalledBase/.test(operationId) || /Line$/.test(operationId)) {
      const { quoteId, documentId } = await f.acceptableQuote('rita');
      Object.assign(r, { quoteId, documentId });
    }
    if (/WorkItem|approveQuote|rejectQuote|escalate|claim/.test(operationId) && !/Fallout/.test(operationId)) {
      const quoteId = await f.pricedQuote('rita', { discountPercent: '15' });
      await must(f.call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`), 200);
      const items = await must(f.call('sam', 'GET', '/work-items'), 200);
      r.workItemId = (items.items as { workItemId: string; quoteId: string }[]).find((i) => i.quoteId === quoteId)!.workItemId;
    }
    if (/Order|Fulfillment|Step|Cancellation|InstalledBase/.test(operationId)) {
      const quoteId = await f.acceptedQuote('rita');
      r.orderId = await f.createOrder(quoteId);
      const plan = await f.call('ada', 'GET', `/orders/${r.orderId}/fulfillment-plan`);
      r.stepKey = (plan.body.steps as { stepKey: string }[] | undefined)?.[0]?.stepKey ?? 'none';
    }
    // An accepted quote without its order yet; an account of this tenant only (every test tenant has acct-1).
    if (operationId === 'createOrderFromAcceptedQuote') r.quoteId = await f.acceptedQuote('rita');
    if (operationId === 'getAccount') {
      r.accountId = `authz-${randomUUID().slice(0, 8)}`;
      await must(f.call('ada', 'POST', '/accounts', { accountId: r.accountId, name: 'Authz Only', segment: 'smb', channel: 'direct', currency: 'EUR' }), 201);
    }
    if (/Draft/.test(operationId)) {
      r.key = `authz-${randomUUID().slice(0, 8)}`;
      await must(f.call('ada', 'POST', '/metadata/drafts', { ...specification, key: r.key }), 201);
      r.kind = specification.kind;
    }
    if (/ReleaseCandidate|ReleaseReview/.test(operationId)) {
      await f.call('ada', 'POST', '/metadata/drafts', { ...specification, key: `authz-${randomUUID().slice(0, 8)}` });
      r.candidateId = (await must(f.call('ada', 'POST', '/metadata/release-candidates', { title: 'authorization matrix' }), 201)).candidateId as string;
    }
    return r;
  }

  /** A body each operation's schema takes, so the request reaches the route's decision. */
  const bodyOf = (operationId: string, r: Resources): unknown => ({
    createDraft: { ...specification, key: `authz-new-${randomUUID().slice(0, 8)}` },
    editDraft: { content: specification.content },
    createReleaseCandidate: { title: 'authorization matrix' },
    approveReleaseCandidate: { reason: 'fine' },
    rejectReleaseCandidate: { reason: 'not yet' },
    rollForwardRelease: { title: 'roll forward' },
    evaluateFeel: { expression: '1 + 1' },
    evaluateConfiguration: { offering: 'business-internet', selections: { access: 'fiber', bandwidth: 100 } },
    registerTenant: { tenantId: `authz-${randomUUID().slice(0, 8)}`, name: 'Authz' },
    issueServiceToken: { grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'x', tenant: f.tenant },
    createQuote: { accountId: 'acct-1', customerName: 'Acme', currency: 'EUR', termMonths: 12 },
    createAccount: { accountId: `authz-${randomUUID().slice(0, 8)}`, name: 'Authz', segment: 'smb', channel: 'direct', currency: 'EUR' },
    addQuoteLine: { offering: 'business-internet', quantity: 1, selections: { access: 'fiber', bandwidth: 100, slaTier: 'standard' } },
    configureQuoteLine: { lineId: 'L1', quantity: 1, selections: { access: 'fiber', bandwidth: 100, slaTier: 'standard' } },
    acceptQuote: { documentId: r.documentId, onBehalfOf: { evidence: 'signed order form', channel: 'signed-pdf' } },
    withdrawQuote: { reason: 'customer left' },
    disconnectQuoteLine: { lineId: 'L1' },
    previewQuoteApproval: { lines: [] },
    approveQuote: { reason: 'fine' },
    rejectQuote: { reason: 'too cheap' },
    createOrderFromAcceptedQuote: { quoteId: r.quoteId },
    requestOrderCancellation: { reason: 'customer changed their mind' },
    recordFulfillmentCallback: { externalReference: 'ext-1', requestKey: 'rk-1', outcome: 'completed' },
    recordStepOutcome: { requestKey: 'rk-1', outcome: 'completed' },
    recordStepCompensation: { outcome: 'compensated' },
    resolveFallout: { action: 'retry', reason: 'fixed upstream' },
  } as Record<string, unknown>)[operationId];

  async function call(subject: Subject, op: (typeof OPERATIONS)[number], r: Resources): Promise<Observed> {
    // Every subject calls with its own token, also where another credential is needed (the
    // operator's, the scrape token): a user token must be refused there.
    const token = tokens[subject];
    const url = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(r[name] ?? 'missing'));
    const query = ({ diffReleases: `?from=${r.releaseId}`, listInstalledBase: `?accountId=${r.accountId}` } as Record<string, string>)[op.operationId] ?? '';
    const body = bodyOf(op.operationId, r);
    const res = await f.t.app.inject({
      method: op.method as 'GET', url: url + query,
      headers: { authorization: `Bearer ${token}`, ...(op.method !== 'GET' ? { 'idempotency-key': `authz-${randomUUID()}` } : {}), ...(/Draft$/.test(op.operationId) && op.method !== 'GET' ? { 'if-match': '"1"' } : {}) },
      ...(body !== undefined ? { payload: body as object } : {}),
    });
    if (subject === OUTSIDER) outsiderBodies[op.operationId] = res.body;
    const json = String(res.headers['content-type']).includes('json') ? res.json() as { code?: string } : {};
    return { status: res.statusCode, ...(json.code ? { code: json.code } : {}) };
  }

  it('has a row for every operation of the contract, and none for an operation that is gone', () => {
    const ids = OPERATIONS.map((o) => o.operationId).sort();
    expect(ids.filter((id) => !(id in AUTHORIZATION_MATRIX)), 'add these operations to AUTHORIZATION_MATRIX (engine/src/http/authorization-matrix.ts)').toEqual([]);
    expect(Object.keys(AUTHORIZATION_MATRIX).filter((id) => !ids.includes(id)), 'operations in AUTHORIZATION_MATRIX that the contract no longer has').toEqual([]);
  });

  it.each(OPERATIONS.map((o) => [o.operationId, o] as const))('%s', async (operationId, op) => {
    const policy = AUTHORIZATION_MATRIX[operationId];
    if (!policy) throw new Error(`no row for ${operationId}`);
    const r = await resourcesFor(operationId);
    // Refusals first: a command an allowed subject runs may change the resource the next one meets.
    const order = [...SUBJECTS].sort((a, b) => Number(policy.cells[a] === 'allow') - Number(policy.cells[b] === 'allow'));
    const cells: Record<string, Observed> = {};
    for (const subject of order) cells[subject] = await call(subject, op, r);
    // On a public route a 401 is about the credentials in the body (POST /auth/token), not the caller.
    const verdict = (o: Observed, subject: Subject) => (o.status === 403 || (o.status === 401 && policy.auth !== 'public')
      // The outsider addresses this tenant's ids: a 404 is its refusal even where the test's id is made up.
      || (o.status === 404 && (policy.realResource || (subject === OUTSIDER && policy.cells[OUTSIDER] === 'deny'))) ? 'deny' : 'allow');
    const actual = Object.fromEntries(SUBJECTS.map((s) => [s, verdict(cells[s]!, s)]));
    if (process.env.MATRIX_PRINT) console.log(JSON.stringify({ operationId, cells }));
    expect(actual, `${operationId}: ${JSON.stringify(cells)}`).toEqual(policy.cells);
    // Where the outsider gets in (its own tenant's listings), nothing of this tenant is in its answer.
    if (cells[OUTSIDER]!.status < 300) {
      const secrets = [f.tenant, r.quoteId, r.orderId, r.workItemId, r.candidateId, r.releaseId, r.documentId].filter((v): v is string => Boolean(v));
      for (const secret of secrets) expect(outsiderBodies[operationId] ?? '', `${operationId}: the outsider's answer names ${secret} of the other tenant`).not.toContain(JSON.stringify(secret));
    }
    // The test's request must pass validation for someone, or no cell says anything about access.
    expect(SUBJECTS.some((x) => cells[x]!.code !== 'validation-failed'), `${operationId}: every subject got 400: give the test a valid request`).toBe(true);
    // A refusal never reads as a server error, and never as unauthenticated for a valid token.
    for (const s of SUBJECTS) expect(cells[s]!.status, `${operationId} as ${s}`).toBeLessThan(500);
  }, 120_000);
});
