import { DomainError } from '../../http/errors';
import type { PrismaClient } from '@cpq/prisma';
import { CamundaError, correlations, type CamundaClient } from '../workflow';
import { ORDER_FULFILLMENT_PROCESS } from './order.types';

/**
 * The order's side of the release's order-fulfillment process (bpmn/order-fulfillment.bpmn).
 * Every call here runs between transactions (ADR 0013) and is idempotent, so a reconciler may
 * run it again: starts are found by business key, a message nobody waits for is reported, not
 * thrown, and a task already completed counts as completed. Variables carry references only.
 */

/** Messages of the process: the cancellation, and a step's callback (one message name per step). */
export const CANCELLATION_MESSAGE = 'order-cancellation-requested';
export const stepDoneMessage = (stepKey: string) => `order-step-done:${stepKey}`;
/** The operators' user tasks of the process, each with the step key as its local `stepRef`. */
export const FALLOUT_TASK = 'resolve-fallout';
export const COMPENSATION_FALLOUT_TASK = 'resolve-compensation';
/** The failed reversal of a step an operator chose to compensate while the order is fulfilled. */
export const STEP_COMPENSATION_FALLOUT_TASK = 'resolve-step-compensation';

const json = (value: unknown) => ({ value: JSON.stringify(value), type: 'Json' as const });

/** A Camunda failure as a caller sees it: the workflow could not be reached (503, nothing kept). */
export function workflowUnavailable(error: unknown, what: string): DomainError {
  if (error instanceof DomainError) return error;
  return new DomainError('dependency-unavailable', `${what}: ${(error as Error).message}`);
}

// Nobody waits for the message. Not "N executions match" (also a MismatchingMessageCorrelation):
// that is two instances of one order, which must surface, not pass for a process that ended.
const noSubscriber = (error: unknown) => error instanceof CamundaError && /No process definition or execution matches/.test(error.message);

/**
 * The Camunda instance an order recorded as its process (its active correlation), or undefined
 * (none yet, or the read failed: callers fall back to the business key). Messages and tasks go
 * to this instance, so a stray second instance with the same business key never takes them.
 */
export async function recordedInstance(prisma: PrismaClient, tenantId: string, orderId: string): Promise<string | undefined> {
  try {
    return (await correlations.activeOf(prisma, tenantId, 'ORDER', orderId))?.processInstanceId ?? undefined;
  } catch {
    return undefined;
  }
}

/** Where a message goes: the recorded instance when known, else the business key in the tenant. */
const target = (s: { businessKey: string; tenantId: string; processInstanceId?: string }) =>
  s.processInstanceId ? { processInstanceId: s.processInstanceId } : { businessKey: s.businessKey, tenantId: s.tenantId };

/**
 * Starts the fulfillment process, idempotent by business key: an instance an earlier attempt
 * started is found and reused. `lookFirst: false` skips that query (one Camunda call) for a
 * caller that knows no instance of the key can exist; `startedHere` is then always true.
 * `waves` drives the current model (parallel inside a wave); `stepKeys` keeps models of older
 * releases (sequential over the steps) working.
 */
export async function startFulfillmentProcess(
  camunda: CamundaClient, s: { businessKey: string; tenantId: string; orderId: string; waves: string[][]; lookFirst?: boolean },
) {
  const existing = s.lookFirst === false ? undefined
    : (await camunda.processInstances({ businessKey: s.businessKey, processDefinitionKey: ORDER_FULFILLMENT_PROCESS })).find((p) => !p.ended);
  const instance = existing ?? await camunda.startProcessByKey(ORDER_FULFILLMENT_PROCESS, {
    businessKey: s.businessKey, tenantId: s.tenantId,
    variables: { orderId: { value: s.orderId, type: 'String' }, waves: json(s.waves), stepKeys: json(s.waves.flat()), compensationKeys: json([]) },
  });
  return { processInstanceId: instance.id, startedHere: !existing };
}

/**
 * Tells the process the order is to be compensated: its interrupting boundary event stops every
 * running step and runs the compensation over `compensationKeys`. 'no-subscriber' when the
 * process no longer waits for it (ended, or never started).
 */
export async function signalCancellation(
  camunda: CamundaClient, s: { businessKey: string; tenantId: string; compensationKeys: string[]; processInstanceId?: string },
): Promise<'signalled' | 'no-subscriber'> {
  try {
    await camunda.correlateMessage({ messageName: CANCELLATION_MESSAGE, ...target(s), processVariables: { compensationKeys: json(s.compensationKeys) } });
    return 'signalled';
  } catch (error) {
    if (noSubscriber(error)) return 'no-subscriber';
    throw error;
  }
}

/** A callback decided a step that waits at its message event: the process moves on (or to fallout). */
export async function correlateStepDone(
  camunda: CamundaClient, s: { businessKey: string; tenantId: string; stepKey: string; outcome: 'completed' | 'failed'; processInstanceId?: string },
): Promise<'signalled' | 'no-subscriber'> {
  try {
    await camunda.correlateMessage({
      messageName: stepDoneMessage(s.stepKey),
      // By the recorded instance where known (exact, and never two matches); else by business key.
      ...target(s),
      // Not processVariablesLocal: Camunda sets those on the catch event's own execution, which
      // the gateway after it no longer sees. The step's scope declares `stepOutcome` (a start
      // listener), so a plain variable lands there and never on the process instance.
      processVariables: { stepOutcome: { value: s.outcome, type: 'String' } },
    });
    return 'signalled';
  } catch (error) {
    if (noSubscriber(error)) return 'no-subscriber';
    throw error;
  }
}

/**
 * Completes the operators' fallout task of a step with the decision (`falloutAction` retry,
 * resolved, compensate or cancel, the values the model's gateway reads). No open task: 'no-task' (the process
 * moved on, or has not reached the task yet).
 */
export async function completeFalloutTask(
  camunda: CamundaClient, s: { businessKey: string; tenantId: string; stepKey: string; taskKey: string; falloutAction: string; compensationKeys?: string[]; processInstanceId?: string },
): Promise<'completed' | 'no-task'> {
  const [task] = await camunda.tasks({
    ...(s.processInstanceId ? { processInstanceId: s.processInstanceId } : { processInstanceBusinessKey: s.businessKey }),
    taskDefinitionKey: s.taskKey, taskVariables: `stepRef_eq_${s.stepKey}`, tenantIdIn: s.tenantId,
  });
  if (!task) return 'no-task';
  try {
    await camunda.completeTask(task.id, {
      falloutAction: { value: s.falloutAction, type: 'String' },
      ...(s.compensationKeys ? { compensationKeys: json(s.compensationKeys) } : {}),
    });
    return 'completed';
  } catch (error) {
    if (error instanceof CamundaError && error.status === 404) return 'no-task';
    throw error;
  }
}

/** Ends the process (a cancellation before anything acted); one already gone counts as ended. */
export async function endFulfillmentProcess(camunda: CamundaClient, businessKey: string, reason: string): Promise<void> {
  for (const p of await camunda.processInstances({ businessKey, processDefinitionKey: ORDER_FULFILLMENT_PROCESS })) {
    try {
      await camunda.deleteProcessInstance(p.id, reason);
    } catch (error) {
      if (!(error instanceof CamundaError && error.status === 404)) throw error;
    }
  }
}
