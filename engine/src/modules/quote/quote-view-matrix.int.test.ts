import { randomUUID } from 'node:crypto';
import { loadApiDocument } from '@cpq/contracts/openapi';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { componentSchemas } from '../../http/contract-routes';
import type { Role } from '../../http/auth';
import { cleanCamunda, publishRelease, tokensFor } from '../../../test/release-fixture';
import { createTestApp, type TestApp } from '../../../test/test-app';
import { QUOTE_VIEWS, VIEW_CONTRACT, VIEW_POLICY, VIEW_ROLES, type QuoteViewName, type ViewDecision, type ViewShapes } from './quote.view-policy';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies

/**
 * The role x view matrix walked through HTTP (issue 8, item 6): one real quote driven through
 * pricing (a manual discount with its reason), approval by a sales manager (with a reason and
 * the authority snapshot) and a document; then every cell of VIEW_POLICY is called as that
 * role. The cells come from the table itself, so a new role or view is walked without a change
 * here; what each shape must hide and show is typed per shape, so a new shape does not compile
 * until its expectations are written.
 */

const DISCOUNT_REASON = 'competitive offer vs. Telco X';
const APPROVAL_REASON = 'strategic account, CFO informed';

/** Keys and values a shape must never carry anywhere, and facts (dotted paths) it must carry. */
type ShapeExpectation = { forbiddenKeys: RegExp[]; forbiddenValues: string[]; present: string[] };
const nothingHidden = (present: string[]): ShapeExpectation => ({ forbiddenKeys: [], forbiddenValues: [], present });

/** Internal evidence a customer or a system must not see, wherever it appears. */
const INTERNALS = [/floor/i, /cost/i, /margin/i, /^authority$/, /^limits$/, /^reasons?$/, /^actor$/, /^details$/, /^correlationId$/, /^trace$/, /^skipped$/, /^source$/, /^ruleId$/];
const PEOPLE = ['rita', 'sam'];

const EXPECT: { [V in QuoteViewName]: { [S in ViewShapes[V]]: ShapeExpectation } } = {
  getQuote: {
    full: nothingHidden(['ownerId', 'revision.lines.0.manualDiscount.reason', 'revision.lines.0.manualDiscount.authority', 'revision.totals.termTotal']),
    integration: {
      forbiddenKeys: INTERNALS, forbiddenValues: [DISCOUNT_REASON, APPROVAL_REASON],
      present: ['ownerId', 'revision.priceResultId', 'revision.lines.0.manualDiscount.percent', 'revision.lines.0.configurationHash', 'revision.totals.termTotal', 'revision.documentId'],
    },
    customer: {
      forbiddenKeys: [...INTERNALS, /^manualDiscount$/, /^ownerId$/, /^team$/, /^submittedBy$/, /^acceptedBy$/, /^priceResultId$/, /^configurationHash$/, /^violations$/],
      forbiddenValues: [DISCOUNT_REASON, APPROVAL_REASON, ...PEOPLE],
      present: [
        'customerName', 'termMonths', 'revision.state', 'revision.validUntil', 'revision.documentId', 'revision.lines.0.offering', 'revision.lines.0.quantity',
        'revision.lines.0.selections.access', 'revision.lines.0.charges.0.unitListPrice', 'revision.lines.0.charges.0.unitNetPrice', 'revision.lines.0.charges.0.lineNet',
        'revision.totals.termTotal', 'revision.totals.monthly',
      ],
    },
  },
  listQuotes: {
    full: nothingHidden(['ownerId', 'state']),
    customer: { forbiddenKeys: [...INTERNALS, /^ownerId$/], forbiddenValues: PEOPLE, present: ['quoteId', 'customerName', 'state', 'currency'] },
  },
  timeline: { full: nothingHidden(['entries.0.details', 'entries.0.correlationId', 'entries.0.actor.id']) },
  priceTrace: {
    full: nothingHidden(['result.lines.0.charges.0.trace', 'result.lines.0.charges.0.floorReached', 'resultHash']),
    breakdown: {
      forbiddenKeys: [...INTERNALS, /^versions$/, /^inputHash$/, /^resultHash$/, /^rounding$/],
      forbiddenValues: [DISCOUNT_REASON, ...PEOPLE],
      present: ['lines.0.charges.0.unitListPrice', 'lines.0.charges.0.unitNetPrice', 'lines.0.charges.0.termTotal', 'totals.termTotal', 'currency'],
    },
  },
  approvalEvidence: {
    full: nothingHidden(['requirements.0.reasons.0', 'decisions.0.reason', 'decisions.0.authority.limits', 'decisions.0.decidedBy']),
    integration: {
      forbiddenKeys: [...INTERNALS, /^decidedBy$/, /^requestedBy$/],
      forbiddenValues: [APPROVAL_REASON, ...PEOPLE],
      present: ['requirements.0.level', 'decisions.0.level', 'decisions.0.outcome', 'decisions.0.decisionId'],
    },
  },
  document: { full: nothingHidden([]) },
};

