import type { Actor } from '@cpq/contracts/event-envelope';
import type { TransactionClient } from '@cpq/prisma';

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
  await tx.auditRecord.create({
    data: {
      tenantId: entry.tenantId,
      actorType: entry.actor.type,
      actorId: entry.actor.id,
      action: entry.action,
      targetType: entry.target.type,
      targetId: entry.target.id,
      reason: entry.reason ?? null,
      details: (entry.details ?? {}) as object,
      correlationId: entry.correlationId,
    },
  });
}
