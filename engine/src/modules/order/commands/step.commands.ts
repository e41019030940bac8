import { DomainError } from '../../../http/errors';
import { openCase } from '../fallout';
import { requireIntegration } from '../order.access';
import { done, finishOrder, lockOrder, moveStep, stepChanged, stepOf, stepsOf, type OrderRow, type StepRow } from '../order.repository';
import { DONE, type StepCommand, type StepState } from '../order.state';
import { fulfillmentBusinessKey, requestKeyOf, type CommandContext, type OrderDeps, type StepDispatch, type StepOutcomeInput, type StepView } from '../order.types';
import { correlateStepDone, recordedInstance } from '../order.workflow';

export function stepView(step: StepRow): StepView {
  return {
    orderId: step.orderId, stepKey: step.stepKey, lineId: step.lineId, mapKey: step.mapKey, name: step.name, targetSystem: step.targetSystem,
    action: step.action, dependsOn: step.dependsOn, wave: step.wave, position: step.position, state: step.state as StepState, attempt: step.attempt,
    requestKey: step.requestKey, externalReference: step.externalReference, reason: step.reason, updatedAt: new Date(step.updatedAt).toISOString(),
  };
}

/** Moves the step and records OrderStepStateChanged: every step change is an event of the order. */
export async function changeStep(
  tx: Parameters<typeof moveStep>[0], order: OrderRow, ctx: CommandContext, step: StepRow, command: StepCommand, changes: Parameters<typeof moveStep>[3] = {},
): Promise<StepRow> {
  const moved = await moveStep(tx, step, command, changes);
  await finishOrder(tx, order, ctx, 'OrderStepStateChanged', stepChanged(step, moved), moved.reason);
  return moved;
}

type Line = { lineId: string; offering: string; quantity: number; action: string; selections: Record<string, unknown> };

/**
 * A worker is about to act on a step (POST .../steps/{stepKey}/commands/begin). The engine, not
 * the worker, decides what happens: a pending step (or one an operator had compensated) starts a
 * new attempt with a new request key (execute); an attempt whose outcome was never recorded is
 * resumed (the worker asks the target system first); an unknown outcome is reconciled, never
 * guessed (O4); an accepted one waits for its callback; a done step is skipped; a cancelled order
 * stops. A step whose dependencies are not done is refused (409 step-state): the plan's order
 * holds even against a wrong model.
 */
export function beginStepCommand({ inRawTransaction }: Pick<OrderDeps, 'inRawTransaction'>) {
  return (orderId: string, stepKey: string, ctx: CommandContext): Promise<StepDispatch> => {
    requireIntegration(ctx.principal);
    return inRawTransaction(async (tx) => {
      const order = await lockOrder(tx, orderId, ctx.principal);
      let step = await stepOf(tx, orderId, stepKey);
      const [line] = await tx.$queryRaw<Line[]>`
        SELECT line_id AS "lineId", offering, quantity, action, selections FROM order_line WHERE order_id = ${orderId}::uuid AND line_id = ${step.lineId}`;
      const answer = (mode: StepDispatch['mode'], s: StepRow): StepDispatch => ({
        orderId, stepKey, mode, state: s.state as StepState, attempt: s.attempt, requestKey: s.requestKey, targetSystem: s.targetSystem, action: s.action,
        line: { lineId: line!.lineId, offering: line!.offering, quantity: line!.quantity, action: line!.action as StepDispatch['line']['action'], selections: line!.selections },
      });
      if (order.state === 'cancelling' || order.state === 'cancelled') return done(tx, ctx, answer('stop', step));
      if (order.state !== 'planned' && order.state !== 'in-progress') throw new DomainError('order-state', `order ${orderId} is ${order.state}: no step begins`);
      switch (step.state as StepState) {
        // compensated: an operator had the failed attempt undone at its target (resolve-fallout
        // compensate); the step starts again from a clean state, as a pending one.
        case 'compensated':
        case 'pending': {
          const steps = await stepsOf(tx, orderId);
          const blocking = step.dependsOn.filter((dep) => !DONE.includes(steps.find((s) => s.stepKey === dep)?.state as StepState));
          if (blocking.length > 0) throw new DomainError('step-state', `step ${stepKey} waits for ${blocking.join(', ')}`);
          const attempt = step.attempt + 1;
          step = await changeStep(tx, order, ctx, step, 'begin', { attempt, requestKey: requestKeyOf(orderId, stepKey, attempt), reason: null });
          return done(tx, ctx, answer('execute', step));
        }
        case 'in-progress': return done(tx, ctx, answer('resume', step));
        case 'unknown': return done(tx, ctx, answer('reconcile', step));
        case 'awaiting-callback': return done(tx, ctx, answer('wait', step));
        case 'completed':
        case 'resolved': return done(tx, ctx, answer('skip', step));
        default: throw new DomainError('step-state', `step ${stepKey} is ${step.state}: it does not begin (an operator decides its fallout first)`);
      }
    });
  };
}

