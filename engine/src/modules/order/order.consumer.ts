import { createIdempotentConsumer, type ConsumerLogger, type IdempotentConsumerOptions } from '@cpq/connectors/consumer/idempotent-consumer';
import type { EventEnvelope } from '@cpq/contracts/event-envelope';
import { topicFor } from '@cpq/contracts/topics';
import type { TransactionClient } from '@cpq/prisma';
import { acceptedRevisionSnapshot } from '../quote';
import { insertOrder } from './commands/create-order.command';
import type { CommandContext } from './order.types';

/** The consumer's name: its Kafka group id and its inbox_message.consumer value. */
export const ORDER_CONSUMER = 'orders';

/** The system principal that makes orders from events (acts for the event's tenant). */
export const consumerContext = (event: EventEnvelope): CommandContext => ({
  principal: { userId: 'system:order-consumer', tenantId: event.tenantId, roles: ['integrator'] },
  correlationId: event.correlationId,
  // The causing event: replaying it finds its inbox row and writes nothing again.
  commandId: event.eventId,
});

type Accepted = { quoteId: string; revision: number };

/**
 * QuoteAccepted -> the primary order of that revision, in the consumer's transaction next to its
 * inbox row (ADR 0004): a redelivered event finds the row and does nothing; an order the explicit
 * command made already is found by the unique index and left alone. The snapshot is read
 * through the quote module on the same connection. Returns the order id made, if any, for the
 * fulfillment start that follows the commit.
 */
export async function orderFromAcceptance(event: EventEnvelope, tx: TransactionClient, logger?: ConsumerLogger): Promise<string | undefined> {
  if (event.eventType !== 'QuoteAccepted') return undefined;
  const { quoteId, revision } = event.payload as Accepted;
  const snapshot = await acceptedRevisionSnapshot(tx, event.tenantId, quoteId);
  // Revised or withdrawn meanwhile is impossible for an accepted revision; a missing one is a
  // defect of the event, which the consumer retries and then dead-letters.
  if (!snapshot || snapshot.revision !== revision) throw new Error(`QuoteAccepted ${event.eventId}: quote ${quoteId} has no accepted revision ${revision}`);
  const created = await insertOrder(tx, snapshot, consumerContext(event), 'event');
  logger?.info({ eventId: event.eventId, quoteId, orderId: created?.orderId ?? null }, created ? 'order created from QuoteAccepted' : 'order of this revision exists already');
  return created?.orderId;
}

export type OrderConsumerOptions = Omit<IdempotentConsumerOptions, 'name' | 'topics' | 'handler'> & {
  /** Tests give their own name and topics, so parallel runs on one broker stay apart. */
  name?: string;
  topics?: string[];
  /** After the order's transaction committed: plan and start its fulfillment. */
  onOrderCreated: (orderId: string, event: EventEnvelope) => Promise<void>;
};

export function createOrderConsumer(options: OrderConsumerOptions) {
  const created = new Map<string, string>();
  return createIdempotentConsumer({
    ...options,
    // A new group starts at the end of the topic: quotes accepted before orders existed (or
    // before this group) are not turned into orders by surprise; a replay is safe regardless
    // (inbox and the one-primary-order index).
    fromBeginning: options.fromBeginning ?? false,
    name: options.name ?? ORDER_CONSUMER,
    topics: options.topics ?? [topicFor('QUOTE')],
    handler: async (event, tx) => {
      const orderId = await orderFromAcceptance(event, tx, options.logger);
      if (orderId) created.set(event.eventId, orderId);
    },
    onApplied: async (event) => {
      const orderId = created.get(event.eventId);
      created.delete(event.eventId);
      if (orderId) await options.onOrderCreated(orderId, event);
    },
  });
}
