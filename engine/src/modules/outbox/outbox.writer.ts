import { randomUUID } from 'node:crypto';
import { checkEnvelope, type Actor, type EventEnvelope } from '@cpq/contracts/event-envelope';
import type { EventName, EventPayloadOf } from '@cpq/contracts/api-types';
import { topicFor } from '@cpq/contracts/topics';
import { traceparentOf } from '@cpq/connectors/observability/trace-context';
import { Prisma, type TransactionClient } from '@cpq/prisma';

/**
 * An event of the AsyncAPI contract: its type names a message of contracts/asyncapi, and its
 * payload has that message's generated type (contracts/src/generated/events.ts), so a writer
 * cannot emit a field the contract does not declare or forget one it requires.
 */
export type NewEvent<E extends EventName = EventName> = {
  eventType: E;
  eventVersion?: number;
  tenantId: string;
  aggregateType: string;
  aggregateId: string;
  aggregateVersion: number;
  correlationId: string;
  /**
   * What caused this event (seed section 9): the command's id (its Idempotency-Key, or the
   * request id when it has none), the causing event's id for a consumer, or a stable id of
   * the run for a timer or sweep. Required so that every writer has to say.
   */
  causationId: string;
  actor: Actor;
  payload: EventPayloadOf<E>;
  /** Defaults to the aggregate type's topic (`topicFor`). */
  topic?: string;
  occurredAt?: Date;
};

/**
 * Writes an event inside the caller's transaction: it becomes visible to the relay only if
 * the state change it reports commits, and vanishes with it on rollback. An envelope that
 * breaks the contract is a programming error and fails the transaction.
 */
export async function writeOutboxEvent<E extends EventName>(
  tx: TransactionClient,
  event: NewEvent<E>,
): Promise<EventEnvelope<EventPayloadOf<E>>> {
  const { envelope, sql } = outboxInsert(event);
  await tx.$executeRaw`${sql}`;
  return envelope;
}

/**
 * The checked envelope of an event and the INSERT that writes it, for a caller that writes it
 * in one statement with its own change (a data-modifying CTE): the outbox module still owns
 * the table and its SQL. Raw SQL: a Prisma model create costs ~5x a raw statement here.
 */
export function outboxInsert<E extends EventName>(event: NewEvent<E>): { envelope: EventEnvelope<EventPayloadOf<E>>; sql: Prisma.Sql } {
  if (typeof event.causationId !== 'string' || event.causationId.length === 0) {
    throw new Error(`outbox event ${event.eventType} has no causationId: pass the command id (ctx.commandId), the causing event id or the run id`);
  }
  const envelope: EventEnvelope<EventPayloadOf<E>> = {
    eventId: randomUUID(),
    eventType: event.eventType,
    eventVersion: event.eventVersion ?? 1,
    tenantId: event.tenantId,
    aggregateType: event.aggregateType,
    aggregateId: event.aggregateId,
    aggregateVersion: event.aggregateVersion,
    occurredAt: (event.occurredAt ?? new Date()).toISOString(),
    correlationId: event.correlationId,
    causationId: event.causationId,
    actor: event.actor,
    payload: event.payload,
  };
  const check = checkEnvelope(envelope);
  if (!check.ok) throw new Error(`outbox event ${event.eventType} breaks the envelope contract: ${check.errors.join('; ')}`);
  const sql = Prisma.sql`
    INSERT INTO outbox_event (event_id, event_type, event_version, tenant_id, aggregate_type, aggregate_id, aggregate_version,
                              occurred_at, correlation_id, causation_id, actor, payload, topic, trace_parent)
    VALUES (${envelope.eventId}::uuid, ${envelope.eventType}, ${envelope.eventVersion}, ${envelope.tenantId}, ${envelope.aggregateType},
            ${envelope.aggregateId}, ${envelope.aggregateVersion}, ${envelope.occurredAt}::timestamptz, ${envelope.correlationId},
            ${event.causationId}, ${JSON.stringify(envelope.actor)}::jsonb, ${JSON.stringify(envelope.payload)}::jsonb, ${event.topic ?? topicFor(event.aggregateType)},
            ${traceparentOf()})`;
  return { envelope, sql };
}
