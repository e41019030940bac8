import { Prisma, type TransactionClient } from '@cpq/prisma';
import { tableOf, type Target } from './projection';
import { escalationOf, type WorkChange, type WorkItem } from './worklist-projection.reducer';

type Db = Pick<TransactionClient, '$queryRaw' | '$executeRaw'>;

/** The worklist's table (owned by connectors/src/projections), written in the handler's transaction. */
export const worklistProjectionStore = {
  async apply(tx: TransactionClient, target: Target, change: WorkChange): Promise<void> {
    const table = tableOf('worklist_item', target);
    if (change.kind === 'open') {
      const i = change.item;
      // A level requested again (or a redelivery under another id that passed the position) replaces the item.
      await tx.$executeRaw`
        INSERT INTO ${table} (item_id, kind, tenant_id, role, quote_id, revision, level, work_item_id, order_id, case_id, step_key,
                              category, source, allowed_actions, reason, opened_at, due_at)
        VALUES (${i.itemId}, ${i.kind}, ${i.tenantId}, ${i.role}, ${i.quoteId}::uuid, ${i.revision}, ${i.level}, ${i.workItemId},
                ${i.orderId}::uuid, ${i.caseId}::uuid, ${i.stepKey}, ${i.category}, ${i.source},
                ${i.allowedActions === null ? null : JSON.stringify(i.allowedActions)}::jsonb, ${i.reason},
                ${i.openedAt}::timestamptz, ${i.dueAt}::timestamptz)
        ON CONFLICT (item_id) DO UPDATE SET role = EXCLUDED.role, work_item_id = EXCLUDED.work_item_id, reason = EXCLUDED.reason,
          allowed_actions = EXCLUDED.allowed_actions, opened_at = EXCLUDED.opened_at, due_at = EXCLUDED.due_at`;
    } else if (change.kind === 'close') {
      await tx.$executeRaw`DELETE FROM ${table} WHERE item_id = ${change.itemId}`;
    } else if (change.kind === 'close-approvals') {
      await tx.$executeRaw`DELETE FROM ${table} WHERE kind = 'approval' AND quote_id = ${change.quoteId}::uuid AND revision = ${change.revision}`;
    }
  },
};

export type WorklistEntry = WorkItem & { escalation: 'within-sla' | 'breached' };

type DbItem = {
  item_id: string; kind: 'approval' | 'fallout'; tenant_id: string; role: string; quote_id: string | null; revision: number | null; level: number | null;
  work_item_id: string | null; order_id: string | null; case_id: string | null; step_key: string | null; category: string | null; source: string | null;
  allowed_actions: string[] | null; reason: string | null; opened_at: Date; due_at: Date;
};

/**
 * A role's open work in one tenant, soonest due first, each with where it stands against its SLA
 * as of `now` (escalationOf). Reads the live table; for list screens and reports.
 */
export async function readWorklist(db: Db, query: { tenantId: string; role?: string; now?: Date; limit?: number }): Promise<WorklistEntry[]> {
  const now = query.now ?? new Date();
  const rows = await db.$queryRaw<DbItem[]>`
    SELECT item_id, kind, tenant_id, role, quote_id::text, revision, level, work_item_id, order_id::text, case_id::text, step_key,
           category, source, allowed_actions, reason, opened_at, due_at
      FROM worklist_item
     WHERE tenant_id = ${query.tenantId} ${query.role === undefined ? Prisma.empty : Prisma.sql`AND role = ${query.role}`}
     ORDER BY due_at, item_id LIMIT ${query.limit ?? 100}`;
  return rows.map((r) => ({
    itemId: r.item_id, kind: r.kind, tenantId: r.tenant_id, role: r.role, quoteId: r.quote_id, revision: r.revision, level: r.level,
    workItemId: r.work_item_id, orderId: r.order_id, caseId: r.case_id, stepKey: r.step_key, category: r.category, source: r.source,
    allowedActions: r.allowed_actions, reason: r.reason, openedAt: r.opened_at.toISOString(), dueAt: r.due_at.toISOString(),
    escalation: escalationOf(r.due_at, now),
  }));
}
