import type { Principal } from '../../http/auth';
import { correlations } from '../workflow';
import { applyCancellationEffect } from './commands/cancellation.commands';
import { applyCaseEffect } from './commands/resolve-fallout.command';
import { correlateDue } from './commands/step.commands';
import type { recoverStartsCommand, startFulfillmentCommand } from './commands/start-fulfillment.flow';
import { compensationOrder } from './decomposition';
import { openCase } from './fallout';
import { lockOrder, readOrder, stepOf, stepsOf } from './order.repository';
import { MAY_HAVE_ACTED, type StepState } from './order.state';
import { ORDER_FULFILLMENT_PROCESS, type CommandContext, type OrderDeps } from './order.types';

const system = (tenantId: string, run: string): CommandContext => ({
  principal: { userId: 'system:order-reconciler', tenantId, roles: ['admin', 'integrator'] } satisfies Principal,
  correlationId: run, commandId: run,
});

export type ReconcileReport = { started: number; ended: number; planned: number; signalled: number; correlated: number; applied: number; incidents: number; finished: number };
/**
 * `tenantId`: one tenant's orders only (a test run beside others, an operator's targeted run); every tenant by default.
 * `settleMs`: the age at which a live flow's Camunda call (a start still STARTING, a cancellation not yet signalled) counts as
 * left by a crash (default: the run's age, at least START_SETTLE_MS).
 */
export type ReconcileScope = { tenantId?: string; settleMs?: number };

/**
 * A live start's Camunda call has answered or given up (the client's timeout, 10 s) well before
 * this: only then may a reconciler claim its correlation. Camunda does not hold business keys
 * unique, so a reconciler that starts beside a slow live flow makes a second instance, and
 * every callback of that order then matches two executions (seen under CI load). The same holds
 * for a cancellation's signal: a second signal finds nobody (the first one's interrupting event
 * took the process to compensation) and would open a false "reverse by hand" case.
 */
export const START_SETTLE_MS = 30_000;

/**
 * Finishes what a crash or an outage left between an order command's commit and its Camunda
 * effect, from what the commit recorded, and maps Camunda incidents to fallout cases so they are
 * not left only in Cockpit. Safe on every API instance at once: each piece re-reads state under
 * the order's lock or is idempotent in Camunda. Runs every ORDER_RECONCILE_INTERVAL_MS.
 */
