import type { ChangeSection } from '@/lib/quote-api';

/**
 * A change or renewal quote's totals split by the part of the commitment (ADR 0022, fifth addendum):
 * what it does to the assets' running terms (prorated changes, a disconnect's credit and its fees)
 * and what it commits for new terms (renewed lines, new lines). The rows add up to the totals above.
 * Nothing for a result priced before the engine split it.
 */
export function TermSplitTable({ change, currency }: { change: ChangeSection; currency: string }) {
  const split = change.termTotals;
  if (!split) return null;
  const rows = [
    ['current', 'Current terms of the assets', 'prorated changes, credits of what stops early, disconnect fees', split.currentTerm],
    ['new', change.basis === 'renewal' ? 'New terms' : 'New lines', change.basis === 'renewal' ? 'renewed lines and new lines, for their new term' : "new lines, for the quote's term", split.newTerm],
  ] as const;
  return (
    <table aria-label="Current and new terms" className="totals">
      <thead><tr><th>Of which</th><th className="num">One-time ({currency})</th><th className="num">Monthly</th><th className="num">Annual</th><th className="num">Over the term</th></tr></thead>
      <tbody>
        {rows.map(([key, label, what, totals]) => (
          <tr key={key} data-testid={`term-split-${key}`}>
            <td>{label} <span className="muted">({what})</span></td>
            <td className="num">{totals.oneTime}</td><td className="num">{totals.monthly}</td><td className="num">{totals.annual}</td>
            <td className="num">{totals.termTotal}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
