import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFeel, validateReleaseSet, type MetadataItem } from '@cpq/metadata';
import { createCamundaClient, type Variables } from '@cpq/engine/modules/workflow';
import { testEnv } from '../test/env';

// The platform's default models (quote-approval.bpmn, order-fulfillment.bpmn,
// approval-level.dmn), checked by our validators and deployed to the real Camunda 7: the DMN
// is evaluated through Camunda's REST API and both processes are walked step by step.
// Isolation: one deployment under a per-run tenant id (deleted with cascade afterwards), and
// per-run external-task topics (`test.<run>.<topic>`), so a platform worker subscribed to the
// real topics never fetches this run's tasks and parallel runs never fetch each other's.

const run = `r${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const tenant = `models-${run}`;
const workerId = `models-int-${run}`;

const TOPIC = {
  escalate: 'quote.escalate-approval',
  record: 'quote.record-approval-decision',
  executeStep: 'order.execute-step',
} as const;
const testTopic = (topic: string) => `test.${run}.${topic}`;

const read = (file: string) => readFileSync(new URL(`./${file}`, import.meta.url), 'utf8');
const files = {
  quoteApproval: read('quote-approval.bpmn'),
  orderFulfillment: read('order-fulfillment.bpmn'),
  approvalLevel: read('approval-level.dmn'),
};
const withTestTopics = (xml: string) =>
  Object.values(TOPIC).reduce((out, topic) => out.replaceAll(`camunda:topic="${topic}"`, `camunda:topic="${testTopic(topic)}"`), xml);

const camunda = createCamundaClient(testEnv.camundaUrl);
let deploymentId: string | undefined;

/** Plain REST for what the workflow facade does not offer (yet). */
async function rest<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${testEnv.camundaUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

type TypedValue = { type: string; value: unknown };
type LockedTask = { id: string; topicName: string; businessKey: string | null; processInstanceId: string; variables: Record<string, TypedValue> };

const evaluate = async (variables: Variables) => {
  const res = await rest<Record<string, TypedValue>[] | { message: string }>('POST', `/decision-definition/key/approval-level/tenant-id/${tenant}/evaluate`, { variables });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as Record<string, TypedValue>[];
};

/** fetchAndLock on this run's topic, restricted to one business key. */
const fetchAndLock = async (topic: string, businessKey: string) => {
  const res = await rest<LockedTask[]>('POST', '/external-task/fetchAndLock', {
    workerId,
    maxTasks: 5,
    topics: [{ topicName: testTopic(topic), lockDuration: 30_000, businessKey, tenantIdIn: [tenant] }],
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};
const completeExternal = async (id: string, variables: Variables = {}) => {
  const res = await rest('POST', `/external-task/${id}/complete`, { workerId, variables });
  expect(res.status, JSON.stringify(res.body)).toBe(204);
};

const candidateGroups = async (taskId: string) => {
  const res = await rest<{ type: string; groupId: string | null }[]>('GET', `/task/${taskId}/identity-links`);
  return res.body.filter((l) => l.type === 'candidate').map((l) => l.groupId);
};

/** The end events a finished instance passed through (history). */
const endEvents = async (processInstanceId: string) => {
  const res = await rest<{ activityId: string; activityType: string }[]>('GET', `/history/activity-instance?processInstanceId=${processInstanceId}`);
  return res.body.filter((a) => a.activityType === 'noneEndEvent' || a.activityType === 'errorEndEvent' || a.activityType === 'terminateEndEvent').map((a) => a.activityId).sort();
};
const finished = async (processInstanceId: string) => {
  const [history] = await camunda.historicProcessInstances({ processInstanceId });
  return history?.state;
};

const json = (value: unknown): Variables[string] => ({ value: JSON.stringify(value), type: 'Json' });

beforeAll(async () => {
  const deployment = await camunda.deploy({
    name: `bpmn-models-int-${run}`,
    source: 'bpmn/models.int.test',
    tenantId: tenant,
    deployChangedOnly: false,
    files: [
      { name: 'quote-approval.bpmn', content: withTestTopics(files.quoteApproval) },
      { name: 'order-fulfillment.bpmn', content: withTestTopics(files.orderFulfillment) },
      { name: 'approval-level.dmn', content: files.approvalLevel },
    ],
  });
  deploymentId = deployment.id;
  expect(Object.values(deployment.deployedProcessDefinitions ?? {}).map((d) => d.key).sort()).toEqual(['order-fulfillment', 'quote-approval']);
  expect(Object.values(deployment.deployedDecisionDefinitions ?? {}).map((d) => d.key)).toEqual(['approval-level']);
});

afterAll(async () => {
  if (deploymentId) await camunda.deleteDeployment(deploymentId, true);
});

describe('the default models pass our validators', () => {
  it('validateReleaseSet finds no issue in the two BPMN models and the DMN', async () => {
    const items: MetadataItem[] = [
      { kind: 'bpmn-model', key: 'quote-approval', content: { name: 'Quote approval', processKey: 'quote-approval', xml: files.quoteApproval } },
      { kind: 'bpmn-model', key: 'order-fulfillment', content: { name: 'Order fulfillment', processKey: 'order-fulfillment', xml: files.orderFulfillment } },
      { kind: 'dmn-model', key: 'approval-level', content: { name: 'Approval level', decisionKey: 'approval-level', xml: files.approvalLevel } },
    ];
    expect(await validateReleaseSet(items, { compileFeel })).toEqual([]);
  });
});

describe('approval-level DMN, evaluated by Camunda', () => {
  const double = (value: number | string): Variables[string] => ({ value, type: typeof value === 'number' ? 'Double' : 'String' });
  const cases: { name: string; discount: number | string; deal: number | string; term: number; role: string; level: number }[] = [
    { name: '8 % discount: the rep', discount: 8, deal: 40_000, term: 24, role: 'rep', level: 1 },
    { name: 'exactly 10 %: still the rep', discount: 10, deal: 40_000, term: 24, role: 'rep', level: 1 },
    { name: '18 % discount: a sales manager', discount: 18, deal: 40_000, term: 24, role: 'sales-manager', level: 2 },
    { name: 'exactly 25 %: still a sales manager', discount: 25, deal: 40_000, term: 24, role: 'sales-manager', level: 2 },
    { name: '30 % discount: finance', discount: 30, deal: 40_000, term: 24, role: 'finance', level: 3 },
    { name: '300,000 deal at 5 %: finance', discount: 5, deal: 300_000, term: 24, role: 'finance', level: 3 },
    { name: 'exactly 250,000: the rep', discount: 5, deal: 250_000, term: 36, role: 'rep', level: 1 },
    { name: '48 months: a sales manager', discount: 0, deal: 40_000, term: 48, role: 'sales-manager', level: 2 },
    { name: '72 months: finance', discount: 0, deal: 40_000, term: 72, role: 'finance', level: 3 },
    { name: 'decimal strings, as money travels: converted by typeRef double', discount: '18.50', deal: '300000.00', term: 12, role: 'finance', level: 3 },
    { name: 'a decimal-string discount', discount: '12.5', deal: '1000.00', term: 12, role: 'sales-manager', level: 2 },
  ];
  it.each(cases)('$name', async ({ discount, deal, term, role, level }) => {
    const result = await evaluate({ discountPercent: double(discount), dealValue: double(deal), termMonths: { value: term, type: 'Integer' } });
    expect(result).toHaveLength(1);
    expect(result[0]?.role).toEqual({ type: 'String', value: role, valueInfo: {} });
    expect(result[0]?.level).toEqual({ type: 'Integer', value: level, valueInfo: {} });
  });

  it('accepts untyped JSON numbers (Camunda infers Integer / Double)', async () => {
    const result = await evaluate({ discountPercent: { value: 18 }, dealValue: { value: 99_999.99 }, termMonths: { value: 12 } });
    expect(result[0]?.role?.value).toBe('sales-manager');
  });

  it.each([
    { name: 'no term', variables: { discountPercent: { value: 5, type: 'Double' }, dealValue: { value: 1_000, type: 'Double' } } },
    { name: 'no deal value', variables: { discountPercent: { value: 5, type: 'Double' }, termMonths: { value: 12, type: 'Integer' } } },
    { name: 'no discount', variables: { dealValue: { value: 1_000, type: 'Double' }, termMonths: { value: 12, type: 'Integer' } } },
  ] as { name: string; variables: Variables }[])('a missing input fails safe to finance ($name), never silently to the rep', async ({ variables }) => {
    const [result] = await evaluate(variables);
    expect(result?.role?.value).toBe('finance');
  });

  it.each([
    { name: 'a discount that is not a number', discountPercent: { value: 'ten', type: 'String' }, termMonths: { value: 12, type: 'Integer' } },
    { name: 'a fractional term (typeRef integer)', discountPercent: { value: 5, type: 'Double' }, termMonths: { value: 12.5, type: 'Double' } },
  ] as { name: string; discountPercent: Variables[string]; termMonths: Variables[string] }[])('refuses $name (Camunda says only "Exception while evaluating")', async ({ discountPercent, termMonths }) => {
    const res = await rest<{ message: string }>('POST', `/decision-definition/key/approval-level/tenant-id/${tenant}/evaluate`, {
      variables: { discountPercent, dealValue: { value: 1_000, type: 'Double' }, termMonths },
    });
    expect(res.status).toBe(500);
    expect(res.body.message).toMatch(/Cannot evaluate decision approval-level/);
  });
});

describe('quote-approval, walked on Camunda', () => {
  const start = (quote: string, levels: string[], escalationSla = 'P2D') =>
    camunda.startProcessByKey('quote-approval', {
      tenantId: tenant,
      businessKey: `quote-approval:${tenant}:${quote}:1`,
      variables: {
        quoteId: { value: quote, type: 'String' },
        revision: { value: 1, type: 'Integer' },
        requiredLevels: json(levels),
        approverRole: { value: levels[levels.length - 1], type: 'String' },
        escalationSla: { value: escalationSla, type: 'String' },
      },
    });
  const openTask = async (processInstanceId: string) => {
    const tasks = await camunda.tasks({ processInstanceId });
    expect(tasks).toHaveLength(1);
    expect(tasks[0]?.taskDefinitionKey).toBe('approve-level');
    expect(tasks[0]?.tenantId).toBe(tenant);
    return tasks[0]!;
  };
  const decide = (taskId: string, approved: boolean) => camunda.completeTask(taskId, { approved: { value: approved, type: 'Boolean' } });

  it('level 1 approves, level 2 (finance) rejects: the process ends at "rejected" without recording', async () => {
    const instance = await start('q-reject', ['sales-manager', 'finance']);

    const level1 = await openTask(instance.id);
    expect(await candidateGroups(level1.id)).toEqual(['sales-manager']);
    expect((await camunda.tasks({ processInstanceId: instance.id, candidateGroup: 'finance' }))).toHaveLength(0);
    await decide(level1.id, true);

    const level2 = await openTask(instance.id);
    expect(level2.id).not.toBe(level1.id);
    expect(await candidateGroups(level2.id)).toEqual(['finance']);

    // A completion without an outcome is refused (level 1's `approved` is not inherited) and
    // leaves the task open.
    await expect(camunda.completeTask(level2.id, {})).rejects.toThrow(/outgoing sequence flow|level-decision/i);
    expect((await openTask(instance.id)).id).toBe(level2.id);

    await decide(level2.id, false);
    expect(await finished(instance.id)).toBe('COMPLETED');
    expect(await endEvents(instance.id)).toEqual(['level-approved', 'level-rejected', 'rejected']);
    expect(await fetchAndLock(TOPIC.record, instance.businessKey!)).toEqual([]);
  });

  it('both levels approve: quote.record-approval-decision is fetched and completed, the process ends at "approved"', async () => {
    const instance = await start('q-approve', ['sales-manager', 'finance']);
    await decide((await openTask(instance.id)).id, true);
    const level2 = await openTask(instance.id);
    expect(await candidateGroups(level2.id)).toEqual(['finance']);
    await decide(level2.id, true);

    expect(await camunda.tasks({ processInstanceId: instance.id })).toEqual([]);
    const [record, ...more] = await fetchAndLock(TOPIC.record, instance.businessKey!);
    expect(more).toEqual([]);
    expect(record?.businessKey).toBe(`quote-approval:${tenant}:q-approve:1`);
    // References only: the worker reads the quote by id and revision.
    expect(record?.variables.quoteId).toMatchObject({ type: 'String', value: 'q-approve' });
    expect(record?.variables.revision).toMatchObject({ type: 'Integer', value: 1 });
    await completeExternal(record!.id);

    expect(await finished(instance.id)).toBe('COMPLETED');
    expect(await endEvents(instance.id)).toEqual(['approved', 'level-approved', 'level-approved']);
  });

  it('the escalation SLA: the timer waits escalationSla, notifies on quote.escalate-approval, and the task stays open', async () => {
    const instance = await start('q-escalate', ['sales-manager'], 'PT4H');
    const task = await openTask(instance.id);

    const jobs = await rest<{ id: string; dueDate: string }[]>('GET', `/job?processInstanceId=${instance.id}&timers=true`);
    expect(jobs.body).toHaveLength(1);
    const due = Date.parse(jobs.body[0]!.dueDate) - Date.now();
    expect(due).toBeGreaterThan(4 * 3600_000 - 120_000);
    expect(due).toBeLessThan(4 * 3600_000 + 120_000);
    // Fire the timer now instead of waiting four hours.
    expect((await rest('POST', `/job/${jobs.body[0]!.id}/execute`)).status).toBe(204);

    const [escalation] = await fetchAndLock(TOPIC.escalate, instance.businessKey!);
    expect(escalation?.variables.quoteId).toMatchObject({ value: 'q-escalate' });
    expect(escalation?.variables.level).toMatchObject({ type: 'Json', value: '"sales-manager"' });
    expect((await openTask(instance.id)).id).toBe(task.id);

    // Deciding the level while the escalation is still being sent does not wait for it: the
    // level's terminate end event cancels it.
    await decide(task.id, true);
    const [record] = await fetchAndLock(TOPIC.record, instance.businessKey!);
    expect(record).toBeDefined();
    await completeExternal(record!.id);
    expect(await finished(instance.id)).toBe('COMPLETED');
    const escalationTasks = await rest<unknown[]>('GET', `/external-task?processInstanceId=${instance.id}`);
    expect(escalationTasks.body).toEqual([]);
  });

  it('requiredLevels as a JSON string works too; no level at all goes straight to recording', async () => {
    const instance = await camunda.startProcessByKey('quote-approval', {
      tenantId: tenant,
      businessKey: `quote-approval:${tenant}:q-none:1`,
      variables: {
        quoteId: { value: 'q-none', type: 'String' },
        revision: { value: 1, type: 'Integer' },
        requiredLevels: { value: '[]', type: 'String' },
        approverRole: { value: 'rep', type: 'String' },
        escalationSla: { value: 'P2D', type: 'String' },
      },
    });
    expect(await camunda.tasks({ processInstanceId: instance.id })).toEqual([]);
    const [record] = await fetchAndLock(TOPIC.record, instance.businessKey!);
    await completeExternal(record!.id);
    expect(await endEvents(instance.id)).toEqual(['approved']);
  });
});

describe('order-fulfillment, walked on Camunda', () => {
  const start = (order: string, stepKeys: string[]) =>
    camunda.startProcessByKey('order-fulfillment', {
      tenantId: tenant,
      businessKey: `order-fulfillment:${tenant}:${order}`,
      variables: { orderId: { value: order, type: 'String' }, stepKeys: json(stepKeys) },
    });
  const nextStep = async (businessKey: string) => {
    const tasks = await fetchAndLock(TOPIC.executeStep, businessKey);
    expect(tasks).toHaveLength(1);
    return tasks[0]!;
  };
  const fail = async (taskId: string) => {
    const res = await rest('POST', `/external-task/${taskId}/bpmnError`, { workerId, errorCode: 'STEP_FAILED', errorMessage: 'port reservation refused' });
    expect(res.status, JSON.stringify(res.body)).toBe(204);
  };
  const fallout = async (processInstanceId: string) => {
    const tasks = await camunda.tasks({ processInstanceId });
    expect(tasks.map((t) => t.taskDefinitionKey)).toEqual(['resolve-fallout']);
    expect(await candidateGroups(tasks[0]!.id)).toEqual(['ops']);
    return tasks[0]!;
  };

  it('runs the steps in order; a failed step goes to ops, who retry it; ends at "fulfilled"', async () => {
    const instance = await start('o-1', ['reserve-access', 'activate-service']);
    const first = await nextStep(instance.businessKey!);
    expect(first.variables.stepKey).toMatchObject({ type: 'Json', value: '"reserve-access"' });
    expect(first.variables.orderId).toMatchObject({ value: 'o-1' });
    await fail(first.id);

    const task = await fallout(instance.id);
    await expect(camunda.completeTask(task.id, { falloutAction: { value: 'shrug', type: 'String' } })).rejects.toThrow();
    await camunda.completeTask(task.id, { falloutAction: { value: 'retry', type: 'String' } });

    const retried = await nextStep(instance.businessKey!);
    expect(retried.variables.stepKey?.value).toBe('"reserve-access"');
    await completeExternal(retried.id);
    const second = await nextStep(instance.businessKey!);
    expect(second.variables.stepKey?.value).toBe('"activate-service"');
    await completeExternal(second.id);

    expect(await finished(instance.id)).toBe('COMPLETED');
    expect(await endEvents(instance.id)).toEqual(['fulfilled', 'step-completed', 'step-completed']);
  });

  it('ops may resolve a step by hand or cancel the order: ends at "cancelled"', async () => {
    const instance = await start('o-2', ['reserve-access', 'install-line', 'activate-service']);
    await fail((await nextStep(instance.businessKey!)).id);
    await camunda.completeTask((await fallout(instance.id)).id, { falloutAction: { value: 'resolved', type: 'String' } });

    const second = await nextStep(instance.businessKey!);
    expect(second.variables.stepKey?.value).toBe('"install-line"');
    await fail(second.id);
    await camunda.completeTask((await fallout(instance.id)).id, { falloutAction: { value: 'cancel', type: 'String' } });

    expect(await finished(instance.id)).toBe('COMPLETED');
    expect(await endEvents(instance.id)).toEqual(['cancelled', 'step-cancelled', 'step-resolved']);
    expect(await fetchAndLock(TOPIC.executeStep, instance.businessKey!)).toEqual([]);
  });
});
