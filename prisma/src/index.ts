import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/client';

export { Prisma, PrismaClient } from '../generated/client';
export type * from '../generated/models';

export type PoolOptions = {
  /** Connections in the pool. */
  max?: number;
  /** How long a query waits for a free connection before it fails (0: forever). */
  connectionWaitMs?: number;
  /** How long a statement waits for a row lock before PostgreSQL gives up (55P03). */
  lockTimeoutMs?: number;
};

/**
 * Prisma on the node-postgres driver adapter (Prisma 7: no Rust query engine). Every wait is
 * bounded: for a connection (the pool) and for a row lock (the session's lock_timeout), so a
 * contended command ends in a refusal the caller can retry, never in an expired transaction.
 */
export function createPrismaClient(connectionString: string, options: PoolOptions = {}): PrismaClient {
  const adapter = new PrismaPg({
    connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionWaitMs ?? 10_000,
    options: `-c lock_timeout=${options.lockTimeoutMs ?? 3000} -c idle_in_transaction_session_timeout=60000`,
  });
  return new PrismaClient({ adapter });
}

/** A transaction client, as passed to `prisma.$transaction(async (tx) => ...)`. */
export type TransactionClient = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];
