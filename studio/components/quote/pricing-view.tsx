import type { ReleaseItem } from '@/lib/release-model';
import { chargeName } from '@/lib/release-model';
import { priceResultOf, type ChangeSection, type PriceTraceView, type Quote } from '@/lib/quote-api';
import { TermSplitTable } from './term-split-table';
import { TotalsTable } from './totals-table';
import { WaterfallChart } from './waterfall-chart';

/**
 * The quote's price as the engine computed it (GET /quotes/{id}/price-trace): totals per
 * charge type and over the term, and per line each charge's waterfall from list to net with
 * the rule behind every step.
 */
export function PricingView({ quote, trace, items, names }: { quote: Quote; trace: PriceTraceView; items: ReleaseItem[]; names: Record<string, string> }) {
  const result = priceResultOf(trace);
  return (
    <section aria-labelledby="price-title" className="panel pricing">
      <h2 id="price-title">Price</h2>
      <p className="muted" data-testid="price-freshness">
        {trace.fresh ? 'Current: ' : 'Stale, the quote changed since: '}priced against release {result.releaseNumber} on {result.pricingDate}, result <code title={trace.resultHash}>{trace.resultHash.slice(0, 12)}…</code>
      </p>
      {result.change ? <p data-testid="change-totals-note">The totals are the change to what the account pays today: {result.change.basis === 'change' ? `effective ${result.change.changeDate}, prorated for the rest of each asset's term` : 'the renewed terms at this release\'s prices, and for an asset stopped while its term runs, its credit and fees'}.</p> : null}
      <TotalsTable totals={result.totals} currency={result.currency} termMonths={result.termMonths} />
      {result.change ? <TermSplitTable change={result.change} currency={result.currency} /> : null}
      {result.change ? <ChangeTable quote={quote} change={result.change} items={items} names={names} currency={result.currency} /> : null}
      {result.lines.map((line) => {
        const position = quote.revision.lines.find((l) => l.lineId === line.lineId)?.position ?? line.lineId;
        return (
          <div key={line.lineId} className="line-price" data-testid={`line-price-${line.lineId}`}>
            <h3>Line {position}: {names[line.offering] ?? line.offering} × {line.quantity}</h3>
            {line.charges.map((c) => (
              <WaterfallChart
                key={`${c.option ?? ''}/${c.charge}`}
                charge={c}
                // A bundle option's charge says which option it prices: "Managed router: Rental".
                name={c.option ? `${names[c.option] ?? c.option}: ${chargeName(items, c.option, c.charge)}` : chargeName(items, line.offering, c.charge)}
                currency={result.currency}
              />
            ))}
          </div>
        );
      })}
    </section>
  );
}

/**
 * Per asset line, what changes: each charge before and after, per period and over the term, and the proration in words.
 * Charges by the release's names: a disconnect fee by the name its trace step carries (the pricing rule set's fee),
 * any other charge by the line's offering in the pinned release; the key only where neither names it.
 */
function ChangeTable({ quote, change, items, names, currency }: { quote: Quote; change: ChangeSection; items: ReleaseItem[]; names: Record<string, string>; currency: string }) {
  const lineOf = (lineId: string) => quote.revision.lines.find((l) => l.lineId === lineId);
  // A bundle option's charge by its option, as the waterfall names it: "Security add-on: Monthly fee".
  const nameOf = (lineId: string, c: ChangeSection['lines'][number]['charges'][number]) => c.fee?.name
    ?? (c.option ? `${names[c.option] ?? c.option}: ${chargeName(items, c.option, c.charge)}` : chargeName(items, lineOf(lineId)?.offering ?? '', c.charge));
  return (
    <table aria-label="Change against the installed base">
      <thead><tr><th>Line</th><th>Action</th><th>Charge</th><th className="num">Today</th><th className="num">New</th><th className="num">Per period</th><th className="num">Over the term</th><th>How</th></tr></thead>
      <tbody>
        {change.lines.flatMap((l) => l.charges.map((c, i) => (
          <tr key={`${l.lineId}/${c.option ?? ''}/${c.charge}`} data-testid={c.option ? `change-${l.lineId}-${c.option}-${c.charge}` : `change-${l.lineId}-${c.charge}`}>
            <td>{i === 0 ? `${lineOf(l.lineId)?.position ?? l.lineId}. ${names[lineOf(l.lineId)?.offering ?? ''] ?? lineOf(l.lineId)?.offering ?? ''}` : ''}</td>
            <td>{i === 0 ? l.action : ''}</td>
            <td title={c.charge}>{nameOf(l.lineId, c)}{c.period ? ` (${c.period})` : ''}</td>
            <td className="num">{c.previousLineNet}</td><td className="num">{c.lineNet}</td><td className="num">{c.periodDelta}</td>
            <td className="num">{c.termDelta} {currency}</td>
            <td>{c.proration?.reason ?? c.reason}</td>
          </tr>
        )))}
      </tbody>
    </table>
  );
}