/** One principal per role, each able to see the test quote by quote.access.ts's rule (ops sees none). */
const CAST: { [R in Role]: { userId: string; team?: string; accountId?: string } } = {
  rep: { userId: 'rita', team: 'north' },
  'sales-manager': { userId: 'sam', team: 'north' },
  finance: { userId: 'fiona' },
  admin: { userId: 'ada' },
  ops: { userId: 'oscar' },
  customer: { userId: 'cora', accountId: 'acct-1' },
  integrator: { userId: 'worker:matrix' },
};

const URL_OF: { [V in QuoteViewName]: (q: { quoteId: string; documentId: string }) => string } = {
  getQuote: (q) => `/quotes/${q.quoteId}`,
  listQuotes: () => '/quotes?limit=100',
  timeline: (q) => `/quotes/${q.quoteId}/timeline`,
  priceTrace: (q) => `/quotes/${q.quoteId}/price-trace`,
  approvalEvidence: (q) => `/quotes/${q.quoteId}/approval-evidence`,
  document: (q) => `/quotes/${q.quoteId}/documents/${q.documentId}`,
};

/** Every key path and string value in a JSON body, for the deep scans. */
function walk(node: unknown, visit: (key: string | null, value: unknown, path: string) => void, path = '', key: string | null = null): void {
  visit(key, node, path);
  if (Array.isArray(node)) node.forEach((v, i) => walk(v, visit, `${path}.${i}`, null));
  else if (node !== null && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, visit, path ? `${path}.${k}` : k, k);
}
function leaks(body: unknown, expectation: ShapeExpectation): string[] {
  const found: string[] = [];
  walk(body, (key, value, path) => {
    if (key !== null && expectation.forbiddenKeys.some((k) => k.test(key))) found.push(`key ${path}`);
    if (typeof value === 'string' && expectation.forbiddenValues.some((v) => value.includes(v))) found.push(`value ${path} = ${value}`);
  });
  return found;
}
const at = (body: unknown, path: string): unknown => path.split('.').reduce<unknown>((node, k) => (node === null || typeof node !== 'object' ? undefined : (node as Json)[k]), body);

const ajv = new Ajv({ allErrors: true, strict: false });
(addFormats as unknown as (a: Ajv) => void)(ajv);
for (const schema of componentSchemas(loadApiDocument())) ajv.addSchema(schema);

const cells = QUOTE_VIEWS.flatMap((view) => VIEW_ROLES.map((role) => ({ role, view, decision: VIEW_POLICY[role][view] as ViewDecision<QuoteViewName> })));

