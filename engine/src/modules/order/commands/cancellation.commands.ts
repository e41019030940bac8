import { DomainError } from '../../../http/errors';
import type { TransactionClient } from '@cpq/prisma';
import { correlations } from '../../workflow';
import { compensationOrder } from '../decomposition';
import { applyToInstalledBase } from '../installed-base';
import { openCase, openCasesOf, resolveCase } from '../fallout';
import { requireCanceller, requireIntegration } from '../order.access';
import { done, finishOrder, lockOrder, moveOrder, readOrder, stepOf, stepsOf, type OrderRow } from '../order.repository';
import { orderView } from '../order.views';
import { DONE, MAY_HAVE_ACTED, type StepState } from '../order.state';
import { fulfillmentBusinessKey, type CommandContext, type CompensationDispatch, type CompensationOutcomeInput, type OrderDeps, type StepView } from '../order.types';
import { endFulfillmentProcess, recordedInstance, signalCancellation } from '../order.workflow';
import { changeStep, stepView } from './step.commands';

/** What a cancellation still has to do in Camunda after its transaction committed. */
export type CancellationEffect = { kind: 'end-process'; correlationIds: string[] } | { kind: 'signal'; compensation: string[] } | { kind: 'none' };

/**
 * Cancels in the caller's transaction (the order is locked), O5: steps that never acted are
 * cancelled; when none may have acted the order is cancelled at once (and its process is to be
 * ended), otherwise it is cancelling and the steps that may have acted are to be compensated in
 * reverse plan order by the process (a message to signal). Open fallout cases of the order are
 * closed: the cancellation decides them.
 */
export async function cancelInTransaction(tx: TransactionClient, order: OrderRow, ctx: CommandContext, reason: string): Promise<{ order: OrderRow; effect: CancellationEffect }> {
  if (!['created', 'planned', 'in-progress'].includes(order.state)) {
    throw new DomainError('order-state', order.state === 'fulfilled'
      ? `order ${order.id} is fulfilled: a change order disconnects what it installed`
      : `order ${order.id} is ${order.state}: its cancellation was requested already`);
  }
  const steps = await stepsOf(tx, order.id);
  // A step an operator was compensating (resolve-fallout compensate) is reversed again by the
  // cancellation: the cancellation message interrupts that reversal, which is idempotent.
  const acted = steps.filter((s) => [...MAY_HAVE_ACTED, 'compensating', 'compensation-failed'].includes(s.state as StepState));
  for (const step of steps) if (step.state === 'pending' || step.state === 'failed') await changeStep(tx, order, ctx, step, 'cancel', { reason: `order cancelled: ${reason}` });
  for (const c of await openCasesOf(tx, order.id)) await resolveCase(tx, order, ctx, c, { action: 'cancel', reason: `order cancelled: ${reason}`, effect: 'none' });
  await tx.$executeRaw`
    UPDATE customer_order SET cancel_requested_by = ${ctx.principal.userId}, cancel_requested_at = now(), cancel_reason = ${reason}, cancel_signalled = false
    WHERE id = ${order.id}::uuid`;
  const compensation = compensationOrder(acted);
  if (acted.length === 0) {
    const cancelled = await moveOrder(tx, order, 'cancel');
    await finishOrder(tx, cancelled, ctx, 'OrderCancellationRequested', { reason, compensation }, reason);
    await finishOrder(tx, cancelled, ctx, 'OrderCancelled', { compensated: [] }, reason);
    const active = await correlations.cancelActive(tx, order.tenantId, 'ORDER', order.id);
    return { order: cancelled, effect: active.length > 0 ? { kind: 'end-process', correlationIds: active.map((c) => c.id) } : { kind: 'none' } };
  }
  const cancelling = await moveOrder(tx, order, 'request-compensation');
  await finishOrder(tx, cancelling, ctx, 'OrderCancellationRequested', { reason, compensation }, reason);
  return { order: cancelling, effect: { kind: 'signal', compensation } };
}

/**
 * The Camunda side of a cancellation, after its commit: end the process (nothing acted), or
 * signal it to compensate; a failure leaves the order's flag for the reconciler. A process that
 * no longer waits for the signal cannot compensate: an operator must (a fallout case).
 */
