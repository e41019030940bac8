import { describe, expect, it } from 'vitest';
import { render } from 'vitest-browser-react';
import type { PricedCharge, TraceStep } from '@/lib/quote-api';
import { WaterfallChart, waterfallBars } from './waterfall-chart';

// A monthly fee as the engine's pricing trace records it: list, a customer rule, a term
// schedule, a floor that did not bite, the rep's manual discount and the rounding.
const step = (n: number, phase: string, source: TraceStep['source'], op: string, value: string, amountIn: string, amountOut: string, reason: string): TraceStep => ({
  step: n, phase, source, operation: { type: op, value }, amountIn, amountOut, adjustment: (Number(amountOut) - Number(amountIn)).toFixed(4), reason,
});
const charge: PricedCharge = {
  charge: 'monthly-fee', quantity: 1, chargeType: 'recurring', period: 'monthly', unitListPrice: '49.00', unitNetPrice: '37.59', lineNet: '37.59', termTotal: '902.16', floorReached: false,
  trace: [
    step(1, 'list', { kind: 'price-book', key: 'eur-list', version: 'h' }, 'list', '49.00', '0', '49.00', 'list price'),
    step(2, 'customer', { kind: 'pricing-rule-set', key: 'standard-pricing', ruleId: 'enterprise-discount', version: 'h' }, 'percent-discount', '5', '49.00', '46.55', '5% for enterprise'),
    step(3, 'volume-term', { kind: 'discount-schedule', key: 'term-discounts', version: 'h' }, 'percent-discount', '5', '46.55', '44.2225', 'term 24-35 months'),
    step(4, 'manual', { kind: 'manual', key: 'L1', version: 'input', actor: 'rita', reason: 'competitor', authority: 'rep' }, 'percent-discount', '15', '44.2225', '37.5891', 'manual'),
    step(5, 'floor', { kind: 'pricing-rule-set', key: 'standard-pricing', ruleId: 'internet-floor', version: 'h' }, 'floor', '25.00', '37.5891', '37.5891', 'not reached'),
    step(6, 'rounding', { kind: 'rounding', key: 'EUR', version: 'half-up/2' }, 'round', '2', '37.5891', '37.59', 'rounded'),
  ],
};

describe('the price waterfall of a charge', () => {
  it('goes from list to net through every step that moved the price, each named by its rule, schedule or person', () => {
    const bars = waterfallBars(charge);
    expect(bars.map((b) => [b.label, b.kind])).toEqual([
      ['List price', 'total'],
      ['enterprise-discount: percent-discount 5', 'down'],
      ['term-discounts: percent-discount 5', 'down'],
      ['manual (rita): percent-discount 15', 'down'],
      ['rounding: round 2', 'up'],
      ['Net price', 'total'],
    ]);
    expect(bars[3]!.source).toBe('manual discount by rita (rep): competitor');
  });

  it('draws it as an image that says what it shows, with every step (the floor that did not bite too) in a table', async () => {
    const screen = await render(<WaterfallChart charge={charge} name="Monthly fee" currency="EUR" />);
    await expect.element(screen.getByRole('img')).toHaveAttribute('aria-label', 'Monthly fee: list 49.00 to net 37.59 EUR per unit, 4 steps');
    await screen.getByText('Steps of Monthly fee').click();
    const rows = screen.getByRole('table', { name: 'Price steps of Monthly fee' }).getByRole('row').all();
    expect(rows).toHaveLength(7);
    expect(rows[5]!.element().textContent).toContain('rule internet-floor (standard-pricing)');
  });
});
