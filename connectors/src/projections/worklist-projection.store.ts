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
        ON CONFLICT (item_id) DO UPDATE SET role = EXCLUDED.role, work_item_id = COALESCE(EXCLUDED.work_item_id, ${table}.work_item_id),
          reason = EXCLUDED.reason, allowed_actions = EXCLUDED.allowed_actions, opened_at = EXCLUDED.opened_at, due_at = EXCLUDED.due_at`;
      // The escalation columns are left as they are: an escalation applied before the request stays.
    } else if (change.kind === 'escalate') {
      const e = change;
      // On the open item; or, when the level is not open yet, kept as an item not opened (no
      // opened_at: readers skip it) that its ApprovalRequested opens. One that comes after its
      // level closed (escalate raced the decision) is such an item too: never shown, deleted with
      // its revision's approvals (close-approvals) unless they ended before it. Applied twice, the
      // same row: the first time to a role is kept.
      await tx.$executeRaw`
        INSERT INTO ${table} (item_id, kind, tenant_id, role, quote_id, revision, level, work_item_id, escalated_to, escalated_at)
        VALUES (${e.itemId}, 'approval', ${e.tenantId}, ${e.role}, ${e.quoteId}::uuid, ${e.revision}, ${e.level}, ${e.workItemId},
                ${e.escalatedTo}, ${e.escalatedAt}::timestamptz)
        ON CONFLICT (item_id) DO UPDATE SET
          work_item_id = COALESCE(${table}.work_item_id, EXCLUDED.work_item_id),
          escalated_at = CASE WHEN ${table}.escalated_to IS NOT DISTINCT FROM EXCLUDED.escalated_to
                              THEN COALESCE(${table}.escalated_at, EXCLUDED.escalated_at) ELSE EXCLUDED.escalated_at END,
          escalated_to = EXCLUDED.escalated_to`;
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
  allowed_actions: string[] | null; reason: string | null; opened_at: Date; due_at: Date; escalated_to: string | null; escalated_at: Date | null;
};

/**
 * A role's open work in one tenant, soonest due first: its own items and the approvals escalated
 * to it (`escalatedTo`, `escalatedAt`), each with where it stands against its SLA as of `now`
 * (escalationOf). Items not opened yet (an escalation ahead of its request) are not work. Reads
 * the live table; for list screens and reports.
 */
export async function readWorklist(db: Db, query: { tenantId: string; role?: string; now?: Date; limit?: number }): Promise<WorklistEntry[]> {
  const now = query.now ?? new Date();
  const rows = await db.$queryRaw<DbItem[]>`
    SELECT item_id, kind, tenant_id, role, quote_id::text, revision, level, work_item_id, order_id::text, case_id::text, step_key,
           category, source, allowed_actions, reason, opened_at, due_at, escalated_to, escalated_at
      FROM worklist_item
     WHERE tenant_id = ${query.tenantId} AND opened_at IS NOT NULL
           ${query.role === undefined ? Prisma.empty : Prisma.sql`AND (role = ${query.role} OR escalated_to = ${query.role})`}
     ORDER BY due_at, item_id LIMIT ${query.limit ?? 100}`;
  return rows.map((r) => ({
    itemId: r.item_id, kind: r.kind, tenantId: r.tenant_id, role: r.role, quoteId: r.quote_id, revision: r.revision, level: r.level,
    workItemId: r.work_item_id, orderId: r.order_id, caseId: r.case_id, stepKey: r.step_key, category: r.category, source: r.source,
    allowedActions: r.allowed_actions, reason: r.reason, openedAt: r.opened_at.toISOString(), dueAt: r.due_at.toISOString(),
    escalatedTo: r.escalated_to, escalatedAt: r.escalated_at?.toISOString() ?? null, escalation: escalationOf(r.due_at, now),
  }));
}
