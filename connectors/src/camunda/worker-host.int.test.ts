import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCamundaClient, type Variables } from './camunda-rest.client';
import { testEnv } from '../../../test/env';
import { defineWorker, type WorkerCatalog } from './worker-catalog';
import { startWorkerHost, WorkerCatalogError, type WorkerHost } from './worker-host';

// On the real Camunda. Process key, topics and business keys carry a per-run suffix so that
// parallel runs (and leftovers of killed ones) never fetch each other's tasks.
const run = `r${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const PROCESS_KEY = `worker-smoke-${run}`;
const TOPIC_GREET = `test.${run}.greet`;
const TOPIC_BROKEN = `test.${run}.broken`;
const TOPIC_STRICT = `test.${run}.strict`;
const TOPIC_REJECT = `test.${run}.reject`;

const fixture = readFileSync(new URL('../../../bpmn/test-fixtures/worker-smoke.bpmn', import.meta.url), 'utf8')
  .replaceAll('"worker-smoke"', `"${PROCESS_KEY}"`);

const calls = { greet: 0, broken: 0, strict: 0, reject: 0 };
const backoff = { initialMs: 100, factor: 2, maxMs: 200 };

const catalog: WorkerCatalog = [
  defineWorker({
    topic: TOPIC_GREET,
    description: 'greets; output as a String and a Json variable',
    variables: { type: 'object', properties: { name: { type: 'string', minLength: 1 } }, required: ['name'] },
    lockDurationMs: 10_000,
    retries: 3,
    backoff,
    async handler({ variables, businessKey }) {
      calls.greet += 1;
      return { variables: { greeting: `hello ${variables.name}`, summary: { businessKey, letters: variables.name.length, tags: ['a', 'b'] } } };
    },
  }),
  defineWorker({
    topic: TOPIC_BROKEN,
    description: 'always throws',
    variables: { type: 'object', properties: {} },
    lockDurationMs: 10_000,
    retries: 2,
    backoff,
    async handler() {
      calls.broken += 1;
      throw new Error('ledger service unavailable');
    },
  }),
  defineWorker({
    topic: TOPIC_STRICT,
    description: 'needs a quote id and a non-negative integer amount',
    variables: {
      type: 'object',
      properties: { quoteId: { type: 'string', minLength: 1 }, amount: { type: 'integer', minimum: 0 } },
      required: ['quoteId', 'amount'],
    },
    lockDurationMs: 10_000,
    retries: 3,
    backoff,
    async handler() {
      calls.strict += 1;
      return {};
    },
  }),
  defineWorker({
    topic: TOPIC_REJECT,
    description: 'answers with a BPMN error',
    variables: { type: 'object', properties: {} },
    lockDurationMs: 10_000,
    retries: 3,
    backoff,
    async handler() {
      calls.reject += 1;
      return { bpmnError: { code: 'SMOKE_REJECTED', message: 'quote rejected by policy' } };
    },
  }),
];

const camunda = createCamundaClient(testEnv.camundaUrl);
let deploymentId: string | undefined;
let host: WorkerHost | undefined;

beforeAll(async () => {
  const deployment = await camunda.deploy({
    name: `worker-host-int-${run}`,
    source: 'connectors/worker-host.int.test',
    files: [{ name: 'worker-smoke.bpmn', content: fixture }],
  });
  deploymentId = deployment.id;
  host = startWorkerHost({
    baseUrl: testEnv.camundaUrl,
    catalog,
    workerId: `worker-host-int-${run}`,
    maxTasks: 4,
    asyncResponseTimeout: 1_000,
    pollIntervalMs: 50,
    logger: pino({ level: 'silent' }),
  });
});

afterAll(async () => {
  await host?.stop();
  if (deploymentId) await camunda.deleteDeployment(deploymentId, true);
});

async function start(suffix: string, topic: string, variables: Variables = {}) {
  return camunda.startProcessByKey(PROCESS_KEY, {
    businessKey: `${run}-${suffix}`,
    variables: { topic: { value: topic, type: 'String' }, ...variables },
  });
}

/** Polls `read` until `done` holds (or fails with the last value seen). */
async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`timed out; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

type HistoricVariable = { name: string; type: string; value: unknown };
async function historicVariables(processInstanceId: string): Promise<HistoricVariable[]> {
  // Spin Json values come back as their JSON text only with deserializeValues=false.
  const response = await fetch(`${testEnv.camundaUrl}/history/variable-instance?processInstanceId=${processInstanceId}&deserializeValues=false`);
  expect(response.status).toBe(200);
  return (await response.json()) as HistoricVariable[];
}

