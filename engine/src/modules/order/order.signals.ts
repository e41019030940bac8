import type { PrismaClient } from '@cpq/prisma';

/** The order module's business signals (seed section 12: "are order fulfillments stuck in unknown outcome? are fallout cases aging beyond SLA?"). */
export type OrderSignals = {
  /** Orders with at least one step whose outcome nobody knows yet (the target system did not answer). */
  unknownOutcomeOrders: number;
  /** Seconds since the oldest such step last changed (0 when none). */
  oldestUnknownOutcomeSeconds: number;
  /** Open fallout cases, and of those the ones open longer than an hour and longer than a day. */
  falloutOpen: number;
  falloutOpenOver1h: number;
  falloutOpenOver1d: number;
  /** Open cases past their category's SLA (fallout.ts DEFAULT_FALLOUT_SLA). */
  falloutBreachingSla: number;
  /** Age of the oldest open case, seconds (0 when none). */
  oldestFalloutSeconds: number;
};

/**
 * Read by the API role's /metrics at scrape time (cached there): one scan of the steps in
 * `unknown` and one of the open fallout cases. Both sets are small by design (operators work
 * them off), so neither needs an index of its own.
 */
export async function orderSignals(db: PrismaClient, now = new Date()): Promise<OrderSignals> {
  const [steps] = await db.$queryRaw<{ orders: bigint; oldest: number | null }[]>`
    SELECT count(DISTINCT order_id) AS orders, extract(epoch FROM ${now}::timestamptz - min(updated_at))::float8 AS oldest
      FROM order_step WHERE state = 'unknown'`;
  const [cases] = await db.$queryRaw<{ open: bigint; over1h: bigint; over1d: bigint; breaching: bigint; oldest: number | null }[]>`
    SELECT count(*) AS open,
           count(*) FILTER (WHERE created_at < ${now}::timestamptz - interval '1 hour') AS over1h,
           count(*) FILTER (WHERE created_at < ${now}::timestamptz - interval '1 day') AS over1d,
           count(*) FILTER (WHERE sla_due_at < ${now}::timestamptz) AS breaching,
           extract(epoch FROM ${now}::timestamptz - min(created_at))::float8 AS oldest
      FROM fallout_case WHERE state = 'open'`;
  return {
    unknownOutcomeOrders: Number(steps?.orders ?? 0),
    oldestUnknownOutcomeSeconds: Math.max(0, steps?.oldest ?? 0),
    falloutOpen: Number(cases?.open ?? 0),
    falloutOpenOver1h: Number(cases?.over1h ?? 0),
    falloutOpenOver1d: Number(cases?.over1d ?? 0),
    falloutBreachingSla: Number(cases?.breaching ?? 0),
    oldestFalloutSeconds: Math.max(0, cases?.oldest ?? 0),
  };
}
