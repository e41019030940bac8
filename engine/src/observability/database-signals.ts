import type { PrismaClient } from '@cpq/prisma';
import type { SignalSource } from './business-metrics';

/**
 * Long transactions on the engine's database, whoever holds them (seed section 13, "long
 * transaction causes bloat"). A transaction left open keeps its snapshot: VACUUM cannot remove
 * any row version it might still see, so every hot table (quote, quote_revision, outbox_event)
 * bloats until it ends. The engine's own sessions are ended by PostgreSQL after
 * DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS; a session of another client (a report, an
 * operator's psql) is not, so it has to be seen: `LongTransactionOpen` alerts on these gauges.
 */
export function databaseSignalSource(prisma: PrismaClient): SignalSource {
  return {
    gauges: {
      cpq_db_oldest_transaction_seconds: 'Age of the oldest open transaction on the engine\'s database, any client (it holds back VACUUM).',
      cpq_db_idle_in_transaction_sessions: 'Sessions on the engine\'s database idle inside an open transaction.',
    },
    async read() {
      const [row] = await prisma.$queryRaw<{ oldest: number | null; idle: bigint }[]>`
        SELECT extract(epoch FROM now() - min(xact_start))::float8 AS oldest,
               count(*) FILTER (WHERE state LIKE 'idle in transaction%') AS idle
          FROM pg_stat_activity
         WHERE datname = current_database() AND xact_start IS NOT NULL AND pid <> pg_backend_pid()`;
      return { cpq_db_oldest_transaction_seconds: Math.max(0, row?.oldest ?? 0), cpq_db_idle_in_transaction_sessions: Number(row?.idle ?? 0) };
    },
  };
}
