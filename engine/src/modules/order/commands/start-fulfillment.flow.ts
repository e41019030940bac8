import { randomUUID } from 'node:crypto';
import type { FulfillmentDecompositionMapContent } from '@cpq/metadata';
import { poolOf, Prisma } from '@cpq/prisma';
import { rawTx } from '../../../lib/sql-transaction';
import { defineFlow, type Flow } from '../../../lib/steps';
import { correlations } from '../../workflow';
import { decompose } from '../decomposition';
import { openCase } from '../fallout';
import { applyToInstalledBase, staleChangesOf } from '../installed-base';
import { finishOrder, lockOrder, moveOrder, readOrder } from '../order.repository';
import { fulfillmentBusinessKey, ORDER_FULFILLMENT_PROCESS, type CommandContext, type OrderDeps } from '../order.types';
import { endFulfillmentProcess, startFulfillmentProcess, workflowUnavailable } from '../order.workflow';

type StartState = {
  orderId: string;
  ctx: CommandContext;
  /** The release whose decomposition maps plan the order: the accepted revision's (or, re-planning after a model defect, the current one). */
  releaseId?: string;
  /** Set by the first step when there is a process to start. */
  pending?: { correlationId: string; businessKey: string; waves: string[][] };
  /** Set by the first step with `pending`: this run recorded the intent, so nothing started it yet (the reconciler's run leaves it unset). */
  firstAttempt?: boolean;
  processInstanceId?: string;
  /** Whether the start step created the instance (not found by business key from an earlier attempt). */
  startedHere?: boolean;
  outcome?: 'started' | 'fulfilled' | 'model-defect' | 'stale-change' | 'not-due';
};

type Lines = { lineId: string; position: number; offering: string; action: string }[];

/**
 * After the order is created, as steps (no Camunda call inside a transaction, ADR 0013):
 * 1. plan: decompose the order's lines with the release's fulfillment decomposition maps (read
 *    before the transaction), store the plan and its steps, record the correlation STARTING and
 *    OrderPlanned; a line without a map opens a model-defect fallout case instead;
 * 2. start the release's order-fulfillment process, idempotent by business key (on the live
 *    flow's first attempt the query by business key is skipped when no other intent ever
 *    carried the key: an instance is only started for a recorded intent, so none can exist);
 * 3. record RUNNING, the order in progress, OrderFulfillmentStarted.
 * Nothing is compensated: the order is a firm commitment. A failure after step 1 leaves the
 * correlation STARTING, and the reconciler finishes steps 2 and 3 (`recoverStarts`).
 */
