// Public surface of the notification module, which owns the `notification` rows: plan and
// record the notifications an event causes (its consumer, in the consumer's transaction), and
// deliver them (its dispatcher, with connectors' signed webhook sender). The `notifications`
// process role (engine/src/roles/notifications.main.ts) runs both.
export { recordNotifications } from './notification.writer';
export { createNotificationConsumer, notificationHandler, NOTIFICATION_TOPICS, NOTIFICATIONS_CONSUMER } from './notification.consumer';
export type { NotificationConsumerOptions } from './notification.consumer';
export { createNotificationDispatcher, webhookBody } from './notification.dispatcher';
export type { BatchResult, ClaimedNotification, NotificationDispatcher, NotificationDispatcherOptions } from './notification.dispatcher';
export type { RecordedNotifications } from './notification.writer';
export { planNotifications, notificationId } from './notification.planner';
export type { NotificationPlan, PlannedNotification } from './notification.planner';
export { NOTIFICATION_CATALOG, NOTIFIED_EVENT_TYPES, NotificationError, RECIPIENT_TYPES, renderTemplate } from './notification.templates';
export type {
  NotificationErrorCode, NotificationPayloads, NotifiedEventType, Recipient, RecipientType, Rendered,
} from './notification.templates';
