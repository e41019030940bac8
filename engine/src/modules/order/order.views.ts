import { Prisma, type PrismaClient } from '@cpq/prisma';
import type { Principal } from '../../http/auth';
import { DomainError } from '../../http/errors';
import { timelineOf } from '../audit';
import { CASE_COLUMNS, type CaseRow } from './fallout';
import { canSeeOrder, isInternal, orderVisibilitySql, requireOperator } from './order.access';
import { readOrder, stepsOf, type OrderRow } from './order.repository';
import type { OrderState } from './order.state';
import type { FalloutWorkItem, OrderView } from './order.types';
import { stepView } from './commands/step.commands';

type LineAction = OrderView['lines'][number]['action'];
type LineRow = {
  lineId: string; position: number; offering: string; quantity: number; action: LineAction; assetId: string | null; assetVersion: number | null; selections: Record<string, unknown>;
  configurationHash: string | null; charges: OrderView['lines'][number]['charges']; options: NonNullable<OrderView['lines'][number]['options']> | null;
};

export function falloutItem(c: CaseRow): FalloutWorkItem {
  return {
    workItemId: c.id, kind: 'order-fallout', orderId: c.orderId, stepKey: c.stepKey, category: c.category, reason: c.reason, source: c.source,
    state: c.state, slaDueAt: new Date(c.slaDueAt).toISOString(), allowedActions: c.allowedActions, camundaIncidentId: c.camundaIncidentId,
    createdAt: new Date(c.createdAt).toISOString(),
    resolution: c.resolutionAction ? {
      action: c.resolutionAction, reason: c.resolutionReason ?? '', evidence: c.resolutionEvidence, resolvedBy: c.resolvedBy ?? '',
      resolvedAt: new Date(c.resolvedAt ?? 0).toISOString(),
    } : null,
  };
}

type Db = Parameters<typeof readOrder>[0];

/**
 * The order as GET /orders/{orderId} shows it, on any connection (a command builds its answer
 * inside its own transaction, so the stored answer is the state it committed). Sequential reads:
 * a transaction's connection runs one statement at a time anyway.
 */
