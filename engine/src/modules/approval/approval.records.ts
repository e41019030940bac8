import { Prisma, type PrismaClient, type TransactionClient } from '@cpq/prisma';
import type { RawDb } from '../../lib/sql-transaction';
import type { RequiredLevel } from './approval-policy';

type Db = PrismaClient | TransactionClient;

export type RequirementRecord = { quoteId: string; revision: number; level: number; role: string; reasons: string[]; dueAt: Date; requestedBy: string };
export type DecisionRecord = {
  id: string; tenantId: string; quoteId: string; revision: number; level: number; role: string; outcome: 'approved' | 'rejected';
  decidedBy: string; claimedBy: string | null; reason: string | null; authority: Record<string, unknown>;
  priceResultId: string; materialVersion: number; camundaTaskId: string | null;
};

type RequirementRow = { quoteId: string; revision: number; level: number; role: string; reasons: unknown; dueAt: Date; requestedBy: string };
const toRequirement = (r: RequirementRow): RequirementRecord => ({
  quoteId: r.quoteId, revision: r.revision, level: r.level, role: r.role, reasons: r.reasons as string[], dueAt: r.dueAt, requestedBy: r.requestedBy,
});

// A requirement's columns under the record's names; `decided`: whether its level has a decision.
const REQUIREMENT_COLUMNS = Prisma.sql`r.quote_id::text AS "quoteId", r.revision, r.level, r.role, r.reasons, r.due_at AS "dueAt", r.requested_by AS "requestedBy"`;
const DECIDED = Prisma.sql`EXISTS (SELECT 1 FROM approval_decision d WHERE d.quote_id = r.quote_id AND d.revision = r.revision AND d.level = r.level)`;

/**
 * The statement `openLevel` runs: every level of the revision (ascending), each with whether it
 * is decided. For a transaction that sends it with its opening statements (`openLevelOf` reads
 * its rows); values are strings and numbers only, so it can be inlined with BEGIN.
 */
export const openLevelStatement = (quoteId: string, revision: number): Prisma.Sql => Prisma.sql`
  SELECT ${REQUIREMENT_COLUMNS}, ${DECIDED} AS decided
  FROM approval_requirement r WHERE r.quote_id = ${quoteId}::uuid AND r.revision = ${revision} ORDER BY r.level`;

/**
 * The first undecided level of one revision as a query of at most one row, for a caller that
 * reads it beside its own rows in one statement (a LATERAL join): the quote id and the revision
 * are SQL expressions over the caller's row. `requirementOfJson` reads it back from `to_jsonb`.
 */
export const openLevelOfRevision = (quoteId: Prisma.Sql, revision: Prisma.Sql): Prisma.Sql => Prisma.sql`
  SELECT ${REQUIREMENT_COLUMNS} FROM approval_requirement r
  WHERE r.quote_id = ${quoteId} AND r.revision = ${revision} AND NOT ${DECIDED} ORDER BY r.level LIMIT 1`;

/** A row of `openLevelOfRevision` as `to_jsonb` gave it (dates as text). */
export const requirementOfJson = (json: Record<string, unknown>): RequirementRecord =>
  toRequirement({ ...(json as RequirementRow), dueAt: new Date(json.dueAt as string) });

/** `openLevel`'s answer from the rows of `openLevelStatement`. */
export function openLevelOf(rows: Record<string, unknown>[]): { requirement: RequirementRecord | undefined; requirements: RequirementRecord[] } {
  const typed = rows as (RequirementRow & { decided: boolean })[];
  const open = typed.find((r) => !r.decided);
  return { requirement: open && toRequirement(open), requirements: typed.map(toRequirement) };
}

/**
 * The requirements of a submitted revision (one row per level) as one INSERT, for a caller that
 * writes it in one statement with its own change; `require` runs it alone. The levels are one
 * JSON value, so the statement's text is the same for any number of them.
 */
export const requirementsInsert = (tenantId: string, quoteId: string, revision: number, levels: RequiredLevel[], requestedBy: string, dueAt: Date): Prisma.Sql => Prisma.sql`
  INSERT INTO approval_requirement (tenant_id, quote_id, revision, level, role, reasons, requested_by, due_at)
  SELECT ${tenantId}, ${quoteId}::uuid, ${revision}::int, l.level, l.role, l.reasons, ${requestedBy}, ${dueAt.toISOString()}::timestamptz
  FROM jsonb_to_recordset(${JSON.stringify(levels.map((l) => ({ level: l.level, role: l.role, reasons: l.reasons })))}::jsonb) AS l(level int, role text, reasons jsonb)`;

/**
 * A decision's INSERT, for a caller that writes it in one statement with its own change (a
 * data-modifying CTE); `decide` runs it alone. Its unique indexes (one decision per level, one
 * per Camunda task) refuse a second decision with 23505.
 */
export const decisionInsert = (d: DecisionRecord): Prisma.Sql => Prisma.sql`
  INSERT INTO approval_decision (id, tenant_id, quote_id, revision, level, role, outcome, decided_by, claimed_by, reason, authority,
                                 price_result_id, material_version, camunda_task_id)
  VALUES (${d.id}::uuid, ${d.tenantId}, ${d.quoteId}::uuid, ${d.revision}, ${d.level}, ${d.role}, ${d.outcome}, ${d.decidedBy}, ${d.claimedBy},
          ${d.reason}, ${JSON.stringify(d.authority)}::jsonb, ${d.priceResultId}::uuid, ${d.materialVersion}, ${d.camundaTaskId})`;

/**
 * The approval module's tables (requirements, decisions): written and read only through
 * these functions, in the caller's transaction where one is given.
 */
export const approvalRecords = {
  async require(db: RawDb, tenantId: string, quoteId: string, revision: number, levels: RequiredLevel[], requestedBy: string, dueAt: Date): Promise<void> {
    await db.$executeRaw(requirementsInsert(tenantId, quoteId, revision, levels, requestedBy, dueAt));
  },

  /** Undoes `require` when the submission that made them is compensated (nothing was decided). */
  async withdrawUndecided(db: Db, quoteId: string, revision: number): Promise<void> {
    const decided = await db.approvalDecision.findMany({ where: { quoteId, revision }, select: { level: true } });
    await db.approvalRequirement.deleteMany({ where: { quoteId, revision, level: { notIn: decided.map((d) => d.level) } } });
  },

  /** The first level without a decision, and all levels of the revision (ascending): one statement. */
  async openLevel(db: RawDb, quoteId: string, revision: number): Promise<{ requirement: RequirementRecord | undefined; requirements: RequirementRecord[] }> {
    return openLevelOf(await db.$queryRaw<Record<string, unknown>[]>(openLevelStatement(quoteId, revision)));
  },

  async decide(db: RawDb, decision: DecisionRecord): Promise<void> {
    await db.$executeRaw(decisionInsert(decision));
  },

  async taskCompleted(db: RawDb, decisionId: string): Promise<void> {
    const updated = await db.$executeRaw`UPDATE approval_decision SET task_completed_at = now() WHERE id = ${decisionId}::uuid`;
    if (updated !== 1) throw new Error(`no approval decision ${decisionId} to mark completed`);
  },

  /** Decisions whose Camunda task completion has not been confirmed (the reconciler's work). */
  pendingTaskCompletions: (db: Db) =>
    db.approvalDecision.findMany({ where: { taskCompletedAt: null, camundaTaskId: { not: null } }, select: { id: true, camundaTaskId: true, outcome: true } }),
};
