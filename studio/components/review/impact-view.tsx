import type { Impact } from '@/lib/api';
import { ImpactSummaryChart, percent, PriceDeltaChart, shortId, signed } from './impact-chart';
import './review.css';

/**
 * The impact preview: recent quotes replayed against the candidate, as charts (how many quotes
 * each kind of impact touches; each price change up or down) and as a table with every number.
 */
export function ImpactView({ impact }: { impact: Impact }) {
  if (impact.quotesReplayed === 0) return <p className="muted" data-testid="impact">No recent quotes to replay against this candidate.</p>;
  const currencies = [...new Set(impact.quotes.map((q) => q.currency))].sort();
  const touched = impact.quotes.filter((q) => (q.delta !== null && Number(q.delta) !== 0) || q.newlyRequiredApprovals.length > 0 || q.invalidLines.length > 0 || q.error);
  return (
    <>
      <p data-testid="impact">
        {impact.quotesReplayed} recent quotes replayed: {impact.summary.priceChanges ?? 0} change price, {impact.summary.newlyRequiredApprovals ?? 0} newly need an approval,{' '}
        {impact.summary.invalidConfigurations ?? 0} have a configuration the candidate invalidates{impact.summary.notPriceable ? `, ${impact.summary.notPriceable} cannot be priced` : ''}.
      </p>
      <div className="impact-charts">
        <ImpactSummaryChart impact={impact} id="impact-summary" />
        <div>
          {currencies.map((currency) => <PriceDeltaChart key={currency} quotes={impact.quotes.filter((q) => q.currency === currency)} currency={currency} id={`impact-delta-${currency}`} />)}
          {impact.summary.priceChanges ? null : <p className="muted">No quote changes price.</p>}
        </div>
      </div>
      <table aria-label="Impact on recent quotes" data-testid="impact-table">
        <thead>
          <tr><th scope="col">Quote</th><th scope="col">Revision</th><th scope="col">Total before</th><th scope="col">Total after</th><th scope="col">Price change</th><th scope="col">Approvals newly required</th><th scope="col">Configurations invalidated</th></tr>
        </thead>
        <tbody>
          {[...touched, ...impact.quotes.filter((q) => !touched.includes(q))].map((q) => (
            <tr key={`${q.quoteId}/${q.revision}`} data-quote={q.quoteId}>
              <td>
                <code title={q.quoteId}>{shortId(q.quoteId)}</code>
                {/* A change quote's totals are its delta against the installed base, a renewal's its new term (ADR 0022). */}
                {q.basis === 'change' ? <span className="muted"> change: totals are the delta</span> : q.basis === 'renewal' ? <span className="muted"> renewal: the new term</span> : null}
              </td>
              <td>{q.revision}</td>
              <td>{q.termTotalBefore ?? '—'} {q.currency}</td>
              <td>{q.termTotalAfter ?? '—'} {q.termTotalAfter ? q.currency : ''}</td>
              <td>
                {q.error ? <span className="problem-title">Cannot be priced: {q.error}</span>
                  : q.delta === null || Number(q.delta) === 0 ? <span className="muted">none</span>
                    : <strong className={Number(q.delta) > 0 ? 'delta-up' : 'delta-down'}>{signed(q.delta)} {q.currency}{percent(q) ? ` (${percent(q)})` : ''}</strong>}
              </td>
              <td>{q.newlyRequiredApprovals.length ? q.newlyRequiredApprovals.join(', ') : <span className="muted">none</span>}</td>
              <td>
                {q.invalidLines.length === 0 ? <span className="muted">none</span> : (
                  <ul>{q.invalidLines.map((l) => <li key={l.lineId}>{l.lineId} ({l.offering}): {l.violations.join('; ')}</li>)}</ul>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
