import type { EventEnvelope } from '@cpq/contracts/event-envelope';
import type { TransactionClient } from '@cpq/prisma';
import { planNotifications, type NotificationPlan } from './notification.planner';

export type RecordedNotifications = {
  eventType: string;
  handled: boolean;
  /** Rows this call inserted. */
  written: number;
  /** Planned rows that already existed (a replayed event): left untouched. */
  duplicates: number;
  unresolved: NotificationPlan['unresolved'];
};

/**
 * Writes the notifications an event causes, in the caller's transaction (the consumer's, with
 * its inbox row). Each insert is `ON CONFLICT DO NOTHING` on the idempotency guard
 * `uq_notification_event_recipient`, so a replayed event, even one that slipped past the inbox
 * (a redrive under another consumer name, a rebuilt inbox), writes nothing twice and never
 * resets the delivery state of rows already sent.
 */
export async function recordNotifications(tx: TransactionClient, event: EventEnvelope): Promise<RecordedNotifications> {
  const plan = planNotifications(event);
  let written = 0;
  for (const n of plan.notifications) {
    written += await tx.$executeRaw`
      INSERT INTO notification (id, tenant_id, event_id, event_type, template_key, template_version,
                                recipient_type, recipient_id, channel, subject, body, payload)
      VALUES (${n.id}::uuid, ${n.tenantId}, ${n.eventId}::uuid, ${n.eventType}, ${n.templateKey}, ${n.templateVersion},
              ${n.recipientType}, ${n.recipientId}, ${n.channel}, ${n.subject}, ${n.body}, ${JSON.stringify(n.payload)}::jsonb)
      ON CONFLICT (event_id, template_key, recipient_type, recipient_id) DO NOTHING`;
  }
  return {
    eventType: plan.eventType,
    handled: plan.handled,
    written,
    duplicates: plan.notifications.length - written,
    unresolved: plan.unresolved,
  };
}
