import { Gauge, type Registry } from 'prom-client';

/** What node-postgres's Pool exposes about itself (structural, so no pg import is needed here). */
export type PoolLike = { totalCount: number; idleCount: number; waitingCount: number; options: { max?: number } };

/**
 * Connection pool usage, read at scrape time (no cost per query): open, idle and in use
 * connections, callers waiting for one, and the maximum. `waiting` above zero for long means the
 * pool is the bottleneck; commands then end in `503 busy` after DATABASE_POOL_WAIT_MS (ADR 0013).
 */
export function registerPoolMetrics(registry: Registry, pool: PoolLike, name = 'main'): void {
  const gauge = (metric: string, help: string, value: () => number) => new Gauge({
    name: metric, help, labelNames: ['pool'], registers: [registry],
    collect() {
      this.set({ pool: name }, value());
    },
  });
  gauge('cpq_db_pool_connections', 'Connections the pool holds open.', () => pool.totalCount);
  gauge('cpq_db_pool_idle_connections', 'Open connections that are idle.', () => pool.idleCount);
  gauge('cpq_db_pool_in_use_connections', 'Connections lent out to a query or transaction.', () => pool.totalCount - pool.idleCount);
  gauge('cpq_db_pool_waiting_clients', 'Callers waiting for a connection.', () => pool.waitingCount);
  gauge('cpq_db_pool_max_connections', 'The pool\'s maximum size.', () => pool.options.max ?? 10);
}
