import { standardApproval } from '@cpq/metadata/samples';
import { describe, expect, it } from 'vitest';
import { authorityFor, evaluateApprovalPolicy, type DealMetrics } from './approval-policy';

const deal = (overrides: Partial<DealMetrics> = {}): DealMetrics => ({ currency: 'EUR', discountPercent: '0', dealValue: '10000.00', termMonths: 24, ...overrides });

describe('approval policy (sample: rep 10 %, sales manager 25 %, finance above; deals over 250,000 need finance)', () => {
  it.each([
    ['no discount', deal(), []],
    ['exactly the rep limit (10 %)', deal({ discountPercent: '10' }), []],
    ['18 % discount', deal({ discountPercent: '18' }), ['sales-manager']],
    ['25 % discount (the manager limit)', deal({ discountPercent: '25' }), ['sales-manager']],
    ['30 % discount', deal({ discountPercent: '30' }), ['sales-manager', 'finance']],
    ['a 300,000 deal without discount', deal({ dealValue: '300000.00' }), ['sales-manager', 'finance']],
    ['a 48-month term', deal({ termMonths: 48 }), ['sales-manager']],
    ['a deal in USD against EUR limits', deal({ currency: 'USD' }), ['sales-manager', 'finance']],
  ])('%s needs %j', (_label, metrics, roles) => {
    expect(evaluateApprovalPolicy(standardApproval, metrics).required.map((l) => l.role)).toEqual(roles);
  });

  it('says why: each required level names the limit the level below could not approve', () => {
    const result = evaluateApprovalPolicy(standardApproval, deal({ discountPercent: '18' }));
    expect(result.required).toEqual([{ level: 2, role: 'sales-manager', name: 'Sales manager', reasons: ['maxDiscountPercent 18 % exceeds 10 %'] }]);
  });

  it('a margin limit applies only when the margin is known', () => {
    expect(evaluateApprovalPolicy(standardApproval, deal({ marginPercent: '20' })).required.map((l) => l.role)).toEqual(['sales-manager']);
    expect(evaluateApprovalPolicy(standardApproval, deal()).required).toEqual([]);
  });

  it('authority: only the level\'s role decides it', () => {
    expect(authorityFor(standardApproval, ['sales-manager'], 2)).toMatchObject({ level: 2, role: 'sales-manager' });
    expect(authorityFor(standardApproval, ['rep'], 2)).toBeUndefined();
    expect(authorityFor(standardApproval, ['finance'], 9)).toBeUndefined();
  });
});
