import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * The material facts of one quote revision: everything the customer accepts when they accept
 * the document. The quote module builds them from the revision (lines, configuration results,
 * price result); the document module prints them and hashes them, and accept compares that
 * hash with the revision's current facts (issue 5, items 5 and 6).
 *
 * Money is a decimal string in the quote's currency, exactly as the pricing engine produced it
 * ("49.90", "1200", "0.125"): never a JSON number, never reformatted.
 */
export type QuoteCharge = {
  charge: string;
  name: string;
  chargeType: 'one-time' | 'recurring';
  /** Recurring charges only. */
  period?: 'monthly' | 'annual';
  unitNetPrice: string;
  lineNet: string;
  termTotal: string;
};

export type QuoteLineFacts = {
  lineId: string;
  offering: string;
  offeringName: string;
  /** Integer >= 1. */
  quantity: number;
  /** The configured, normalized characteristic values (the configurator's output). */
  configuration: Record<string, unknown>;
  charges: QuoteCharge[];
};

export type QuoteMaterialFacts = {
  tenantId: string;
  quoteId: string;
  /** Integer >= 1. */
  revision: number;
  customer: { accountId: string; name: string };
  /** ISO 4217 code. */
  currency: string;
  /** Committed term in months, integer >= 1. */
  termMonths: number;
  /** YYYY-MM-DD: the last day the offer may be accepted. */
  validUntil: string;
  releaseId: string;
  releaseNumber: number;
  priceResultHash: string;
  lines: QuoteLineFacts[];
  totals: { oneTime: string; monthly: string; annual: string; termTotal: string };
};

/** RFC 8785 canonical JSON (sorted keys, one number format): key order never changes a hash. */
export function canonicalFacts(facts: QuoteMaterialFacts): string {
  const text = (canonicalize as unknown as (v: unknown) => string | undefined)(facts);
  if (text === undefined) throw new Error('quote facts cannot be serialised canonically');
  return text;
}

export const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** sha256 (hex) over the canonical JSON of the facts: what a document is bound to. */
export const factsHash = (facts: QuoteMaterialFacts): string => sha256Hex(canonicalFacts(facts));

const DECIMAL = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;
const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
const isPositiveInt = (n: unknown): boolean => typeof n === 'number' && Number.isSafeInteger(n) && n >= 1;
const isText = (s: unknown): boolean => typeof s === 'string' && s.length > 0;

