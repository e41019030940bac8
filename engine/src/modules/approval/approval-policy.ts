import type { ApprovalPolicyContent } from '@cpq/metadata';
import Decimal from 'decimal.js';

/** What the policy looks at, computed from the revision's price result. */
export type DealMetrics = {
  currency: string;
  /** Overall discount off list over the term, percent, as a decimal string. */
  discountPercent: string;
  /** Term total of the deal, in `currency`. */
  dealValue: string;
  termMonths: number;
  /** Unknown when the price books carry no costs; a margin limit then does not apply. */
  marginPercent?: string;
};

export type LimitBreach = { limit: 'maxDiscountPercent' | 'maxDealValue' | 'minMarginPercent' | 'maxTermMonths'; allowed: string; actual: string };
export type RequiredLevel = { level: number; role: string; name: string; reasons: string[] };
export type ApprovalRequirement = { required: RequiredLevel[]; authorityLevel: number; breaches: Record<number, LimitBreach[]> };

function breachesOf(limits: ApprovalPolicyContent['levels'][number]['limits'], deal: DealMetrics): LimitBreach[] {
  const out: LimitBreach[] = [];
  if (limits.maxDiscountPercent !== undefined && new Decimal(deal.discountPercent).gt(limits.maxDiscountPercent)) {
    out.push({ limit: 'maxDiscountPercent', allowed: `${limits.maxDiscountPercent} %`, actual: `${deal.discountPercent} %` });
  }
  if (limits.maxDealValue) {
    const { amount, currency } = limits.maxDealValue;
    // A limit in another currency cannot be compared without a rate: treat it as exceeded.
    if (currency !== deal.currency || new Decimal(deal.dealValue).gt(amount)) {
      out.push({ limit: 'maxDealValue', allowed: `${amount} ${currency}`, actual: `${deal.dealValue} ${deal.currency}` });
    }
  }
  if (limits.minMarginPercent !== undefined && deal.marginPercent !== undefined && new Decimal(deal.marginPercent).lt(limits.minMarginPercent)) {
    out.push({ limit: 'minMarginPercent', allowed: `>= ${limits.minMarginPercent} %`, actual: `${deal.marginPercent} %` });
  }
  if (limits.maxTermMonths !== undefined && deal.termMonths > limits.maxTermMonths) {
    out.push({ limit: 'maxTermMonths', allowed: `${limits.maxTermMonths} months`, actual: `${deal.termMonths} months` });
  }
  return out;
}

const describe = (b: LimitBreach) => `${b.limit} ${b.actual} exceeds ${b.allowed}`;

/**
 * The levels a deal needs, in sequence: every level above the first (the requester's own
 * authority) up to the lowest level whose limits all cover the deal. Nothing above the first
 * level -> no approval needed. Each required level carries the reasons the level below it could
 * not approve. Pure: the same policy and metrics always give the same answer.
 */
export function evaluateApprovalPolicy(policy: ApprovalPolicyContent, deal: DealMetrics): ApprovalRequirement {
  const levels = [...policy.levels].sort((a, b) => a.level - b.level);
  const breaches: Record<number, LimitBreach[]> = {};
  let authorityIndex = levels.length - 1;
  for (let i = 0; i < levels.length; i++) {
    const found = breachesOf(levels[i]!.limits, deal);
    breaches[levels[i]!.level] = found;
    if (found.length === 0) {
      authorityIndex = i;
      break;
    }
  }
  const required = levels.slice(1, authorityIndex + 1).map((level, i) => ({
    level: level.level,
    role: level.role,
    name: level.name,
    reasons: (breaches[levels[i]!.level] ?? []).map(describe),
  }));
  return { required, authorityLevel: levels[authorityIndex]!.level, breaches };
}

/** Whether a role may decide a level (the approver's authority, snapshotted with the decision). */
export function authorityFor(policy: ApprovalPolicyContent, roles: string[], level: number) {
  const entry = policy.levels.find((l) => l.level === level);
  if (!entry || !roles.includes(entry.role)) return undefined;
  return { level: entry.level, role: entry.role, name: entry.name, limits: entry.limits };
}
