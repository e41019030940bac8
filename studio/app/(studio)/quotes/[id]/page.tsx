import Link from 'next/link';
import type { Release } from '@/lib/api';
import { getEngine } from '@/lib/engine-client';
import type { OrderList } from '@/lib/order-api';
import type { ApprovalEvidence, PriceTraceView, QuoteView, Timeline } from '@/lib/quote-api';
import { approvalPolicyOf, offeringNames, offeringsOf } from '@/lib/release-model';
import { requirePrincipal } from '@/lib/session';
import { configureLineAction, disconnectLineAction, lifecycleAction, previewApprovalAction } from '@/app/actions/quote.actions';
import { ProblemView } from '@/components/problem-view';
import { AddLineForm } from '@/components/quote/add-line-form';
import { ApprovalStatus, levelStatuses } from '@/components/quote/approval-status';
import { CommandButton } from '@/components/quote/command-button';
import { CustomerQuoteView } from '@/components/quote/customer-quote';
import { DiscountForm } from '@/components/quote/discount-form';
import { LifecyclePanel } from '@/components/quote/lifecycle-panel';
import { LinesTable } from '@/components/quote/lines-table';
import { PricingView } from '@/components/quote/pricing-view';
import { QuoteHeader } from '@/components/quote/quote-header';
import { QuoteOrder } from '@/components/quote/quote-order';
import { explain } from '@/components/quote/quote-problems';
import { TimelineView } from '@/components/quote/timeline-view';

const EDITABLE = new Set(['draft', 'priced']);

/**
 * One quote as the caller's role may see it (the engine decides the view). The internal view
 * reads the release the revision is pinned to, for its offerings and the lines' forms, and
 * the price trace once the revision is priced.
 */
export default async function QuotePage({ params }: { params: Promise<{ id: string }> }) {
  const principal = await requirePrincipal();
  const { id } = await params;
  const found = await getEngine<QuoteView>(`/quotes/${encodeURIComponent(id)}`);
  if (!found.ok) return <><p><Link href="/quotes">All quotes</Link></p><ProblemView problem={found.problem} explanation={explain(found.problem)} /></>;
  const quote = found.data;
  // A customer user: the engine's customer view and nothing more is read or sent to the browser.
  if (quote.view === 'customer') return <><p><Link href="/quotes">Your quotes</Link></p><CustomerQuoteView quote={quote} /></>;
  if (quote.view !== 'internal') {
    return <div role="alert" className="problem"><strong className="problem-title">This view is for sellers</strong><p>Your role sees this quote as {quote.view}.</p></div>;
  }
  const revision = quote.revision;
  const [release, trace, evidence, timeline, orders] = await Promise.all([
    getEngine<Release>(`/metadata/releases/${revision.releaseId}`),
    revision.priceResultId ? getEngine<PriceTraceView>(`/quotes/${quote.quoteId}/price-trace`) : undefined,
    getEngine<ApprovalEvidence>(`/quotes/${quote.quoteId}/approval-evidence`),
    getEngine<Timeline>(`/quotes/${quote.quoteId}/timeline`),
    // An accepted revision's order (made by QuoteAccepted on Kafka, or placed here).
    revision.state === 'accepted' ? getEngine<OrderList>(`/orders?${new URLSearchParams({ quoteId: quote.quoteId })}`) : undefined,
  ]);
  const submittedOnce = revision.submittedBy !== null;
  const items = release.ok ? release.data.items : [];
  const names = offeringNames(items);
  const editable = EDITABLE.has(revision.state);
  const today = new Date().toISOString().slice(0, 10);
  const allValid = revision.lines.length > 0 && revision.lines.every((l) => l.configurationValid);

  return (
    <>
      <p><Link href="/quotes">All quotes</Link></p>
      <h1>Quote for {quote.customerName}</h1>
      <QuoteHeader quote={quote} releaseNumber={release.ok ? release.data.releaseNumber : undefined} />
      {!release.ok ? <ProblemView problem={release.problem} /> : null}
      <h2>Lines</h2>
      <LinesTable
        quoteId={quote.quoteId} lines={revision.lines} names={names} editable={editable}
        withActions={quote.basis !== undefined && quote.basis !== 'new'}
        {...(editable && quote.basis === 'change' ? {
          disconnect: (lineId: string, done: boolean) => <CommandButton label={done ? 'Disconnected' : 'Disconnect'} disabled={done} busy="Disconnecting…" secondary testId={`disconnect-${lineId}`} run={disconnectLineAction.bind(null, quote.quoteId, quote.version, lineId)} />,
        } : {})}
      />
      {editable && release.ok ? <AddLineForm quoteId={quote.quoteId} version={quote.version} releaseNumber={release.data.releaseNumber} offerings={offeringsOf(items, today)} /> : null}

      {editable ? (
        <div className="panel quote-actions" role="group" aria-label="Price">
          <CommandButton label={revision.priceResultId ? 'Price again' : 'Price the quote'} busy="Pricing…" run={lifecycleAction.bind(null, quote.quoteId, quote.version, 'price')} testId="price-command" />
          {!allValid && revision.lines.length > 0 ? <p className="muted">Every line must be validly configured before the quote can be priced.</p> : null}
          {revision.priceResultId && !revision.priceFresh ? <p className="violation" data-testid="price-stale">The quote changed after it was priced: price it again before submitting.</p> : null}
        </div>
      ) : null}
      {trace && !trace.ok ? <ProblemView problem={trace.problem} explanation={explain(trace.problem)} /> : null}
      {trace?.ok ? <PricingView quote={quote} trace={trace.data} items={items} names={names} /> : null}
      {editable && revision.priceResultId ? (
        <section className="panel" aria-labelledby="discount-title">
          <h2 id="discount-title">Manual discounts</h2>
          <p className="muted">The engine says at once whether a discount needs approval, and from whom, by the release&apos;s approval policy. Applying one changes the quote: price it again afterwards.</p>
          {/* A line that disconnects its asset is charged nothing more: no discount (the engine clears one on disconnect). */}
          {revision.lines.filter((l) => l.action !== 'disconnect').map((l) => (
            <DiscountForm
              key={l.lineId}
              line={{ lineId: l.lineId, position: l.position, name: names[l.offering] ?? l.offering, quantity: l.quantity, selections: l.selections }}
              current={l.manualDiscount as { percent?: string; amount?: string; reason?: string } | null}
              currency={quote.currency}
              preview={previewApprovalAction.bind(null, quote.quoteId)}
              apply={configureLineAction.bind(null, quote.quoteId, quote.version)}
            />
          ))}
        </section>
      ) : null}
      <LifecyclePanel quote={quote} />
      {orders && !orders.ok ? <ProblemView problem={orders.problem} /> : null}
      {orders?.ok ? <QuoteOrder quoteId={quote.quoteId} orders={orders.data.items.filter((o) => o.quoteRevision === revision.revision)} mayPlace={principal.roles.includes('rep')} /> : null}
      {!evidence.ok ? <ProblemView problem={evidence.problem} /> : submittedOnce ? (
        <ApprovalStatus revision={revision.revision} levels={levelStatuses(evidence.data, timeline.ok ? timeline.data.entries : [], approvalPolicyOf(items)?.content, revision.state)} />
      ) : null}
      {timeline.ok ? <TimelineView entries={timeline.data.entries} /> : <ProblemView problem={timeline.problem} />}
    </>
  );
}