describe('worker host on Camunda', () => {
  it('completes a task with typed output variables, and history shows the instance COMPLETED', async () => {
    // given an instance whose external task is on the greet topic
    const instance = await start('greet', TOPIC_GREET, { name: { value: 'Ada', type: 'String' } });

    // when the host works it, then the instance completes
    const [historic] = await waitFor(
      () => camunda.historicProcessInstances({ processInstanceId: instance.id }),
      (list) => list[0]?.state === 'COMPLETED',
    );
    expect(historic).toMatchObject({ businessKey: `${run}-greet`, processDefinitionKey: PROCESS_KEY, state: 'COMPLETED' });

    // and the output is stored: a String and a Spin Json variable
    const variables = await historicVariables(instance.id);
    expect(variables.find((v) => v.name === 'greeting')).toMatchObject({ type: 'String', value: 'hello Ada' });
    const summary = variables.find((v) => v.name === 'summary');
    expect(summary?.type).toBe('Json');
    expect(JSON.parse(String(summary?.value))).toEqual({ businessKey: `${run}-greet`, letters: 3, tags: ['a', 'b'] });
    expect(calls.greet).toBe(1);
  });

  it('retries a throwing handler with backoff, then raises an incident with its message', async () => {
    // given a handler that always throws, with 2 attempts
    const instance = await start('broken', TOPIC_BROKEN);

    // when both attempts have failed, then an incident carries the handler's message
    const [incident] = await waitFor(
      () => camunda.incidents({ processInstanceId: instance.id }),
      (list) => list.length > 0,
    );
    expect(incident).toMatchObject({ incidentType: 'failedExternalTask', activityId: 'work', incidentMessage: 'ledger service unavailable' });
    // and the handler ran exactly twice (no third fetch once retries reach 0)
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(calls.broken).toBe(2);
  });

  const invalidInputs: { case: string; variables: Variables; messages: string[] }[] = [
    {
      case: 'a rule broken and a variable missing',
      variables: { amount: { value: -5, type: 'Integer' } },
      messages: ['variable "amount" must be >= 0 (minimum)', 'variable "quoteId" is required (required)'],
    },
    {
      case: 'a variable of the wrong type',
      variables: { quoteId: { value: 'q-1', type: 'String' }, amount: { value: 'ten', type: 'String' } },
      messages: ['variable "amount" must be integer (type)'],
    },
  ];
  it.each(invalidInputs)('raises an incident at once, without calling the handler, for $case', async ({ variables, messages }) => {
    // given input that breaks the entry's schema
    const instance = await start(`strict-${messages.length}`, TOPIC_STRICT, variables);

    // when the host fetches the task, then an incident names the variable and the rule
    const [incident] = await waitFor(
      () => camunda.incidents({ processInstanceId: instance.id }),
      (list) => list.length > 0,
      10_000,
    );
    expect(incident?.incidentType).toBe('failedExternalTask');
    expect(incident?.incidentMessage).toContain(`Invalid input variables for topic "${TOPIC_STRICT}"`);
    for (const message of messages) expect(incident?.incidentMessage).toContain(message);
    // and the handler never ran
    expect(calls.strict).toBe(0);
  });

  it('routes a bpmnError result to the boundary error event', async () => {
    // given a handler answering with the BPMN error SMOKE_REJECTED
    const instance = await start('reject', TOPIC_REJECT);

    // when the host reports it, then the process waits in the error path's user task
    const [task] = await waitFor(
      () => camunda.tasks({ processInstanceId: instance.id }),
      (list) => list.length > 0,
    );
    expect(task?.taskDefinitionKey).toBe('reviewRejection');
    expect(await camunda.incidents({ processInstanceId: instance.id })).toEqual([]);
    expect(calls.reject).toBe(1);
  });

  it('refuses a catalog with duplicate topics or bad settings before polling', () => {
    const [entry] = catalog;
    if (!entry) throw new Error('empty catalog');
    expect(() =>
      startWorkerHost({ baseUrl: testEnv.camundaUrl, catalog: [entry, { ...entry, retries: 0 }], workerId: 'never-polls' }),
    ).toThrow(WorkerCatalogError);
  });
});
