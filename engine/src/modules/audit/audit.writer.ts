import type { Actor } from '@cpq/contracts/event-envelope';
import { Prisma, type TransactionClient } from '@cpq/prisma';

export type AuditEntry = {
  tenantId: string;
  actor: Actor;
  action: string;
  target: { type: string; id: string };
  reason?: string | null;
  details?: Record<string, unknown>;
  correlationId: string;
};

/**
 * Appends an audit record in the caller's transaction, so the evidence commits with the
 * decision it explains or not at all. The table refuses UPDATE and DELETE.
 */
export async function recordAudit(tx: TransactionClient, entry: AuditEntry): Promise<void> {
  await tx.$executeRaw`${auditInsert(entry)}`;
}

/**
 * The INSERT of one audit record, for a caller that writes it in one statement with its own
 * change (a data-modifying CTE): the audit module still owns the table and its SQL. Raw SQL:
 * on the hot path of every command a Prisma model create costs ~5x a raw statement.
 */
export function auditInsert(entry: AuditEntry): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO audit_record (tenant_id, actor_type, actor_id, action, target_type, target_id, reason, details, correlation_id)
    VALUES (${entry.tenantId}, ${entry.actor.type}, ${entry.actor.id}, ${entry.action}, ${entry.target.type}, ${entry.target.id},
            ${entry.reason ?? null}, ${JSON.stringify(entry.details ?? {})}::jsonb, ${entry.correlationId})`;
}
