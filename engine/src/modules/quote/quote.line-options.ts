import type { ReleaseView } from '@cpq/metadata';
import canonicalize from 'canonicalize';
import type { PricingChildInput } from '../pricing';
import type { LineOption } from './quote.repository';

const canonical = canonicalize as unknown as (v: unknown) => string;

/**
 * A bundle line's options as the pricing core takes them: each configured option (the
 * configuration's normalized children, explicit zeros included) with its normalized values.
 * Lines without options (or configured before options were kept) price as before.
 */
export function pricedOptions(children: readonly LineOption[] | null | undefined): { children?: PricingChildInput[] } {
  return children?.length ? { children: children.map((c) => ({ offering: c.offering, quantity: c.quantity, characteristics: c.selections ?? {} })) } : {};
}

/**
 * A line's options in their canonical form (ADR 0022, fourth addendum): the options bought
 * (quantity > 0; an explicit zero buys nothing, as an option left out at default 0), each with
 * its offering, quantity and normalized selections, by offering, as canonical JSON. Two
 * configurations with the same form buy the same options.
 */
export function canonicalOptions(options: readonly LineOption[]): string {
  return canonical(options.filter((o) => o.quantity > 0)
    .map((o) => ({ offering: o.offering, quantity: o.quantity, selections: o.selections ?? {} }))
    .sort((a, b) => (a.offering < b.offering ? -1 : a.offering > b.offering ? 1 : 0)));
}

/** Whether two lines' options buy the same (canonical form). */
export function sameOptions(a: readonly LineOption[], b: readonly LineOption[]): boolean {
  return canonicalOptions(a) === canonicalOptions(b);
}

/**
 * The options a change or renewal quote's line of an installed asset is configured with: the
 * asset's (as its order line kept them, explicit zeros included), and an explicit zero for
 * every option of the offering's bundle in the quote's release that the asset does not list
 * and that would otherwise come at a default quantity above 0 (a release that added a default
 * option since adds nothing to an installed asset by itself). Undefined when the asset's options
 * are not known (installed before they were kept): the line takes the bundle's defaults, as before.
 */
export function installedOptionsInput(view: ReleaseView, offering: string, options: readonly LineOption[] | null | undefined): LineOption[] | undefined {
  if (!options) return undefined;
  const bundle = [...view.list('bundle')].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).find((b) => b.content.offering === offering);
  const listed = new Set(options.map((o) => o.offering));
  const zeros = (bundle?.content.options ?? []).filter((o) => !listed.has(o.offering) && o.defaultQuantity > 0)
    .map((o) => ({ offering: o.offering, quantity: 0, selections: {} }));
  return [...options.map((o) => ({ offering: o.offering, quantity: o.quantity, selections: o.selections ?? {} })), ...zeros];
}

