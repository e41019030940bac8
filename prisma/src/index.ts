import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/client';
import { TenantScopedPool } from './tenant-scope';

export { Prisma, PrismaClient } from '../generated/client';
export type * from '../generated/models';
export { NO_TENANT, TENANT_ROLE, currentTenantScope, runAcrossTenants, runInTenantScope } from './tenant-scope';

export type PoolOptions = {
  /** Connections in the pool. */
  max?: number;
  /** How long a query waits for a free connection before it fails (0: forever). */
  connectionWaitMs?: number;
  /** How long a statement waits for a row lock before PostgreSQL gives up (55P03). */
  lockTimeoutMs?: number;
  /** How long PostgreSQL lets a session sit idle inside a transaction before it ends the session (default 60 s). */
  idleInTransactionTimeoutMs?: number;
};

/**
 * Prisma on the node-postgres driver adapter (Prisma 7: no Rust query engine). Every wait is
 * bounded: for a connection (the pool) and for a row lock (the session's lock_timeout), so a
 * contended command ends in a refusal the caller can retry, never in an expired transaction.
 */
export function createPrismaClient(connectionString: string, options: PoolOptions = {}): PrismaClient {
  // One pool, ours: Prisma's adapter queries through it, and the hot command paths may run their
  // transactions on it directly (`poolOf`; engine/src/lib/sql-transaction.ts, ADR 0014). Each
  // checkout puts its connection in the caller's tenant scope (row-level security, ADR 0023).
  const pool = new TenantScopedPool({
    connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionWaitMs ?? 10_000,
    options: `-c lock_timeout=${options.lockTimeoutMs ?? 3000} -c idle_in_transaction_session_timeout=${options.idleInTransactionTimeoutMs ?? 60_000}`,
    // For queries made on the pool directly (Prisma sets its own parsers per query): a SQL
    // date is a calendar day, read as UTC midnight like Prisma does, whatever the process's zone.
    types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === DATE_OID && format !== 'binary'
      ? (value: string) => new Date(`${value}T00:00:00Z`)
      : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser },
  });
  // An idle connection that dies (a failover or restart ends every backend) is dropped by the
  // pool, which then emits 'error': without a listener that ends the process. Prisma adds one only
  // once it has connected; the raw-SQL paths may use the pool before that.
  pool.on('error', () => {});
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  pools.set(prisma, pool);
  return prisma;
}

const DATE_OID = 1082;
const pools = new WeakMap<PrismaClient, pg.Pool>();

/** The node-postgres pool under a client made by `createPrismaClient`. */
export function poolOf(prisma: PrismaClient): pg.Pool {
  const pool = pools.get(prisma);
  if (!pool) throw new Error('this Prisma client was not made by createPrismaClient: it has no pool of ours');
  return pool;
}

/** A transaction client, as passed to `prisma.$transaction(async (tx) => ...)`. */
export type TransactionClient = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];
