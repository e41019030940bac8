// Public surface of the notification module: plan and record the notifications an event
// causes (in the consumer's transaction); delivery is connectors/src/notifications.
export { recordNotifications } from './notification.writer';
export type { RecordedNotifications } from './notification.writer';
export { planNotifications, notificationId } from './notification.planner';
export type { NotificationPlan, PlannedNotification } from './notification.planner';
export { NOTIFICATION_CATALOG, NOTIFIED_EVENT_TYPES, NotificationError, RECIPIENT_TYPES, renderTemplate } from './notification.templates';
export type {
  NotificationErrorCode, NotificationPayloads, NotifiedEventType, Recipient, RecipientType, Rendered,
} from './notification.templates';
