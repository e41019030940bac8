import { loadApiDocument } from '@cpq/contracts/openapi';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { ROLES, type Principal, type Role } from '../../http/auth';
import { componentSchemas, findOperation } from '../../http/contract-routes';
import { DomainError } from '../../http/errors';
import type { PriceResult } from '../pricing';
import { decideView, grantedShape, QUOTE_VIEWS, VIEW_CONTRACT, VIEW_POLICY, type QuoteViewName } from './quote.view-policy';
import { customerQuoteSummary, customerQuoteView, integrationApprovalEvidence, integrationQuoteView, priceBreakdown, type QuoteReadModel } from './quote.view-redaction';

const contract = loadApiDocument();
const ajv = new Ajv({ allErrors: true, strict: false });
(addFormats as unknown as (a: Ajv) => void)(ajv);
for (const schema of componentSchemas(contract)) ajv.addSchema(schema);
const conforms = (schema: string, body: unknown) => {
  const validate = ajv.getSchema(schema);
  return validate?.(body) ? [] : (validate?.errors ?? ['no such schema']);
};

/** Every key anywhere in a JSON value. */
const keysOf = (node: unknown): string[] =>
  Array.isArray(node) ? node.flatMap(keysOf)
    : node !== null && typeof node === 'object' ? Object.entries(node).flatMap(([k, v]) => [k, ...keysOf(v)]) : [];

describe('the role x view table', () => {
  it('decides every view for every role of the platform, with a shape the view knows or a refusal', () => {
    for (const role of ROLES) {
      for (const view of QUOTE_VIEWS) {
        expect([...Object.keys(VIEW_CONTRACT[view].shapes), 'forbidden', 'hidden'], `${role} x ${view}`).toContain(VIEW_POLICY[role][view]);
      }
    }
  });

  it('gives the internal shape of the evidence views to the seller side only', () => {
    const staff: Role[] = ['rep', 'sales-manager', 'finance', 'admin'];
    const internal: QuoteViewName[] = ['getQuote', 'timeline', 'priceTrace', 'approvalEvidence'];
    for (const role of ROLES.filter((r) => !staff.includes(r))) {
      for (const view of internal) expect(VIEW_POLICY[role][view], `${role} x ${view}`).not.toBe('full');
    }
  });

  it.each(QUOTE_VIEWS)('%s: the contract describes each shape and each refusal the table can give', (view) => {
    const { operation } = findOperation(contract, VIEW_CONTRACT[view].operationId);
    const schemas = Object.values(VIEW_CONTRACT[view].shapes as Record<string, string | null>);
    const ok = operation.responses['200']?.content ?? {};
    if (schemas.includes(null)) {
      expect(Object.keys(ok)).toEqual(['application/pdf']);
    } else {
      const schema = ok['application/json']?.schema as { $ref?: string; oneOf?: { $ref: string }[]; properties?: { items?: { items?: { oneOf?: { $ref: string }[] } } } };
      // listQuotes: the page's items; the others: the body itself.
      const alternatives = view === 'listQuotes' ? schema.properties?.items?.items?.oneOf : schema.oneOf ?? [{ $ref: schema.$ref ?? '' }];
      expect((alternatives ?? []).map((a) => a.$ref.split('/').pop()).sort()).toEqual([...schemas].sort());
      for (const name of schemas) expect(contract.components.schemas[name as string], name as string).toBeDefined();
    }
    const decisions = ROLES.map((role) => VIEW_POLICY[role][view] as string);
    if (decisions.includes('forbidden')) expect(Object.keys(operation.responses)).toContain('403');
    if (decisions.includes('hidden') && view !== 'listQuotes') expect(Object.keys(operation.responses)).toContain('404');
  });
});

