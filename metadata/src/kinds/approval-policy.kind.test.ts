import { describe } from 'vitest';
import type { ApprovalPolicyContent } from './approval-policy.kind';
import { kindCases, raw, ref, type InvalidCase } from './test-support';

const limits = (c: ApprovalPolicyContent, i: number) => c.levels[i]!.limits;

const cases: InvalidCase<ApprovalPolicyContent>[] = [
  { name: 'no four-eyes flag', change: (c) => delete raw(c).fourEyes, code: 'schema.required', pointer: '' },
  { name: 'an SLA that is not an ISO 8601 duration', change: (c) => (c.escalationSla = '2 days'), code: 'schema.format', pointer: '/escalationSla' },
  { name: 'no level', change: (c) => (c.levels = []), code: 'schema.minItems', pointer: '/levels' },
  { name: 'a role that is not a key', change: (c) => (c.levels[1]!.role = 'Sales Manager'), code: 'schema.pattern', pointer: '/levels/1/role' },
  { name: 'a discount limit as a JSON number', change: (c) => (raw(limits(c, 0)).maxDiscountPercent = 10), code: 'schema.type', pointer: '/levels/0/limits/maxDiscountPercent' },
  { name: 'a DMN model that does not resolve', change: (c) => (c.decisionModel = 'approval-matrix'), code: 'reference.unresolved', pointer: '/decisionModel' },
  { name: 'levels out of order', change: (c) => (c.levels[1]!.level = 1), code: 'levels.order', pointer: '/levels/1/level' },
  { name: 'a role at two levels', change: (c) => (c.levels[1]!.role = 'rep'), code: 'duplicate', pointer: '/levels/1/role' },
  { name: 'a discount limit narrowing upwards', change: (c) => (limits(c, 1).maxDiscountPercent = '5'), code: 'limits.monotonic', pointer: '/levels/1/limits/maxDiscountPercent' },
  { name: 'a deal value limit narrowing upwards', change: (c) => (limits(c, 1).maxDealValue!.amount = '100000.00'), code: 'limits.monotonic', pointer: '/levels/1/limits/maxDealValue' },
  { name: 'a margin floor rising upwards', change: (c) => (limits(c, 1).minMarginPercent = '40'), code: 'limits.monotonic', pointer: '/levels/1/limits/minMarginPercent' },
  { name: 'a term limit narrowing upwards', change: (c) => (limits(c, 1).maxTermMonths = 24), code: 'limits.monotonic', pointer: '/levels/1/limits/maxTermMonths' },
  { name: 'a limit above an unlimited level', change: (c) => delete limits(c, 0).maxTermMonths, code: 'limits.monotonic', pointer: '/levels/1/limits/maxTermMonths' },
  { name: 'deal value limits in two currencies', change: (c) => (limits(c, 1).maxDealValue!.currency = 'USD'), code: 'currency.mismatch', pointer: '/levels/1/limits/maxDealValue/currency' },
  { name: 'a deal value with too many decimals', change: (c) => (limits(c, 0).maxDealValue!.amount = '250000.001'), code: 'currency.decimals', pointer: '/levels/0/limits/maxDealValue/amount' },
  { name: 'a discount limit above 100 %', change: (c) => (limits(c, 1).maxDiscountPercent = '125'), code: 'percent.range', pointer: '/levels/1/limits/maxDiscountPercent' },
];

describe('approval-policy', () => kindCases(ref('approval-policy', 'standard-approval'), cases));
