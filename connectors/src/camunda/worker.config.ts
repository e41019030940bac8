import { readMetricsSettings, type MetricsSettings } from '../observability/metrics.config';
import { readTracingSettings, type TracingSettings } from '../observability/tracing.config';
import { createEnvReader, LOG_LEVELS } from '../shared/env-reader';
import { hostname } from 'node:os';

/**
 * Settings of the `workers` role. The only file of connectors/src/camunda that reads
 * `process.env`; everything else receives a WorkerConfig.
 */
export type WorkerConfig = {
  camundaUrl: string;
  workerId: string;
  /** Tasks fetched per poll and running at once. */
  maxTasks: number;
  /** Long-polling window of one fetchAndLock, ms. */
  asyncResponseTimeoutMs: number;
  /** On SIGTERM, how long running handlers may finish, ms. */
  stopTimeoutMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** The engine the workers call commands on. */
  engineUrl: string;
  /**
   * The workers' own credential, exchanged at the engine's POST /auth/token for short-lived
   * tokens (client credentials). The workers hold no signing key.
   */
  credential: { clientId: string; clientSecret: string };
  /** `/metrics` of the workers (WORKERS_METRICS_PORT): Camunda incidents and backlogs, task outcomes. */
  metrics: MetricsSettings;
  /** The order fulfillment's target systems (TARGET_SYSTEMS_URL) and how long a request may take before its outcome is unknown. */
  fulfillment: { targetSystemsUrl: string; callbackUrl: string; timeoutMs: number };
  tracing: TracingSettings;
};

/**
 * Development only (NODE_ENV unset or `development`): the engine's development default client
 * (engine/src/http/service-clients.ts) has this secret. Anywhere else WORKER_CLIENT_SECRET is
 * required; `npm run platform` generates it (deploy/platform.sh, .run/secrets).
 */
const DEVELOPMENT_WORKERS_SECRET = 'dev-only-workers-secret-change-me-0123456789';

export class WorkerConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid workers configuration:\n- ${problems.join('\n- ')}`);
    this.name = 'WorkerConfigError';
  }
}

export function loadWorkerConfig(env: Record<string, string | undefined> = process.env): WorkerConfig {
  const { problems, text, integer, oneOf, url } = createEnvReader(env);
  const camundaUrl = url('CAMUNDA_URL', 'http://127.0.0.1:8080/engine-rest');
  const logLevel = oneOf('LOG_LEVEL', 'info', LOG_LEVELS);
  const environment = oneOf('NODE_ENV', 'development', ['development', 'test', 'production']);
  const clientSecret = env.WORKER_CLIENT_SECRET?.trim() || (environment === 'development' ? DEVELOPMENT_WORKERS_SECRET : '');
  if (clientSecret.length < 32) problems.push('WORKER_CLIENT_SECRET must be set to at least 32 characters (the workers\' service credential)');

  const config: WorkerConfig = {
    camundaUrl,
    // Camunda records the lock owner: make it name the host and process.
    workerId: text('WORKER_ID', `workers-${hostname()}-${process.pid}`),
    maxTasks: integer('WORKER_MAX_TASKS', 10, 1, 100),
    asyncResponseTimeoutMs: integer('WORKER_ASYNC_RESPONSE_TIMEOUT_MS', 10_000, 0, 300_000),
    stopTimeoutMs: integer('WORKER_STOP_TIMEOUT_MS', 10_000, 0, 300_000),
    logLevel,
    engineUrl: text('ENGINE_URL', `http://127.0.0.1:${text('ENGINE_PORT', '4000')}`),
    credential: { clientId: text('WORKER_CLIENT_ID', 'workers'), clientSecret },
    metrics: readMetricsSettings(env, 'WORKERS_METRICS_PORT', 9102, problems),
    tracing: readTracingSettings(env, 'workers', problems),
    fulfillment: {
      targetSystemsUrl: url('TARGET_SYSTEMS_URL', `http://127.0.0.1:${text('TARGET_SYSTEMS_PORT', '4100')}`),
      // The target systems call the engine back here.
      callbackUrl: text('ENGINE_URL', `http://127.0.0.1:${text('ENGINE_PORT', '4000')}`),
      timeoutMs: integer('TARGET_SYSTEMS_TIMEOUT_MS', 5_000, 100, 600_000),
    },
  };
  if (problems.length > 0) throw new WorkerConfigError(problems);
  return config;
}
