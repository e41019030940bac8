// Public surface of the outbox module: write an event in the caller's transaction.
export { outboxInsert, writeOutboxEvent } from './outbox.writer';
export type { NewEvent } from './outbox.writer';
