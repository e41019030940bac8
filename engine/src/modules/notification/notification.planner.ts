import { createHash } from 'node:crypto';
import type { EventEnvelope } from '@cpq/contracts/event-envelope';
import {
  currentVersion,
  isNotifiedEventType,
  NOTIFICATION_CATALOG,
  type EventNotifications,
  type RecipientType,
} from './notification.templates';

/** One row of `notification` to write: the evidence of what will be said, to whom, from which template. */
export type PlannedNotification = {
  /** Derived from (event, template, recipient): a replay plans the very same id. */
  id: string;
  tenantId: string;
  eventId: string;
  eventType: string;
  templateKey: string;
  templateVersion: number;
  recipientType: RecipientType;
  recipientId: string;
  channel: 'webhook';
  subject: string;
  body: string;
  /** What the webhook carries besides the text: the event's facts and its correlation. */
  payload: { correlationId: string; occurredAt: string; data: Record<string, unknown> };
};

export type NotificationPlan = {
  eventId: string;
  eventType: string;
  /** False for event types that notify nobody: they are acknowledged and nothing is written. */
  handled: boolean;
  notifications: PlannedNotification[];
  /** Templates whose recipient the event does not name; nothing is written for them. */
  unresolved: { templateKey: string; reason: string }[];
};

// A fixed namespace for name-based notification ids (RFC 9562 UUIDv5).
const NAMESPACE = Buffer.from('6f2a1c3e9b7d4e0a8c5f1d2e3b4a5c6d', 'hex');

/** RFC 9562 version-5 UUID of `name` in our namespace: the same inputs, the same id. */
export function notificationId(eventId: string, templateKey: string, recipientType: RecipientType, recipientId: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(`${eventId}\u0000${templateKey}\u0000${recipientType}\u0000${recipientId}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Pure: which notifications an event causes, rendered from the current template versions.
 * An event type outside the catalog yields none. A known event whose payload breaks its
 * contract throws NotificationError (NOTIFICATION_PAYLOAD_INVALID): it can never be notified
 * correctly, so the consumer retries and then dead-letters it with the reason rather than
 * dropping it silently.
 */
export function planNotifications(event: EventEnvelope): NotificationPlan {
  const plan: NotificationPlan = { eventId: event.eventId, eventType: event.eventType, handled: false, notifications: [], unresolved: [] };
  if (!isNotifiedEventType(event.eventType)) return plan;
  const entry = NOTIFICATION_CATALOG[event.eventType] as EventNotifications<Record<string, unknown>>;
  const data = entry.parse(event.payload);
  plan.handled = true;
  for (const template of entry.templates) {
    const recipient = template.recipient(data);
    if ('unresolved' in recipient) {
      plan.unresolved.push({ templateKey: template.key, reason: recipient.unresolved });
      continue;
    }
    const { version, render } = currentVersion(template);
    const { subject, body } = render(data);
    plan.notifications.push({
      id: notificationId(event.eventId, template.key, recipient.type, recipient.id),
      tenantId: event.tenantId,
      eventId: event.eventId,
      eventType: event.eventType,
      templateKey: template.key,
      templateVersion: version,
      recipientType: recipient.type,
      recipientId: recipient.id,
      channel: 'webhook',
      subject,
      body,
      payload: { correlationId: event.correlationId, occurredAt: event.occurredAt, data },
    });
  }
  return plan;
}
