import type { PrismaClient } from '@cpq/prisma';
import { overdueApprovals } from '../approval';

/** The quote lifecycle's business signals (seed section 12: "are quotes stuck before pricing? are approvals breaching SLA?"). */
export type QuoteSignals = {
  /** Current revisions in draft with at least one line: they wait for a price. */
  awaitingPrice: number;
  /** Of those, the ones nobody touched for `stuckAfterSeconds`. */
  stuckBeforePricing: number;
  /** Seconds since the least recently touched of them changed (0 when none). */
  oldestAwaitingPriceSeconds: number;
  /** Current revisions in `submitted` whose approval is past its due time. */
  approvalsOverdue: number;
  /** Seconds past due of the most overdue approval (0 when none). */
  mostOverdueApprovalSeconds: number;
};

/**
 * Read by the metrics at scrape time (cached there): one scan of the quotes' current draft
 * revisions and the overdue approvals the approval module names, kept to revisions still submitted.
 */
export async function quoteSignals(db: PrismaClient, options: { stuckAfterSeconds: number; now?: Date }): Promise<QuoteSignals> {
  const now = options.now ?? new Date();
  const [drafts] = await db.$queryRaw<{ waiting: bigint; stuck: bigint; oldest: number | null }[]>`
    SELECT count(*) AS waiting,
           count(*) FILTER (WHERE q.updated_at < ${now}::timestamptz - make_interval(secs => ${options.stuckAfterSeconds})) AS stuck,
           extract(epoch FROM ${now}::timestamptz - min(q.updated_at))::float8 AS oldest
      FROM quote q
      JOIN quote_revision r ON r.quote_id = q.id AND r.revision = q.current_revision
     WHERE r.state = 'draft'
       AND EXISTS (SELECT 1 FROM quote_line l WHERE l.quote_id = r.quote_id AND l.revision = r.revision)`;
  const overdue = await overdueApprovals(db, now);
  let approvalsOverdue = 0;
  let mostOverdue = 0;
  if (overdue.length > 0) {
    const waiting = await db.$queryRaw<{ quoteId: string; revision: number }[]>`
      SELECT r.quote_id::text AS "quoteId", r.revision
        FROM quote_revision r
        JOIN unnest(${overdue.map((o) => o.quoteId)}::uuid[], ${overdue.map((o) => o.revision)}::int[]) AS o(quote_id, revision)
          ON o.quote_id = r.quote_id AND o.revision = r.revision
       WHERE r.state = 'submitted'`;
    const still = new Set(waiting.map((w) => `${w.quoteId}/${w.revision}`));
    for (const o of overdue) {
      if (!still.has(`${o.quoteId}/${o.revision}`)) continue;
      approvalsOverdue += 1;
      mostOverdue = Math.max(mostOverdue, (now.getTime() - o.dueAt.getTime()) / 1000);
    }
  }
  return {
    awaitingPrice: Number(drafts?.waiting ?? 0),
    stuckBeforePricing: Number(drafts?.stuck ?? 0),
    oldestAwaitingPriceSeconds: Math.max(0, drafts?.oldest ?? 0),
    approvalsOverdue,
    mostOverdueApprovalSeconds: mostOverdue,
  };
}