export async function orderView(db: Db, order: OrderRow): Promise<OrderView> {
  const orderId = order.id;
  const lines = await db.$queryRaw<LineRow[]>`SELECT line_id AS "lineId", position, offering, quantity, action, asset_id AS "assetId", asset_version AS "assetVersion", selections,
           configuration_hash AS "configurationHash", charges, options
    FROM order_line WHERE order_id = ${orderId}::uuid ORDER BY position`;
  const steps = await stepsOf(db, orderId);
  const [open] = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM fallout_case WHERE order_id = ${orderId}::uuid AND state = 'open'`;
  const [plan] = await db.$queryRaw<{ planVersion: number; releaseId: string }[]>`
    SELECT plan_version AS "planVersion", release_id::text AS "releaseId" FROM fulfillment_plan WHERE order_id = ${orderId}::uuid ORDER BY plan_version DESC LIMIT 1`;
  const stepStates: Record<string, number> = {};
  for (const s of steps) stepStates[s.state] = (stepStates[s.state] ?? 0) + 1;
  return {
    orderId: order.id, quoteId: order.quoteId, quoteRevision: order.quoteRevision, accountId: order.accountId, customerName: order.customerName,
    ownerId: order.ownerId, currency: order.currency, termMonths: order.termMonths, basis: order.basis as OrderView['basis'] & string, releaseId: order.releaseId, priceResultId: order.priceResultId,
    documentId: order.documentId, snapshotSha256: order.snapshotSha256, source: order.source as OrderView['source'], state: order.state as OrderState,
    version: order.version, createdAt: new Date(order.createdAt).toISOString(), updatedAt: new Date(order.updatedAt).toISOString(),
    // A bundle line's options when it has any (absent: none, or not known).
    lines: lines.map(({ options, ...line }) => ({ ...line, ...(options?.length ? { options } : {}) })),
    plan: plan ? { planVersion: plan.planVersion, releaseId: plan.releaseId, steps: steps.length, stepStates } : null,
    cancellation: order.cancelRequestedAt ? {
      requestedBy: order.cancelRequestedBy ?? '', requestedAt: new Date(order.cancelRequestedAt).toISOString(), reason: order.cancelReason ?? '',
    } : null,
    openFallout: open?.n ?? 0,
  };
}

/**
 * Read models of orders: who sees an order is order.access.ts's rule (404 otherwise); plans,
 * timelines and fallout are for internal readers. Reads only the order module's tables; the audit
 * trail comes through the audit module's port.
 */
export function createOrderViews(prisma: PrismaClient) {
  async function visible(orderId: string, principal: Principal): Promise<OrderRow> {
    const order = await readOrder(prisma, orderId, principal.tenantId);
    if (!order || !canSeeOrder(principal, order)) throw new DomainError('order-not-found', `no order ${orderId}`);
    return order;
  }
  const internalOnly = (principal: Principal) => {
    if (!isInternal(principal)) throw new DomainError('forbidden', 'plans, timelines and fallout are for internal readers');
  };

  return {
    async get(orderId: string, principal: Principal): Promise<OrderView> {
      return orderView(prisma, await visible(orderId, principal));
    },

    async list(principal: Principal, filter: { quoteId?: string; state?: string; limit: number; offset: number }) {
      const where = Prisma.sql`${orderVisibilitySql(principal)}
        ${filter.quoteId ? Prisma.sql`AND o.quote_id = ${filter.quoteId}::uuid` : Prisma.empty}
        ${filter.state ? Prisma.sql`AND o.state = ${filter.state}` : Prisma.empty}`;
      const [rows, [counted]] = await Promise.all([
        prisma.$queryRaw<{ orderId: string; quoteId: string; quoteRevision: number; accountId: string; customerName: string; state: OrderState; createdAt: Date }[]>`
          SELECT o.id::text AS "orderId", o.quote_id::text AS "quoteId", o.quote_revision AS "quoteRevision", o.account_id AS "accountId",
                 o.customer_name AS "customerName", o.state, o.created_at AS "createdAt"
          FROM customer_order o WHERE ${where} ORDER BY o.created_at DESC, o.id LIMIT ${filter.limit} OFFSET ${filter.offset}`,
        prisma.$queryRaw<{ total: number }[]>`SELECT count(*)::int AS total FROM customer_order o WHERE ${where}`,
      ]);
      return { items: rows.map((r) => ({ ...r, createdAt: new Date(r.createdAt).toISOString() })), total: counted?.total ?? 0, limit: filter.limit, offset: filter.offset };
    },

    async plan(orderId: string, principal: Principal) {
      await visible(orderId, principal);
      internalOnly(principal);
      const [plan] = await prisma.$queryRaw<{ planVersion: number; releaseId: string; waves: string[][]; createdAt: Date }[]>`
        SELECT plan_version AS "planVersion", release_id::text AS "releaseId", waves, created_at AS "createdAt"
        FROM fulfillment_plan WHERE order_id = ${orderId}::uuid ORDER BY plan_version DESC LIMIT 1`;
      if (!plan) throw new DomainError('plan-not-found', `order ${orderId} is not decomposed yet`);
      const steps = await stepsOf(prisma, orderId);
      return { orderId, planVersion: plan.planVersion, releaseId: plan.releaseId, createdAt: new Date(plan.createdAt).toISOString(), waves: plan.waves, steps: steps.map(stepView) };
    },

    async timeline(orderId: string, principal: Principal) {
      await visible(orderId, principal);
      internalOnly(principal);
      const entries = await timelineOf(prisma, { tenantId: principal.tenantId, type: 'ORDER', id: orderId });
      return { orderId, entries: entries.map(({ revision: _revision, ...e }) => e) };
    },

    async falloutItems(principal: Principal, filter: { state?: 'open' | 'resolved'; orderId?: string }) {
      requireOperator(principal, true);
      const rows = await prisma.$queryRaw<CaseRow[]>`
        SELECT ${CASE_COLUMNS} FROM fallout_case c WHERE c.tenant_id = ${principal.tenantId}
          ${filter.state ? Prisma.sql`AND c.state = ${filter.state}` : Prisma.empty}
          ${filter.orderId ? Prisma.sql`AND c.order_id = ${filter.orderId}::uuid` : Prisma.empty}
        ORDER BY c.state, c.sla_due_at LIMIT 200`;
      return { items: rows.map(falloutItem) };
    },

    async falloutItem(caseId: string, principal: Principal) {
      requireOperator(principal, true);
      const [row] = await prisma.$queryRaw<CaseRow[]>`SELECT ${CASE_COLUMNS} FROM fallout_case c WHERE c.id::text = ${caseId} AND c.tenant_id = ${principal.tenantId}`;
      if (!row) throw new DomainError('fallout-not-found', `no fallout case ${caseId}`);
      return falloutItem(row);
    },
  };
}

export type OrderViews = ReturnType<typeof createOrderViews>;