const OUTCOME_COMMAND: Record<StepOutcomeInput['outcome'], StepCommand> = {
  completed: 'complete', accepted: 'accept', failed: 'fail', unknown: 'lose-outcome', 'not-found': 'not-found',
};
const OUTCOME_STATE: Record<StepOutcomeInput['outcome'], StepState> = {
  completed: 'completed', accepted: 'awaiting-callback', failed: 'failed', unknown: 'unknown', 'not-found': 'pending',
};
/** States in which a late answer is a fact already superseded: recorded, never applied. */
const DECIDED: readonly StepState[] = ['completed', 'resolved', 'cancelled', 'compensating', 'compensated', 'compensation-failed'];

/**
 * What the target system answered to the current attempt (POST .../record-outcome). Only the
 * current attempt's request key is accepted (an older attempt's answer is a 409). A failure
 * opens a business fallout case; an unknown outcome stays unknown until the target system is
 * asked (O4). An answer that arrives after the step was decided otherwise (a callback came
 * first, the order is being compensated) is recorded in the audit trail and changes nothing.
 */
export function recordOutcomeCommand(deps: Pick<OrderDeps, 'inRawTransaction' | 'falloutSla'>) {
  return (orderId: string, stepKey: string, input: StepOutcomeInput, ctx: CommandContext): Promise<StepView> => {
    requireIntegration(ctx.principal);
    return deps.inRawTransaction(async (tx) => {
      const order = await lockOrder(tx, orderId, ctx.principal);
      const step = await stepOf(tx, orderId, stepKey);
      if (step.requestKey !== input.requestKey) {
        throw new DomainError('step-state', `step ${stepKey} is at attempt ${step.requestKey ?? 'none'}, not ${input.requestKey}`, [
          { field: 'body/requestKey', rule: 'current-attempt', message: 'is not the current attempt of the step' },
        ]);
      }
      const same = step.state === OUTCOME_STATE[input.outcome] && (input.outcome !== 'completed' || step.externalReference === (input.externalReference ?? step.externalReference));
      if (same) return done(tx, ctx, stepView(step));
      if (DECIDED.includes(step.state as StepState) || (step.state === 'failed' && input.outcome !== 'completed')) {
        await finishOrder(tx, order, ctx, 'OrderStepStateChanged', { ...stepChanged(step, step), reason: `late ${input.outcome} recorded, not applied: the step is ${step.state}` });
        return done(tx, ctx, stepView(step));
      }
      const moved = await changeStep(tx, order, ctx, step, OUTCOME_COMMAND[input.outcome], {
        ...(input.externalReference !== undefined ? { externalReference: input.externalReference } : {}),
        reason: input.reason ?? null,
      });
      if (input.outcome === 'failed') {
        await openCase(tx, order, ctx, {
          stepKey, category: 'business-fallout', source: 'step-failure', sla: deps.falloutSla ?? {},
          reason: `${step.targetSystem} refused ${step.action}: ${input.reason ?? 'no reason given'}`,
        });
      }
      return done(tx, ctx, stepView(moved));
    });
  };
}

type CallbackReceipt = import('../order.types').CallbackReceipt;

/**
 * A target system's callback (POST .../record-fulfillment-callback), deduplicated by external
 * reference and outcome. Matched to the step by our request key. Applied only while the order
 * is being fulfilled; after a cancellation request it is recorded and left to the compensation,
 * or (the step already reversed) routed to a fallout case; one naming a request this order never
 * sent is recorded as unmatched with a case. After the commit, a step waiting at its message event
 * is moved on (or the reconciler does it).
 */
