/** How a role exports its traces (ADR 0019). Read by each role's config module, the only readers of `process.env`. */
export type TracingSettings = {
  /** `none` (default: no SDK, no instrumentation, no cost), `otlp` (OTLP/HTTP), `file` (JSON lines), `console`. */
  exporter: 'none' | 'otlp' | 'file' | 'console';
  /** `service.name` of the role's spans, e.g. `cpq-api`. */
  serviceName: string;
  /** OTLP/HTTP traces endpoint (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, default http://127.0.0.1:4318/v1/traces). */
  otlpEndpoint: string;
  /** The JSON-lines file of the `file` exporter (OTEL_TRACES_FILE). */
  file: string;
  /** Head sampling of new traces (OTEL_TRACES_SAMPLER_ARG, 0..1); a sampled parent is always followed. */
  sampleRatio: number;
};

const EXPORTERS = ['none', 'otlp', 'file', 'console'] as const;

/** The OpenTelemetry SDK's own variable names, so operators find them where they expect them. */
export function readTracingSettings(env: Record<string, string | undefined>, role: string, problems: string[]): TracingSettings {
  const exporter = (env.OTEL_TRACES_EXPORTER?.trim() || 'none') as TracingSettings['exporter'];
  if (!EXPORTERS.includes(exporter)) problems.push(`OTEL_TRACES_EXPORTER must be one of ${EXPORTERS.join(', ')}, got "${exporter}"`);
  const ratio = Number(env.OTEL_TRACES_SAMPLER_ARG?.trim() || '1');
  if (!(ratio >= 0 && ratio <= 1)) problems.push(`OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1, got "${env.OTEL_TRACES_SAMPLER_ARG}"`);
  return {
    exporter: EXPORTERS.includes(exporter) ? exporter : 'none',
    serviceName: env.OTEL_SERVICE_NAME?.trim() || `cpq-${role}`,
    otlpEndpoint: env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || `${(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || 'http://127.0.0.1:4318').replace(/\/$/, '')}/v1/traces`,
    file: env.OTEL_TRACES_FILE?.trim() || `.run/traces/${role}.jsonl`,
    sampleRatio: ratio >= 0 && ratio <= 1 ? ratio : 1,
  };
}