export function startFulfillmentFlow(deps: OrderDeps): Flow<StartState> {
  const { prisma, inTransaction, releases, camunda } = deps;
  // The start step's one read, raw SQL on the pool (past Prisma's query engine, as work-items.service.ts).
  const db = rawTx(poolOf(prisma));
  return defineFlow<StartState>('order.start-fulfillment', [
    {
      name: 'record-plan',
      async invoke({ orderId, ctx, releaseId }) {
        const order = await readOrder(prisma, orderId, ctx.principal.tenantId);
        if (!order || order.state !== 'created') return { outcome: 'not-due' };
        const view = await releases.get(order.tenantId, releaseId ?? order.releaseId);
        const maps = view.list('fulfillment-decomposition-map').map((item) => ({ key: item.key, content: item.content as FulfillmentDecompositionMapContent }));
        const lines = await prisma.$queryRaw<Lines>`SELECT line_id AS "lineId", position, offering, action FROM order_line WHERE order_id = ${orderId}::uuid ORDER BY position`;
        const plan = decompose(lines, maps);
        return inTransaction(async (tx) => {
          const locked = await lockOrder(tx, orderId, ctx.principal);
          if (locked.state !== 'created') return { outcome: 'not-due' as const };
          // A change order whose assets moved on since its quote cannot apply (ADR 0022): business fallout, no plan.
          const stale = await staleChangesOf(tx, locked);
          if (stale.length > 0) {
            await openCase(tx, locked, ctx, { stepKey: null, category: 'business-fallout', source: 'decomposition', sla: deps.falloutSla ?? {}, reason: stale.join('; ') });
            return { outcome: 'stale-change' as const };
          }
          if (!plan.ok) {
            await openCase(tx, locked, ctx, {
              stepKey: null, category: 'model-defect', source: 'decomposition', sla: deps.falloutSla ?? {},
              reason: `release ${view.releaseNumber} has no fulfillment decomposition map for ${plan.missing.map((m) => `${m.offering}${m.action === 'add' ? '' : ` to ${m.action}`} (line ${m.lineId})`).join(', ')}`,
            });
            return { outcome: 'model-defect' as const };
          }
          const [{ next }] = await tx.$queryRaw<[{ next: number }]>`
            SELECT coalesce(max(plan_version), 0) + 1 AS next FROM fulfillment_plan WHERE order_id = ${orderId}::uuid`;
          await tx.$executeRaw`
            INSERT INTO fulfillment_plan (tenant_id, order_id, plan_version, release_id, waves)
            VALUES (${locked.tenantId}, ${orderId}::uuid, ${next}, ${view.releaseId}::uuid, ${JSON.stringify(plan.waves)}::jsonb)`;
          if (plan.steps.length > 0) {
            await tx.$executeRaw`
              INSERT INTO order_step (tenant_id, order_id, plan_version, step_key, line_id, map_key, map_step_key, name, target_system, action, depends_on, wave, position, state)
              VALUES ${Prisma.join(plan.steps.map((s) => Prisma.sql`(${locked.tenantId}, ${orderId}::uuid, ${next}, ${s.stepKey}, ${s.lineId}, ${s.mapKey}, ${s.mapStepKey},
                ${s.name}, ${s.targetSystem}, ${s.action}, ${JSON.stringify(s.dependsOn)}::jsonb, ${s.wave}, ${s.position}, 'pending')`))}`;
          }
          const planned = await moveOrder(tx, locked, 'plan');
          await finishOrder(tx, planned, ctx, 'OrderPlanned', { planVersion: next, releaseId: view.releaseId, steps: plan.steps.length, waves: plan.waves.length });
          if (plan.steps.length === 0) {
            // Nothing to fulfil (every line is no-change): fulfilled without a process.
            const running = await moveOrder(tx, planned, 'start-fulfillment');
            const fulfilled = await moveOrder(tx, running, 'complete-fulfillment');
            await finishOrder(tx, fulfilled, ctx, 'OrderFulfilled', { planVersion: next });
            await applyToInstalledBase(tx, fulfilled, ctx);
            return { outcome: 'fulfilled' as const };
          }
          const businessKey = fulfillmentBusinessKey(locked.tenantId, orderId);
          const correlationId = randomUUID();
          await correlations.starting(tx, { id: correlationId, tenantId: locked.tenantId, domainType: 'ORDER', domainId: orderId, processKey: ORDER_FULFILLMENT_PROCESS, businessKey });
          return { pending: { correlationId, businessKey, waves: plan.waves }, firstAttempt: true };
        });
      },
    },
    {
      name: 'start-process',
      async invoke({ ctx, orderId, pending, firstAttempt }) {
        if (!pending) return;
        // A retry (the reconciler's run) may follow a start of its own that landed; another intent of the key may hold an instance.
        const lookFirst = await correlations.instanceMayExist(db, { ...pending, firstAttempt });
        try {
          return await startFulfillmentProcess(camunda, { businessKey: pending.businessKey, tenantId: ctx.principal.tenantId, orderId, waves: pending.waves, lookFirst });
        } catch (error) {
          throw workflowUnavailable(error, 'the fulfillment process could not start; the reconciler will start it');
        }
      },
    },
    {
      name: 'record-start',
      async invoke({ orderId, ctx, pending, processInstanceId, startedHere }) {
        if (!pending) return;
        let stray = false;
        const recorded = await inTransaction(async (tx) => {
          const order = await lockOrder(tx, orderId, ctx.principal);
          const started = await correlations.started(tx, pending.correlationId, processInstanceId!);
          // Cancelled meanwhile (the correlation was ended), or recorded by a reconciler already
          // ('already': with this very instance). `false` with an instance this run started: a
          // second instance of the order (Camunda does not hold business keys unique), ended below.
          stray = started === false && startedHere === true;
          if (started !== 'started' || order.state !== 'planned') return { outcome: 'not-due' as const };
          const running = await moveOrder(tx, order, 'start-fulfillment');
          await finishOrder(tx, running, ctx, 'OrderFulfillmentStarted', { processInstanceId: processInstanceId!, businessKey: pending.businessKey });
          return { outcome: 'started' as const };
        });
        if (stray) {
          await camunda.deleteProcessInstance(processInstanceId!, 'a second instance of the order: another run recorded its own')
            .catch((error: Error) => deps.log.warn({ orderId, processInstanceId, err: error.message }, 'stray fulfillment instance not ended'));
        }
        return recorded;
      },
    },
  ]);
}