describe('deciding for a caller', () => {
  const quote = { id: 'q1', tenantId: 't1', ownerId: 'rita', team: 'north', accountId: 'acct-1' };
  const as = (roles: Role[], extra: Partial<Principal> = {}): Principal => ({ userId: 'u', tenantId: 't1', roles, ...extra });

  it.each([
    ['the owning rep', as(['rep'], { userId: 'rita' }), 'getQuote', 'full'],
    ['the addressed customer', as(['customer'], { accountId: 'acct-1' }), 'getQuote', 'customer'],
    ['the addressed customer, on the timeline', as(['customer'], { accountId: 'acct-1' }), 'timeline', 'forbidden'],
    ['a customer of another account', as(['customer'], { accountId: 'acct-2' }), 'getQuote', 'hidden'],
    ['a caller of another tenant with every role', as([...ROLES], { tenantId: 't2', accountId: 'acct-1', team: 'north' }), 'getQuote', 'hidden'],
    ['ops', as(['ops']), 'document', 'hidden'],
    ['an integrator', as(['integrator']), 'approvalEvidence', 'integration'],
    // Several roles: the most generous among the roles through which the caller sees the quote.
    ['a customer who is also finance', as(['customer', 'finance'], { accountId: 'acct-1' }), 'priceTrace', 'full'],
    ['a rep of another team who is the addressed customer', as(['rep', 'customer'], { team: 'south', accountId: 'acct-1' }), 'getQuote', 'customer'],
    ['an integrator who is also a customer', as(['customer', 'integrator'], { accountId: 'acct-1' }), 'approvalEvidence', 'integration'],
  ] as const)('%s: %s -> %s', (_label, principal, view, expected) => {
    expect(decideView(view, principal, quote)).toBe(expected);
  });

  it.each([
    ['forbidden', as(['customer'], { accountId: 'acct-1' }), 'forbidden', 'timeline'],
    ['hidden', as(['ops']), 'quote-not-found', 'getQuote'],
  ] as const)('a %s decision is a domain error the edge maps (%s)', (_label, principal, code, view) => {
    const error = (() => { try { grantedShape(view, principal, quote); } catch (e) { return e; } return undefined; })();
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(code);
  });
});

