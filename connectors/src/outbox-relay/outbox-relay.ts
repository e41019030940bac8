import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { contextOfTraceparent, EVENT_TRACEPARENT_HEADER, traceparentOf } from '../observability/trace-context';
import { createPollingLoop } from '../shared/polling-loop';
import type { EventEnvelope } from '@cpq/contracts/event-envelope';
import type { PrismaClient } from '@cpq/prisma';
import type { KafkaProducer, OutgoingMessage } from '../kafka/kafka.port';

type OutboxRow = {
  position: bigint; event_id: string; event_type: string; event_version: number; tenant_id: string;
  aggregate_type: string; aggregate_id: string; aggregate_version: bigint; occurred_at: Date;
  correlation_id: string; causation_id: string | null; actor: EventEnvelope['actor'];
  payload: Record<string, unknown>; topic: string; trace_parent: string | null;
};

export type RelayLogger = { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };

export type OutboxRelayOptions = {
  prisma: PrismaClient;
  producer: KafkaProducer;
  batchSize?: number;
  pollIntervalMs?: number;
  /** Upper bound of the back-off after a failed publish. */
  maxBackoffMs?: number;
  /** The claim transaction's limit; a publish still running then is retried (at least once). */
  transactionTimeoutMs?: number;
  logger?: RelayLogger;
  /** After a batch's commit: when each published event occurred (for the publish-lag metric). */
  onPublished?: (occurredAt: Date[]) => void;
};

export function toEnvelope(row: OutboxRow): EventEnvelope {
  return {
    eventId: row.event_id,
    eventType: row.event_type,
    eventVersion: row.event_version,
    tenantId: row.tenant_id,
    aggregateType: row.aggregate_type,
    aggregateId: row.aggregate_id,
    aggregateVersion: Number(row.aggregate_version),
    occurredAt: row.occurred_at.toISOString(),
    correlationId: row.correlation_id,
    causationId: row.causation_id,
    actor: row.actor,
    payload: row.payload,
  };
}

function toMessage(row: OutboxRow, traceparent: string | null): OutgoingMessage {
  return {
    key: row.aggregate_id,
    value: JSON.stringify(toEnvelope(row)),
    headers: {
      'event-id': row.event_id,
      'event-type': row.event_type,
      'event-version': String(row.event_version),
      'tenant-id': row.tenant_id,
      'correlation-id': row.correlation_id,
      'content-type': 'application/json',
      // The event's trace (ADR 0019): consumers continue the trace of the command that wrote it.
      ...(traceparent ? { traceparent, [EVENT_TRACEPARENT_HEADER]: traceparent } : {}),
    },
  };
}

const tracer = trace.getTracer('cpq-outbox-relay');

/**
 * One PRODUCER span per event, a child of the span that wrote it (its stored traceparent), so a
 * command's trace goes on through Kafka into its consumers. Without a tracer (tracing off) the
 * spans are no-ops and the stored traceparent is forwarded as it is.
 */
function publishSpan(row: OutboxRow): { span: Span; traceparent: string | null } {
  const span = tracer.startSpan(`publish ${row.event_type}`, {
    kind: SpanKind.PRODUCER,
    attributes: {
      'messaging.system': 'kafka', 'messaging.destination.name': row.topic, 'messaging.message.id': row.event_id,
      'cpq.event_type': row.event_type, 'cpq.tenant_id': row.tenant_id, 'cpq.aggregate_type': row.aggregate_type,
      'cpq.aggregate_id': row.aggregate_id, 'cpq.correlation_id': row.correlation_id,
    },
  }, contextOfTraceparent(row.trace_parent));
  return { span, traceparent: traceparentOf(trace.setSpan(context.active(), span)) ?? row.trace_parent };
}

/**
 * Publishes committed outbox events to Kafka, keyed by aggregate id (so one aggregate's
 * events share a partition and keep their order), and marks them published in the same
 * transaction that claimed them. Delivery is at least once: a crash between the broker's
 * acknowledgement and the commit republishes, and consumers deduplicate by eventId.
 *
 * Several relays may run: each claims rows with FOR UPDATE SKIP LOCKED, and skips any
 * aggregate that has an earlier event still unpublished and claimed by another relay, so
 * per-aggregate order holds across relays too.
 */
