import type { PrismaClient, TransactionClient } from '@cpq/prisma';
import { DomainError } from '../http/errors';

/**
 * How long a command may wait for a pooled connection and run its transaction. Row-lock waits
 * are bounded lower down, by the connections' `lock_timeout` (createPrismaClient), so a
 * contended lock ends as a 409 well before the transaction itself expires.
 */
export type TransactionSettings = { maxWaitMs: number; timeoutMs: number; retries: number };

export const DEFAULT_TRANSACTION_SETTINGS: TransactionSettings = { maxWaitMs: 10_000, timeoutMs: 15_000, retries: 2 };

export type Contention = 'deadlock' | 'lock-timeout' | 'pool-wait' | 'expired' | 'connection-lost';

/**
 * The connection went away under the command: a backend terminated (57P01 admin shutdown, as
 * pg_terminate_backend or a fast shutdown sends; 57P02 crash; 57P03 still starting, as after a
 * restart or during a failover), a connection failure (08000, 08003, 08006; 08001/08004 refused),
 * node-postgres' own "Connection terminated", Prisma's P1001 (unreachable) and P1017 (closed).
 */
const CONNECTION_LOST_CODES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', 'P1001', 'P1017', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE']);
const CONNECTION_LOST_MESSAGE = /Connection terminated|terminating connection due to|server closed the connection unexpectedly|Client has encountered a connection error|the database system is (starting up|shutting down|in recovery mode)|Can't reach database server|Server has closed the connection/i;

/** PostgreSQL SQLSTATEs and Prisma codes that mean "someone else held it", not "it is broken". */
export function contentionOf(error: unknown): Contention | undefined {
  for (let e = error as { code?: unknown; message?: unknown; cause?: unknown; originalCode?: unknown } | undefined, depth = 0; e && depth < 6; e = e.cause as typeof e, depth += 1) {
    const codes = [e.code, e.originalCode, (e as { meta?: { code?: unknown } }).meta?.code].map(String);
    const message = typeof e.message === 'string' ? e.message : '';
    if (codes.some((c) => c === '40P01' || c === '40001' || c === 'P2034')) return 'deadlock';
    if (codes.includes('55P03') || /lock timeout/i.test(message)) return 'lock-timeout';
    if (/Unable to start a transaction in the given time|timeout exceeded when trying to connect/i.test(message)) return 'pool-wait';
    if (codes.some((c) => CONNECTION_LOST_CODES.has(c)) || CONNECTION_LOST_MESSAGE.test(message)) return 'connection-lost';
    if (codes.includes('P2028') || /Transaction already closed|expired transaction/i.test(message)) return 'expired';
  }
  return undefined;
}

/**
 * Runs `work` in one transaction on one connection. A deadlock or serialization failure is
 * retried here (the work must then be re-runnable: it may not reach outside the transaction);
 * a lock held too long by another command is a 409 the client may retry; no pooled connection
 * within the bound, or a transaction that outlived its limit, is a 503 with nothing written.
 * Never a 500 from contention (issue: 11 of 12 parallel accepts ended in 500).
 */
export function createTransactionRunner(prisma: PrismaClient, settings: TransactionSettings = DEFAULT_TRANSACTION_SETTINGS) {
  return function inTransaction<T>(work: (tx: TransactionClient) => Promise<T>): Promise<T> {
    return withContentionAnswers(settings, () => prisma.$transaction(work, { maxWait: settings.maxWaitMs, timeout: settings.timeoutMs }));
  };
}

/**
 * Runs a transaction attempt, retrying it after a deadlock or serialization failure (with
 * jitter, up to `settings.retries`), and answers any other contention as the contract does:
 * a lock held too long -> 409 `concurrent-update`, no connection or time left -> 503 `busy`.
 * `classify` reads the same failures the same way where no runner is involved.
 */
export async function withContentionAnswers<T>(settings: TransactionSettings, attempt: () => Promise<T>, extra: (error: unknown) => Contention | undefined = () => undefined): Promise<T> {
  for (let tries = 0; ; tries += 1) {
    try {
      return await attempt();
    } catch (error) {
      const contention = contentionOf(error) ?? extra(error);
      if (!contention) throw error;
      if (contention === 'deadlock' && tries < settings.retries) {
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * (tries + 1)));
        continue;
      }
      if (contention === 'deadlock' || contention === 'lock-timeout') {
        throw new DomainError('concurrent-update', 'another command changed this resource at the same moment; read it again and retry');
      }
      if (contention === 'connection-lost') throw connectionLost();
      throw new DomainError('busy', 'the engine is at capacity; nothing was changed, retry shortly');
    }
  }
}

export type InTransaction = ReturnType<typeof createTransactionRunner>;

/**
 * A command whose database connection was lost is not retried here: the loss may have come
 * while COMMIT was on its way, so whether it committed is unknown to this process. The caller
 * retries with the same Idempotency-Key, which gets the stored answer if it did commit (the
 * answer commits with the effect) and runs the command if it did not.
 */
export const connectionLost = () => new DomainError('dependency-unavailable',
  'the database connection was lost during the command (a restart or failover); retry with the same Idempotency-Key');

