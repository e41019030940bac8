import {
  createIdempotentConsumer,
  type ConsumerLogger,
  type EventHandler,
  type IdempotentConsumerOptions,
} from '@cpq/connectors/consumer/idempotent-consumer';
import { topicFor } from '@cpq/contracts/topics';
import { recordNotifications } from './notification.writer';

/** The consumer's name: its Kafka group id and its `inbox_message.consumer` value. */
export const NOTIFICATIONS_CONSUMER = 'notifications';

/** Where the quote module's events arrive: cpq.quote.events and cpq.approval.events. */
export const NOTIFICATION_TOPICS: readonly string[] = [topicFor('QUOTE'), topicFor('APPROVAL')];

export type NotificationConsumerOptions = Omit<IdempotentConsumerOptions, 'name' | 'topics' | 'handler'> & {
  /** Tests give their own name and topics, so parallel runs on one broker stay apart. */
  name?: string;
  topics?: string[];
};

/**
 * The handler: writes the event's notifications in the consumer's transaction, next to its
 * inbox row. Events that notify nobody commit the inbox row alone. A known event with a
 * broken payload throws, so the consumer retries it and then dead-letters it with the reason.
 */
export function notificationHandler(logger?: ConsumerLogger): EventHandler {
  return async (event, tx) => {
    const result = await recordNotifications(tx, event);
    if (!result.handled) return;
    if (result.unresolved.length > 0) {
      logger?.warn({ eventId: event.eventId, eventType: event.eventType, unresolved: result.unresolved }, 'event names no recipient for some templates');
    }
    logger?.info({ eventId: event.eventId, eventType: event.eventType, written: result.written, duplicates: result.duplicates }, 'notifications recorded');
  };
}

/** Connectors' idempotent consumer (inbox, retries, dead-letter topic; ADR 0004) with this module's handler. */
export function createNotificationConsumer(options: NotificationConsumerOptions) {
  return createIdempotentConsumer({
    ...options,
    name: options.name ?? NOTIFICATIONS_CONSUMER,
    topics: options.topics ?? [...NOTIFICATION_TOPICS],
    handler: notificationHandler(options.logger),
  });
}