export function createOutboxRelay(options: OutboxRelayOptions) {
  const { prisma, producer } = options;
  const batchSize = options.batchSize ?? 200;
  const pollIntervalMs = options.pollIntervalMs ?? 200;
  const maxBackoffMs = options.maxBackoffMs ?? 5_000;
  const transactionTimeoutMs = options.transactionTimeoutMs ?? 30_000;
  const logger = options.logger;

  /** One claim-publish-mark cycle; returns how many events were published. */
  async function publishBatch(): Promise<number> {
    let claimed: bigint[] = [];
    let occurred: Date[] = [];
    let spans: Span[] = [];
    try {
      const published = await prisma.$transaction(
        async (tx) => {
          const rows = await tx.$queryRaw<OutboxRow[]>`
            SELECT position, event_id::text, event_type, event_version, tenant_id, aggregate_type, aggregate_id,
                   aggregate_version, occurred_at, correlation_id, causation_id, actor, payload, topic, trace_parent
              FROM outbox_event
             WHERE published_at IS NULL
             ORDER BY position
             LIMIT ${batchSize}
               FOR UPDATE SKIP LOCKED`;
          if (rows.length === 0) return 0;
          const positions = rows.map((r) => r.position);
          const blocked = await tx.$queryRaw<{ aggregate_type: string; aggregate_id: string }[]>`
            SELECT DISTINCT earlier.aggregate_type, earlier.aggregate_id
              FROM outbox_event mine
              JOIN outbox_event earlier
                ON earlier.aggregate_type = mine.aggregate_type
               AND earlier.aggregate_id = mine.aggregate_id
               AND earlier.position < mine.position
               AND earlier.published_at IS NULL
             WHERE mine.position = ANY(${positions}::bigint[])
               AND NOT (earlier.position = ANY(${positions}::bigint[]))`;
          const isBlocked = new Set(blocked.map((b) => `${b.aggregate_type}\u0000${b.aggregate_id}`));
          const publishable = rows.filter((r) => !isBlocked.has(`${r.aggregate_type}\u0000${r.aggregate_id}`));
          if (publishable.length === 0) return 0;
          claimed = publishable.map((r) => r.position);
          occurred = publishable.map((r) => r.occurred_at);

          const byTopic = new Map<string, OutgoingMessage[]>();
          for (const row of publishable) {
            const traced = publishSpan(row);
            spans.push(traced.span);
            byTopic.set(row.topic, [...(byTopic.get(row.topic) ?? []), toMessage(row, traced.traceparent)]);
          }
          // The client's own per-message send spans would each start a trace of their own (the
          // relay's loop has no parent): the publish spans above stand for them.
          const quiet = suppressTracing(context.active());
          for (const [topic, messages] of byTopic) await context.with(quiet, () => producer.send(topic, messages));

          await tx.$executeRaw`
            UPDATE outbox_event
               SET published_at = now(), publish_attempts = publish_attempts + 1, last_error = NULL
             WHERE position = ANY(${claimed}::bigint[])`;
          return publishable.length;
        },
        { timeout: transactionTimeoutMs, maxWait: transactionTimeoutMs },
      );
      for (const span of spans) span.end();
      if (published > 0) options.onPublished?.(occurred);
      return published;
    } catch (error) {
      for (const span of spans) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        span.end();
      }
      spans = [];
      if (claimed.length > 0) {
        const message = (error as Error).message.slice(0, 2000);
        await prisma.$executeRaw`
          UPDATE outbox_event SET publish_attempts = publish_attempts + 1, last_error = ${message}
           WHERE position = ANY(${claimed}::bigint[]) AND published_at IS NULL`.catch(() => {});
      }
      throw error;
    }
  }

  const loop = createPollingLoop({
    round: publishBatch,
    batchSize,
    pollIntervalMs,
    maxBackoffMs,
    onFailure: (error, failures, backoffMs) => logger?.warn({ err: error.message, failures, backoffMs }, 'outbox publish failed; will retry'),
    onRecovery: (failures) => logger?.info({ failures }, 'outbox relay recovered'),
  });

  return {
    publishBatch,
    start: loop.start,
    stop: loop.stop,
  };
}

export type OutboxRelay = ReturnType<typeof createOutboxRelay>;
