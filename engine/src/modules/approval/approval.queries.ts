import { Prisma } from '@cpq/prisma';

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
 * A timestamptz as `Date.prototype.toISOString()` writes it (UTC, milliseconds, 'Z'): what the
 * evidence carried when it was read through Prisma. to_char's MS truncates the microseconds, as
 * a JavaScript Date does.
 */
const iso = (column: Prisma.Sql) => Prisma.sql`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The required levels and the decisions of one quote revision, by level, as one JSON value
 * (`{requirements: [...], decisions: [...]}`, empty arrays when there are none): a scalar
 * expression for a reader's own statement, so that the reader reads its row and the evidence in
 * one round trip. The arguments are SQL expressions of that statement (e.g. its quote row's
 * columns). The approval module owns approval_requirement and approval_decision; other modules
 * read them only through here. Read the value with `approvalEvidenceFrom`.
 */
export const approvalEvidenceJson = (of: { tenantId: Prisma.Sql; quoteId: Prisma.Sql; revision: Prisma.Sql }): Prisma.Sql => Prisma.sql`json_build_object(
    'requirements', coalesce((
      SELECT json_agg(json_build_object('level', r.level, 'role', r.role, 'reasons', r.reasons, 'dueAt', ${iso(Prisma.sql`r.due_at`)}, 'requestedBy', r.requested_by) ORDER BY r.level)
      FROM approval_requirement r WHERE r.tenant_id = ${of.tenantId} AND r.quote_id = ${of.quoteId} AND r.revision = ${of.revision}), '[]'::json),
    'decisions', coalesce((
      SELECT json_agg(json_build_object('decisionId', d.id, 'level', d.level, 'role', d.role, 'outcome', d.outcome, 'decidedBy', d.decided_by, 'reason', d.reason,
        'authority', d.authority, 'priceResultId', d.price_result_id, 'materialVersion', d.material_version, 'decidedAt', ${iso(Prisma.sql`d.decided_at`)}) ORDER BY d.level)
      FROM approval_decision d WHERE d.tenant_id = ${of.tenantId} AND d.quote_id = ${of.quoteId} AND d.revision = ${of.revision}), '[]'::json))`;

/** The evidence from the (parsed) value of `approvalEvidenceJson`, its fields in their declared order. */
export function approvalEvidenceFrom(value: unknown): ApprovalEvidence {
  const { requirements, decisions } = value as ApprovalEvidence;
  return {
    requirements: requirements.map((r) => ({ level: r.level, role: r.role, reasons: r.reasons, dueAt: r.dueAt, requestedBy: r.requestedBy })),
    decisions: decisions.map((d) => ({
      decisionId: d.decisionId, level: d.level, role: d.role, outcome: d.outcome, decidedBy: d.decidedBy, reason: d.reason,
      authority: d.authority, priceResultId: d.priceResultId, materialVersion: d.materialVersion, decidedAt: d.decidedAt,
    })),
  };
}
