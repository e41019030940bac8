/** Dates rendered the same on the server and in the browser (no locale, no hydration mismatch). */
/**
 * An event of a quote's or an order's timeline in words ("quote.QuoteSubmittedForApproval" ->
 * "Submitted for approval", "order.FalloutCaseOpened" -> "Fallout case opened"): the page already
 * says whose timeline it is.
 */
export function eventWords(action: string): string {
  const words = action.replace(/^[a-z]+\./, '').replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().replace(/^(quote|order) (?=\w)/, '');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const when = (iso: string | null | undefined) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : '');
