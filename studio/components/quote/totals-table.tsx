import type { PriceTotals } from '@/lib/quote-api';

const KINDS = [['one-time', 'One-time', 'once'], ['monthly', 'Monthly', 'per month'], ['annual', 'Annual', 'per year']] as const;

/** The price's totals per charge type, per period and over the term. */
export function TotalsTable({ totals, currency, termMonths }: { totals: PriceTotals; currency: string; termMonths: number | null }) {
  const byType = totals.byChargeType ?? {
    'one-time': { net: totals.oneTime, termTotal: totals.oneTime },
    monthly: { net: totals.monthly, termTotal: '' },
    annual: { net: totals.annual, termTotal: '' },
  };
  return (
    <table aria-label="Totals" className="totals">
      <thead><tr><th>Charge type</th><th className="num">Net ({currency})</th><th className="num">Over the term{termMonths ? ` (${termMonths} months)` : ''}</th></tr></thead>
      <tbody>
        {KINDS.map(([key, label, period]) => (
          <tr key={key} data-testid={`total-${key}`}>
            <td>{label}</td>
            <td className="num">{byType[key].net} <span className="muted">{period}</span></td>
            <td className="num">{byType[key].termTotal}</td>
          </tr>
        ))}
        <tr data-testid="total-term"><th scope="row">Total over the term</th><td /><td className="num"><strong>{totals.termTotal}</strong></td></tr>
      </tbody>
    </table>
  );
}
