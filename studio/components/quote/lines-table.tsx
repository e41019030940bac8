import Link from 'next/link';
import type { ReactNode } from 'react';
import type { QuoteLine } from '@/lib/quote-api';

type Discount = { percent?: string; amount?: string; reason?: string };
const discountText = (d: QuoteLine['manualDiscount']) => {
  const m = (d ?? null) as Discount | null;
  if (!m) return '';
  return m.percent !== undefined ? `${m.percent} %` : m.amount !== undefined ? `${m.amount} per unit` : '';
};

/** What the order will do with a line (O2), in words. */
const ACTION: Record<string, string> = { add: 'add (new)', modify: 'modify the asset', disconnect: 'disconnect the asset', 'no-change': 'no change' };

/**
 * The revision's lines with their configuration state; editable revisions link each to its
 * configurator. A change or renewal quote's lines say what the order will do with each asset,
 * and `disconnect` renders the control that disconnects an asset's line.
 */
export function LinesTable({ quoteId, lines, names, editable, withActions, disconnect }: {
  quoteId: string; lines: QuoteLine[]; names: Record<string, string>; editable: boolean;
  /** Show each line's action (quotes against the installed base). */
  withActions?: boolean;
  /** The control that disconnects an asset line; `done` once it does (kept in place, so a refusal it showed stays on screen). */
  disconnect?: (lineId: string, done: boolean) => ReactNode;
}) {
  if (lines.length === 0) return <div className="panel" data-testid="no-lines"><p className="muted">No lines yet.</p></div>;
  return (
    <table aria-label="Lines">
      <thead><tr><th>#</th><th>Offering</th>{withActions ? <th>Action</th> : null}<th>Quantity</th><th>Configuration</th><th>Manual discount</th><th>Selections</th></tr></thead>
      <tbody>
        {lines.map((l) => (
          <tr key={l.lineId} data-testid={`line-${l.lineId}`}>
            <td>{l.position}</td>
            <td>{editable && l.action !== 'disconnect' ? <Link href={`/quotes/${quoteId}/lines/${l.lineId}`}>{names[l.offering] ?? l.offering}</Link> : names[l.offering] ?? l.offering}</td>
            {withActions ? (
              <td data-testid={`action-${l.lineId}`}>
                {ACTION[l.action ?? 'add'] ?? l.action}
                {l.assetId ? <span className="muted"> (asset <code>{l.assetId.slice(0, 8)}</code>)</span> : null}
                {disconnect && l.assetId ? disconnect(l.lineId, l.action === 'disconnect') : null}
              </td>
            ) : null}
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