export async function applyCancellationEffect(deps: Pick<OrderDeps, 'prisma' | 'inTransaction' | 'camunda' | 'log' | 'falloutSla'>, order: OrderRow, effect: CancellationEffect, ctx: CommandContext): Promise<void> {
  const businessKey = fulfillmentBusinessKey(order.tenantId, order.id);
  try {
    if (effect.kind === 'end-process') {
      await endFulfillmentProcess(deps.camunda, businessKey, 'order cancelled before any step acted');
      for (const id of effect.correlationIds) await correlations.setStatus(deps.prisma, id, 'CANCELLED', ['CANCELLING']);
    }
    if (effect.kind === 'signal') {
      const processInstanceId = await recordedInstance(deps.prisma, order.tenantId, order.id);
      const outcome = await signalCancellation(deps.camunda, { businessKey, tenantId: order.tenantId, compensationKeys: effect.compensation, processInstanceId });
      await deps.inTransaction(async (tx) => {
        const locked = await lockOrder(tx, order.id, ctx.principal);
        await tx.$executeRaw`UPDATE customer_order SET cancel_signalled = true WHERE id = ${order.id}::uuid`;
        if (outcome === 'no-subscriber' && locked.state === 'cancelling') {
          await openCase(tx, locked, ctx, {
            stepKey: null, category: 'technical-retry', source: 'incident', sla: deps.falloutSla ?? {},
            reason: `the fulfillment process no longer runs, so it cannot compensate ${effect.compensation.join(', ')}: reverse them by hand`,
          });
        }
      });
    }
  } catch (error) {
    deps.log.warn({ orderId: order.id, effect: effect.kind, err: (error as Error).message }, 'cancellation not yet applied in Camunda; the reconciler will');
  }
}

/** POST /orders/{orderId}/commands/request-cancellation. */
export function requestCancellationCommand(deps: OrderDeps) {
  return async (orderId: string, reason: string, ctx: CommandContext) => {
    const { order, effect, view } = await deps.inTransaction(async (tx) => {
      const locked = await lockOrder(tx, orderId, ctx.principal);
      requireCanceller(ctx.principal, locked);
      const result = await cancelInTransaction(tx, locked, ctx, reason);
      const view = await done(tx, ctx, await orderView(tx, (await readOrder(tx, orderId, locked.tenantId))!));
      return { ...result, view };
    });
    await applyCancellationEffect(deps, order, effect, ctx);
    return view;
  };
}

/**
 * A worker is about to reverse a step of a cancelling order: a step that may have acted is
 * reversed at its target system by the request key we sent (whatever came of it); one that never
 * acted is skipped. A compensation already begun is resumed (the reversal is idempotent).
 *
 * While the order is fulfilled only a step an operator chose to compensate is reversed
 * (resolve-fallout compensate left it compensating; after a failed reversal the operators' retry
 * begins it again); a repeat after its compensation skips; anything else is refused.
 */
export function beginCompensationCommand({ inRawTransaction }: Pick<OrderDeps, 'inRawTransaction'>) {
  return (orderId: string, stepKey: string, ctx: CommandContext): Promise<CompensationDispatch> => {
    requireIntegration(ctx.principal);
    return inRawTransaction(async (tx) => {
      const order = await lockOrder(tx, orderId, ctx.principal);
      let step = await stepOf(tx, orderId, stepKey);
      const answer = (mode: CompensationDispatch['mode']): CompensationDispatch => ({
        orderId, stepKey, mode, state: step.state as StepState, requestKey: step.requestKey, targetSystem: step.targetSystem, action: step.action,
      });
      const state = step.state as StepState;
      if (order.state !== 'cancelling') {
        if (order.state === 'in-progress' && state === 'compensating') return done(tx, ctx, answer('reverse'));
        if (order.state === 'in-progress' && state === 'compensated') return done(tx, ctx, answer('skip'));
        if (order.state === 'in-progress' && state === 'compensation-failed') {
          step = await changeStep(tx, order, ctx, step, 'begin-compensation', { reason: 'compensation retried by ops' });
          return done(tx, ctx, answer('reverse'));
        }
        throw new DomainError('order-state', `order ${orderId} is ${order.state} and step ${stepKey} is ${state}: nothing is compensated`);
      }
      if (state === 'compensating') return done(tx, ctx, answer('reverse'));
      if (state === 'compensated' || state === 'cancelled') return done(tx, ctx, answer('skip'));
      if (state === 'pending' || state === 'failed') {
        step = await changeStep(tx, order, ctx, step, 'cancel', { reason: 'never acted: nothing to compensate' });
        return done(tx, ctx, answer('skip'));
      }
      step = await changeStep(tx, order, ctx, step, 'begin-compensation', { reason: null });
      return done(tx, ctx, answer('reverse'));
    });
  };
}

