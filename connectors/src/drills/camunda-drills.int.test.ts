import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/env';
import { createCamundaClient } from '../camunda/camunda-rest.client';
import { defineWorker } from '../camunda/worker-catalog';
import { startWorkerHost, type WorkerHost } from '../camunda/worker-host';
import { readCamunda } from '../observability/camunda-metrics';

// Seed section 13, Camunda drills, on the real Camunda with the real worker host. Process key and
// topics carry a per-run suffix, so parallel runs never see each other's tasks.
const run = `d${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const camunda = createCamundaClient(testEnv.camundaUrl);
const fixture = readFileSync(new URL('../../../bpmn/test-fixtures/worker-smoke.bpmn', import.meta.url), 'utf8');
const deployments: string[] = [];
const hosts: WorkerHost[] = [];

async function deploy(processKey: string, name: string): Promise<string> {
  const xml = fixture.replaceAll('"worker-smoke"', `"${processKey}"`).replace('name="Worker smoke"', `name="${name}"`);
  const deployment = await camunda.deploy({ name: `${processKey}-${name}`, source: 'connectors/camunda-drills.int.test', files: [{ name: `${processKey}.bpmn`, content: xml }] });
  deployments.push(deployment.id);
  return deployment.id;
}
async function definitionOf(processInstanceId: string): Promise<{ key: string; version: number }> {
  const instance = await (await fetch(`${testEnv.camundaUrl}/history/process-instance/${processInstanceId}`)).json() as { processDefinitionId: string };
  const definition = await (await fetch(`${testEnv.camundaUrl}/process-definition/${instance.processDefinitionId}`)).json() as { key: string; version: number };
  return definition;
}
async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`timed out; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}
const stateOf = async (id: string) => (await camunda.historicProcessInstances({ processInstanceId: id }))[0]?.state;
const host = (topic: string, handler: (businessKey: string | null) => Promise<void>, retries = 1) => {
  const started = startWorkerHost({
    baseUrl: testEnv.camundaUrl, workerId: `drill-${run}`, maxTasks: 4, asyncResponseTimeout: 1_000, pollIntervalMs: 50,
    catalog: [defineWorker({
      topic, description: 'drill worker', variables: { type: 'object', properties: {} }, lockDurationMs: 10_000, retries,
      backoff: { initialMs: 50, factor: 2, maxMs: 100 },
      async handler({ businessKey }) {
        await handler(businessKey);
        return {};
      },
    })],
  });
  hosts.push(started);
  return started;
};

afterAll(async () => {
  for (const h of hosts) await h.stop().catch(() => {});
  for (const id of deployments) await camunda.deleteDeployment(id, true).catch(() => {});
});

describe('Camunda drills', () => {
  it('drill: external task worker down: the task waits (and shows in the backlog metric) with nothing lost, and completes once a worker runs', async () => {
    const key = `drill-down-${run}`;
    const topic = `drill.${run}.down`;
    await deploy(key, 'v1');
    const instance = await camunda.startProcessByKey(key, { businessKey: `${run}-down`, variables: { topic: { value: topic, type: 'String' } } });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await stateOf(instance.id)).toBe('ACTIVE');
    expect((await readCamunda(testEnv.camundaUrl)).externalTasksWaiting).toBeGreaterThanOrEqual(1);
    expect(await camunda.incidents({ processInstanceId: instance.id })).toEqual([]);
    // The workers come back.
    const worker = host(topic, async () => {});
    await waitFor(() => stateOf(instance.id), (state) => state === 'COMPLETED');
    await worker.stop();
  });

  it('drill: running process instance on old version: it finishes on the version it started with while new instances start on the new one', async () => {
    const key = `drill-version-${run}`;
    const topic = `drill.${run}.version`;
    await deploy(key, 'v1');
    const old = await camunda.startProcessByKey(key, { businessKey: `${run}-old`, variables: { topic: { value: topic, type: 'String' } } });
    await deploy(key, 'v2 (a release changed the model)');
    const fresh = await camunda.startProcessByKey(key, { businessKey: `${run}-new`, variables: { topic: { value: topic, type: 'String' } } });
    expect(await definitionOf(old.id)).toMatchObject({ key, version: 1 });
    expect(await definitionOf(fresh.id)).toMatchObject({ key, version: 2 });
    const worker = host(topic, async () => {});
    await waitFor(() => Promise.all([stateOf(old.id), stateOf(fresh.id)]), (states) => states.every((s) => s === 'COMPLETED'));
    expect(await definitionOf(old.id)).toMatchObject({ version: 1 });
    await worker.stop();
  });

  it('drill: operator retries the wrong incident: the other incident stays open and untouched, the wrong one fails again, the right retry completes', async () => {
    const key = `drill-incident-${run}`;
    const topic = `drill.${run}.incident`;
    await deploy(key, 'v1');
    // Both fail while their target is down; only "repaired" is fixed later.
    let repaired = false;
    const worker = host(topic, async (businessKey) => {
      if (businessKey?.endsWith('still-broken') || !repaired) throw new Error(`target refused ${businessKey}`);
    });
    const start = (suffix: string) => camunda.startProcessByKey(key, { businessKey: `${run}-${suffix}`, variables: { topic: { value: topic, type: 'String' } } });
    const [fixed, broken] = await Promise.all([start('repaired'), start('still-broken')]);
    const [fixedIncident] = await waitFor(() => camunda.incidents({ processInstanceId: fixed.id }), (list) => list.length === 1);
    const [brokenIncident] = await waitFor(() => camunda.incidents({ processInstanceId: broken.id }), (list) => list.length === 1);
    repaired = true;

    // The operator retries the wrong one: it runs again and fails again, with a new incident;
    // the incident that should have been retried is still open, its instance waiting.
    await camunda.setExternalTaskRetries(brokenIncident!.configuration!, 1);
    const [again] = await waitFor(() => camunda.incidents({ processInstanceId: broken.id }), (list) => list.length === 1 && list[0]!.id !== brokenIncident!.id);
    expect(again!.incidentMessage).toContain('still-broken');
    expect(await camunda.incidents({ processInstanceId: fixed.id })).toMatchObject([{ id: fixedIncident!.id }]);
    expect(await stateOf(fixed.id)).toBe('ACTIVE');

    // The right retry: the repaired target takes it and the instance completes.
    await camunda.setExternalTaskRetries(fixedIncident!.configuration!, 1);
    await waitFor(() => stateOf(fixed.id), (state) => state === 'COMPLETED');
    expect(await camunda.incidents({ processInstanceId: fixed.id })).toEqual([]);
    await worker.stop();
  });
});
