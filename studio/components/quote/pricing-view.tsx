import type { ReleaseItem } from '@/lib/release-model';
import { chargeName } from '@/lib/release-model';
import { priceResultOf, type PriceTraceView, type Quote } from '@/lib/quote-api';
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
      <TotalsTable totals={result.totals} currency={result.currency} termMonths={result.termMonths} />
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
