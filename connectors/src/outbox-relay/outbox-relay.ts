import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { poolOf, type PrismaClient } from '@cpq/prisma';
import type pg from 'pg';
import { contextOfTraceparent, EVENT_TRACEPARENT_HEADER, traceparentOf } from '../observability/trace-context';
import type { EventEnvelope } from '@cpq/contracts/event-envelope';
import { MessageRejectedError, type KafkaProducer, type OutgoingMessage, type TopicMessages } from '../kafka/kafka.port';

/**
 * An unpublished outbox row as the claim reads it: actor and payload as their JSON text (they
 * go into the message as they are, never parsed and serialised again), bigints as text.
 */
type OutboxRow = {
  position: string; event_id: string; event_type: string; event_version: number; tenant_id: string;
  aggregate_type: string; aggregate_id: string; aggregate_version: string; occurred_at: Date;
  correlation_id: string; causation_id: string | null; actor: string; payload: string; topic: string; trace_parent: string | null;
};

export type RelayLogger = { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };

export type OutboxRelayOptions = {
  prisma: PrismaClient;
  producer: KafkaProducer;
  /** Events claimed, sent (one produce request) and marked per round. */
  batchSize?: number;
  /** Sleep of an idle relay (a round found nothing). */
  pollIntervalMs?: number;
  /**
   * While events flow, the least time between the starts of two claims (default 5 ms, at most
   * `pollIntervalMs`); also the first idle wait, which doubles up to `pollIntervalMs`.
   */
  busyPollIntervalMs?: number;
  /** Upper bound of the back-off after a failed publish. */
  maxBackoffMs?: number;
  /** A round's limit (claim, send, mark); a publish still running then is retried (at least once). */
  transactionTimeoutMs?: number;
  /**
   * An event whose message (key, value and headers) is larger than this is refused without
   * sending (the broker's `message.max.bytes` is 1 MiB by default): it is recorded as failing
   * and holds back its aggregate, never the others. 0: no check (the broker decides).
   */
  maxMessageBytes?: number;
  /** After a refused event, how long before it is tried again (doubling up to `maxBackoffMs` x 12). */
  retryRefusedAfterMs?: number;
  /**
   * Prepended to every event's topic (RELAY_TOPIC_PREFIX): an environment that shares a broker
   * with another (a benchmark or a soak beside the platform) publishes to its own topics.
   */
  topicPrefix?: string;
  logger?: RelayLogger;
  /** After a batch's commit: when each published event occurred (for the publish-lag metric). */
  onPublished?: (occurredAt: Date[]) => void;
};

