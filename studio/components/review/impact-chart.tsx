import type { Impact, QuoteImpact } from '@/lib/api';

/** A signed amount as the engine gave it (`11.3` -> "+11.30"), never through floating point for the text. */
export function signed(delta: string): string {
  const negative = delta.startsWith('-');
  const [whole = '0', fraction = ''] = delta.replace(/^[-+]/, '').split('.');
  const text = `${whole}.${fraction.padEnd(2, '0')}`;
  return Number(delta) === 0 ? '0.00' : `${negative ? '−' : '+'}${text}`;
}

/** The change as a share of the quote's total before, one decimal (undefined when there was no total). */
export function percent(q: Pick<QuoteImpact, 'delta' | 'termTotalBefore'>): string | undefined {
  const before = Number(q.termTotalBefore);
  if (q.delta === null || !before) return undefined;
  const p = (Number(q.delta) / before) * 100;
  return `${p > 0 ? '+' : p < 0 ? '−' : ''}${Math.abs(p).toFixed(1)} %`;
}

export const shortId = (id: string) => id.slice(0, 8);
const MAX_BARS = 20;

/**
 * The quotes whose price changes, one bar each (up or down from zero), largest first, in one
 * currency. An SVG of our own (no chart library to keep current): a title and a description that
 * lists every bar, so it reads as well as it looks; the table below holds the same numbers.
 */
export function PriceDeltaChart({ quotes, currency, id }: { quotes: QuoteImpact[]; currency: string; id: string }) {
  const moved = quotes.filter((q) => q.delta !== null && Number(q.delta) !== 0)
    .sort((a, b) => Math.abs(Number(b.delta)) - Math.abs(Number(a.delta)));
  const bars = moved.slice(0, MAX_BARS);
  if (bars.length === 0) return null;
  const values = bars.map((q) => Number(q.delta));
  const [min, max] = [Math.min(0, ...values), Math.max(0, ...values)];
  const [labelWidth, plot, valueRoom, row] = [150, 330, 130, 26];
  const scale = (v: number) => ((v - min) / (max - min || 1)) * plot;
  const zero = labelWidth + scale(0);
  const height = bars.length * row + 28;
  const lines = bars.map((q) => `Quote ${shortId(q.quoteId)} revision ${q.revision}: ${signed(q.delta!)} ${currency}${percent(q) ? ` (${percent(q)})` : ''}`);
  return (
    <figure className="impact-chart" data-testid={`price-delta-chart-${currency}`}>
      <figcaption id={`${id}-caption`}>Price change per quote ({currency})</figcaption>
      <svg width={labelWidth + plot + valueRoom} height={height} viewBox={`0 0 ${labelWidth + plot + valueRoom} ${height}`} role="img" aria-labelledby={`${id}-title ${id}-desc`}>
        <title id={`${id}-title`}>{`Price change per quote in ${currency}: ${bars.length} quote(s)`}</title>
        <desc id={`${id}-desc`}>{lines.join('; ')}</desc>
        <line x1={zero} x2={zero} y1={4} y2={height - 20} stroke="#5b6478" />
        {bars.map((q, i) => {
          const v = Number(q.delta);
          const [x, w] = v >= 0 ? [zero, scale(v) - scale(0)] : [labelWidth + scale(v), scale(0) - scale(v)];
          const y = 6 + i * row;
          return (
            <g key={`${q.quoteId}/${q.revision}`} data-quote={q.quoteId}>
              <title>{lines[i]}</title>
              <text x={labelWidth - 8} y={y + 14} textAnchor="end">{`${shortId(q.quoteId)} r${q.revision}`}</text>
              <rect x={x} y={y} width={Math.max(w, 2)} height={row - 8} fill={v >= 0 ? '#b3261e' : '#1b7a3d'} rx={2} />
              {/* The amount right of the bar's end, or right of zero for a decrease: never over the labels. */}
              <text x={(v >= 0 ? x + Math.max(w, 2) : zero) + 6} y={y + 14}>{`${signed(q.delta!)}${percent(q) ? ` (${percent(q)})` : ''}`}</text>
            </g>
          );
        })}
        <text x={zero} y={height - 4} textAnchor="middle">0</text>
      </svg>
      {moved.length > bars.length ? <p className="muted">The {bars.length} largest of {moved.length} changes; every quote is in the table.</p> : null}
    </figure>
  );
}

const SUMMARY = [
  ['priceChanges', 'Price changes'],
  ['newlyRequiredApprovals', 'Approvals newly required'],
  ['invalidConfigurations', 'Configurations invalidated'],
  ['notPriceable', 'Cannot be priced'],
] as const;

/** How many of the replayed quotes each kind of impact touches, as bars out of all replayed. */
export function ImpactSummaryChart({ impact, id }: { impact: Impact; id: string }) {
  const total = impact.quotesReplayed;
  const [labelWidth, plot, row] = [190, 190, 26];
  const height = SUMMARY.length * row + 8;
  const lines = SUMMARY.map(([key, label]) => `${label}: ${impact.summary[key] ?? 0} of ${total}`);
  return (
    <figure className="impact-chart" data-testid="impact-summary-chart">
      <figcaption>Quotes affected, of {total} replayed</figcaption>
      <svg width={labelWidth + plot + 50} height={height} viewBox={`0 0 ${labelWidth + plot + 50} ${height}`} role="img" aria-labelledby={`${id}-title ${id}-desc`}>
        <title id={`${id}-title`}>{`Impact on ${total} recent quotes`}</title>
        <desc id={`${id}-desc`}>{lines.join('; ')}</desc>
        {SUMMARY.map(([key, label], i) => {
          const n = impact.summary[key] ?? 0;
          const y = 4 + i * row;
          return (
            <g key={key}>
              <title>{lines[i]}</title>
              <text x={labelWidth - 8} y={y + 14} textAnchor="end">{label}</text>
              <rect x={labelWidth} y={y} width={plot} height={row - 8} fill="#e6ebf3" rx={2} />
              <rect x={labelWidth} y={y} width={total ? (n / total) * plot : 0} height={row - 8} fill={n ? '#1f5fbf' : 'none'} rx={2} />
              <text x={labelWidth + plot + 6} y={y + 14}>{n}</text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
