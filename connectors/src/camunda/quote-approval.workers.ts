import { defineWorker } from './worker-catalog';
import type { EngineClient } from './engine-client';

/** Topics of the default quote-approval process (bpmn/quote-approval.bpmn): the step ids. */
export const RECORD_APPROVAL_DECISION = 'quote.record-approval-decision';
export const ESCALATE_APPROVAL = 'quote.escalate-approval';
const APPROVAL_USER_TASK = 'approve-level';

type Evidence = { requirements: { level: number }[]; decisions: { level: number; outcome: string; decisionId: string }[] };

/**
 * The quote-approval process's external tasks. Both are confirmations of domain state, never
 * its source: the decision itself was recorded by the engine's approve-quote command.
 */
export function quoteApprovalWorkers(engine: EngineClient, camundaUrl: string, options: { topicPrefix?: string } = {}) {
  const prefix = options.topicPrefix ?? '';
  const record = defineWorker({
    topic: `${prefix}${RECORD_APPROVAL_DECISION}`,
    description: 'Confirms with the engine that every required level of the revision was approved, then lets the process end.',
    variables: { type: 'object', required: ['quoteId', 'revision'], properties: { quoteId: { type: 'string', minLength: 1 }, revision: { type: 'integer', minimum: 1 } } },
    lockDurationMs: 30_000,
    retries: 5,
    backoff: { initialMs: 2_000, factor: 2, maxMs: 60_000 },
    async handler({ variables, businessKey }) {
      const tenantId = tenantOf(businessKey);
      const evidence = await engine.get<Evidence>(tenantId, `/quotes/${variables.quoteId}/approval-evidence`);
      const approved = new Set(evidence.decisions.filter((d) => d.outcome === 'approved').map((d) => d.level));
      const missing = evidence.requirements.filter((r) => !approved.has(r.level));
      // Retried, then an incident: a process that ends 'approved' without the domain agreeing is a defect.
      if (missing.length > 0) throw new Error(`levels ${missing.map((m) => m.level).join(', ')} have no approval recorded by the engine`);
      return { variables: { approvalDecisionIds: evidence.decisions.map((d) => d.decisionId).join(',') } };
    },
  });

  const escalate = defineWorker({
    topic: `${prefix}${ESCALATE_APPROVAL}`,
    description: 'After the SLA, asks the engine to raise the open approval to the next role; a level decided meanwhile is left alone.',
    // loopCounter: which level's instance of the multi-instance sub-process this timer belongs to.
    variables: { type: 'object', required: ['quoteId'], properties: { quoteId: { type: 'string', minLength: 1 }, loopCounter: { type: 'integer', minimum: 0 } } },
    lockDurationMs: 30_000,
    retries: 5,
    backoff: { initialMs: 2_000, factor: 2, maxMs: 60_000 },
    async handler({ variables, businessKey, processInstanceId, taskId }) {
      const tenantId = tenantOf(businessKey);
      const tasks = (await fetch(`${camundaUrl}/task?processInstanceId=${processInstanceId}&taskDefinitionKey=${APPROVAL_USER_TASK}`).then((r) => r.json())) as { id: string }[];
      // The timer fired for one level; if that level was decided before this ran, the open task
      // is the next level's, opened a moment ago: escalating it would be wrong (the escalation drill).
      const task = await taskOfLevel(camundaUrl, tasks, variables.loopCounter as number | undefined);
      if (!task) return { variables: { escalated: false } };
      // The external task id keys the command: a retried escalation is one escalation.
      const result = await engine.command<{ escalated?: boolean; to?: string; code?: string }>(tenantId, `/work-items/${task.id}/commands/escalate`, `escalate-${taskId}`);
      if (result.status === 404 || result.status === 409) return { variables: { escalated: false } };
      if (result.status >= 400) throw new Error(`engine refused the escalation: ${result.status} ${JSON.stringify(result.body)}`);
      return { variables: { escalated: result.body.escalated ?? false, escalatedTo: result.body.to ?? '' } };
    },
  });

  return [record, escalate];
}

/** The open approval task of the level `loopCounter` names (a model without levels: the first task). */
async function taskOfLevel(camundaUrl: string, tasks: { id: string }[], loopCounter: number | undefined): Promise<{ id: string } | undefined> {
  if (loopCounter === undefined) return tasks[0];
  for (const task of tasks) {
    const res = await fetch(`${camundaUrl}/task/${task.id}/variables/loopCounter`);
    if (res.status === 404) continue; // completed meanwhile, or a task outside the levels
    if (!res.ok) throw new Error(`Camunda answered ${res.status} reading the task's level`);
    if (((await res.json()) as { value?: unknown }).value === loopCounter) return task;
  }
  return undefined;
}

/** quote-approval:<tenant>:<quote>:<revision> -> tenant. */
function tenantOf(businessKey: string | null): string {
  const tenant = businessKey?.split(':')[1];
  if (!tenant) throw new Error(`business key ${businessKey} does not name a tenant`);
  return tenant;
}
