import { createPollingLoop } from '@cpq/connectors/shared/polling-loop';
import { classifyAttempt, DEFAULT_BACKOFF, postSigned, retryDelayMs, type AttemptResult, type Backoff, type Verdict } from '@cpq/connectors/webhooks/webhook-sender';
import type { PrismaClient } from '@cpq/prisma';

export type DispatcherLogger = { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };

export type NotificationDispatcherOptions = {
  prisma: PrismaClient;
  /** Where every notification is POSTed. */
  url: string;
  /** Key of the `X-CPQ-Signature` HMAC; the receiver holds the same. */
  secret: string;
  /** Per request (connect, send, response and body), ms. */
  timeoutMs?: number;
  /** Attempts, counted across restarts and dispatchers, before a retryable failure becomes final. */
  maxAttempts?: number;
  backoff?: Partial<Backoff>;
  /** Rows claimed (and sent concurrently) per round. */
  batchSize?: number;
  pollIntervalMs?: number;
  /**
   * How long a claimed row stays invisible to other dispatchers. Must outlast a request
   * (timeoutMs) by a margin: a dispatcher that dies mid-request leaves its rows to be retried
   * by another once the lease runs out.
   */
  leaseMs?: number;
  fetch?: typeof fetch;
  logger?: DispatcherLogger;
};

/** A claimed row, as the dispatcher reads it. */
export type ClaimedNotification = {
  id: string; tenant_id: string; event_id: string; event_type: string; template_key: string;
  template_version: number; recipient_type: string; recipient_id: string; channel: string;
  subject: string; body: string; payload: Record<string, unknown>; attempts: number; created_at: Date;
};

export type BatchResult = { claimed: number; delivered: number; retried: number; failed: number; lost: number };

/**
 * The JSON a receiver gets. Built only from the row's immutable columns (never the attempt
 * count), so every retry sends the same bytes under the same Idempotency-Key.
 */
export function webhookBody(row: ClaimedNotification): Record<string, unknown> {
  return {
    notificationId: row.id,
    tenantId: row.tenant_id,
    eventId: row.event_id,
    eventType: row.event_type,
    template: { key: row.template_key, version: row.template_version },
    recipient: { type: row.recipient_type, id: row.recipient_id },
    channel: row.channel,
    subject: row.subject,
    body: row.body,
    contentType: 'text/plain',
    payload: row.payload,
    createdAt: row.created_at.toISOString(),
  };
}

/**
 * Delivers pending notifications (this module's rows) to one webhook, signed with
 * connectors' webhook sender. Several dispatchers may run against one
 * database: each claims due rows with FOR UPDATE SKIP LOCKED and, in the same statement,
 * counts the attempt and pushes `next_attempt_at` out by a lease, so no other dispatcher
 * takes them while the request is in flight; no transaction or row lock is held during HTTP.
 * The outcome is written only if the row is still the one this dispatcher claimed (status
 * pending, same attempt count): a dispatcher whose lease ran out cannot overwrite a newer result.
 *
 * At least once: a crash after the receiver acted but before the outcome is stored sends it
 * again after the lease, with the same Idempotency-Key (the notification id).
 */
