import Link from 'next/link';
import type { OrderSummary } from '@/lib/order-api';
import { placeOrderAction } from '@/app/actions/quote.actions';
import { when } from '@/components/format';
import { CommandButton } from './command-button';

/**
 * An accepted quote's order: the order made from it (its state, a link to its lines, plan and
 * timeline) or, for a rep while none exists yet (in the platform QuoteAccepted on Kafka makes it
 * within seconds), the command that places it. A change quote's order carries the lines'
 * actions and changes the account's installed base once fulfilled.
 */
export function QuoteOrder({ quoteId, orders, mayPlace }: { quoteId: string; orders: OrderSummary[]; mayPlace: boolean }) {
  return (
    <section className="panel" aria-labelledby="order-title">
      <h2 id="order-title">Order</h2>
      {orders.length > 0 ? (
        <ul>
          {orders.map((o) => (
            <li key={o.orderId} data-testid={`quote-order-${o.orderId}`}>
              <Link href={`/orders/${encodeURIComponent(o.orderId)}`}>Order {o.orderId.slice(0, 8)}</Link> of revision {o.quoteRevision}: <strong data-testid="quote-order-state">{o.state}</strong> <span className="muted">(created {when(o.createdAt)})</span>
            </li>
          ))}
        </ul>
      ) : (
        <>
          <p className="muted" data-testid="no-order">No order yet for the accepted revision.</p>
          {mayPlace ? <CommandButton label="Place the order" busy="Placing…" run={placeOrderAction.bind(null, quoteId)} testId="place-order" /> : null}
        </>
      )}
    </section>
  );
}
