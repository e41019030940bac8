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
  compensateStep: 'order.compensate-step',
  completeFulfillment: 'order.complete-fulfillment',
  finishCancellation: 'order.finish-cancellation',
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
  const start = (order: string, waves: string[][]) =>
    camunda.startProcessByKey('order-fulfillment', {
      tenantId: tenant,
      businessKey: `order-fulfillment:${tenant}:${order}`,
      variables: { orderId: { value: order, type: 'String' }, waves: json(waves), stepKeys: json(waves.flat()), compensationKeys: json([]) },
    });
  /** The external tasks of a topic now open for this order, by their step (local stepRef). */
  // A step's instance ends in a job (asyncAfter), so what follows it appears a moment later.
  const open = async (topic: string, businessKey: string, count: number) => {
    const tasks: LockedTask[] = [];
    const deadline = Date.now() + 15_000;
    while (tasks.length < count && Date.now() < deadline) {
      tasks.push(...await fetchAndLock(topic, businessKey));
      if (tasks.length < count) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(tasks).toHaveLength(count);
    return new Map(tasks.map((t) => [String(t.variables.stepRef?.value ?? t.topicName), t]));
  };
  const ended = async (processInstanceId: string) => {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && (await finished(processInstanceId)) !== 'COMPLETED') await new Promise((resolve) => setTimeout(resolve, 100));
    return finished(processInstanceId);
  };
  const fail = async (taskId: string, errorCode = 'STEP_FAILED') => {
    const res = await rest('POST', `/external-task/${taskId}/bpmnError`, { workerId, errorCode, errorMessage: 'refused by the target system' });
    expect(res.status, JSON.stringify(res.body)).toBe(204);
  };
  const falloutTask = async (processInstanceId: string, taskKey = 'resolve-fallout') => {
    const tasks = (await camunda.tasks({ processInstanceId })).filter((t) => t.taskDefinitionKey === taskKey);
    expect(tasks).toHaveLength(1);
    expect(await candidateGroups(tasks[0]!.id)).toEqual(['ops']);
    return tasks[0]!;
  };
  const stepDone = (businessKey: string, step: string, outcome: 'completed' | 'failed') => rest('POST', '/message', {
    messageName: `order-step-done:${step}`, businessKey, tenantId: tenant, processVariables: { stepOutcome: { value: outcome, type: 'String' } },
  });

  it('runs a wave\'s steps in parallel and the waves in order; an accepted step waits for its callback message; ends at "fulfilled"', async () => {
    const instance = await start('o-1', [['L1.reserve-access', 'L1.allocate-ips'], ['L1.install-line']]);
    const bk = instance.businessKey!;
    const first = await open(TOPIC.executeStep, bk, 2);
    expect([...first.keys()].sort()).toEqual(['L1.allocate-ips', 'L1.reserve-access']);
    expect(first.get('L1.reserve-access')!.variables.orderId).toMatchObject({ value: 'o-1' });
    // Nothing of the next wave while this one runs.
    expect(await fetchAndLock(TOPIC.executeStep, bk)).toEqual([]);
    await completeExternal(first.get('L1.reserve-access')!.id, { awaitCallback: { value: true, type: 'Boolean' } });
    await completeExternal(first.get('L1.allocate-ips')!.id, { awaitCallback: { value: false, type: 'Boolean' } });
    // reserve-access waits for its callback: a message for another step matches nothing.
    expect((await stepDone(bk, 'L1.install-line', 'completed')).status).toBe(400);
    expect(await fetchAndLock(TOPIC.executeStep, bk)).toEqual([]);
    expect((await stepDone(bk, 'L1.reserve-access', 'completed')).status).toBe(204);

    const second = await open(TOPIC.executeStep, bk, 1);
    await completeExternal(second.get('L1.install-line')!.id);
    const recording = [...(await open(TOPIC.completeFulfillment, bk, 1)).values()];
    expect(recording[0]!.variables.orderId).toMatchObject({ value: 'o-1' });
    await completeExternal(recording[0]!.id);
    expect(await ended(instance.id)).toBe('COMPLETED');
    expect(await endEvents(instance.id)).toEqual(['fulfilled', 'fulfillment-done', 'step-completed', 'step-completed', 'step-completed', 'wave-done', 'wave-done']);
  });

  it('a failed step (BPMN error or failed callback) goes to ops with its step key; retry runs it again, "resolved" counts it done', async () => {
    const instance = await start('o-2', [['L1.reserve-access', 'L1.allocate-ips']]);
    const bk = instance.businessKey!;
    const tasks = await open(TOPIC.executeStep, bk, 2);
    await fail(tasks.get('L1.reserve-access')!.id);
    await completeExternal(tasks.get('L1.allocate-ips')!.id, { awaitCallback: { value: true, type: 'Boolean' } });
    expect((await stepDone(bk, 'L1.allocate-ips', 'failed')).status).toBe(204);

    // Two fallout tasks, told apart by the step key the engine filters on.
    const byStep = async (step: string) => {
      const [task] = await camunda.tasks({ processInstanceBusinessKey: bk, taskDefinitionKey: 'resolve-fallout', taskVariables: `stepRef_eq_${step}`, tenantIdIn: tenant });
      expect(task, step).toBeDefined();
      expect(await candidateGroups(task!.id)).toEqual(['ops']);
      return task!;
    };
    const reserve = await byStep('L1.reserve-access');
    await expect(camunda.completeTask(reserve.id, { falloutAction: { value: 'shrug', type: 'String' } })).rejects.toThrow();
    await camunda.completeTask(reserve.id, { falloutAction: { value: 'retry', type: 'String' } });
    await camunda.completeTask((await byStep('L1.allocate-ips')).id, { falloutAction: { value: 'resolved', type: 'String' } });
    const retried = await open(TOPIC.executeStep, bk, 1);
    expect([...retried.keys()]).toEqual(['L1.reserve-access']);
    await completeExternal(retried.get('L1.reserve-access')!.id);
    await completeExternal([...(await open(TOPIC.completeFulfillment, bk, 1)).values()][0]!.id);
    expect(await ended(instance.id)).toBe('COMPLETED');
    expect(await endEvents(instance.id)).toEqual(['fulfilled', 'fulfillment-done', 'step-completed', 'step-resolved', 'wave-done']);
  });

  it('a cancellation message stops the running steps and compensates the given steps in order; a refused reversal goes to ops; ends at "cancelled"', async () => {
    const instance = await start('o-3', [['L1.reserve-access'], ['L1.install-line']]);
    const bk = instance.businessKey!;
    await completeExternal((await open(TOPIC.executeStep, bk, 1)).get('L1.reserve-access')!.id);
    await open(TOPIC.executeStep, bk, 1); // install-line runs ...
    const signalled = await rest('POST', '/message', {
      messageName: 'order-cancellation-requested', businessKey: bk, tenantId: tenant,
      processVariables: { compensationKeys: json(['L1.install-line', 'L1.reserve-access']) },
    });
    expect(signalled.status, JSON.stringify(signalled.body)).toBe(204);
    // ... and is interrupted: its task is gone.
    expect(await fetchAndLock(TOPIC.executeStep, bk)).toEqual([]);
    const firstComp = await open(TOPIC.compensateStep, bk, 1);
    expect([...firstComp.keys()]).toEqual(['L1.install-line']);
    await fail(firstComp.get('L1.install-line')!.id, 'COMPENSATION_FAILED');
    const task = await falloutTask(instance.id, 'resolve-compensation');
    await camunda.completeTask(task.id, { falloutAction: { value: 'retry', type: 'String' } });
    await completeExternal((await open(TOPIC.compensateStep, bk, 1)).get('L1.install-line')!.id);
    await completeExternal((await open(TOPIC.compensateStep, bk, 1)).get('L1.reserve-access')!.id);
    await completeExternal([...(await open(TOPIC.finishCancellation, bk, 1)).values()][0]!.id);
    expect(await ended(instance.id)).toBe('COMPLETED');
    expect(await endEvents(instance.id)).toEqual(['cancelled', 'step-compensated', 'step-compensated', 'step-completed', 'wave-done']);
  });

  it('"compensate" from a fallout task reverses that step, then runs it again; a refused reversal goes to ops ("retry" it, or "resolved" by hand: run the step again)', async () => {
    const instance = await start('o-5', [['L1.reserve-access']]);
    const bk = instance.businessKey!;
    await fail((await open(TOPIC.executeStep, bk, 1)).get('L1.reserve-access')!.id);
    await camunda.completeTask((await falloutTask(instance.id)).id, { falloutAction: { value: 'compensate', type: 'String' } });
    // The step's own compensation task (the same topic as the cancellation's), then the step again.
    await fail((await open(TOPIC.compensateStep, bk, 1)).get('L1.reserve-access')!.id, 'COMPENSATION_FAILED');
    const [failed] = await camunda.tasks({ processInstanceBusinessKey: bk, taskDefinitionKey: 'resolve-step-compensation', taskVariables: 'stepRef_eq_L1.reserve-access', tenantIdIn: tenant });
    expect(await candidateGroups(failed!.id)).toEqual(['ops']);
    await camunda.completeTask(failed!.id, { falloutAction: { value: 'retry', type: 'String' } });
    await completeExternal((await open(TOPIC.compensateStep, bk, 1)).get('L1.reserve-access')!.id);
    expect([...(await open(TOPIC.executeStep, bk, 1)).keys()]).toEqual(['L1.reserve-access']);
    expect(await fetchAndLock(TOPIC.finishCancellation, bk)).toEqual([]);

    const other = await start('o-6', [['L1.reserve-access']]);
    const obk = other.businessKey!;
    await fail((await open(TOPIC.executeStep, obk, 1)).get('L1.reserve-access')!.id);
    await camunda.completeTask((await falloutTask(other.id)).id, { falloutAction: { value: 'compensate', type: 'String' } });
    await fail((await open(TOPIC.compensateStep, obk, 1)).get('L1.reserve-access')!.id, 'COMPENSATION_FAILED');
    await camunda.completeTask((await falloutTask(other.id, 'resolve-step-compensation')).id, { falloutAction: { value: 'resolved', type: 'String' } });
    await completeExternal((await open(TOPIC.executeStep, obk, 1)).get('L1.reserve-access')!.id);
    await completeExternal([...(await open(TOPIC.completeFulfillment, obk, 1)).values()][0]!.id);
    expect(await ended(other.id)).toBe('COMPLETED');
    expect(await endEvents(other.id)).toEqual(['fulfilled', 'fulfillment-done', 'step-completed', 'wave-done']);
  });

  it('ops cancelling from a fallout task ends the fulfillment and runs the compensation the engine set (none here)', async () => {
    const instance = await start('o-4', [['L1.reserve-access']]);
    const bk = instance.businessKey!;
    await fail((await open(TOPIC.executeStep, bk, 1)).get('L1.reserve-access')!.id);
    await camunda.completeTask((await falloutTask(instance.id)).id, { falloutAction: { value: 'cancel', type: 'String' }, compensationKeys: json([]) });
    expect(await fetchAndLock(TOPIC.compensateStep, bk)).toEqual([]);
    await completeExternal([...(await open(TOPIC.finishCancellation, bk, 1)).values()][0]!.id);
    expect(await ended(instance.id)).toBe('COMPLETED');
    expect(await endEvents(instance.id)).toEqual(['cancelled', 'step-cancelled']);
  });
});
