import Link from 'next/link';
import { getEngine } from '@/lib/engine-client';
import type { FalloutWorkItem, FulfillmentPlan, Order, OrderTimeline } from '@/lib/order-api';
import { requirePrincipal } from '@/lib/session';
import { resolveFalloutAction } from '@/app/actions/fallout.actions';
import { when } from '@/components/format';
import { OrderTimelineList } from '@/components/order/order-timeline';
import { ProblemView } from '@/components/problem-view';
import { CATEGORY } from '@/components/ops/fallout-words';
import { ResolveForm } from '@/components/ops/resolve-form';
import { DueTime } from '@/components/quote/due-time';
import '@/components/quote/quote.css';

/** One fallout case with its order and the order's timeline, and the recovery the case allows. */
export default async function FalloutCasePage({ params }: { params: Promise<{ workItemId: string }> }) {
  await requirePrincipal();
  const { workItemId } = await params;
  const found = await getEngine<FalloutWorkItem>(`/fallout-work-items/${encodeURIComponent(workItemId)}`);
  if (!found.ok) return <><p><Link href="/ops">Back to the fallout inbox</Link></p><ProblemView problem={found.problem} /></>;
  const c = found.data;
  const [order, timeline] = await Promise.all([
    getEngine<Order>(`/orders/${c.orderId}`),
    getEngine<OrderTimeline>(`/orders/${c.orderId}/timeline`),
  ]);
  // The plan's step names for the timeline (an order the model could not decompose has none).
  const plan = order.ok && order.data.plan ? await getEngine<FulfillmentPlan>(`/orders/${c.orderId}/fulfillment-plan`) : undefined;
  return (
    <>
      <p><Link href="/ops">Back to the fallout inbox</Link></p>
      <h1>Fallout: {c.category}{c.stepKey ? ` at ${c.stepKey}` : ''}</h1>
      <dl className="panel quote-header" aria-label="The case">
        <div><dt>Reason</dt><dd data-testid="fallout-reason">{c.reason}</dd></div>
        <div><dt>Category</dt><dd>{c.category}: {CATEGORY[c.category]}</dd></div>
        <div><dt>Source</dt><dd>{c.source}</dd></div>
        <div><dt>SLA</dt><dd>{c.state === 'open' ? <DueTime dueAt={c.slaDueAt} /> : when(c.slaDueAt)}</dd></div>
        <div><dt>State</dt><dd>{c.state}</dd></div>
        <div><dt>Opened</dt><dd>{when(c.createdAt)}</dd></div>
        <div><dt>Camunda incident</dt><dd>{c.camundaIncidentId ?? 'none'}</dd></div>
        <div><dt>Allowed actions</dt><dd>{c.allowedActions.join(', ')}</dd></div>
      </dl>
      {c.state === 'open' ? <ResolveForm item={c} resolve={resolveFalloutAction.bind(null, c.workItemId)} /> : c.resolution ? (
        <p className="notice" data-testid="fallout-resolution">Resolved: {c.resolution.action} by {c.resolution.resolvedBy} on {when(c.resolution.resolvedAt)}, “{c.resolution.reason}”{c.resolution.evidence ? ` (evidence: ${c.resolution.evidence})` : ''}.</p>
      ) : null}
      {!order.ok ? <ProblemView problem={order.problem} /> : (
        <section className="panel" aria-labelledby="order-title">
          <h2 id="order-title">Order for {order.data.customerName}</h2>
          <p><Link href={`/orders/${encodeURIComponent(c.orderId)}`}>Open the order</Link> (its fulfillment plan and whole timeline)</p>
          <p>State <strong data-testid="order-state">{order.data.state}</strong>, {order.data.openFallout} open fallout case{order.data.openFallout === 1 ? '' : 's'}; from quote revision {order.data.quoteRevision}; {order.data.plan ? `plan v${order.data.plan.planVersion}, ${order.data.plan.steps} steps (${Object.entries(order.data.plan.stepStates).map(([s, n]) => `${n} ${s}`).join(', ')})` : 'no fulfillment plan'}.</p>
          {order.data.cancellation ? <p>Cancellation requested by {order.data.cancellation.requestedBy}: “{order.data.cancellation.reason}”.</p> : null}
          <table aria-label="Order lines">
            <thead><tr><th>#</th><th>Offering</th><th>Quantity</th><th>Action</th></tr></thead>
            <tbody>{order.data.lines.map((l) => <tr key={l.lineId}><td>{l.position}</td><td>{l.offering}</td><td className="num">{l.quantity}</td><td>{l.action}</td></tr>)}</tbody>
          </table>
        </section>
      )}
      {timeline.ok ? (
        <section className="panel" aria-labelledby="order-timeline">
          <h2 id="order-timeline">Order timeline</h2>
          <OrderTimelineList timeline={timeline.data} steps={plan?.ok ? Object.fromEntries(plan.data.steps.map((s) => [s.stepKey, s.name])) : {}} />
        </section>
      ) : null}
    </>
  );
}
