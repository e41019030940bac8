import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, trace } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { contextOfTraceparent, traceparentOf } from './trace-context';
import { readTracingSettings } from './tracing.config';
import { startTracing, type Tracing } from './tracing';

// Unit: no service. The order matters: the first test runs before this file starts the SDK.
describe('tracing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'traces-'));
  let tracing: Tracing | undefined;
  afterAll(async () => {
    await tracing?.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is off by default: no SDK starts, and a writer records no trace context', () => {
    const settings = readTracingSettings({}, 'api', []);
    expect(settings).toMatchObject({ exporter: 'none', serviceName: 'cpq-api', sampleRatio: 1, otlpEndpoint: 'http://127.0.0.1:4318/v1/traces' });
    expect(startTracing(settings)).toBeUndefined();
    expect(traceparentOf()).toBeNull();
  });

  it('reads the OpenTelemetry variables and names what is wrong', () => {
    const problems: string[] = [];
    readTracingSettings({ OTEL_TRACES_EXPORTER: 'jaeger', OTEL_TRACES_SAMPLER_ARG: '2' }, 'relay', problems);
    expect(problems).toEqual(['OTEL_TRACES_EXPORTER must be one of none, otlp, file, console, got "jaeger"', 'OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1, got "2"']);
    expect(readTracingSettings({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }, 'relay', []).otlpEndpoint).toBe('http://collector:4318/v1/traces');
  });

  it('with the file exporter writes each span as a JSON line; a stored traceparent continues its trace', async () => {
    const file = join(dir, 'api.jsonl');
    tracing = startTracing({ ...readTracingSettings({ OTEL_TRACES_EXPORTER: 'file', OTEL_TRACES_FILE: file }, 'api', []) });
    expect(tracing).toBeDefined();
    const tracer = trace.getTracer('test');
    const parent = tracer.startSpan('command');
    const stored = traceparentOf(trace.setSpan(context.active(), parent));
    expect(stored).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const child = tracer.startSpan('publish', {}, contextOfTraceparent(stored));
    child.end();
    parent.end();
    await tracing!.provider.forceFlush();
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { name: string; traceId: string; parentSpanId?: string; spanId: string; service: string });
    const command = lines.find((l) => l.name === 'command')!;
    expect(lines.find((l) => l.name === 'publish')).toMatchObject({ traceId: command.traceId, parentSpanId: command.spanId, service: 'cpq-api' });
  });
});