/** A real calendar day in YYYY-MM-DD (2026-02-30 is not). */
export function isCalendarDate(value: unknown): value is string {
  const m = typeof value === 'string' ? DATE.exec(value) : null;
  if (!m) return false;
  const date = new Date(`${value as string}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value as string);
}

/**
 * Every way the facts break their contract, as `path: problem` strings (empty when valid).
 * The facts come from the quote module, not from a client, so a non-empty list is a bug there:
 * the document service refuses to print or hash such facts rather than bind a customer to them.
 */
export function quoteFactsIssues(facts: QuoteMaterialFacts): string[] {
  const issues: string[] = [];
  const need = (ok: boolean, path: string, problem: string) => {
    if (!ok) issues.push(`${path}: ${problem}`);
  };
  const money = (value: unknown, path: string) => need(typeof value === 'string' && DECIMAL.test(value), path, 'must be a decimal string');

  need(isText(facts.tenantId), 'tenantId', 'required');
  need(isText(facts.quoteId), 'quoteId', 'required');
  need(isPositiveInt(facts.revision), 'revision', 'must be an integer >= 1');
  need(isText(facts.customer?.accountId), 'customer.accountId', 'required');
  need(typeof facts.customer?.name === 'string', 'customer.name', 'required');
  need(typeof facts.currency === 'string' && /^[A-Z]{3}$/.test(facts.currency), 'currency', 'must be an ISO 4217 code');
  need(isPositiveInt(facts.termMonths), 'termMonths', 'must be an integer >= 1');
  need(isCalendarDate(facts.validUntil), 'validUntil', 'must be a calendar date YYYY-MM-DD');
  need(isText(facts.releaseId), 'releaseId', 'required');
  need(isPositiveInt(facts.releaseNumber), 'releaseNumber', 'must be an integer >= 1');
  need(isText(facts.priceResultHash), 'priceResultHash', 'required');
  need(Array.isArray(facts.lines), 'lines', 'must be an array');
  const lineIds = new Set<string>();
  (Array.isArray(facts.lines) ? facts.lines : []).forEach((line, i) => {
    const at = `lines[${i}]`;
    need(isText(line.lineId) && !lineIds.has(line.lineId), `${at}.lineId`, 'required and unique');
    lineIds.add(line.lineId);
    need(isText(line.offering), `${at}.offering`, 'required');
    need(typeof line.offeringName === 'string', `${at}.offeringName`, 'required');
    need(isPositiveInt(line.quantity), `${at}.quantity`, 'must be an integer >= 1');
    need(typeof line.configuration === 'object' && line.configuration !== null && !Array.isArray(line.configuration), `${at}.configuration`, 'must be an object');
    need(Array.isArray(line.charges), `${at}.charges`, 'must be an array');
    (Array.isArray(line.charges) ? line.charges : []).forEach((c, j) => {
      const cat = `${at}.charges[${j}]`;
      need(isText(c.charge), `${cat}.charge`, 'required');
      need(typeof c.name === 'string', `${cat}.name`, 'required');
      need(c.chargeType === 'one-time' || c.chargeType === 'recurring', `${cat}.chargeType`, "must be 'one-time' or 'recurring'");
      need(
        c.chargeType === 'recurring' ? c.period === 'monthly' || c.period === 'annual' : c.period === undefined,
        `${cat}.period`, "a recurring charge needs 'monthly' or 'annual'; a one-time charge has none",
      );
      money(c.unitNetPrice, `${cat}.unitNetPrice`);
      money(c.lineNet, `${cat}.lineNet`);
      money(c.termTotal, `${cat}.termTotal`);
    });
  });
  for (const key of ['oneTime', 'monthly', 'annual', 'termTotal'] as const) money(facts.totals?.[key], `totals.${key}`);
  try {
    canonicalFacts(facts);
    // PostgreSQL's jsonb cannot hold U+0000 (and NaN/Infinity have no JSON form: caught below).
    if (hasNul(facts)) issues.push('$: must not contain U+0000');
  } catch (error) {
    issues.push(`$: not serialisable as JSON (${(error as Error).message})`);
  }
  return issues;
}

/**
 * Where two sets of facts differ, as JSON paths (`lines[0].charges[1].lineNet`), at most
 * `limit` of them: the detail behind a stale document, for the problem+json and the audit.
 */
export function factsDifferences(expected: unknown, actual: unknown, limit = 20): string[] {
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, path: string) => {
    if (out.length >= limit) return;
    if (Array.isArray(a) && Array.isArray(b)) {
      if (a.length !== b.length) out.push(`${path || '$'}.length`);
      for (let i = 0; i < Math.min(a.length, b.length); i++) walk(a[i], b[i], `${path}[${i}]`);
      return;
    }
    if (isPlainObject(a) && isPlainObject(b)) {
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
      for (const key of keys) {
        if (a[key] === undefined && b[key] === undefined) continue;
        walk(a[key], b[key], path ? `${path}.${key}` : key);
      }
      return;
    }
    if (a !== b) out.push(path || '$');
  };
  walk(expected, actual, '');
  return out;
}

const hasNul = (v: unknown): boolean =>
  typeof v === 'string' ? v.includes('\u0000')
    : Array.isArray(v) ? v.some(hasNul)
      : isPlainObject(v) ? Object.entries(v).some(([k, x]) => k.includes('\u0000') || hasNul(x))
        : false;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
