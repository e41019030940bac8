import type { ReleaseView } from '@cpq/metadata';
import { DomainError } from '../../http/errors';

/**
 * The offering's most units per quote line (`product-offering.maxQuantity`, ADR 0022 addendum):
 * a quantity above it is `422 configuration-input`, rule `quantity.max`, naming `field` (where the
 * caller's request holds the quantity: `body/quantity` for add-line and configure-line,
 * `body/context/quantity` for the preview). One check for both, so the studio's preview refuses
 * what saving the line would. It bounds quote lines only: a bundle's options keep the bundle's
 * own cardinalities, and configure() itself never applies it (an installed asset above a lowered
 * maximum is still configured).
 */
export function refuseAboveMaxQuantity(view: ReleaseView, offering: string, quantity: number, field: string): void {
  const max = view.get('product-offering', offering)?.content.maxQuantity;
  if (max !== undefined && quantity > max) {
    throw new DomainError('configuration-input', `${offering} takes at most ${max} per line, not ${quantity}`, [
      { field, rule: 'quantity.max', message: `must be at most ${max} (the offering's maxQuantity)` },
    ]);
  }
}
