import type { PrismaClient } from '@cpq/prisma';

/** A revision whose approval is past its due time: the earliest due level still undecided. */
export type OverdueApproval = { quoteId: string; revision: number; dueAt: Date };

/**
 * Approvals past their SLA, for the operations metrics: revisions with a required level that
 * has no decision, no rejection on the revision, and a due time before `now`. Whether the
 * revision still waits for approval (not withdrawn, revised or expired) is the quote module's
 * to say; it filters these (`quoteSignals`). Bounded by `limit`: past that the alert fires anyway.
 */
export async function overdueApprovals(db: PrismaClient, now: Date, limit = 10_000): Promise<OverdueApproval[]> {
  return db.$queryRaw<OverdueApproval[]>`
    SELECT r.quote_id::text AS "quoteId", r.revision, min(r.due_at) AS "dueAt"
      FROM approval_requirement r
     WHERE r.due_at < ${now}
       AND NOT EXISTS (SELECT 1 FROM approval_decision d WHERE d.quote_id = r.quote_id AND d.revision = r.revision
                          AND (d.level = r.level OR d.outcome = 'rejected'))
     GROUP BY r.quote_id, r.revision
     LIMIT ${limit}`;
}
