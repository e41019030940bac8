import { appendFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode, W3CTraceContextPropagator, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor, ConsoleSpanExporter, ParentBasedSampler, SimpleSpanProcessor, TraceIdRatioBasedSampler, TracerProvider,
  type ReadableSpan, type SpanExporter,
} from '@opentelemetry/sdk-trace';
import type { TracingSettings } from './tracing.config';

import { EVENT_TRACEPARENT_HEADER } from './trace-context';

/** Spans as JSON lines, for a machine without a collector (`OTEL_TRACES_EXPORTER=file`). */
export class FileSpanExporter implements SpanExporter {
  constructor(private readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    try {
      const lines = spans.map((s) => JSON.stringify({
        traceId: s.spanContext().traceId, spanId: s.spanContext().spanId, parentSpanId: s.parentSpanContext?.spanId,
        name: s.name, kind: s.kind, start: s.startTime, durationMs: s.duration[0] * 1e3 + s.duration[1] / 1e6,
        status: s.status, attributes: s.attributes, service: s.resource.attributes['service.name'],
      }));
      appendFileSync(this.path, `${lines.join('\n')}\n`);
      done({ code: ExportResultCode.SUCCESS });
    } catch (error) {
      done({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export type Tracing = { provider: TracerProvider; shutdown(): Promise<void> };

function exporterFor(settings: TracingSettings): SpanExporter {
  switch (settings.exporter) {
    case 'otlp': return new OTLPTraceExporter({ url: settings.otlpEndpoint });
    case 'file': return new FileSpanExporter(settings.file);
    default: return new ConsoleSpanExporter();
  }
}

/**
 * Starts OpenTelemetry tracing for a process role (ADR 0019), or does nothing when the exporter
 * is `none`. The official instrumentations patch the shared prototypes of node:http, pg/pg-pool,
 * kafkajs and undici (fetch), so every client and server of the process is traced whenever it was
 * created; they are loaded once more through `require` after enabling, which is what makes the
 * patching happen for modules an ES import had loaded already. Context travels in W3C
 * `traceparent` headers: HTTP, fetch and Kafka messages.
 */
export function startTracing(settings: TracingSettings, options: { exporter?: SpanExporter; simple?: boolean } = {}): Tracing | undefined {
  if (settings.exporter === 'none' && !options.exporter) return undefined;
  const exporter = options.exporter ?? exporterFor(settings);
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': settings.serviceName }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(settings.sampleRatio) }),
    spanProcessors: [options.simple ? new SimpleSpanProcessor({ exporter }) : new BatchSpanProcessor({ exporter })],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => request.url === '/metrics' || (request.url ?? '').startsWith('/health/') }),
      // Only queries under a span (a request, a consumer's event, a relay batch): not the pool's idle churn.
      new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
      // A message the relay publishes carries its event's own span (EVENT_TRACEPARENT_HEADER), so
      // consumers continue the trace of the command that wrote the event, not the relay's poll loop.
      new KafkaJsInstrumentation({
        producerHook: (_span, { message }) => {
          const own = message.headers?.[EVENT_TRACEPARENT_HEADER];
          if (own !== undefined && message.headers) message.headers.traceparent = own;
        },
      }),
      new UndiciInstrumentation(),
    ],
  });
  const load = createRequire(import.meta.url);
  for (const id of ['node:http', 'node:https', 'pg', 'kafkajs']) load(id);
  createRequire(load.resolve('pg'))('pg-pool');
  return {
    provider,
    async shutdown() {
      await provider.shutdown().catch(() => {});
    },
  };
}
