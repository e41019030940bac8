import type { PrismaClient, TransactionClient } from '@cpq/prisma';
import type { RequiredLevel } from './approval-policy';

type Db = PrismaClient | TransactionClient;

export type RequirementRecord = { quoteId: string; revision: number; level: number; role: string; reasons: string[]; dueAt: Date; requestedBy: string };
export type DecisionRecord = {
  id: string; tenantId: string; quoteId: string; revision: number; level: number; role: string; outcome: 'approved' | 'rejected';
  decidedBy: string; claimedBy: string | null; reason: string | null; authority: Record<string, unknown>;
  priceResultId: string; materialVersion: number; camundaTaskId: string | null;
};

const toRequirement = (r: { quoteId: string; revision: number; level: number; role: string; reasons: unknown; dueAt: Date; requestedBy: string }): RequirementRecord => ({
  quoteId: r.quoteId, revision: r.revision, level: r.level, role: r.role, reasons: r.reasons as string[], dueAt: r.dueAt, requestedBy: r.requestedBy,
});

/**
 * The approval module's tables (requirements, decisions): written and read only through
 * these functions, in the caller's transaction where one is given.
 */
export const approvalRecords = {
  async require(db: Db, tenantId: string, quoteId: string, revision: number, levels: RequiredLevel[], requestedBy: string, dueAt: Date): Promise<void> {
    await db.approvalRequirement.createMany({
      data: levels.map((level) => ({ tenantId, quoteId, revision, level: level.level, role: level.role, reasons: level.reasons, requestedBy, dueAt })),
    });
  },

  /** Undoes `require` when the submission that made them is compensated (nothing was decided). */
  async withdrawUndecided(db: Db, quoteId: string, revision: number): Promise<void> {
    const decided = await db.approvalDecision.findMany({ where: { quoteId, revision }, select: { level: true } });
    await db.approvalRequirement.deleteMany({ where: { quoteId, revision, level: { notIn: decided.map((d) => d.level) } } });
  },

  /** The first level without a decision, and all levels of the revision (ascending). */
  async openLevel(db: Db, quoteId: string, revision: number): Promise<{ requirement: RequirementRecord | undefined; requirements: RequirementRecord[] }> {
    const [requirements, decisions] = await Promise.all([
      db.approvalRequirement.findMany({ where: { quoteId, revision }, orderBy: { level: 'asc' } }),
      db.approvalDecision.findMany({ where: { quoteId, revision }, select: { level: true } }),
    ]);
    const decided = new Set(decisions.map((d) => d.level));
    const all = requirements.map(toRequirement);
    return { requirement: all.find((r) => !decided.has(r.level)), requirements: all };
  },

  /** Open (undecided) requirements of many quotes at once, for the inbox: two queries in all. */
  async openOf(db: Db, tenantId: string, quoteIds: string[]): Promise<RequirementRecord[]> {
    const [requirements, decisions] = await Promise.all([
      db.approvalRequirement.findMany({ where: { tenantId, quoteId: { in: quoteIds } }, orderBy: { level: 'asc' } }),
      db.approvalDecision.findMany({ where: { tenantId, quoteId: { in: quoteIds } }, select: { quoteId: true, revision: true, level: true } }),
    ]);
    const decided = new Set(decisions.map((d) => `${d.quoteId}:${d.revision}:${d.level}`));
    return requirements.filter((r) => !decided.has(`${r.quoteId}:${r.revision}:${r.level}`)).map(toRequirement);
  },

  async decide(db: Db, decision: DecisionRecord): Promise<void> {
    await db.approvalDecision.create({ data: { ...decision, authority: decision.authority as object } });
  },

  async taskCompleted(db: Db, decisionId: string): Promise<void> {
    await db.approvalDecision.update({ where: { id: decisionId }, data: { taskCompletedAt: new Date() } });
  },

  /** Decisions whose Camunda task completion has not been confirmed (the reconciler's work). */
  pendingTaskCompletions: (db: Db) =>
    db.approvalDecision.findMany({ where: { taskCompletedAt: null, camundaTaskId: { not: null } }, select: { id: true, camundaTaskId: true, outcome: true } }),
};