/** Runs the flow after an order was created; a failure is logged and left to the reconciler. */
export function startFulfillmentCommand(deps: OrderDeps) {
  const flow = startFulfillmentFlow(deps);
  return async (orderId: string, ctx: CommandContext, releaseId?: string): Promise<StartState['outcome'] | 'deferred'> => {
    try {
      const haltAfter = deps.haltAfter?.(flow.name);
      const state = await flow.run({ orderId, ctx, ...(releaseId ? { releaseId } : {}) }, deps.log, haltAfter ? { haltAfter } : {});
      return state.outcome;
    } catch (error) {
      deps.log.warn({ orderId, err: (error as Error).message }, 'fulfillment not started; the reconciler will');
      return 'deferred';
    }
  };
}

/**
 * The reconciler of starts a crash or an outage left between steps: a correlation STARTING for
 * longer than `olderThanMs` is finished forward (started, idempotent by business key, and
 * recorded) while its order is planned, and ended otherwise; one CANCELLING is ended.
 */
export function recoverStartsCommand(deps: OrderDeps) {
  const { prisma, camunda } = deps;
  const flow = startFulfillmentFlow(deps);
  const finishing = defineFlow<StartState>(`${flow.name}.recovery`, flow.steps.slice(1));
  return async (olderThanMs = 10_000, scope: { tenantId?: string } = {}): Promise<{ started: number; ended: number }> => {
    let started = 0;
    let ended = 0;
    for (const c of await correlations.stalled(prisma, 'ORDER', olderThanMs, scope.tenantId)) {
      try {
        if (!(await correlations.claimStalled(prisma, c))) continue;
        const ctx: CommandContext = { principal: { userId: 'system:order-reconciler', tenantId: c.tenantId, roles: ['admin'] }, correlationId: `reconcile-${c.id}`, commandId: `reconcile-${c.id}` };
        const order = await readOrder(prisma, c.domainId, c.tenantId);
        if (c.status === 'STARTING' && order?.state === 'planned') {
          const plan = await prisma.$queryRaw<{ waves: string[][] }[]>`
            SELECT waves FROM fulfillment_plan WHERE order_id = ${order.id}::uuid ORDER BY plan_version DESC LIMIT 1`;
          await finishing.run({ orderId: order.id, ctx, pending: { correlationId: c.id, businessKey: c.businessKey, waves: plan[0]!.waves } }, deps.log);
          started += 1;
          continue;
        }
        if (c.status === 'STARTING' && !(await correlations.setStatus(prisma, c.id, 'CANCELLING', ['STARTING']))) continue;
        await endFulfillmentProcess(camunda, c.businessKey, 'reconciled: the order no longer needs this process');
        await correlations.setStatus(prisma, c.id, 'CANCELLED', ['CANCELLING']);
        ended += 1;
      } catch (error) {
        deps.log.warn({ err: (error as Error).message, correlationId: c.id }, 'order workflow reconciliation failed; next run retries');
      }
    }
    return { started, ended };
  };
}
