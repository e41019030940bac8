import type { KindDefinition, MetadataItem, Reference, ValidationIssue } from '../types';
import { checkAmountDecimals, checkPercent, compareDecimal, issuesFor, pointer, reportDuplicates, type Issues } from './checks';
import { array, currency, decimal, key, kindSchema, name, object, signedDecimal } from './schema-parts';

/**
 * The authority matrix. Levels are ordered (ascending `level`), each held by a role with limits;
 * a quote needs the lowest level whose every limit covers it (an absent limit is unlimited), so
 * limits only widen going up: discount, deal value and term grow, the margin floor falls. The
 * first level is usually the rep's own authority (no approval needed).
 *
 * `fourEyes`: the approver is never the quote's author. `escalationSla` (ISO 8601 duration):
 * an approval task still open after it escalates to the next level. `decisionModel` optionally
 * names a DMN model whose decision computes the level instead of the limits (the limits still
 * document the matrix and drive the studio).
 */
export type Money = { amount: string; currency: string };

export type ApprovalLimits = {
  maxDiscountPercent?: string;
  maxDealValue?: Money;
  /** May be negative: a level that may approve below cost. */
  minMarginPercent?: string;
  maxTermMonths?: number;
};

export type ApprovalLevel = {
  level: number;
  /** A role of the platform's users, e.g. "rep", "sales-manager", "finance". */
  role: string;
  name: string;
  limits: ApprovalLimits;
};

export type ApprovalPolicyContent = {
  name: string;
  levels: ApprovalLevel[];
  fourEyes: boolean;
  escalationSla: string;
  /** Key of a dmn-model. */
  decisionModel?: string;
  /** How long a quote stays valid from its creation (days); a rep may shorten it, never extend it. Default 30. */
  quoteValidityDays?: number;
};

const schema = kindSchema(
  'approval-policy',
  'Approval policy',
  object<ApprovalPolicyContent>(
    {
      name,
      levels: array(
        object<ApprovalLevel>(
          {
            level: { type: 'integer', minimum: 1, maximum: 20 },
            role: key,
            name,
            limits: object<ApprovalLimits>(
              {
                maxDiscountPercent: decimal,
                maxDealValue: object<Money>({ amount: decimal, currency }, ['amount', 'currency']),
                minMarginPercent: signedDecimal,
                maxTermMonths: { type: 'integer', minimum: 1, maximum: 240 },
              },
              [],
            ),
          },
          ['level', 'role', 'name', 'limits'],
        ),
        { min: 1, max: 20 },
      ),
      fourEyes: { type: 'boolean' },
      escalationSla: { type: 'string', maxLength: 40, format: 'duration' },
      quoteValidityDays: { type: 'integer', minimum: 1, maximum: 365 },
      decisionModel: key,
    },
    ['name', 'levels', 'fourEyes', 'escalationSla'],
  ),
);

type Limit = {
  field: keyof ApprovalLimits;
  /** > 0 if `a` is a wider authority than `b`, 0 if the same, < 0 if narrower. */
  wider(a: ApprovalLimits, b: ApprovalLimits): number;
};

const LIMITS: Limit[] = [
  { field: 'maxDiscountPercent', wider: (a, b) => compareDecimal(a.maxDiscountPercent ?? '0', b.maxDiscountPercent ?? '0') },
  { field: 'maxDealValue', wider: (a, b) => compareDecimal(a.maxDealValue?.amount ?? '0', b.maxDealValue?.amount ?? '0') },
  { field: 'minMarginPercent', wider: (a, b) => compareDecimal(b.minMarginPercent ?? '0', a.minMarginPercent ?? '0') },
  { field: 'maxTermMonths', wider: (a, b) => (a.maxTermMonths ?? 0) - (b.maxTermMonths ?? 0) },
];

function checkMonotonic(issues: Issues, levels: ApprovalLevel[]): void {
  levels.forEach((level, i) => {
    const below = levels[i - 1];
    if (!below) return;
    for (const { field, wider } of LIMITS) {
      const mine = level.limits[field];
      const theirs = below.limits[field];
      if (mine === undefined) continue;
      if (theirs === undefined) {
        issues.add(pointer('levels', i, 'limits', field), 'limits.monotonic', `level ${level.level} limits ${field} although level ${below.level} below it does not`);
      } else if (field === 'maxDealValue' && level.limits.maxDealValue?.currency !== below.limits.maxDealValue?.currency) {
        issues.add(pointer('levels', i, 'limits', field, 'currency'), 'currency.mismatch', `deal value limits of one policy share one currency`);
      } else if (wider(level.limits, below.limits) < 0) {
        issues.add(pointer('levels', i, 'limits', field), 'limits.monotonic', `level ${level.level} has a narrower ${field} than level ${below.level} below it`);
      }
    }
  });
}

function validate(item: MetadataItem<ApprovalPolicyContent>): ValidationIssue[] {
  const issues = issuesFor(item);
  const { levels } = item.content;
  reportDuplicates(issues, levels, (l) => l.role, (i) => pointer('levels', i, 'role'), 'role');
  levels.forEach((level, i) => {
    const previous = levels[i - 1];
    if (previous && level.level <= previous.level) {
      issues.add(pointer('levels', i, 'level'), 'levels.order', `level ${level.level} follows level ${previous.level}: levels ascend`);
    }
    const { maxDiscountPercent, minMarginPercent, maxDealValue } = level.limits;
    if (maxDiscountPercent !== undefined) checkPercent(issues, maxDiscountPercent, pointer('levels', i, 'limits', 'maxDiscountPercent'));
    if (minMarginPercent !== undefined) checkPercent(issues, minMarginPercent, pointer('levels', i, 'limits', 'minMarginPercent'));
    if (maxDealValue) checkAmountDecimals(issues, maxDealValue.amount, maxDealValue.currency, pointer('levels', i, 'limits', 'maxDealValue', 'amount'));
  });
  checkMonotonic(issues, levels);
  return issues.list;
}

export const approvalPolicyKind: KindDefinition<ApprovalPolicyContent> = {
  kind: 'approval-policy',
  title: 'Approval policy',
  schema,
  maxBytes: 64 * 1024,
  references: (content): Reference[] =>
    content.decisionModel === undefined ? [] : [{ pointer: '/decisionModel', target: { kind: 'dmn-model', key: content.decisionModel } }],
  expressions: () => [],
  validate,
};
