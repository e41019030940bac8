import { createPollingLoop } from '../shared/polling-loop';
import { createHmac } from 'node:crypto';
import type { PrismaClient } from '@cpq/prisma';

export type DispatcherLogger = { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };

export type Backoff = { initialMs: number; factor: number; maxMs: number; /** 0..1: share of each delay that is randomised. */ jitter: number };

export type WebhookDispatcherOptions = {
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

/** What one HTTP attempt came to, before policy. */
export type AttemptResult =
  | { kind: 'response'; status: number; body: string; retryAfterMs: number | null }
  | { kind: 'timeout'; timeoutMs: number }
  | { kind: 'network'; message: string };

export type Verdict =
  | { verdict: 'delivered' }
  /** The receiver refused it: sending it again would be refused again. */
  | { verdict: 'refused'; reason: string }
  | { verdict: 'retry'; reason: string; retryAfterMs: number | null };

export type BatchResult = { claimed: number; delivered: number; retried: number; failed: number; lost: number };

export const DEFAULT_BACKOFF: Backoff = { initialMs: 1_000, factor: 2, maxMs: 300_000, jitter: 0.2 };

/** `sha256=<hex HMAC-SHA256 of the exact body bytes>`, as sent in `X-CPQ-Signature`. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

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
 * Delivery policy for one attempt (pure). 2xx: delivered. 408, 429 and 5xx: the receiver may
 * take it later, retry. Any other 4xx (and 3xx: we do not follow redirects with a signed
 * body): the receiver refused this request, and the same bytes would be refused again.
 * A timeout is an unknown outcome (the receiver may have acted on it): retry with the same
 * Idempotency-Key and let the receiver deduplicate; never guess success or failure.
 */
export function classifyAttempt(result: AttemptResult): Verdict {
  switch (result.kind) {
    case 'timeout':
      return { verdict: 'retry', reason: `no response within ${result.timeoutMs} ms (outcome unknown)`, retryAfterMs: null };
    case 'network':
      return { verdict: 'retry', reason: `connection error: ${result.message}`, retryAfterMs: null };
    case 'response': {
      const { status } = result;
      const detail = result.body.trim() ? `: ${result.body.trim().slice(0, 500)}` : '';
      if (status >= 200 && status < 300) return { verdict: 'delivered' };
      if (status === 408 || status === 429 || status >= 500) {
        return { verdict: 'retry', reason: `HTTP ${status}${detail}`, retryAfterMs: result.retryAfterMs };
      }
      return { verdict: 'refused', reason: `HTTP ${status}${detail}` };
    }
    default: {
      const unknown: never = result;
      throw new Error(`unknown attempt result ${JSON.stringify(unknown)}`);
    }
  }
}

/** Delay before attempt `attempts + 1`, after `attempts` failed ones (1-based). */
export function retryDelayMs(attempts: number, backoff: Backoff, retryAfterMs: number | null = null, random = Math.random): number {
  const base = Math.min(backoff.initialMs * backoff.factor ** Math.max(0, attempts - 1), backoff.maxMs);
  const jittered = base * (1 - backoff.jitter * random());
  return Math.round(Math.min(Math.max(jittered, retryAfterMs ?? 0), backoff.maxMs));
}

/** `Retry-After` as delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}

/**
 * Delivers pending notifications to one webhook. Several dispatchers may run against one
 * database: each claims due rows with FOR UPDATE SKIP LOCKED and, in the same statement,
 * counts the attempt and pushes `next_attempt_at` out by a lease, so no other dispatcher
 * takes them while the request is in flight; no transaction or row lock is held during HTTP.
 * The outcome is written only if the row is still the one this dispatcher claimed (status
 * pending, same attempt count): a dispatcher whose lease ran out cannot overwrite a newer result.
 *
 * At least once: a crash after the receiver acted but before the outcome is stored sends it
 * again after the lease, with the same Idempotency-Key (the notification id).
 */
export function createWebhookDispatcher(options: WebhookDispatcherOptions) {
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

  async function attempt(row: ClaimedNotification): Promise<AttemptResult> {
    const body = JSON.stringify(webhookBody(row));
    try {
      const response = await fetchImpl(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'Idempotency-Key': row.id,
          'X-CPQ-Signature': signBody(body, secret),
          'X-CPQ-Event-Id': row.event_id,
          'X-CPQ-Event-Type': row.event_type,
          'X-CPQ-Delivery-Attempt': String(row.attempts),
          'User-Agent': 'cpq-notifications/1',
        },
        body,
        redirect: 'manual',
        // Covers the whole exchange, reading the response body included.
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text();
      return { kind: 'response', status: response.status, body: text, retryAfterMs: parseRetryAfter(response.headers.get('retry-after')) };
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') return { kind: 'timeout', timeoutMs };
      return { kind: 'network', message: describeNetworkError(error) };
    }
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

export type WebhookDispatcher = ReturnType<typeof createWebhookDispatcher>;