describe('redactions are built from allow-lists', () => {
  // A full read model with fields no allow-list names: a future cost, margin or floor must stay out.
  const charge = {
    charge: 'access', quantity: 2, chargeType: 'recurring', period: 'monthly', unitListPrice: '100.00', unitNetPrice: '82.00', lineNet: '164.00', termTotal: '3936.00',
    floorReached: true, unitCost: '40.00', trace: [{ step: 1, source: { kind: 'manual', reason: 'competitive offer', actor: 'rita', authority: 'rep' } }], skipped: [],
  };
  const priced = {
    currency: 'EUR', termMonths: 24, releaseId: 'r1', releaseNumber: 1, pricingDate: '2026-12-01', rounding: { mode: 'half-up', decimals: 2 },
    versions: { priceBooks: [], ruleSets: [], schedules: [] }, inputHash: 'i', resultHash: 'h',
    lines: [{ lineId: 'L1', offering: 'business-internet', quantity: 2, charges: [charge], marginPercent: '12' }],
    totals: { oneTime: '0.00', monthly: '164.00', annual: '0.00', termTotal: '3936.00', byChargeType: {}, floorTotal: '80.00' },
  } as unknown as PriceResult;
  const model = {
    quote: {
      quoteId: 'q1', accountId: 'acct-1', customerName: 'Acme', ownerId: 'rita', team: 'north', currency: 'EUR', termMonths: 24,
      currentRevision: 1, version: 7, createdAt: '2026-12-01T00:00:00.000Z', internalNote: 'walk away below 70',
      revision: {
        revision: 1, state: 'approved', releaseId: 'r1', materialVersion: 3, priceResultId: 'p1', priceFresh: true, approvalFresh: true,
        validUntil: '2027-01-15', documentId: 'd1', submittedBy: 'rita', acceptedBy: null, acceptedAt: null, totals: priced.totals, costTotal: '1000',
        lines: [{
          lineId: 'L1', position: 1, offering: 'business-internet', quantity: 2, selections: { access: 'fiber' }, configurationValid: true,
          configurationHash: 'c', violations: [], releaseId: 'r1', unitCost: '40.00',
          manualDiscount: { percent: '18', reason: 'competitive offer', actor: 'rita', authority: 'rep' },
        }],
      },
    },
    priced,
  } as unknown as QuoteReadModel;
  const INTERNAL = /floor|cost|margin|internalNote|reason|actor|authority|trace|skipped|manualDiscount|ownerId|team|submittedBy|acceptedBy|priceResultId|byChargeType/i;

  it('the customer view carries the offer and nothing else', () => {
    const view = customerQuoteView(model);
    expect(conforms('CustomerQuoteView', view)).toEqual([]);
    expect(keysOf(view).filter((k) => INTERNAL.test(k))).toEqual([]);
    expect(view.revision.lines[0]?.charges).toEqual([{ charge: 'access', quantity: 2, chargeType: 'recurring', period: 'monthly', unitListPrice: '100.00', unitNetPrice: '82.00', lineNet: '164.00', termTotal: '3936.00' }]);
    expect(view.revision.totals).toEqual({ oneTime: '0.00', monthly: '164.00', annual: '0.00', termTotal: '3936.00' });
  });

  it('a customer sees no prices older than the revision\'s content', () => {
    const stale = { ...model, quote: { ...model.quote, revision: { ...model.quote.revision, priceFresh: false } } };
    const view = customerQuoteView(stale);
    expect(view.revision.lines[0]?.charges).toEqual([]);
    expect(view.revision.totals).toBeNull();
    expect(conforms('CustomerQuoteView', view)).toEqual([]);
  });

  it('the integration view keeps the discount terms, not who gave them or why', () => {
    const view = integrationQuoteView(model);
    expect(conforms('IntegrationQuoteView', view)).toEqual([]);
    expect(view.revision.lines[0]?.manualDiscount).toEqual({ percent: '18' });
    expect(keysOf(view).filter((k) => /cost|internalNote|reason|actor|authority/i.test(k))).toEqual([]);
  });

  it('the price breakdown is list -> net per charge and the totals', () => {
    const view = priceBreakdown({ quoteId: 'q1', revision: 1, priceResultId: 'p1', fresh: true, resultHash: 'h', result: priced });
    expect(conforms('PriceBreakdown', view)).toEqual([]);
    expect(keysOf(view).filter((k) => INTERNAL.test(k) || /hash|versions|rounding/i.test(k))).toEqual([]);
  });

  it('the integration approval evidence names levels and outcomes only', () => {
    const view = integrationApprovalEvidence({
      quoteId: 'q1', revision: 1,
      requirements: [{ level: 2, role: 'sales-manager', reasons: ['maxDiscountPercent 18 % > 15 %'], dueAt: '2026-12-03T00:00:00.000Z', requestedBy: 'rita' }],
      decisions: [{ decisionId: 'd', level: 2, role: 'sales-manager', outcome: 'approved', decidedBy: 'sam', reason: 'strategic', authority: { limits: { maxDiscountPercent: 20 } }, priceResultId: 'p1', materialVersion: 3, decidedAt: '2026-12-02T00:00:00.000Z' }],
    });
    expect(conforms('IntegrationApprovalEvidence', view)).toEqual([]);
    expect(JSON.stringify(view)).not.toMatch(/strategic|maxDiscount|sam|rita/);
  });

  it('a customer\'s listing has no internal owner', () => {
    const summary = customerQuoteSummary({ quoteId: 'q1', accountId: 'acct-1', customerName: 'Acme', ownerId: 'rita', currency: 'EUR', currentRevision: 1, state: 'approved', validUntil: '2026-12-31', createdAt: 'x' });
    expect(conforms('CustomerQuoteSummary', summary)).toEqual([]);
    expect(summary).not.toHaveProperty('ownerId');
  });
});
