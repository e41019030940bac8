/** A bundle's options as the engine keeps them on an order line or an installed asset (ADR 0022, fourth addendum). */
export type ConfiguredOption = { offering: string; quantity: number; selections: Record<string, unknown> };

const words = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/-/g, ' ').toLowerCase();

/**
 * The options bought, in words: "Business Internet x 2 (bandwidth: 500), Security add-on x 1".
 * Options at 0 (a default the customer left out) are not bought and not shown; none bought: ''.
 * Absent options (`undefined`: not known, or a line without options) show nothing either.
 */
export function optionsInWords(options: readonly ConfiguredOption[] | undefined, names: Record<string, string>): string {
  return (options ?? []).filter((o) => o.quantity > 0).map((o) => {
    const values = Object.entries(o.selections).map(([k, v]) => `${words(k)}: ${String(v)}`).join(', ');
    return `${names[o.offering] ?? o.offering} x ${o.quantity}${values ? ` (${values})` : ''}`;
  }).join(', ');
}
