import type { CustomerQuote } from '@/lib/quote-api';
import { when } from '@/components/format';
import { StateBadge } from './state-badge';
import './quote.css';

/** A key as a reader's words ("business-internet" -> "Business internet"): the customer view reads no release. */
const words = (key: string) => (key.charAt(0).toUpperCase() + key.slice(1)).replaceAll('-', ' ');
const period = (c: CustomerQuote['revision']['lines'][number]['charges'][number]) => (c.chargeType === 'one-time' ? 'one-time' : c.period === 'annual' ? 'per year' : 'per month');

/**
 * What a customer user sees of its quote: the commercial terms, each line's charges from list
 * to net, the totals, the validity and the document. Rendered from the engine's customer view
 * (GET /quotes/{id} answers it redacted for the role) and nothing else: the studio asks for no
 * release, trace, timeline or approval evidence on a customer's behalf.
 */
export function CustomerQuoteView({ quote }: { quote: CustomerQuote }) {
  const r = quote.revision;
  const totals = r.totals;
  return (
    <>
      <h1>Your quote, {quote.customerName}</h1>
      <dl className="panel quote-header" aria-label="Terms of the offer">
        <div><dt>Account</dt><dd>{quote.accountId}</dd></div>
        <div><dt>State</dt><dd><StateBadge state={r.state} /> revision {r.revision}</dd></div>
        <div><dt>Valid until</dt><dd>{r.validUntil}</dd></div>
        <div><dt>Term</dt><dd>{quote.termMonths} months</dd></div>
        <div><dt>Currency</dt><dd>{quote.currency}</dd></div>
        <div><dt>Issued</dt><dd>{when(quote.createdAt)}</dd></div>
        {r.acceptedAt ? <div><dt>Accepted</dt><dd data-testid="accepted-at">{when(r.acceptedAt)}</dd></div> : null}
      </dl>
      {!r.priceFresh || !totals ? <p className="panel muted" data-testid="not-priced">The offer is being prepared: its prices are not final yet.</p> : null}
      {r.lines.map((line) => (
        <section key={line.lineId} className="panel" aria-labelledby={`line-${line.lineId}`}>
          <h2 id={`line-${line.lineId}`}>{line.position}. {words(line.offering)} × {line.quantity}</h2>
          <p className="muted">{Object.entries(line.selections).map(([k, v]) => `${k}: ${String(v)}`).join(', ')}</p>
          {line.charges.length > 0 ? (
            <table aria-label={`Charges of line ${line.position}`}>
              <thead><tr><th>Charge</th><th>Billed</th><th className="num">Quantity</th><th className="num">List price</th><th className="num">Your price</th><th className="num">Line</th><th className="num">Over the term</th></tr></thead>
              <tbody>
                {line.charges.map((c) => (
                  <tr key={`${c.option ?? ''}/${c.charge}`}>
                    <td>{c.option ? `${words(c.option)}: ` : ''}{words(c.charge)}</td><td>{period(c)}</td><td className="num">{c.quantity}</td>
                    <td className="num">{c.unitListPrice}</td><td className="num">{c.unitNetPrice}</td><td className="num">{c.lineNet}</td><td className="num">{c.termTotal}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </section>
      ))}
      {totals && r.priceFresh ? (
        <section className="panel" aria-labelledby="customer-totals">
          <h2 id="customer-totals">Totals ({quote.currency})</h2>
          <table aria-label="Totals">
            <tbody>
              <tr><th scope="row">One-time</th><td className="num">{totals.oneTime}</td></tr>
              <tr><th scope="row">Monthly</th><td className="num">{totals.monthly}</td></tr>
              <tr><th scope="row">Annual</th><td className="num">{totals.annual}</td></tr>
              <tr data-testid="customer-term-total"><th scope="row">Total over {quote.termMonths} months</th><td className="num"><strong>{totals.termTotal}</strong></td></tr>
            </tbody>
          </table>
        </section>
      ) : null}
      {r.documentId ? <p><a className="button secondary" href={`/quotes/${quote.quoteId}/documents/${r.documentId}`} target="_blank" rel="noopener" data-testid="customer-pdf">Open the quote document (PDF)</a></p> : <p className="muted">The quote document is not ready yet.</p>}
    </>
  );
}
