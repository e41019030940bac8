import { createHmac } from 'node:crypto';

/**
 * Signed webhook delivery, generic: one signed POST, what it came to, and the retry policy.
 * Knows nothing of what is sent or where it is stored; the engine's notification dispatcher
 * (engine/src/modules/notification) owns the rows and decides with these.
 */
export type Backoff = { initialMs: number; factor: number; maxMs: number; /** 0..1: share of each delay that is randomised. */ jitter: number };

export const DEFAULT_BACKOFF: Backoff = { initialMs: 1_000, factor: 2, maxMs: 300_000, jitter: 0.2 };

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

/** `sha256=<hex HMAC-SHA256 of the exact body bytes>`, as sent in `X-CPQ-Signature`. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
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

export type SignedPost = {
  url: string;
  /** Key of the `X-CPQ-Signature` HMAC; the receiver holds the same. */
  secret: string;
  /** The exact bytes sent and signed. */
  body: string;
  /** Stable per logical delivery, so the receiver deduplicates retries. */
  idempotencyKey: string;
  /** Extra headers (not signed). */
  headers?: Record<string, string>;
  /** Covers the whole exchange, reading the response body included. */
  timeoutMs: number;
  fetch?: typeof fetch;
};

/** One signed POST: never throws, answers what happened (response, timeout or network error). */
export async function postSigned(request: SignedPost): Promise<AttemptResult> {
  const fetchImpl = request.fetch ?? fetch;
  try {
    const response = await fetchImpl(request.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Idempotency-Key': request.idempotencyKey,
        'X-CPQ-Signature': signBody(request.body, request.secret),
        'User-Agent': 'cpq-notifications/1',
        ...request.headers,
      },
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    const text = await response.text();
    return { kind: 'response', status: response.status, body: text, retryAfterMs: parseRetryAfter(response.headers.get('retry-after')) };
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') return { kind: 'timeout', timeoutMs: request.timeoutMs };
    return { kind: 'network', message: describeNetworkError(error) };
  }
}
