import Link from 'next/link';
import { getEngine } from '@/lib/engine-client';
import type { Release } from '@/lib/api';
import type { FulfillmentPlan, Order, OrderTimeline } from '@/lib/order-api';
import { offeringNames } from '@/lib/release-model';
import { requirePrincipal } from '@/lib/session';
import { when } from '@/components/format';
import { OrderTimelineList } from '@/components/order/order-timeline';
import { optionsInWords } from '@/components/account/configured-options';
import { ProblemView } from '@/components/problem-view';
import '@/components/quote/quote.css';

/**
 * One order as the engine tells it: its lines with their actions (add, modify, disconnect,
 * no-change), the fulfillment plan's steps in their waves with each step's state and target
 * system, and the order's timeline. Read only: orders change through fulfillment and the ops inbox.
 */
export default async function OrderPage({ params }: { params: Promise<{ id: string }> }) {
  const principal = await requirePrincipal();
  const { id } = await params;
  const seller = principal.roles.some((r) => r === 'rep' || r === 'sales-manager' || r === 'finance' || r === 'admin');
  const order = await getEngine<Order>(`/orders/${encodeURIComponent(id)}`);
  if (!order.ok) return <><p><Link href="/accounts">Accounts</Link></p><ProblemView problem={order.problem} /></>;
  const o = order.data;
  const [plan, timeline, release] = await Promise.all([
    o.plan ? getEngine<FulfillmentPlan>(`/orders/${encodeURIComponent(id)}/fulfillment-plan`) : undefined,
    getEngine<OrderTimeline>(`/orders/${encodeURIComponent(id)}/timeline`),
    getEngine<Release>(`/metadata/releases/${encodeURIComponent(o.releaseId)}`),
  ]);
  const names = release.ok ? offeringNames(release.data.items) : {};
  return (
    <>
      {/* Accounts and quotes are the sellers' pages. */}
      {seller ? <p><Link href={`/accounts/${encodeURIComponent(o.accountId)}`}>Account {o.accountId}</Link> · <Link href={`/quotes/${o.quoteId}`}>Quote</Link></p> : null}
      <h1>Order for {o.customerName}</h1>
      <dl className="panel quote-header" aria-label="The order">
        <div><dt>State</dt><dd data-testid="order-state">{o.state}</dd></div>
        <div><dt>From</dt><dd>quote revision {o.quoteRevision}</dd></div>
        <div><dt>Currency, term</dt><dd>{o.currency}, {o.termMonths ? `${o.termMonths} months` : 'no committed term'}</dd></div>
        <div><dt>Open fallout</dt><dd>{o.openFallout}</dd></div>
      </dl>
      {o.cancellation ? <p className="notice">Cancellation requested by {o.cancellation.requestedBy} on {when(o.cancellation.requestedAt)}: “{o.cancellation.reason}”.</p> : null}
      <h2>Lines</h2>
      <table aria-label="Order lines">
        <thead><tr><th>#</th><th>Offering</th><th className="num">Quantity</th><th>Action</th></tr></thead>
        <tbody>{o.lines.map((l) => <tr key={l.lineId}><td>{l.position}</td><td>{names[l.offering] ?? l.offering}{optionsInWords(l.options, names) ? <><br /><span className="muted">options: {optionsInWords(l.options, names)}</span></> : null}</td><td className="num">{l.quantity}</td><td>{l.action}</td></tr>)}</tbody>
      </table>
      {plan && !plan.ok ? <ProblemView problem={plan.problem} /> : null}
      {plan?.ok ? (
        <section className="panel" aria-labelledby="plan-title">
          <h2 id="plan-title">Fulfillment plan v{plan.data.planVersion}</h2>
          <table aria-label="Fulfillment steps">
            <thead><tr><th>Wave</th><th>Step</th><th>Line</th><th>Target system</th><th>State</th><th className="num">Attempt</th><th>Reference, reason</th></tr></thead>
            <tbody>
              {plan.data.steps.map((s) => (
                <tr key={s.stepKey} data-testid={`step-${s.stepKey}`}>
                  <td className="num">{s.wave}</td><td>{s.name ?? s.stepKey}</td><td>{s.lineId}</td><td>{s.targetSystem}: {s.action}</td>
                  <td>{s.state}</td><td className="num">{s.attempt}</td><td>{[s.externalReference, s.reason].filter(Boolean).join('; ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      {timeline.ok ? (
        <section className="panel" aria-labelledby="order-timeline">
          <h2 id="order-timeline">Timeline</h2>
          <OrderTimelineList timeline={timeline.data} steps={plan?.ok ? Object.fromEntries(plan.data.steps.map((s) => [s.stepKey, s.name])) : {}} />
        </section>
      ) : <ProblemView problem={timeline.problem} />}
    </>
  );
}
