import type { PrismaClient, TransactionClient } from '@cpq/prisma';

type Db = PrismaClient | TransactionClient;

export type RequirementEvidence = { level: number; role: string; reasons: string[]; dueAt: string; requestedBy: string };
export type DecisionEvidence = {
  decisionId: string; level: number; role: string; outcome: string; decidedBy: string; reason: string | null;
  /** The approver's authority (role, limits) as it was when they decided. */
  authority: Record<string, unknown>;
  priceResultId: string; materialVersion: number; decidedAt: string;
};
/** Everything the approval module holds about one revision's approval, in full (internal readers only). */
export type ApprovalEvidence = { requirements: RequirementEvidence[]; decisions: DecisionEvidence[] };

/**
 * The required levels and the decisions of one quote revision, by level. The approval module
 * owns approval_requirement and approval_decision; other modules read them only through here.
 */
export async function approvalEvidenceOf(db: Db, of: { tenantId: string; quoteId: string; revision: number }): Promise<ApprovalEvidence> {
  const where = { tenantId: of.tenantId, quoteId: of.quoteId, revision: of.revision };
  const [requirements, decisions] = await Promise.all([
    db.approvalRequirement.findMany({ where, orderBy: { level: 'asc' } }),
    db.approvalDecision.findMany({ where, orderBy: { level: 'asc' } }),
  ]);
  return {
    requirements: requirements.map((r) => ({ level: r.level, role: r.role, reasons: r.reasons as string[], dueAt: r.dueAt.toISOString(), requestedBy: r.requestedBy })),
    decisions: decisions.map((d) => ({
      decisionId: d.id, level: d.level, role: d.role, outcome: d.outcome, decidedBy: d.decidedBy, reason: d.reason,
      authority: d.authority as Record<string, unknown>, priceResultId: d.priceResultId, materialVersion: d.materialVersion,
      decidedAt: d.decidedAt.toISOString(),
    })),
  };
}
