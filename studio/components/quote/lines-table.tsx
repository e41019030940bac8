import Link from 'next/link';
import type { QuoteLine } from '@/lib/quote-api';

type Discount = { percent?: string; amount?: string; reason?: string };
const discountText = (d: QuoteLine['manualDiscount']) => {
  const m = (d ?? null) as Discount | null;
  if (!m) return '';
  return m.percent !== undefined ? `${m.percent} %` : m.amount !== undefined ? `${m.amount} per unit` : '';
};

/** The revision's lines with their configuration state; editable revisions link each to its configurator. */
export function LinesTable({ quoteId, lines, names, editable }: { quoteId: string; lines: QuoteLine[]; names: Record<string, string>; editable: boolean }) {
  if (lines.length === 0) return <div className="panel" data-testid="no-lines"><p className="muted">No lines yet.</p></div>;
  return (
    <table aria-label="Lines">
      <thead><tr><th>#</th><th>Offering</th><th>Quantity</th><th>Configuration</th><th>Manual discount</th><th>Selections</th></tr></thead>
      <tbody>
        {lines.map((l) => (
          <tr key={l.lineId} data-testid={`line-${l.lineId}`}>
            <td>{l.position}</td>
            <td>{editable ? <Link href={`/quotes/${quoteId}/lines/${l.lineId}`}>{names[l.offering] ?? l.offering}</Link> : names[l.offering] ?? l.offering}</td>
            <td className="num">{l.quantity}</td>
            <td>{l.configurationValid ? <span className="badge state-published">valid</span> : <span className="badge quote-state-rejected">{l.violations.length} violation{l.violations.length === 1 ? '' : 's'}</span>}</td>
            <td>{discountText(l.manualDiscount)}</td>
            <td><code>{Object.entries(l.selections).map(([k, v]) => `${k}=${String(v)}`).join(', ')}</code></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
