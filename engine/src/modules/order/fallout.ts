import { randomUUID } from 'node:crypto';
import { Prisma } from '@cpq/prisma';
import type { RawTx } from '../../lib/sql-transaction';
import { finishOrder, type OrderRow } from './order.repository';
import type { CommandContext, FalloutAction, FalloutCategory, FalloutSource } from './order.types';

/** How long each category may stay open before it breaches its SLA (ISO 8601), unless configured. */
export const DEFAULT_FALLOUT_SLA: Record<FalloutCategory, string> = {
  'unknown-outcome': 'PT1H',
  'technical-retry': 'PT4H',
  'business-fallout': 'P1D',
  'model-defect': 'P2D',
};

/** What an operator may do about a case, by where it came from (seed section 11: allowed recovery action). */
export function allowedActionsFor(source: FalloutSource, category: FalloutCategory): FalloutAction[] {
  switch (source) {
    // A failed step may have left part of its work at its target (a reservation held, a handoff
    // made before the refusal): compensate undoes it by our request key and runs the step again
    // from a clean state (ADR 0016 addendum). Only here: this is the one case whose process
    // waits at the operators' task of the step, where the model runs the reversal.
    case 'step-failure': return ['retry', 'resolve', 'compensate', 'cancel'];
    case 'compensation-failure': return ['retry', 'resolve'];
    case 'incident': return category === 'unknown-outcome' ? ['retry', 'resolve', 'cancel'] : ['retry', 'resolve', 'cancel'];
    // A callback for a step already reversed, or naming a request we never sent: someone must
    // check the target system and say what they found.
    case 'callback': return ['resolve'];
    case 'decomposition': return ['retry', 'cancel'];
  }
}

/** ISO 8601 durations (P2D, PT4H, PT30S ...) in milliseconds. */
export function durationMs(iso: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(iso);
  if (!m) throw new Error(`not an ISO 8601 duration of days, hours, minutes, seconds: ${iso}`);
  const [, d, h, min, s] = m;
  return (((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60 + Number(s ?? 0)) * 1000;
}

export type NewCase = {
  stepKey: string | null;
  category: FalloutCategory;
  source: FalloutSource;
  reason: string;
  camundaIncidentId?: string | null;
  sla?: Partial<Record<FalloutCategory, string>>;
};

/**
 * Opens a fallout case in the caller's transaction (the order is locked), with its event. At most
 * one open case per step and source, and one per Camunda incident (unique indexes): an existing
 * one is returned instead, and nothing is written twice.
 */
export async function openCase(tx: RawTx, order: OrderRow, ctx: CommandContext, c: NewCase): Promise<{ caseId: string; opened: boolean }> {
  const id = randomUUID();
  const allowed = allowedActionsFor(c.source, c.category);
  const slaDueAt = new Date(Date.now() + durationMs(c.sla?.[c.category] ?? DEFAULT_FALLOUT_SLA[c.category]));
  const inserted = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO fallout_case (id, tenant_id, order_id, step_key, category, source, reason, sla_due_at, allowed_actions, camunda_incident_id)
    VALUES (${id}::uuid, ${order.tenantId}, ${order.id}::uuid, ${c.stepKey}, ${c.category}, ${c.source}, ${c.reason}, ${slaDueAt},
            ${JSON.stringify(allowed)}::jsonb, ${c.camundaIncidentId ?? null})
    ON CONFLICT DO NOTHING RETURNING id::text`;
  if (inserted.length === 0) {
    const [existing] = await tx.$queryRaw<{ id: string }[]>`
      SELECT id::text FROM fallout_case
      WHERE (${c.camundaIncidentId ?? null}::text IS NOT NULL AND camunda_incident_id = ${c.camundaIncidentId ?? null})
         OR (order_id = ${order.id}::uuid AND step_key IS NOT DISTINCT FROM ${c.stepKey} AND source = ${c.source} AND state = 'open')
      LIMIT 1`;
    return { caseId: existing!.id, opened: false };
  }
  await finishOrder(tx, order, ctx, 'FalloutCaseOpened', {
    caseId: id, stepKey: c.stepKey, category: c.category, reason: c.reason, source: c.source, slaDueAt: slaDueAt.toISOString(), allowedActions: allowed,
  }, c.reason);
  return { caseId: id, opened: true };
}

export type CaseRow = {
  id: string; tenantId: string; orderId: string; stepKey: string | null; category: FalloutCategory; source: FalloutSource; reason: string;
  state: 'open' | 'resolved'; slaDueAt: Date; allowedActions: FalloutAction[]; camundaIncidentId: string | null;
  resolutionAction: FalloutAction | null; resolutionReason: string | null; resolutionEvidence: string | null; resolvedBy: string | null;
  resolvedAt: Date | null; workflowEffect: 'none' | 'due' | 'done'; createdAt: Date;
};

export const CASE_COLUMNS = Prisma.sql`c.id::text AS "id", c.tenant_id AS "tenantId", c.order_id::text AS "orderId", c.step_key AS "stepKey",
  c.category, c.source, c.reason, c.state, c.sla_due_at AS "slaDueAt", c.allowed_actions AS "allowedActions",
  c.camunda_incident_id AS "camundaIncidentId", c.resolution_action AS "resolutionAction", c.resolution_reason AS "resolutionReason",
  c.resolution_evidence AS "resolutionEvidence", c.resolved_by AS "resolvedBy", c.resolved_at AS "resolvedAt",
  c.workflow_effect AS "workflowEffect", c.created_at AS "createdAt"`;

/**
 * Closes a case in the caller's transaction with its event. `effect` says whether Camunda still
 * has to be moved (the command does it after the commit; the reconciler when it could not).
 */
export async function resolveCase(
  tx: RawTx, order: OrderRow, ctx: CommandContext, c: CaseRow, r: { action: FalloutAction; reason: string; evidence?: string | null; effect: 'none' | 'due' },
): Promise<void> {
  await tx.$executeRaw`
    UPDATE fallout_case SET state = 'resolved', resolution_action = ${r.action}, resolution_reason = ${r.reason},
           resolution_evidence = ${r.evidence ?? null}, resolved_by = ${ctx.principal.userId}, resolved_at = now(), workflow_effect = ${r.effect}
    WHERE id = ${c.id}::uuid AND state = 'open'`;
  await finishOrder(tx, order, ctx, 'FalloutCaseResolved', { caseId: c.id, action: r.action, resolvedBy: ctx.principal.userId }, r.reason);
}

/** The open cases of one step of an order (to close when the step's fate is decided elsewhere). */
export const openCasesOf = (tx: RawTx, orderId: string, stepKey?: string) => tx.$queryRaw<CaseRow[]>`
  SELECT ${CASE_COLUMNS} FROM fallout_case c
  WHERE c.order_id = ${orderId}::uuid AND c.state = 'open' ${stepKey === undefined ? Prisma.empty : Prisma.sql`AND c.step_key = ${stepKey}`}`;
