import { DomainError } from '../../http/errors';
import { CamundaError, correlations, type CamundaClient, type Correlation, type ReturnedVariables } from '../workflow';
import { QUOTE_APPROVAL_PROCESS, type QuoteDeps } from './quote.deps';

/** A Camunda failure as the caller sees it: the workflow could not be reached (503, nothing kept). */
export function workflowUnavailable(error: unknown, what: string): DomainError {
  if (error instanceof DomainError) return error;
  return new DomainError('dependency-unavailable', `${what}: ${(error as Error).message}`, [], { cause: error });
}

/**
 * Whether a failed call to Camunda may still have done its work: Camunda answered with an error,
 * or the connection was refused, and nothing was done; or no answer came (a timeout, a lost
 * connection, a gateway's 502/504), and the request may still be carried out after we looked.
 */
export function outcomeUnknown(failure: unknown): boolean {
  const cause = failure instanceof DomainError ? (failure.cause ?? failure) : failure;
  // A gateway's 502/504 says nothing of what Camunda behind it did.
  if (cause instanceof CamundaError) return cause.status === 502 || cause.status === 504;
  // A refused connection: the request was never sent.
  return (cause as { cause?: { code?: string } } | null)?.cause?.code !== 'ECONNREFUSED';
}

export type ApprovalStart = {
  businessKey: string; tenantId: string; quoteId: string; revision: number; roles: string[]; escalationSla: string;
};

/**
 * Starts the quote-approval process, idempotent by business key: an instance that an earlier
 * attempt started (a crash after the call, a retry by the reconciler) is found and reused, so
 * a retry never starts a second one. `lookFirst: false` skips that query when the caller knows
 * no instance of the key can exist (a first attempt, no other intent of the key recorded).
 * Variables carry references only: the truth stays here. The first work item's id comes back
 * with the start when the model's task listener records it (`workItemId`); otherwise it is asked.
 */
export async function startApprovalProcess(
  camunda: CamundaClient, s: ApprovalStart, { lookFirst = true }: { lookFirst?: boolean } = {},
): Promise<{ processInstanceId: string; workItemId: string | null; startedHere: boolean }> {
  try {
    const existing = lookFirst
      ? (await camunda.processInstances({ businessKey: s.businessKey, processDefinitionKey: QUOTE_APPROVAL_PROCESS })).find((p) => !p.ended)
      : undefined;
    if (existing) return { processInstanceId: existing.id, workItemId: await firstTaskOf(camunda, existing.id), startedHere: false };
    const instance = await camunda.startProcessByKey(QUOTE_APPROVAL_PROCESS, {
      businessKey: s.businessKey, tenantId: s.tenantId, withVariablesInReturn: true,
      variables: {
        quoteId: { value: s.quoteId, type: 'String' },
        revision: { value: s.revision, type: 'Integer' },
        requiredLevels: { value: JSON.stringify(s.roles), type: 'Json' },
        approverRole: { value: s.roles[s.roles.length - 1]!, type: 'String' },
        escalationSla: { value: s.escalationSla, type: 'String' },
      },
    });
    return { processInstanceId: instance.id, workItemId: workItemIdOf(instance.variables) ?? await firstTaskOf(camunda, instance.id), startedHere: true };
  } catch (error) {
    throw workflowUnavailable(error, 'the approval workflow could not start');
  }
}

/**
 * The open work item as the model's `create` task listener recorded it in the process variable
 * `workItemId` (bpmn/quote-approval.bpmn); undefined for a model without that listener.
 */
export function workItemIdOf(variables: ReturnedVariables | undefined): string | undefined {
  const value = variables?.workItemId?.value;
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

async function firstTaskOf(camunda: CamundaClient, processInstanceId: string): Promise<string | null> {
  return (await camunda.tasks({ processInstanceId }))[0]?.id ?? null;
}

/**
 * Ends an intent's process instance; one that is already gone counts as ended (idempotent).
 * Returns how many it ended. An intent that never learnt its instance (a start without an
 * answer) ends the instances with its business key that no other live intent of that key holds:
 * a revision submitted again after a failed submission has the same key, and its instance (one
 * it started, or the late one it found and took) is not this intent's to end. While such an
 * intent is still starting, its instance is not known yet: 'wait' (ended nothing; look again later).
 */
export async function endProcess(
  { camunda, prisma }: Pick<QuoteDeps, 'camunda' | 'prisma'>, c: Pick<Correlation, 'id' | 'processInstanceId' | 'businessKey' | 'processKey'>, reason: string,
): Promise<number | 'wait'> {
  let ids: string[];
  if (c.processInstanceId) ids = [c.processInstanceId];
  else {
    const others = await correlations.othersOfBusinessKey(prisma, c.businessKey, c.id);
    if (others.some((o) => !o.processInstanceId)) return 'wait';
    const held = new Set(others.map((o) => o.processInstanceId));
    ids = (await camunda.processInstances({ businessKey: c.businessKey, processDefinitionKey: c.processKey })).map((p) => p.id).filter((id) => !held.has(id));
  }
  let ended = 0;
  for (const id of ids) {
    try {
      await camunda.deleteProcessInstance(id, reason);
      ended += 1;
    } catch (error) {
      if (!(error instanceof CamundaError && error.status === 404)) throw error;
    }
  }
  return ended;
}

/**
 * The second step of cancelling workflows (the first marked them CANCELLING in the command's
 * transaction): end each in Camunda and record it. A failure leaves the row CANCELLING for the
 * reconciler; the command that cancelled has committed and stands.
 */
export async function endCancelled({ prisma, camunda, log }: Pick<QuoteDeps, 'prisma' | 'camunda' | 'log'>, cancelled: Correlation[], reason: string): Promise<void> {
  for (const c of cancelled) {
    try {
      if ((await endProcess({ camunda, prisma }, c, reason)) === 'wait') continue; // the reconciler looks again
      await correlations.setStatus(prisma, c.id, 'CANCELLED', ['CANCELLING']);
    } catch (error) {
      log.warn({ err: (error as Error).message, correlationId: c.id }, 'could not end the approval process; the reconciler will');
    }
  }
}
