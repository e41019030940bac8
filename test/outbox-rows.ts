import { randomUUID } from 'node:crypto';
import { checkEnvelope, type Actor, type EventEnvelope } from '@cpq/contracts/event-envelope';
import { topicFor } from '@cpq/contracts/topics';
import type { TransactionClient } from '@cpq/prisma';

export type TestEvent = {
  eventType: string; tenantId: string; aggregateType: string; aggregateId: string; aggregateVersion: number;
  correlationId: string; causationId: string; actor: Actor; payload: Record<string, unknown>; topic?: string;
};

/**
 * An `outbox_event` row as a domain command would leave it (contract-checked envelope), for
 * connectors' tests: they exercise the relay and consumers on real rows without importing the
 * engine (issue 8: engine -> connectors only). The engine's own writer is
 * engine/src/modules/outbox/outbox.writer.ts.
 */
export async function insertOutboxRow(tx: TransactionClient, event: TestEvent): Promise<EventEnvelope> {
  const envelope: EventEnvelope = {
    eventId: randomUUID(), eventType: event.eventType, eventVersion: 1, tenantId: event.tenantId,
    aggregateType: event.aggregateType, aggregateId: event.aggregateId, aggregateVersion: event.aggregateVersion,
    occurredAt: new Date().toISOString(), correlationId: event.correlationId, causationId: event.causationId,
    actor: event.actor, payload: event.payload,
  };
  const check = checkEnvelope(envelope);
  if (!check.ok) throw new Error(`test event breaks the envelope contract: ${check.errors.join('; ')}`);
  await tx.outboxEvent.create({
    data: {
      eventId: envelope.eventId, eventType: envelope.eventType, eventVersion: envelope.eventVersion, tenantId: envelope.tenantId,
      aggregateType: envelope.aggregateType, aggregateId: envelope.aggregateId, aggregateVersion: BigInt(envelope.aggregateVersion),
      occurredAt: new Date(envelope.occurredAt), correlationId: envelope.correlationId, causationId: envelope.causationId,
      actor: envelope.actor, payload: envelope.payload as object, topic: event.topic ?? topicFor(event.aggregateType),
    },
  });
  return envelope;
}
