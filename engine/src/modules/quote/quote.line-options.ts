import type { PricingChildInput } from '../pricing';
import type { LineOption } from './quote.repository';

/**
 * A bundle line's options as the pricing core takes them: each configured option (the
 * configuration's normalized children, explicit zeros included) with its normalized values.
 * Lines without options (or configured before options were kept) price as before.
 */
export function pricedOptions(children: readonly LineOption[] | null | undefined): { children?: PricingChildInput[] } {
  return children?.length ? { children: children.map((c) => ({ offering: c.offering, quantity: c.quantity, characteristics: c.selections ?? {} })) } : {};
}
