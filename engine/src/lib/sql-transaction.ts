import { Prisma, type TransactionClient } from '@cpq/prisma';
import type pg from 'pg';
import { DEFAULT_TRANSACTION_SETTINGS, withContentionAnswers, type TransactionSettings } from './transaction';

/**
 * What the hot command paths use of a transaction: bound raw SQL only. A Prisma transaction
 * client is one; so is `rawTx` over a node-postgres client, which skips Prisma's transaction
 * machinery (measured at 8 concurrent: 0.96 ms of CPU for a Prisma transaction of three raw
 * statements, 0.29 ms on node-postgres; docs/benchmarks.md, ADR 0014).
 */
export type RawTx = Pick<TransactionClient, '$queryRaw' | '$executeRaw'>;

type Template = TemplateStringsArray | Prisma.Sql;
const bind = (query: Template, values: unknown[]): Prisma.Sql =>
  query instanceof Prisma.Sql ? query : Prisma.sql(query, ...values);

/** `$queryRaw` and `$executeRaw` over one node-postgres client, with the same binding rules. */
export function rawTx(client: pg.PoolClient): RawTx {
  const run = (query: Template, values: unknown[]) => {
    const sql = bind(query, values);
    return client.query(sql.text, sql.values);
  };
  // The methods return plain promises where Prisma's return PrismaPromises (which also batch);
  // nothing on these paths batches, so the shapes agree where it matters.
  return {
    $queryRaw: (query: Template, ...values: unknown[]) => run(query, values).then((r) => r.rows),
    $executeRaw: (query: Template, ...values: unknown[]) => run(query, values).then((r) => r.rowCount ?? 0),
  } as unknown as RawTx;
}

/**
 * One transaction on one pooled connection, in raw SQL, with the same guarantees as
 * `createTransactionRunner` (lib/transaction.ts): bounded waits (the pool's connection wait, the
 * session's lock_timeout and idle-in-transaction timeout, and a statement_timeout on each
 * statement: PostgreSQL 15 has no timeout for a transaction as a whole), deadlocks retried, a
 * lock held too long a 409, an exhausted pool or a statement past its time a 503; never a 500
 * from contention.
 */
export function createSqlTransactionRunner(pool: pg.Pool, settings: TransactionSettings = DEFAULT_TRANSACTION_SETTINGS) {
  return function inSqlTransaction<T>(work: (tx: RawTx) => Promise<T>): Promise<T> {
    return withContentionAnswers(settings, async () => {
      const client = await pool.connect();
      try {
        await client.query(`BEGIN; SET LOCAL statement_timeout = ${Math.floor(settings.timeoutMs)}`);
        const result = await work(rawTx(client));
        await client.query('COMMIT');
        client.release();
        return result;
      } catch (error) {
        const broken = await client.query('ROLLBACK').then(() => false, () => true);
        client.release(broken ? (error as Error) : undefined);
        throw error;
      }
    }, (error) => (isStatementTimeout(error) ? 'expired' : undefined));
  };
}

const isStatementTimeout = (error: unknown) => (error as { code?: string } | null)?.code === '57014';

export type InSqlTransaction = ReturnType<typeof createSqlTransactionRunner>;
