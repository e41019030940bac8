import { DomainError } from '../../../http/errors';
import { CASE_COLUMNS, resolveCase, type CaseRow } from '../fallout';
import { falloutItem } from '../order.views';
import { requireOperator } from '../order.access';
import { done, lockOrder, readOrder, stepOf, type OrderRow } from '../order.repository';
import type { StepCommand } from '../order.state';
import { fulfillmentBusinessKey, type CommandContext, type FalloutAction, type OrderDeps, type ResolveFalloutInput } from '../order.types';
import { completeFalloutTask, COMPENSATION_FALLOUT_TASK, FALLOUT_TASK, recordedInstance, STEP_COMPENSATION_FALLOUT_TASK } from '../order.workflow';
import { applyCancellationEffect, cancelInTransaction, type CancellationEffect } from './cancellation.commands';
import { changeStep } from './step.commands';
import type { startFulfillmentCommand } from './start-fulfillment.flow';

/** What each (source, action) does to the step in the domain, before anything moves in Camunda. */
const STEP_EFFECT: Partial<Record<CaseRow['source'], Partial<Record<FalloutAction, StepCommand>>>> = {
  // compensate: the step is recorded compensating now; the model's compensation task reverses it
  // at its target (the compensate-step worker, begin-compensation / record-compensation), then
  // the step begins again with a new attempt (ADR 0016 addendum).
  'step-failure': { retry: 'retry', resolve: 'resolve', compensate: 'begin-compensation' },
  'compensation-failure': { resolve: 'resolve-compensation' },
  incident: { resolve: 'resolve' },
};
/** The value of `falloutAction` the model's gateways read, per action. */
const FALLOUT_ACTION_VALUE: Partial<Record<FalloutAction, string>> = { retry: 'retry', resolve: 'resolved', compensate: 'compensate', cancel: 'cancel' };

type Resolution = { item: ReturnType<typeof falloutItem>; order: OrderRow; cancellation?: CancellationEffect; replan?: boolean };

/**
 * POST /work-items/{workItemId}/commands/resolve-fallout (ops): the decision commits first, with
 * the case's allowed actions and an audit reason (evidence for a resolution by hand); the domain
 * moves (the step retried, resolved or to be compensated, the order cancelled); then Camunda is moved on: the
 * operators' task completed, a failed job given a retry, the cancellation signalled. What cannot
 * reach Camunda now is marked due and done by the reconciler (`applyCaseEffect`).
 */
export function resolveFalloutCommand(deps: OrderDeps & { startFulfillment: ReturnType<typeof startFulfillmentCommand> }) {
  return async (caseId: string, input: ResolveFalloutInput, ctx: CommandContext) => {
    requireOperator(ctx.principal);
    const [found] = await deps.prisma.$queryRaw<CaseRow[]>`SELECT ${CASE_COLUMNS} FROM fallout_case c WHERE c.id::text = ${caseId} AND c.tenant_id = ${ctx.principal.tenantId}`;
    if (!found) throw new DomainError('fallout-not-found', `no fallout case ${caseId}`);
    const resolution = await deps.inTransaction(async (tx): Promise<Resolution> => {
      const order = await lockOrder(tx, found.orderId, ctx.principal);
      const [c] = await tx.$queryRaw<CaseRow[]>`SELECT ${CASE_COLUMNS} FROM fallout_case c WHERE c.id = ${found.id}::uuid`;
      if (c!.state !== 'open') throw new DomainError('fallout-state', `fallout case ${caseId} was resolved already (${c!.resolutionAction} by ${c!.resolvedBy})`);
      if (!c!.allowedActions.includes(input.action)) {
        throw new DomainError('fallout-action', `a ${c!.source} case allows ${c!.allowedActions.join(', ')}, not ${input.action}`, [
          { field: 'body/action', rule: 'allowed-actions', message: `must be one of ${c!.allowedActions.join(', ')}` },
        ]);
      }
      if (input.action === 'resolve' && !input.evidence) {
        throw new DomainError('validation-failed', 'a resolution by hand needs its evidence', [{ field: 'body/evidence', rule: 'required', message: 'is required when the action is resolve' }]);
      }
      const command = STEP_EFFECT[c!.source]?.[input.action];
      if (command && c!.stepKey) {
        const step = await stepOf(tx, order.id, c!.stepKey);
        await changeStep(tx, order, ctx, step, command, { reason: `${input.action} by ${ctx.principal.userId}: ${input.reason}` });
      }
      if (input.action === 'cancel') {
        // The cancellation decides this case (and every other open case of the order).
        const { order: cancelled, effect } = await cancelInTransaction(tx, order, ctx, `fallout ${caseId}: ${input.reason}`);
        await tx.$executeRaw`UPDATE fallout_case SET resolution_evidence = ${input.evidence ?? null} WHERE id = ${c!.id}::uuid AND resolution_evidence IS NULL`;
        return { item: await done(tx, ctx, await caseItem(tx, c!.id)), order: cancelled, cancellation: effect };
      }
      const effect = c!.source === 'decomposition' || (c!.source === 'callback') ? 'none' : 'due';
      await resolveCase(tx, order, ctx, c!, { action: input.action, reason: input.reason, evidence: input.evidence ?? null, effect });
      return { item: await done(tx, ctx, await caseItem(tx, c!.id)), order, replan: c!.source === 'decomposition' && input.action === 'retry' };
    });
    if (resolution.cancellation) await applyCancellationEffect(deps, resolution.order, resolution.cancellation, ctx);
    else if (resolution.replan) await deps.startFulfillment(resolution.order.id, ctx, (await deps.releases.get(ctx.principal.tenantId)).releaseId);
    else await applyCaseEffect(deps, caseId, ctx.principal.tenantId);
    return resolution.item;
  };
}

