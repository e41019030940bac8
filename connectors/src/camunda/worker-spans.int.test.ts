import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/env';
import { eventually } from '../../../test/kafka-helpers';
import { startTracing, type Tracing } from '../observability/tracing';
import { readTracingSettings } from '../observability/tracing.config';
import { createCamundaClient } from './camunda-rest.client';
import { defineWorker } from './worker-catalog';
import { startWorkerHost, type WorkerHost } from './worker-host';

// ADR 0019: one span per external task the workers' host handles, with the topic, the process
// instance and the business key's tenant, and the handler's own calls (fetch) as its children.
// Real Camunda, the real host, spans kept in memory.
const run = `s${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const camunda = createCamundaClient(testEnv.camundaUrl);

describe('worker host: a span per external task (real Camunda)', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing | undefined;
  let host: WorkerHost | undefined;
  let deploymentId: string | undefined;
  const key = `worker-spans-${run}`;
  const topic = `test.${run}.spans`;

  beforeAll(async () => {
    tracing = startTracing(readTracingSettings({}, 'workers-test', []), { exporter, simple: true });
    const xml = readFileSync(new URL('../../../bpmn/test-fixtures/worker-smoke.bpmn', import.meta.url), 'utf8').replaceAll('"worker-smoke"', `"${key}"`);
    deploymentId = (await camunda.deploy({ name: key, source: 'worker-spans.int.test', files: [{ name: `${key}.bpmn`, content: xml }] })).id;
    host = startWorkerHost({
      baseUrl: testEnv.camundaUrl, workerId: `spans-${run}`, maxTasks: 4, asyncResponseTimeout: 1_000, pollIntervalMs: 50,
      catalog: [defineWorker({
        topic, description: 'span test', variables: { type: 'object', properties: { fail: { type: 'boolean' } } }, lockDurationMs: 10_000, retries: 1,
        backoff: { initialMs: 50, factor: 2, maxMs: 100 },
        async handler({ variables }) {
          // A call of the handler's own (to Camunda's REST root): it must be a child of the task's span.
          await fetch(`${testEnv.camundaUrl}/engine`);
          if (variables.fail) throw new Error('the target system refused');
          return {};
        },
      })],
    });
  }, 120_000);
  afterAll(async () => {
    await host?.stop();
    if (deploymentId) await camunda.deleteDeployment(deploymentId, true).catch(() => {});
    await tracing?.shutdown();
  });

  const attr = (span: ReadableSpan, name: string) => span.attributes[name];
  const spanOf = (processInstanceId: string) => eventually(async () =>
    exporter.getFinishedSpans().find((s) => s.name === `external-task ${topic}` && attr(s, 'camunda.process_instance_id') === processInstanceId), 30_000, 100);

  it('a handled task has its span (topic, process instance, tenant, outcome) and the handler\'s calls are its children; a failed one is an error with its outcome', async () => {
    const ok = await camunda.startProcessByKey(key, { businessKey: `worker-spans:tenant-${run}:1`, variables: { topic: { value: topic, type: 'String' } } });
    const span = await spanOf(ok.id);
    expect(span.kind).toBe(SpanKind.CONSUMER);
    expect(span.attributes).toMatchObject({
      'cpq.topic': topic, 'messaging.destination.name': topic, 'camunda.process_instance_id': ok.id, 'camunda.business_key': `worker-spans:tenant-${run}:1`,
      'cpq.tenant_id': `tenant-${run}`, 'camunda.activity_id': 'work', 'cpq.outcome': 'completed',
    });
    const children = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === span.spanContext().traceId && s.parentSpanContext?.spanId === span.spanContext().spanId);
    expect(children.length).toBeGreaterThanOrEqual(2); // the handler's fetch and the host's complete call

    const failed = await camunda.startProcessByKey(key, { businessKey: `worker-spans:tenant-${run}:2`, variables: { topic: { value: topic, type: 'String' }, fail: { value: true, type: 'Boolean' } } });
    const error = await spanOf(failed.id);
    expect(error.status).toMatchObject({ code: SpanStatusCode.ERROR, message: 'the target system refused' });
    expect(error.attributes).toMatchObject({ 'cpq.outcome': 'incident', 'camunda.retries_left': 0 });
    expect(error.events.some((e) => e.name === 'exception')).toBe(true);
  }, 90_000);
});
