import type { InstalledAsset } from '@/lib/account-api';
import { optionsInWords } from './configured-options';

const words = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/-/g, ' ').toLowerCase();

/** What the asset costs per month and per year as accepted (its recurring charges' line nets). */
function recurring(asset: InstalledAsset): string {
  const sum = (period: string) => asset.charges.filter((c) => c.chargeType === 'recurring' && (c.period ?? 'monthly') === period)
    .reduce((total, c) => total + Number(c.lineNet), 0);
  const monthly = sum('monthly');
  const annual = sum('annual');
  const parts = [monthly ? `${monthly.toFixed(2)} ${asset.currency} per month` : '', annual ? `${annual.toFixed(2)} ${asset.currency} per year` : ''].filter(Boolean);
  return parts.length ? parts.join(', ') : 'none';
}

/**
 * An account's installed base as the engine keeps it: what its fulfilled orders installed, with
 * the selections, a bundle's options and the recurring charges accepted, the term, and the order that last changed it.
 */
export function InstalledBaseTable({ assets, names, select }: {
  assets: InstalledAsset[];
  names: Record<string, string>;
  /** Active assets get a checkbox (a rep quoting a change or a renewal). */
  select?: { chosen: ReadonlySet<string>; toggle(assetId: string): void };
}) {
  if (assets.length === 0) {
    return <p className="muted" data-testid="no-assets">Nothing installed yet: an accepted quote becomes an order, and its fulfilled lines become the account&apos;s assets.</p>;
  }
  return (
    <table aria-label="Installed base">
      <thead><tr>{select ? <th><span className="visually-hidden">Choose</span></th> : null}<th>Asset</th><th className="num">Quantity</th><th>Configuration</th><th>Recurring</th><th>Term</th><th>State</th><th>Last order</th></tr></thead>
      <tbody>
        {assets.map((a) => (
          <tr key={a.assetId} data-testid={`asset-${a.assetId}`}>
            {select ? (
              <td>{a.state === 'active' ? <input type="checkbox" aria-label={`Choose ${names[a.offering] ?? a.offering} ${a.assetId.slice(0, 8)}`} checked={select.chosen.has(a.assetId)} onChange={() => select.toggle(a.assetId)} /> : null}</td>
            ) : null}
            <td>{names[a.offering] ?? a.offering}<br /><span className="muted"><code>{a.assetId.slice(0, 8)}</code>, version {a.version ?? 1}</span></td>
            <td className="num">{a.quantity}</td>
            <td>
              {Object.entries(a.selections).map(([k, v]) => `${words(k)}: ${String(v)}`).join(', ') || '—'}
              {optionsInWords(a.options, names) ? <><br /><span data-testid="asset-options">options: {optionsInWords(a.options, names)}</span></> : null}
            </td>
            <td>{recurring(a)}</td>
            <td>{a.termStart ? `${String(a.termStart).slice(0, 10)} to ${String(a.termEnd ?? '').slice(0, 10)}` : 'no committed term'}{a.termMonths ? ` (${a.termMonths} months)` : ''}</td>
            <td><span className={`badge state-${a.state}`}>{a.state}</span></td>
            <td><a href={`/orders/${encodeURIComponent(a.lastOrderId)}`}>{a.lastOrderId.slice(0, 8)}</a></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
