import { randomUUID } from 'node:crypto';
import type { EngineClient } from '../camunda/engine-client';
import { defineWorker, type WorkerResult } from '../camunda/worker-catalog';
import type { ExecuteOutcome, QueryOutcome, createTargetSystemAdapters } from './target-system.adapter';

/** Topics of the default order-fulfillment process (bpmn/order-fulfillment.bpmn): the step ids. */
export const EXECUTE_STEP = 'order.execute-step';
export const COMPENSATE_STEP = 'order.compensate-step';
export const COMPLETE_FULFILLMENT = 'order.complete-fulfillment';
export const FINISH_CANCELLATION = 'order.finish-cancellation';

type Adapters = ReturnType<typeof createTargetSystemAdapters>;
type Line = { lineId: string; offering: string; quantity: number; action: string; selections: Record<string, unknown> };
type Dispatch = {
  mode: 'execute' | 'resume' | 'reconcile' | 'wait' | 'skip' | 'stop';
  state: string; attempt: number; requestKey: string | null; targetSystem: string; action: string; line: Line;
};
type Step = { state: string; requestKey: string | null; externalReference: string | null };
type Compensation = { mode: 'reverse' | 'skip'; state: string; requestKey: string | null; targetSystem: string; action: string };

const stepVariables = {
  type: 'object',
  required: ['orderId'],
  properties: {
    orderId: { type: 'string', minLength: 1 },
    // The step's key as a String (current model) or as the JSON string element of stepKeys (earlier models).
    stepRef: { type: 'string', minLength: 1 },
    stepKey: { type: 'string', minLength: 1 },
  },
} as const;

/** order-fulfillment:<tenant>:<order> -> tenant. */
function tenantOf(businessKey: string | null): string {
  const tenant = businessKey?.split(':')[1];
  if (!businessKey?.startsWith('order-fulfillment:') || !tenant) throw new Error(`business key ${businessKey} does not name a tenant`);
  return tenant;
}

function stepKeyOf(variables: { stepRef?: string; stepKey?: string }): string {
  if (variables.stepRef) return variables.stepRef;
  const raw = variables.stepKey ?? '';
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (typeof parsed === 'string') return parsed;
  } catch {
    /* a plain string */
  }
  if (!raw) throw new Error('the task names no step (stepRef or stepKey)');
  return raw;
}

/** Fails the task (Camunda retries, then raises an incident) with what the engine said. */
function refused(what: string, result: { status: number; body: unknown }): never {
  throw new Error(`${what}: the engine answered ${result.status} ${JSON.stringify(result.body)}`);
}

/**
 * The order-fulfillment process's external tasks. Thin (connectors/src/camunda/README.md): each
 * asks the engine what to do (the engine owns every decision and every record), calls the step's
 * target system through its adapter, reports what the system answered, and returns references.
 * Every engine command is keyed by the task and a nonce of this run of the handler, so an HTTP
 * retry inside one run is one command and a new fetch of the task asks the engine afresh.
 */
