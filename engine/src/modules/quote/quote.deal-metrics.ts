import Decimal from 'decimal.js';
import type { DealMetrics } from '../approval';
import type { PriceResult } from '../pricing';

const STANDARD_PHASES = new Set(['list', 'customer', 'volume-term']);

/**
 * What an approver authorises: the deviation from the standard price. Promotions, customer
 * terms and volume/term discounts come from the published (reviewed) pricing rules and need
 * no approval; the discount measured is the one off the price those rules give (the price
 * entering the manual phase) to the net price, over the term. Deal value = net term total.
 */
export function dealMetricsOf(result: PriceResult, termMonths: number): DealMetrics {
  let standard = new Decimal(0);
  for (const line of result.lines) {
    for (const charge of line.charges) {
      const factor = charge.chargeType === 'one-time' ? 1 : charge.period === 'annual' ? termMonths / 12 : termMonths;
      const standardSteps = charge.trace.filter((step) => STANDARD_PHASES.has(step.phase));
      const unit = standardSteps.length ? standardSteps[standardSteps.length - 1]!.amountOut : charge.unitListPrice;
      standard = standard.plus(new Decimal(unit).times(charge.quantity).times(factor));
    }
  }
  // The net of the same charges (for new business the totals' term total; a change or renewal,
  // ADR 0022, measures the discount on the lines it prices, and the deal is worth its delta).
  let net = new Decimal(0);
  for (const line of result.lines) for (const charge of line.charges) net = net.plus(charge.termTotal);
  const discount = standard.isZero() ? new Decimal(0) : new Decimal(1).minus(net.div(standard)).times(100);
  return { currency: result.currency, discountPercent: Decimal.max(discount, 0).toDecimalPlaces(2).toString(), dealValue: new Decimal(result.totals.termTotal).toFixed(2), termMonths };
}