export function recordCallbackCommand(deps: Pick<OrderDeps, 'prisma' | 'inTransaction' | 'inRawTransaction' | 'camunda' | 'log' | 'falloutSla'>) {
  return async (orderId: string, input: import('../order.types').CallbackInput, ctx: CommandContext): Promise<CallbackReceipt> => {
    requireIntegration(ctx.principal);
    const result = await deps.inRawTransaction(async (tx) => {
      const order = await lockOrder(tx, orderId, ctx.principal);
      const steps = await stepsOf(tx, orderId);
      const step = steps.find((s) => s.requestKey === input.requestKey);
      const record = async (disposition: CallbackReceipt['disposition']) => {
        const inserted = await tx.$queryRaw<{ id: bigint }[]>`
          INSERT INTO fulfillment_callback (tenant_id, order_id, step_key, external_reference, request_key, outcome, reason, disposition, received_by)
          VALUES (${order.tenantId}, ${orderId}::uuid, ${step?.stepKey ?? null}, ${input.externalReference}, ${input.requestKey}, ${input.outcome},
                  ${input.reason ?? null}, ${disposition}, ${ctx.principal.userId})
          ON CONFLICT (tenant_id, external_reference, outcome) WHERE disposition <> 'duplicate' DO NOTHING RETURNING id`;
        return inserted.length === 1;
      };
      const receipt = async (disposition: CallbackReceipt['disposition'], s: StepRow | undefined, correlate = false) => {
        if (disposition !== 'duplicate') {
          await finishOrder(tx, order, ctx, 'FulfillmentCallbackRecorded', { stepKey: s?.stepKey ?? null, externalReference: input.externalReference, outcome: input.outcome, disposition }, input.reason ?? null);
        }
        const body: CallbackReceipt = { orderId, stepKey: s?.stepKey ?? null, externalReference: input.externalReference, disposition, stepState: (s?.state ?? null) as CallbackReceipt['stepState'] };
        return { body: await done(tx, ctx, body), correlate: correlate && s ? { stepKey: s.stepKey, outcome: input.outcome } : undefined };
      };

      const disposition = dispositionOf(order, step, input.outcome);
      if (disposition === 'duplicate' || !(await record(disposition))) {
        // The same reference and outcome arrived before: evidence of the repeat, nothing else.
        await tx.$executeRaw`
          INSERT INTO fulfillment_callback (tenant_id, order_id, step_key, external_reference, request_key, outcome, reason, disposition, received_by)
          VALUES (${order.tenantId}, ${orderId}::uuid, ${step?.stepKey ?? null}, ${input.externalReference}, ${input.requestKey}, ${input.outcome},
                  ${input.reason ?? null}, 'duplicate', ${ctx.principal.userId})`;
        return receipt('duplicate', step);
      }
      if (!step) {
        await openCase(tx, order, ctx, { stepKey: null, category: 'business-fallout', source: 'callback', sla: deps.falloutSla ?? {}, reason: `callback ${input.externalReference} names request ${input.requestKey}, which this order never sent` });
        return receipt('unmatched', undefined);
      }
      if (disposition === 'routed-to-fallout') {
        await openCase(tx, order, ctx, {
          stepKey: step.stepKey, category: 'business-fallout', source: 'callback', sla: deps.falloutSla ?? {},
          reason: `${step.targetSystem} reported ${input.outcome} (${input.externalReference}) for ${step.stepKey}, which is ${step.state}: check what the target system holds`,
        });
        return receipt(disposition, step);
      }
      // applied, or after-cancellation: the step's fact is recorded either way (the compensation reverses by request key).
      const command: StepCommand = input.outcome === 'completed' ? 'complete' : 'fail';
      const waiting = step.state === 'awaiting-callback' && order.state === 'in-progress';
      const moved = await changeStep(tx, order, ctx, step, command, {
        externalReference: input.externalReference, reason: input.reason ?? null, correlationDue: waiting,
      });
      if (input.outcome === 'failed' && order.state === 'in-progress') {
        await openCase(tx, order, ctx, { stepKey: step.stepKey, category: 'business-fallout', source: 'step-failure', sla: deps.falloutSla ?? {}, reason: `${step.targetSystem} reported ${step.action} failed: ${input.reason ?? 'no reason given'}` });
      }
      return receipt(disposition, moved, waiting);
    });
    if (result.correlate) await correlateDue(deps, orderId, ctx.principal.tenantId, result.correlate.stepKey, result.correlate.outcome);
    return result.body;
  };
}

function dispositionOf(order: OrderRow, step: StepRow | undefined, outcome: 'completed' | 'failed'): CallbackReceipt['disposition'] {
  if (!step) return 'unmatched';
  const state = step.state as StepState;
  if (['compensating', 'compensated', 'compensation-failed', 'cancelled'].includes(state)) return 'routed-to-fallout';
  // Already decided by the worker's own answer (or by hand): a late repeat of the same fact is harmless, a contradiction is fallout.
  if (state === 'completed' || state === 'resolved' || state === 'failed' || state === 'pending') return outcome === 'completed' && state !== 'failed' && state !== 'pending' ? 'duplicate' : 'routed-to-fallout';
  if (order.state === 'cancelling' || order.state === 'cancelled') return 'after-cancellation';
  return 'applied';
}

/**
 * Moves on a process whose step waits at its message event, then clears the step's flag. The
 * message may arrive before the process subscribed (the worker completed its task a moment
 * later): tried a few times, then left to the reconciler.
 */
export async function correlateDue(deps: Pick<OrderDeps, 'prisma' | 'inTransaction' | 'camunda' | 'log'>, orderId: string, tenantId: string, stepKey: string, outcome: 'completed' | 'failed'): Promise<boolean> {
  const businessKey = fulfillmentBusinessKey(tenantId, orderId);
  // The instance this order recorded as its process: a second instance with the same business
  // key (a start that raced a reconciler) never takes its callbacks, nor makes them ambiguous.
  const processInstanceId = await recordedInstance(deps.prisma, tenantId, orderId);
  for (let attempt = 0; attempt < 5; attempt += 1) {
    try {
      if ((await correlateStepDone(deps.camunda, { businessKey, tenantId, stepKey, outcome, processInstanceId })) === 'signalled') {
        await deps.inTransaction((tx) => tx.$executeRaw`
          UPDATE order_step SET correlation_due = false WHERE order_id = ${orderId}::uuid AND step_key = ${stepKey} AND correlation_due`);
        return true;
      }
    } catch (error) {
      deps.log.warn({ orderId, stepKey, err: (error as Error).message }, 'step callback not correlated; the reconciler will');
      return false;
    }
    await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
  }
  return false;
}
