import { topicFor } from '@cpq/contracts/topics';
import { reduceOrder } from './order-projection.reducer';
import { orderProjectionStore as store } from './order-projection.store';
import type { ProjectionDefinition } from './projection';

export const ORDER_PROJECTION = 'orders';

/**
 * The order read model, from the order topic (every order and step change is an event of the
 * order aggregate): a pure reducer over each order's events (order-projection.reducer.ts) plus
 * one upsert. Consumers `projector-orders-g<N>` (ADR 0020).
 */
export const orderProjection: ProjectionDefinition = {
  name: ORDER_PROJECTION,
  topics: [topicFor('ORDER')],
  tables: ['order_read_model'],
  async apply(event, tx, target) {
    if (event.aggregateType !== 'ORDER') return;
    const orderId = String((event.payload as { orderId?: unknown }).orderId ?? event.aggregateId);
    const after = reduceOrder(await store.load(tx, target, orderId), event);
    if (after) await store.save(tx, target, after);
  },
};