describe('role x view matrix through HTTP (real PostgreSQL, Redis, Kafka, Camunda)', () => {
  let t: TestApp;
  let tokens: Record<string, string>;
  const tenant = `qv-${Date.now().toString(36)}`;
  const ids = { quoteId: '', documentId: '' };

  const call = async (as: string, method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const res = await t.app.inject({
      method, url, payload: payload as Json,
      headers: { authorization: `Bearer ${tokens[as]}`, ...(method === 'POST' ? { 'idempotency-key': `k-${randomUUID()}` } : {}) },
    });
    const json = res.headers['content-type']?.toString().includes('json');
    return { status: res.statusCode, body: (json ? res.json() : {}) as Json, raw: res.rawPayload };
  };
  const ok = async (as: string, url: string, payload?: unknown) => {
    const res = await call(as, 'POST', url, payload);
    expect(res.status, `${url}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res.body;
  };

  beforeAll(async () => {
    t = await createTestApp('quote_view_matrix');
    await t.infrastructure.prisma.tenant.create({ data: { id: tenant, name: 'View matrix' } });
    await publishRelease(t.app, t.config, tenant);
    tokens = await tokensFor(t.config, {
      ...Object.fromEntries(Object.entries(CAST).map(([role, p]) => [p.userId, { tenantId: tenant, roles: [role as Role], ...(p.team ? { team: p.team } : {}), ...(p.accountId ? { accountId: p.accountId } : {}) }])),
      // Outsiders: a rep of another team, a customer of another account.
      rob: { tenantId: tenant, roles: ['rep'], team: 'south' },
      carl: { tenantId: tenant, roles: ['customer'], accountId: 'acct-2' },
    });
    // Given a quote with a manual discount and its reason, approved by a sales manager with a reason, with its document.
    const { quoteId } = await ok('rita', '/quotes', { accountId: 'acct-1', customerName: 'Acme GmbH', currency: 'EUR', termMonths: 24 });
    ids.quoteId = quoteId;
    await ok('rita', `/quotes/${quoteId}/lines`, {
      offering: 'business-internet', quantity: 2, selections: { access: 'fiber', bandwidth: 500, slaTier: 'standard' },
      manualDiscount: { percent: '18', reason: DISCOUNT_REASON },
    });
    await ok('rita', `/quotes/${quoteId}/commands/price`);
    expect((await ok('rita', `/quotes/${quoteId}/commands/submit-for-approval`)).state).toBe('submitted');
    const item = (await call('sam', 'GET', '/work-items')).body.items.find((i: Json) => i.quoteId === quoteId);
    expect((await ok('sam', `/work-items/${item.workItemId}/commands/approve-quote`, { reason: APPROVAL_REASON })).state).toBe('approved');
    ids.documentId = (await ok('rita', `/quotes/${quoteId}/commands/generate-document`)).documentId;
  }, 180_000);
  afterAll(async () => {
    await cleanCamunda(t.config.camundaUrl, [tenant]);
    await t?.close();
  });

  it.each(cells)('$role x $view -> $decision', async ({ role, view, decision }) => {
    const res = await call(CAST[role].userId, 'GET', URL_OF[view](ids));
    if (decision === 'hidden') {
      // Existence does not leak: the same answer as for a quote that does not exist.
      if (view === 'listQuotes') {
        expect(res.status).toBe(200);
        expect(res.body.items.map((i: Json) => i.quoteId)).not.toContain(ids.quoteId);
      } else {
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('quote-not-found');
      }
      return;
    }
    if (decision === 'forbidden') {
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ code: 'forbidden', status: 403 });
      expect(leaks(res.body, { forbiddenKeys: [], forbiddenValues: [DISCOUNT_REASON, APPROVAL_REASON], present: [] })).toEqual([]);
      return;
    }
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const schema = (VIEW_CONTRACT[view].shapes as Record<string, string | null>)[decision];
    if (schema === undefined) throw new Error(`VIEW_CONTRACT names no schema for ${view} as ${decision}`);
    if (schema === null) {
      expect(res.raw.subarray(0, 5).toString()).toBe('%PDF-');
      return;
    }
    const body = view === 'listQuotes' ? res.body.items.find((i: Json) => i.quoteId === ids.quoteId) : res.body;
    expect(body, 'the quote is listed').toBeDefined();
    // The body is exactly the shape the table names (not merely one of the operation's oneOf).
    const validate = ajv.getSchema(schema);
    expect(validate?.(body), JSON.stringify(validate?.errors)).toBe(true);
    const expectation = (EXPECT[view] as Record<string, ShapeExpectation>)[decision]!;
    expect(leaks(body, expectation)).toEqual([]);
    for (const path of expectation.present) expect(at(body, path), `${view} as ${role} carries ${path}`).not.toBeUndefined();
    if (view === 'listQuotes') expect(leaks(res.body, expectation)).toEqual([]);
  });

  it.each(QUOTE_VIEWS)('%s: a rep of another team and a customer of another account get what an unknown quote gets', async (view) => {
    for (const outsider of ['rob', 'carl']) {
      const res = await call(outsider, 'GET', URL_OF[view](ids));
      if (view === 'listQuotes') {
        expect(res.body.items.map((i: Json) => i.quoteId)).not.toContain(ids.quoteId);
      } else {
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('quote-not-found');
      }
    }
  });

  it('the evidence the redactions hide is really there: the full shapes carry both reasons', async () => {
    const full = await call('rita', 'GET', URL_OF.getQuote(ids));
    const evidence = await call('rita', 'GET', URL_OF.approvalEvidence(ids));
    const trace = await call('rita', 'GET', URL_OF.priceTrace(ids));
    expect(JSON.stringify(full.body)).toContain(DISCOUNT_REASON);
    expect(JSON.stringify(evidence.body)).toContain(APPROVAL_REASON);
    expect(JSON.stringify(trace.body)).toContain(DISCOUNT_REASON);
  });
});