async function caseItem(tx: Parameters<typeof lockOrder>[0], id: string) {
  const [row] = await tx.$queryRaw<CaseRow[]>`SELECT ${CASE_COLUMNS} FROM fallout_case c WHERE c.id = ${id}::uuid`;
  return falloutItem(row!);
}

/**
 * Moves Camunda on after a resolution (idempotent; the reconciler runs it for cases left 'due'):
 * a step's or a compensation's fallout task is completed with the decision; a case from an
 * incident gives the failed job a retry (the worker asks the engine, which now says what to do:
 * reconcile, skip a resolved step, or stop). Marks the case done, or leaves it due.
 */
export async function applyCaseEffect(deps: Pick<OrderDeps, 'prisma' | 'camunda' | 'log' | 'inTransaction'>, caseId: string, tenantId: string): Promise<boolean> {
  const [c] = await deps.prisma.$queryRaw<CaseRow[]>`SELECT ${CASE_COLUMNS} FROM fallout_case c WHERE c.id::text = ${caseId} AND c.tenant_id = ${tenantId}`;
  if (!c || c.workflowEffect !== 'due' || !c.resolutionAction) return false;
  const order = await readOrder(deps.prisma, c.orderId, tenantId);
  const businessKey = fulfillmentBusinessKey(tenantId, c.orderId);
  try {
    let applied = true;
    if (c.source === 'incident' && c.camundaIncidentId) {
      const [incident] = await deps.camunda.incidents({ incidentId: c.camundaIncidentId });
      // Gone: the job was retried or its instance moved on meanwhile.
      if (incident?.configuration) await deps.camunda.setExternalTaskRetries(incident.configuration, 1);
    } else if (c.stepKey && FALLOUT_ACTION_VALUE[c.resolutionAction]) {
      // A failed reversal waits at the cancellation's task, or (an operator's compensation of one
      // step while the order is fulfilled) at the step's own.
      const taskKeys = c.source === 'compensation-failure' ? [COMPENSATION_FALLOUT_TASK, STEP_COMPENSATION_FALLOUT_TASK] : [FALLOUT_TASK];
      let result: 'completed' | 'no-task' = 'no-task';
      const processInstanceId = await recordedInstance(deps.prisma, tenantId, c.orderId);
      for (const taskKey of taskKeys) {
        result = await completeFalloutTask(deps.camunda, { businessKey, tenantId, stepKey: c.stepKey, taskKey, falloutAction: FALLOUT_ACTION_VALUE[c.resolutionAction]!, processInstanceId });
        if (result === 'completed') break;
      }
      // The process has not reached the task yet (the worker's BPMN error is on its way): try later.
      applied = result === 'completed' || order?.state === 'cancelled' || order?.state === 'fulfilled';
    }
    if (!applied) return false;
    await deps.prisma.$executeRaw`UPDATE fallout_case SET workflow_effect = 'done' WHERE id = ${c.id}::uuid AND workflow_effect = 'due'`;
    return true;
  } catch (error) {
    deps.log.warn({ caseId, err: (error as Error).message }, 'fallout decision not yet applied in Camunda; the reconciler will');
    return false;
  }
}