/** The seed's envelope of a row read with actor and payload as objects. */
export function toEnvelope(row: Omit<OutboxRow, 'actor' | 'payload' | 'position' | 'aggregate_version'> & {
  aggregate_version: bigint | string | number; actor: EventEnvelope['actor']; payload: Record<string, unknown>;
}): EventEnvelope {
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

/** The envelope as JSON text, fields in `toEnvelope`'s order, actor and payload spliced in as stored. */
function envelopeText(row: OutboxRow): string {
  const head = JSON.stringify({
    eventId: row.event_id, eventType: row.event_type, eventVersion: row.event_version, tenantId: row.tenant_id,
    aggregateType: row.aggregate_type, aggregateId: row.aggregate_id, aggregateVersion: Number(row.aggregate_version),
    occurredAt: row.occurred_at.toISOString(), correlationId: row.correlation_id, causationId: row.causation_id,
  });
  return `${head.slice(0, -1)},"actor":${row.actor},"payload":${row.payload}}`;
}

function toMessage(row: OutboxRow, traceparent: string | null): OutgoingMessage {
  return {
    key: row.aggregate_id,
    value: envelopeText(row),
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

function messageBytes(message: OutgoingMessage): number {
  let bytes = Buffer.byteLength(message.key) + Buffer.byteLength(message.value);
  for (const [name, value] of Object.entries(message.headers ?? {})) bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  return bytes;
}

/** An upper bound of `messageBytes` without encoding (a UTF-16 unit is at most 3 UTF-8 bytes): most messages are far below the limit. */
function maxBytesOf(message: OutgoingMessage): number {
  let units = message.key.length + message.value.length;
  for (const name in message.headers) units += name.length + message.headers[name]!.length;
  return units * 3;
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

type Pending = { row: OutboxRow; message: OutgoingMessage; span: Span };
const aggregateOf = (row: Pick<OutboxRow, 'aggregate_type' | 'aggregate_id'>) => `${row.aggregate_type}\u0000${row.aggregate_id}`;

/** Messages grouped by topic, each topic's in the order given (position order). */
function byTopic(pending: Pending[]): TopicMessages[] {
  const topics = new Map<string, OutgoingMessage[]>();
  for (const p of pending) {
    const list = topics.get(p.row.topic);
    if (list) list.push(p.message);
    else topics.set(p.row.topic, [p.message]);
  }
  return [...topics].map(([topic, messages]) => ({ topic, messages }));
}

/**
 * The claim, in one statement: up to $1 unpublished rows in commit order, locked with SKIP
 * LOCKED, without the aggregates this relay holds back ($2: an earlier event of theirs was
 * refused), and without those whose aggregate has an *earlier* unpublished row this claim does
 * not hold (claimed by another relay): a later event never overtakes an earlier one.
 */
const CLAIM = `
  WITH claimed AS MATERIALIZED (
    SELECT position, event_id, event_type, event_version, tenant_id, aggregate_type, aggregate_id,
           aggregate_version, occurred_at, correlation_id, causation_id, actor, payload, topic, trace_parent
      FROM outbox_event
     WHERE published_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM unnest($2::text[], $3::text[]) AS held(type, id)
                        WHERE held.type = aggregate_type AND held.id = aggregate_id)
     ORDER BY position
     LIMIT $1
       FOR UPDATE SKIP LOCKED
  ),
  -- Per claimed aggregate, its first unpublished event this claim does not hold (before the
  -- claim's last one): an index scan of ix_outbox_unpublished_aggregate from the aggregate's start.
  gaps AS MATERIALIZED (
    SELECT a.aggregate_type, a.aggregate_id,
           (SELECT e.position FROM outbox_event e
             WHERE e.aggregate_type = a.aggregate_type AND e.aggregate_id = a.aggregate_id
               AND e.published_at IS NULL AND e.position < a.last
               AND e.position NOT IN (SELECT position FROM claimed)
             ORDER BY e.position LIMIT 1) AS gap
      FROM (SELECT aggregate_type, aggregate_id, max(position) AS last FROM claimed GROUP BY 1, 2) a
  )
  SELECT c.position::text, c.event_id::text, c.event_type, c.event_version, c.tenant_id, c.aggregate_type, c.aggregate_id,
         c.aggregate_version::text, c.occurred_at, c.correlation_id, c.causation_id, c.actor::text, c.payload::text,
         c.topic, c.trace_parent
    FROM claimed c JOIN gaps g ON g.aggregate_type = c.aggregate_type AND g.aggregate_id = c.aggregate_id
   WHERE g.gap IS NULL OR c.position < g.gap
   ORDER BY c.position`;

/**
 * Publishes committed outbox events to Kafka, keyed by aggregate id (so one aggregate's
 * events share a partition and keep their order), and marks them published in the same
 * transaction that claimed them. Delivery is at least once: a crash between the broker's
 * acknowledgement and the commit republishes, and consumers deduplicate by eventId.
 *
 * A round claims a batch and sends it in one produce request (every topic at once), then marks
 * it in one statement: a round costs four database round trips and one to the broker, whatever
 * the batch size (ADR 0004). When the broker refuses a message itself (too large, invalid),
 * the batch is sent again one message at a time in commit order, so the others go out and the
 * refused one, with the later events of its aggregate, stays unpublished with its error; that
 * aggregate is held back (retried after a back-off) while every other aggregate flows.
 *
 * Several relays may run: each claims rows with FOR UPDATE SKIP LOCKED, and skips any
 * aggregate that has an earlier event still unpublished and claimed by another relay, so
 * per-aggregate order holds across relays too.
 */
export function createOutboxRelay(options: OutboxRelayOptions) {
  const { producer } = options;
  const pool: pg.Pool = poolOf(options.prisma);
  const batchSize = options.batchSize ?? 500;
  const pollIntervalMs = options.pollIntervalMs ?? 200;
  const maxBackoffMs = options.maxBackoffMs ?? 5_000;
  const transactionTimeoutMs = options.transactionTimeoutMs ?? 30_000;
  const maxMessageBytes = options.maxMessageBytes ?? 1_000_000;
  const retryRefusedAfterMs = options.retryRefusedAfterMs ?? 1_000;
  const logger = options.logger;
  // Refused events by position: when they may be tried again and how long the next wait is.
  // In memory: after a restart a refused event is tried once at once, then backs off again.
  const refused = new Map<string, { row: Pick<OutboxRow, 'aggregate_type' | 'aggregate_id'>; retryAt: number; waitMs: number }>();
  const quiet = () => suppressTracing(context.active());
  const send = async (batches: TopicMessages[]) => {
    // The client's own per-message send spans would each start a trace of their own (the relay's
    // loop has no parent): the publish spans stand for them.
    await context.with(quiet(), async () => {
      if (producer.sendBatch) await producer.sendBatch(batches);
      else for (const { topic, messages } of batches) await producer.send(topic, messages);
    });
  };

  /** Aggregates held back now (types, ids): an earlier event of theirs was refused and its wait is not over. */
  function heldAggregates(now: number): [string[], string[]] {
    const held = new Map<string, [string, string]>();
    for (const entry of refused.values()) if (entry.retryAt > now) held.set(aggregateOf(entry.row), [entry.row.aggregate_type, entry.row.aggregate_id]);
    return [[...held.values()].map((h) => h[0]), [...held.values()].map((h) => h[1])];
  }

  function refuse(row: OutboxRow, error: Error, failed: Map<string, string>) {
    const previous = refused.get(row.position);
    const waitMs = previous ? Math.min(previous.waitMs * 2, maxBackoffMs * 12) : retryRefusedAfterMs;
    refused.set(row.position, { row: { aggregate_type: row.aggregate_type, aggregate_id: row.aggregate_id }, retryAt: Date.now() + waitMs, waitMs });
    failed.set(row.position, error.message.slice(0, 2000));
    logger?.warn({ eventId: row.event_id, eventType: row.event_type, aggregateId: row.aggregate_id, err: error.message, retryInMs: waitMs },
      'outbox event refused; its aggregate is held back, the others go on');
  }

  /**
   * Sends what the claim returned; returns what went out and what was refused (position ->
   * error). Throws when the batch failed for a reason that is not about its messages (broker
   * down, timeout): then nothing is marked and the whole batch is retried after a back-off.
   */
  async function sendClaimed(pending: Pending[]): Promise<{ sent: Pending[]; failed: Map<string, string> }> {
    const failed = new Map<string, string>();
    const heldNow = new Set<string>();
    // Refused before sending: a message the broker would refuse for its size.
    const sendable: Pending[] = [];
    for (const p of pending) {
      const aggregate = aggregateOf(p.row);
      if (heldNow.has(aggregate)) continue;
      if (maxMessageBytes > 0 && maxBytesOf(p.message) > maxMessageBytes && messageBytes(p.message) > maxMessageBytes) {
        heldNow.add(aggregate);
        refuse(p.row, new Error(`message of ${messageBytes(p.message)} bytes is larger than the relay's limit of ${maxMessageBytes} (RELAY_MAX_MESSAGE_BYTES)`), failed);
        continue;
      }
      sendable.push(p);
    }
    // An event refused before whose wait is over goes alone first (its aggregate's earliest
    // unpublished one): refused again, only its aggregate waits on; the batch is not disturbed.
    const sent: Pending[] = [];
    const trySending = async (p: Pending): Promise<boolean> => {
      try {
        await send([{ topic: p.row.topic, messages: [p.message] }]);
        sent.push(p);
        return true;
      } catch (error) {
        if (!(error instanceof MessageRejectedError)) throw error;
        heldNow.add(aggregateOf(p.row));
        refuse(p.row, error, failed);
        return false;
      }
    };
    for (const p of sendable) if (refused.has(p.row.position)) await trySending(p);
    const rest = sendable.filter((p) => !refused.has(p.row.position) && !heldNow.has(aggregateOf(p.row)) && !sent.includes(p));
    if (rest.length === 0) return { sent, failed };
    try {
      await send(byTopic(rest));
      return { sent: [...sent, ...rest], failed };
    } catch (error) {
      if (!(error instanceof MessageRejectedError)) throw error;
    }
    // The broker refused something in the batch: one message at a time, in commit order, so
    // the refused one is found and only its aggregate waits. Messages of the batch the broker
    // had already written go out a second time (at least once; consumers deduplicate).
    for (const p of rest) if (!heldNow.has(aggregateOf(p.row))) await trySending(p);
    return { sent, failed };
  }

  /** A claimed batch: its transaction (BEGIN, the claim) is open on `client` until finish or abandon. */
  type Round = { client: pg.PoolClient; pending: Pending[] };

  /** BEGIN and the claim; null when nothing was claimed (the transaction is already ended). */
  async function claim(): Promise<Round | null> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<OutboxRow>({ name: 'outbox-relay-claim', text: CLAIM, values: [batchSize, ...heldAggregates(Date.now())] });
      if (rows.length === 0) {
        await client.query('COMMIT');
        client.release();
        return null;
      }
      if (options.topicPrefix) for (const row of rows) row.topic = `${options.topicPrefix}${row.topic}`;
      const pending = rows.map((row) => {
        const traced = publishSpan(row);
        return { row, span: traced.span, message: toMessage(row, traced.traceparent) };
      });
      return { client, pending };
    } catch (error) {
      const broken = await client.query('ROLLBACK').then(() => false, () => true);
      client.release(broken || undefined);
      throw error;
    }
  }

  /** Sends a claimed round within the round's time limit (a publish still running then is retried: at least once). */
  async function sendRound(round: Round): Promise<{ sent: Pending[]; failed: Map<string, string> }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`outbox publish took longer than ${transactionTimeoutMs} ms`)), transactionTimeoutMs);
    });
    try {
      return await Promise.race([sendClaimed(round.pending), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Marks what went out as published and what was refused with its error, and commits: one
   * round trip (the UPDATE and COMMIT in one simple-protocol message) when nothing was refused,
   * the positions inlined (they are the claim's bigints, digits only). Returns how many were published.
   */
  async function finish(round: Round, sent: Pending[], failed: Map<string, string>): Promise<number> {
    const { client, pending } = round;
    try {
      if (failed.size === 0) {
        await client.query(`UPDATE outbox_event SET published_at = now(), publish_attempts = publish_attempts + 1, last_error = NULL
                              WHERE position = ANY('{${sent.map((p) => p.row.position).join(',')}}'::bigint[]); COMMIT`);
      } else {
        // Published ones marked, refused ones counted with their error, in one statement.
        await client.query({
          name: 'outbox-relay-mark',
          text: `UPDATE outbox_event o
                    SET published_at = CASE WHEN f.error IS NULL THEN now() END,
                        publish_attempts = o.publish_attempts + 1, last_error = f.error
                   FROM unnest($1::bigint[], $2::text[]) AS f(position, error)
                  WHERE o.position = f.position`,
          values: [[...sent.map((p) => p.row.position), ...failed.keys()], [...sent.map(() => null), ...failed.values()]],
        });
        await client.query('COMMIT');
      }
    } catch (error) {
      await abandon(round, error as Error);
      throw error;
    }
    client.release();
    for (const p of sent) refused.delete(p.row.position);
    for (const p of pending) p.span.end();
    if (sent.length > 0) options.onPublished?.(sent.map((p) => p.row.occurred_at));
    return sent.length;
  }

  /**
   * A round that failed (broker down, timeout, database): its events stay unpublished and are
   * claimed again. With `recordError`, the attempt and the error are written in the round's own
   * transaction, which still holds their locks, and committed; otherwise (or when that fails) it
   * is rolled back. Recorded after a rollback instead, the UPDATE could wait behind a next claim
   * that took the released rows, until the lock timeout, and the attempt would be lost.
   */
  async function abandon(round: Round, error: Error, recordError = true): Promise<void> {
    const { client, pending } = round;
    let ended = false;
    if (recordError && pending.length > 0) {
      ended = await client.query(
        `UPDATE outbox_event SET publish_attempts = publish_attempts + 1, last_error = ${client.escapeLiteral(error.message.slice(0, 2000))}
          WHERE position = ANY('{${pending.map((p) => p.row.position).join(',')}}'::bigint[]) AND published_at IS NULL; COMMIT`,
      ).then(() => true, () => false);
    }
    // A connection whose rollback failed is not reused.
    const broken = ended ? false : await client.query('ROLLBACK').then(() => false, () => true);
    client.release(broken || undefined);
    for (const p of pending) {
      p.span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      p.span.end();
    }
  }

  /** One claim-publish-mark round; returns how many events were published. */
  async function publishBatch(): Promise<number> {
    const round = await claim();
    if (!round) return 0;
    let result: { sent: Pending[]; failed: Map<string, string> };
    try {
      result = await sendRound(round);
    } catch (error) {
      await abandon(round, error as Error);
      throw error;
    }
    return finish(round, result.sent, result.failed);
  }

  /**
   * The loop, pipelined: while a round's batch is with the broker, the next round is already
   * claimed (its own transaction), and it is sent as soon as the broker acknowledged the one
   * before; the earlier round's mark and commit run meanwhile. Sends stay one at a time and in
   * claim order (one producer, idempotent). Order per aggregate holds as between two relays:
   * the claim skips an aggregate whose earlier event is held by a round not yet committed. The
   * next claim waits for the commit of the round before the one in flight, so that it sees that
   * round's events published. Idle (a claim found nothing), the relay looks again after
   * `busyPollIntervalMs`, doubling up to `pollIntervalMs` while nothing comes.
   */
  let running = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  const sleep = (ms: number) => new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  const busyPollIntervalMs = Math.min(options.busyPollIntervalMs ?? 5, pollIntervalMs);

  // Claims are spaced at least busyPollIntervalMs apart (start to start): under a steady stream a
  // round takes what arrived meanwhile instead of one event per round trip (CPU per event). After
  // a full batch (a backlog) the next claim goes at once.
  let lastClaimAt = 0;
  let lastClaimFull = false;
  const spacedClaim = async (): Promise<Round | null> => {
    const wait = lastClaimAt + busyPollIntervalMs - performance.now();
    if (wait > 0 && !lastClaimFull) await new Promise((resolve) => setTimeout(resolve, wait));
    lastClaimAt = performance.now();
    if (!running) return null;
    const round = await claim();
    lastClaimFull = round?.pending.length === batchSize;
    return round;
  };

  async function run(): Promise<void> {
    let failures = 0;
    let idleMs = Math.max(1, busyPollIntervalMs);
    let committing: Promise<unknown> = Promise.resolve();
    let next: Promise<Round | null> | undefined;
    while (running) {
      try {
        const round = await (next ?? spacedClaim());
        next = undefined;
        if (!round) {
          await committing;
          if (failures > 0) logger?.info({ failures }, 'outbox relay recovered');
          failures = 0;
          await sleep(idleMs);
          idleMs = Math.min(idleMs * 2, pollIntervalMs);
          continue;
        }
        idleMs = Math.max(1, busyPollIntervalMs);
        const sending = sendRound(round);
        // The next round is claimed while this one is with the broker (after the round before it committed).
        const claimed = committing.then(spacedClaim);
        claimed.catch(() => {}); // awaited at the next turn; a failure there is handled there
        next = claimed;
        let result: { sent: Pending[]; failed: Map<string, string> };
        try {
          result = await sending;
        } catch (error) {
          await abandon(round, error as Error);
          throw error;
        }
        const finishing = finish(round, result.sent, result.failed);
        committing = finishing.then(() => {
          if (failures > 0) logger?.info({ failures }, 'outbox relay recovered');
          failures = 0;
        });
        // A failed mark or commit (the round is rolled back: its events go out again) fails the
        // next claim, which waits for it: the loop backs off there. Until then nothing is lost:
        // the round in flight holds no aggregate of this one (the claim skipped them).
        committing.catch(() => {});
      } catch (error) {
        // Whatever is in flight is ended before the back-off: the claimed next round rolled back (not sent).
        const pendingNext = next;
        next = undefined;
        await pendingNext?.then((r) => (r ? abandon(r, error as Error, false) : undefined), () => undefined);
        await committing.catch(() => {});
        committing = Promise.resolve();
        failures += 1;
        const backoff = Math.min(pollIntervalMs * 2 ** failures, maxBackoffMs);
        logger?.warn({ err: (error as Error).message, failures, backoffMs: backoff }, 'outbox publish failed; will retry');
        await sleep(backoff);
      }
    }
    // Stopping: the claimed next round goes back unsent, the last commit is awaited.
    const pendingNext = next;
    await pendingNext?.then((r) => (r ? abandon(r, new Error('relay stopping'), false) : undefined), () => undefined);
    await committing.catch(() => {});
  }

  return {
    publishBatch,
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
    },
  };
}

export type OutboxRelay = ReturnType<typeof createOutboxRelay>;