export function createOrderReconciler(deps: OrderDeps & {
  startFulfillment: ReturnType<typeof startFulfillmentCommand>; recoverStarts: ReturnType<typeof recoverStartsCommand>;
  completeFulfillment: (orderId: string, ctx: CommandContext) => Promise<unknown>;
}) {
  const { prisma, camunda, log } = deps;
  return async (olderThanMs = 5_000, scope: ReconcileScope = {}): Promise<ReconcileReport> => {
    const tenant = scope.tenantId ?? null;
    const run = `order-reconcile-${new Date().toISOString()}`;
    const report: ReconcileReport = { started: 0, ended: 0, planned: 0, signalled: 0, correlated: 0, applied: 0, incidents: 0, finished: 0 };
    const guard = async (what: string, work: () => Promise<void>) => {
      try {
        await work();
      } catch (error) {
        log.warn({ what, err: (error as Error).message }, 'order reconciliation step failed; next run retries');
      }
    };
    const cutoff = new Date(Date.now() - olderThanMs);
    const settleMs = scope.settleMs ?? Math.max(olderThanMs, START_SETTLE_MS);
    const settled = new Date(Date.now() - settleMs);

    await guard('starts', async () => {
      Object.assign(report, await deps.recoverStarts(settleMs, scope));
    });

    // Orders whose start never ran (the consumer's after-commit work failed, or a crash): plan them.
    await guard('unplanned', async () => {
      const rows = await prisma.$queryRaw<{ id: string; tenantId: string }[]>`
        SELECT o.id::text AS id, o.tenant_id AS "tenantId" FROM customer_order o
        WHERE o.state = 'created' AND o.updated_at < ${cutoff} AND (${tenant}::text IS NULL OR o.tenant_id = ${tenant})
          AND NOT EXISTS (SELECT 1 FROM fallout_case c WHERE c.order_id = o.id AND c.source = 'decomposition' AND c.state = 'open')
        ORDER BY o.created_at LIMIT 50`;
      for (const o of rows) if ((await deps.startFulfillment(o.id, system(o.tenantId, run))) !== 'deferred') report.planned += 1;
    });

    // Cancellations committed but not yet signalled to their process.
    await guard('cancellations', async () => {
      const rows = await prisma.$queryRaw<{ id: string; tenantId: string }[]>`
        SELECT id::text, tenant_id AS "tenantId" FROM customer_order WHERE state = 'cancelling' AND NOT cancel_signalled AND updated_at < ${settled}
          AND (${tenant}::text IS NULL OR tenant_id = ${tenant}) LIMIT 50`;
      for (const o of rows) {
        const order = await readOrder(prisma, o.id, o.tenantId);
        const steps = await stepsOf(prisma, o.id);
        const compensation = compensationOrder(steps.filter((s) => [...MAY_HAVE_ACTED, 'compensating', 'compensation-failed'].includes(s.state as StepState)));
        if (order) await applyCancellationEffect(deps, order, { kind: 'signal', compensation }, system(o.tenantId, run));
        report.signalled += 1;
      }
    });

    // Callbacks whose step waits at its message event.
    await guard('callbacks', async () => {
      const rows = await prisma.$queryRaw<{ orderId: string; tenantId: string; stepKey: string; state: string }[]>`
        SELECT s.order_id::text AS "orderId", s.tenant_id AS "tenantId", s.step_key AS "stepKey", s.state
        FROM order_step s WHERE s.correlation_due AND s.updated_at < ${cutoff} AND (${tenant}::text IS NULL OR s.tenant_id = ${tenant}) LIMIT 100`;
      for (const s of rows) if (await correlateDue(deps, s.orderId, s.tenantId, s.stepKey, s.state === 'failed' ? 'failed' : 'completed')) report.correlated += 1;
    });

    // Fallout decisions not yet applied in Camunda.
    await guard('fallout', async () => {
      const rows = await prisma.$queryRaw<{ id: string; tenantId: string }[]>`
        SELECT id::text, tenant_id AS "tenantId" FROM fallout_case WHERE workflow_effect = 'due' AND resolved_at < ${cutoff}
          AND (${tenant}::text IS NULL OR tenant_id = ${tenant}) LIMIT 100`;
      for (const c of rows) if (await applyCaseEffect(deps, c.id, c.tenantId)) report.applied += 1;
    });

    // A process that ended without telling the domain (a model of an earlier release has no
    // order.complete-fulfillment task): every step done and the instance completed in Camunda ->
    // the order is recorded fulfilled, as the task would have.
    await guard('ended', async () => {
      const rows = await prisma.$queryRaw<{ id: string; tenantId: string }[]>`
        SELECT o.id::text AS id, o.tenant_id AS "tenantId" FROM customer_order o
        WHERE o.state = 'in-progress' AND o.updated_at < ${cutoff} AND (${tenant}::text IS NULL OR o.tenant_id = ${tenant})
          AND NOT EXISTS (SELECT 1 FROM order_step s WHERE s.order_id = o.id AND s.state NOT IN ('completed', 'resolved')
                            AND s.plan_version = (SELECT max(plan_version) FROM fulfillment_plan p WHERE p.order_id = o.id))
        -- A sample, not the same 50 each run: under overload most are still running (their last
        -- task queued), and a fixed first 50 could hide an ended one behind them for good.
        ORDER BY random() LIMIT 50`;
      if (rows.length === 0) return;
      // One Camunda query for the batch (not one per order: under overload these orders are many,
      // and every engine process runs this): which of their processes completed.
      const running = await correlations.activeOfMany(prisma, 'ORDER', rows.map((o) => o.id));
      const instances = running.filter((c) => c.processInstanceId);
      if (instances.length === 0) return;
      const completed = new Set((await camunda.historicProcessInstances({ processInstanceIds: instances.map((c) => c.processInstanceId).join(','), finished: true }))
        .filter((h) => h.state === 'COMPLETED').map((h) => h.id));
      for (const o of rows) {
        const c = instances.find((i) => i.domainId === o.id && i.tenantId === o.tenantId);
        if (!c || !completed.has(c.processInstanceId!)) continue;
        await deps.completeFulfillment(o.id, system(o.tenantId, run));
        report.finished += 1;
      }
    });

    // Camunda incidents of fulfillment processes -> fallout cases (seed section 5: incidents map to
    // technical retry, unknown outcome, business fallout or model defect).
    await guard('incidents', async () => {
      const incidents = await camunda.incidents({ processDefinitionKeyIn: ORDER_FULFILLMENT_PROCESS, ...(scope.tenantId ? { tenantIdIn: scope.tenantId } : {}) });
      if (incidents.length === 0) return;
      const known = new Set((await prisma.$queryRaw<{ id: string }[]>`
        SELECT camunda_incident_id AS id FROM fallout_case WHERE camunda_incident_id = ANY(${incidents.map((i) => i.id)})`).map((r) => r.id));
      for (const incident of incidents) {
        if (known.has(incident.id) || !incident.tenantId) continue;
        const [c] = await correlations.byInstances(prisma, incident.tenantId, [incident.processInstanceId]);
        if (!c || c.domainType !== 'ORDER') continue;
        let stepKey: string | null = null;
        if (incident.configuration) {
          const task = await camunda.externalTask(incident.configuration).catch(() => undefined);
          const local = task ? await camunda.localVariables(task.executionId).catch(() => ({} as Record<string, { value: unknown }>)) : {};
          stepKey = typeof local.stepRef?.value === 'string' ? local.stepRef.value : null;
        }
        const ctx = system(incident.tenantId, run);
        await deps.inTransaction(async (tx) => {
          const order = await lockOrder(tx, c.domainId, ctx.principal);
          const step = stepKey ? await stepOf(tx, order.id, stepKey).catch(() => undefined) : undefined;
          const category = step?.state === 'unknown' ? 'unknown-outcome' : 'technical-retry';
          const { opened } = await openCase(tx, order, ctx, {
            stepKey: step?.stepKey ?? null, category, source: 'incident', camundaIncidentId: incident.id, sla: deps.falloutSla ?? {},
            reason: `Camunda incident at ${incident.activityId}${step ? ` (step ${step.stepKey}, ${step.state})` : ''}: ${incident.incidentMessage ?? 'no message'}`,
          });
          if (opened) report.incidents += 1;
        });
      }
    });
    return report;
  };
}