export function orderFulfillmentWorkers(engine: EngineClient, adapters: Adapters, options: { topicPrefix?: string; retries?: number; backoffMs?: number } = {}) {
  const prefix = options.topicPrefix ?? '';
  // Attempts before Camunda raises an incident (which the engine maps to a fallout case).
  const retries = options.retries ?? 5;
  const backoff = { initialMs: options.backoffMs ?? 1_000, factor: 2, maxMs: 30_000 };

  const command = async <T>(tenant: string, path: string, key: string, body?: unknown) => engine.command<T>(tenant, path, key, body);

  /** Records what the target system answered; returns the step as the engine now holds it. */
  async function record(tenant: string, orderId: string, stepKey: string, key: string, requestKey: string, outcome: string, extra: { externalReference?: string; reason?: string } = {}): Promise<Step> {
    const result = await command<Step>(tenant, `/orders/${orderId}/steps/${encodeURIComponent(stepKey)}/commands/record-outcome`, `${key}:${outcome}`, { requestKey, outcome, ...extra });
    if (result.status !== 200) refused(`recording ${outcome} of ${stepKey}`, result);
    return result.body;
  }

  /** Where a step left off: the outcome decides what the process does next. */
  const finish = (step: Step): WorkerResult => {
    if (step.state === 'failed') return { bpmnError: { code: 'STEP_FAILED', message: `the target system refused the step` } };
    return { variables: { awaitCallback: step.state === 'awaiting-callback' } };
  };

  /** Applies what a query by our request key found (the only thing that decides an unknown outcome, O4). */
  async function applyQuery(tenant: string, orderId: string, stepKey: string, key: string, requestKey: string, found: QueryOutcome): Promise<Step> {
    if (!found.found) return record(tenant, orderId, stepKey, key, requestKey, 'not-found', { reason: 'the target system never received the request' });
    const reason = `reconciled: the target system holds the request as ${found.status}`;
    switch (found.status) {
      case 'completed': return record(tenant, orderId, stepKey, key, requestKey, 'completed', { externalReference: found.externalReference, reason });
      case 'accepted': return record(tenant, orderId, stepKey, key, requestKey, 'accepted', { externalReference: found.externalReference, reason });
      default: return record(tenant, orderId, stepKey, key, requestKey, 'failed', { externalReference: found.externalReference, reason: found.reason ?? reason });
    }
  }

  async function send(tenant: string, orderId: string, stepKey: string, key: string, d: Dispatch, signal: AbortSignal): Promise<Step> {
    const adapter = adapters.adapterFor(d.targetSystem);
    const outcome: ExecuteOutcome = await adapter.execute(d.targetSystem, { tenantId: tenant, orderId, stepKey, requestKey: d.requestKey!, action: d.action, line: d.line }, signal);
    switch (outcome.kind) {
      case 'completed':
      case 'accepted':
        return record(tenant, orderId, stepKey, key, d.requestKey!, outcome.kind, { externalReference: outcome.externalReference });
      case 'refused':
        return record(tenant, orderId, stepKey, key, d.requestKey!, 'failed', { reason: outcome.reason, ...(outcome.externalReference ? { externalReference: outcome.externalReference } : {}) });
      case 'unknown': {
        // Neither success nor failure: recorded as unknown, then decided by asking the system (O4).
        await record(tenant, orderId, stepKey, key, d.requestKey!, 'unknown', { reason: outcome.reason });
        const found = await adapter.query(d.targetSystem, d.requestKey!, signal);
        return applyQuery(tenant, orderId, stepKey, key, d.requestKey!, found);
      }
    }
  }

  const executeStep = defineWorker({
    topic: `${prefix}${EXECUTE_STEP}`,
    description: 'Asks the engine how to act on a fulfillment step, calls its target system through the adapter (or asks it by our request key when the outcome is unknown), and records the outcome with the engine.',
    variables: stepVariables,
    lockDurationMs: 60_000,
    retries,
    backoff,
    async handler({ variables, businessKey, taskId }, { signal }) {
      const tenant = tenantOf(businessKey);
      const { orderId } = variables;
      const stepKey = stepKeyOf(variables);
      const key = `step:${taskId}:${randomUUID().slice(0, 8)}`;
      // A pending step again after "not found" gets a new attempt: at most twice in one run.
      for (let round = 0; round < 2; round += 1) {
        const begun = await command<Dispatch>(tenant, `/orders/${orderId}/steps/${encodeURIComponent(stepKey)}/commands/begin`, `${key}:begin:${round}`);
        if (begun.status !== 200) refused(`beginning ${stepKey}`, begun);
        const d = begun.body;
        switch (d.mode) {
          // Cancelled meanwhile: the cancellation message interrupts this scope; nothing to do here.
          case 'stop': return { variables: { awaitCallback: false } };
          case 'skip': return { variables: { awaitCallback: false } };
          case 'wait': return { variables: { awaitCallback: true } };
          case 'reconcile': {
            const found = await adapters.adapterFor(d.targetSystem).query(d.targetSystem, d.requestKey!, signal);
            const step = await applyQuery(tenant, orderId, stepKey, `${key}:${round}`, d.requestKey!, found);
            if (step.state === 'pending') continue;
            return finish(step);
          }
          // An attempt whose outcome was never recorded (a crash): sent again with the same key,
          // which the system answers with its first answer if it had it.
          case 'resume':
          case 'execute': {
            const step = await send(tenant, orderId, stepKey, `${key}:${round}`, d, signal);
            if (step.state === 'pending') continue;
            return finish(step);
          }
        }
      }
      throw new Error(`step ${stepKey}: the target system lost the request twice; retrying later`);
    },
  });

  const compensateStep = defineWorker({
    topic: `${prefix}${COMPENSATE_STEP}`,
    description: 'Reverses a step of a cancelling order at its target system (by our request key) and records the outcome; a refused reversal goes to ops.',
    variables: stepVariables,
    lockDurationMs: 60_000,
    retries,
    backoff,
    async handler({ variables, businessKey, taskId }, { signal }) {
      const tenant = tenantOf(businessKey);
      const { orderId } = variables;
      const stepKey = stepKeyOf(variables);
      const key = `comp:${taskId}:${randomUUID().slice(0, 8)}`;
      const begun = await command<Compensation>(tenant, `/orders/${orderId}/steps/${encodeURIComponent(stepKey)}/commands/begin-compensation`, `${key}:begin`);
      if (begun.status !== 200) refused(`beginning the compensation of ${stepKey}`, begun);
      if (begun.body.mode === 'skip') return { variables: {} };
      const d = begun.body;
      const reversed = await adapters.adapterFor(d.targetSystem).reverse(d.targetSystem, d.requestKey!, signal);
      const outcome = reversed.kind === 'refused' ? 'failed' : reversed.kind === 'reversed' ? 'compensated' : 'nothing-to-reverse';
      const result = await command<Step>(tenant, `/orders/${orderId}/steps/${encodeURIComponent(stepKey)}/commands/record-compensation`, `${key}:${outcome}`, {
        outcome, ...(reversed.kind === 'refused' ? { reason: reversed.reason } : {}),
      });
      if (result.status !== 200) refused(`recording the compensation of ${stepKey}`, result);
      if (reversed.kind === 'refused') return { bpmnError: { code: 'COMPENSATION_FAILED', message: reversed.reason } };
      return { variables: {} };
    },
  });

  const orderCommand = (topic: string, description: string, path: string) => defineWorker({
    topic: `${prefix}${topic}`,
    description,
    variables: { type: 'object', required: ['orderId'], properties: { orderId: { type: 'string', minLength: 1 } } },
    lockDurationMs: 30_000,
    retries,
    backoff,
    async handler({ variables, businessKey, taskId }) {
      const result = await command(tenantOf(businessKey), `/orders/${variables.orderId}/commands/${path}`, `${path}:${taskId}:${randomUUID().slice(0, 8)}`);
      // Refused (e.g. a cancellation arrived first): retried; the cancellation interrupts this task meanwhile.
      if (result.status !== 200) refused(path, result);
      return { variables: {} };
    },
  });

  return [
    executeStep,
    compensateStep,
    orderCommand(COMPLETE_FULFILLMENT, 'Asks the engine to record the order fulfilled once every step of its plan is done.', 'complete-fulfillment'),
    orderCommand(FINISH_CANCELLATION, 'Asks the engine to record the order cancelled once every step that acted is compensated.', 'finish-cancellation'),
  ];
}