export function createNotificationDispatcher(options: NotificationDispatcherOptions) {
  const { prisma, url, secret } = options;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const maxAttempts = options.maxAttempts ?? 8;
  const backoff: Backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  const batchSize = options.batchSize ?? 10;
  const pollIntervalMs = options.pollIntervalMs ?? 500;
  const leaseMs = options.leaseMs ?? timeoutMs + 10_000;
  const fetchImpl = options.fetch ?? fetch;
  const logger = options.logger;
  if (leaseMs <= timeoutMs) throw new Error(`leaseMs (${leaseMs}) must be longer than timeoutMs (${timeoutMs})`);

  async function claim(): Promise<ClaimedNotification[]> {
    return prisma.$queryRaw<ClaimedNotification[]>`
      WITH due AS (
        SELECT id FROM notification
         WHERE status = 'pending' AND next_attempt_at <= now()
         ORDER BY next_attempt_at, id
         LIMIT ${batchSize}
           FOR UPDATE SKIP LOCKED)
      UPDATE notification n
         SET attempts = n.attempts + 1,
             next_attempt_at = now() + ${leaseMs}::int * interval '1 millisecond'
        FROM due
       WHERE n.id = due.id
      RETURNING n.id::text, n.tenant_id, n.event_id::text, n.event_type, n.template_key, n.template_version,
                n.recipient_type, n.recipient_id, n.channel, n.subject, n.body, n.payload, n.attempts, n.created_at`;
  }

  function attempt(row: ClaimedNotification): Promise<AttemptResult> {
    return postSigned({
      url, secret, timeoutMs, fetch: fetchImpl,
      body: JSON.stringify(webhookBody(row)),
      idempotencyKey: row.id,
      headers: { 'X-CPQ-Event-Id': row.event_id, 'X-CPQ-Event-Type': row.event_type, 'X-CPQ-Delivery-Attempt': String(row.attempts) },
    });
  }

  /** Stores the outcome if the claim still holds; returns what happened to the row. */
  async function settle(row: ClaimedNotification, verdict: Verdict): Promise<'delivered' | 'retried' | 'failed' | 'lost'> {
    const fence = { id: row.id, attempts: row.attempts };
    let outcome: 'delivered' | 'retried' | 'failed';
    let updated: number;
    if (verdict.verdict === 'delivered') {
      outcome = 'delivered';
      updated = await prisma.$executeRaw`
        UPDATE notification SET status = 'delivered', delivered_at = now(), next_attempt_at = NULL, last_error = NULL
         WHERE id = ${fence.id}::uuid AND status = 'pending' AND attempts = ${fence.attempts}`;
    } else if (verdict.verdict === 'refused' || row.attempts >= maxAttempts) {
      outcome = 'failed';
      const reason = verdict.verdict === 'refused' ? verdict.reason : `gave up after ${row.attempts} attempts: ${verdict.reason}`;
      updated = await prisma.$executeRaw`
        UPDATE notification SET status = 'failed', next_attempt_at = NULL, last_error = ${reason}
         WHERE id = ${fence.id}::uuid AND status = 'pending' AND attempts = ${fence.attempts}`;
    } else {
      outcome = 'retried';
      const delay = retryDelayMs(row.attempts, backoff, verdict.retryAfterMs);
      updated = await prisma.$executeRaw`
        UPDATE notification SET next_attempt_at = now() + ${delay}::int * interval '1 millisecond', last_error = ${verdict.reason}
         WHERE id = ${fence.id}::uuid AND status = 'pending' AND attempts = ${fence.attempts}`;
    }
    if (updated === 0) {
      logger?.warn({ notificationId: row.id, attempts: row.attempts }, 'notification lease lost before its outcome was stored; the newer claim decides');
      return 'lost';
    }
    const log = { notificationId: row.id, eventId: row.event_id, template: row.template_key, attempts: row.attempts };
    if (outcome === 'delivered') logger?.info(log, 'notification delivered');
    else if (outcome === 'failed') logger?.error({ ...log, reason: 'reason' in verdict ? verdict.reason : undefined }, 'notification failed');
    else logger?.warn({ ...log, reason: 'reason' in verdict ? verdict.reason : undefined }, 'notification delivery will be retried');
    return outcome;
  }

  /** One round: claim due rows, send them concurrently, store each outcome. */
  async function dispatchBatch(): Promise<BatchResult> {
    const rows = await claim();
    const result: BatchResult = { claimed: rows.length, delivered: 0, retried: 0, failed: 0, lost: 0 };
    const outcomes = await Promise.all(rows.map(async (row) => settle(row, classifyAttempt(await attempt(row)))));
    for (const outcome of outcomes) result[outcome] += 1;
    return result;
  }

  const loop = createPollingLoop({
    round: async () => (await dispatchBatch()).claimed,
    batchSize,
    pollIntervalMs,
    maxBackoffMs: 30_000,
    onFailure: (error, failures, backoffMs) => logger?.warn({ err: error.message, failures, backoffMs }, 'notification dispatch round failed; will retry'),
  });

  return {
    dispatchBatch,
    start: loop.start,
    /** Stops after the round in flight (its requests end within timeoutMs). */
    stop: loop.stop,
  };
}

export type NotificationDispatcher = ReturnType<typeof createNotificationDispatcher>;