/** What the target system answered to the reversal; a failure opens a fallout case (O5). */
export function recordCompensationCommand(deps: Pick<OrderDeps, 'inRawTransaction' | 'falloutSla'>) {
  return (orderId: string, stepKey: string, input: CompensationOutcomeInput, ctx: CommandContext): Promise<StepView> => {
    requireIntegration(ctx.principal);
    return deps.inRawTransaction(async (tx) => {
      const order = await lockOrder(tx, orderId, ctx.principal);
      const step = await stepOf(tx, orderId, stepKey);
      const failed = input.outcome === 'failed';
      if (step.state === (failed ? 'compensation-failed' : 'compensated')) return done(tx, ctx, stepView(step));
      const moved = await changeStep(tx, order, ctx, step, failed ? 'compensation-failed' : 'compensated', {
        reason: input.reason ?? (input.outcome === 'nothing-to-reverse' ? 'the target system never acted on our request' : null),
      });
      if (failed) {
        await openCase(tx, order, ctx, {
          stepKey, category: 'business-fallout', source: 'compensation-failure', sla: deps.falloutSla ?? {},
          reason: `${step.targetSystem} could not reverse ${step.action}: ${input.reason ?? 'no reason given'}`,
        });
      }
      return done(tx, ctx, stepView(moved));
    });
  };
}

/** The compensation ran over every step that needed it: the order is cancelled. */
export function finishCancellationCommand(deps: Pick<OrderDeps, 'inTransaction'>) {
  return (orderId: string, ctx: CommandContext) => {
    requireIntegration(ctx.principal);
    return deps.inTransaction(async (tx) => {
      const order = await lockOrder(tx, orderId, ctx.principal);
      const answer = async () => done(tx, ctx, await orderView(tx, (await readOrder(tx, orderId, order.tenantId))!));
      if (order.state === 'cancelled') return answer();
      const steps = await stepsOf(tx, orderId);
      const open = steps.filter((s) => !['compensated', 'cancelled'].includes(s.state));
      if (open.length > 0) throw new DomainError('step-state', `steps ${open.map((s) => `${s.stepKey} (${s.state})`).join(', ')} are not compensated yet`);
      const cancelled = await moveOrder(tx, order, 'finish-cancellation');
      await finishOrder(tx, cancelled, ctx, 'OrderCancelled', { compensated: steps.filter((s) => s.state === 'compensated').map((s) => s.stepKey) });
      await completeCorrelation(tx, order);
      return answer();
    });
  };
}

/** The process reached its end: the order is fulfilled when every step is completed or resolved. */
export function completeFulfillmentCommand(deps: Pick<OrderDeps, 'inTransaction'>) {
  return (orderId: string, ctx: CommandContext) => {
    requireIntegration(ctx.principal);
    return deps.inTransaction(async (tx) => {
      const order = await lockOrder(tx, orderId, ctx.principal);
      const answer = async () => done(tx, ctx, await orderView(tx, (await readOrder(tx, orderId, order.tenantId))!));
      if (order.state === 'fulfilled') return answer();
      const steps = await stepsOf(tx, orderId);
      const open = steps.filter((s) => !DONE.includes(s.state as StepState));
      if (order.state === 'in-progress' && open.length > 0) throw new DomainError('step-state', `steps ${open.map((s) => `${s.stepKey} (${s.state})`).join(', ')} are not done`);
      const fulfilled = await moveOrder(tx, order, 'complete-fulfillment');
      const [plan] = await tx.$queryRaw<{ v: number }[]>`SELECT max(plan_version) AS v FROM fulfillment_plan WHERE order_id = ${orderId}::uuid`;
      await finishOrder(tx, fulfilled, ctx, 'OrderFulfilled', { planVersion: plan!.v });
      await applyToInstalledBase(tx, fulfilled, ctx);
      await completeCorrelation(tx, order);
      return answer();
    });
  };
}

/** The process is about to end at the order's last step: its correlation is complete. */
async function completeCorrelation(tx: TransactionClient, order: OrderRow): Promise<void> {
  const active = await correlations.activeOf(tx, order.tenantId, 'ORDER', order.id);
  if (active) await correlations.setStatus(tx, active.id, 'COMPLETED');
}
