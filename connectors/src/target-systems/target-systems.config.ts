import { createEnvReader, LOG_LEVELS, type LogLevel } from '../shared/env-reader';

/**
 * Settings of the `target-systems` role: the simulated inventory, provisioning and billing
 * systems the fulfillment workers call (deploy/platform.sh starts it). The only file of this
 * folder that reads `process.env`.
 */
export type TargetSystemsConfig = {
  host: string;
  port: number;
  /** Default latency of every answer, ms (a rule may add its own). */
  latencyMs: number;
  /** Share of requests answered 503 without acting, 0..1 (0: none). */
  failureRate: number;
  /** Systems that accept a request and call back later instead of answering with the outcome. */
  asyncSystems: string[];
  /** Delay of a callback after the 202, ms. */
  callbackDelayMs: number;
  /** How long an "unknown outcome" request is held before the connection is dropped, ms. */
  holdMs: number;
  /** Where callbacks go when a request names no callbackUrl: the engine. */
  engineUrl: string;
  /** The simulator's own service credential at the engine (POST /auth/token), for callbacks. */
  credential: { clientId: string; clientSecret: string } | undefined;
  logLevel: LogLevel;
};

export class TargetSystemsConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid target-systems configuration:\n- ${problems.join('\n- ')}`);
    this.name = 'TargetSystemsConfigError';
  }
}

export function loadTargetSystemsConfig(env: Record<string, string | undefined> = process.env): TargetSystemsConfig {
  const { problems, text, integer, list, oneOf, url } = createEnvReader(env);
  const rate = Number(text('TARGET_SYSTEMS_FAILURE_RATE', '0'));
  if (!(rate >= 0 && rate <= 1)) problems.push(`TARGET_SYSTEMS_FAILURE_RATE must be a number from 0 to 1, got "${env.TARGET_SYSTEMS_FAILURE_RATE}"`);
  const environment = oneOf('NODE_ENV', 'development', ['development', 'test', 'production']);
  const clientSecret = env.TARGET_SYSTEMS_CLIENT_SECRET?.trim() ?? '';
  // Callbacks need the simulator's own credential at the engine; without one it runs synchronous
  // systems only (tests of the adapters), never on the platform.
  if (environment === 'production' && !clientSecret) problems.push('TARGET_SYSTEMS_CLIENT_SECRET must be set (the target systems\' credential for their callbacks)');
  const config: TargetSystemsConfig = {
    host: text('TARGET_SYSTEMS_HOST', '127.0.0.1'),
    port: integer('TARGET_SYSTEMS_PORT', 4100, 0, 65_535),
    latencyMs: integer('TARGET_SYSTEMS_LATENCY_MS', 0, 0, 600_000),
    failureRate: rate >= 0 && rate <= 1 ? rate : 0,
    asyncSystems: list('TARGET_SYSTEMS_ASYNC', 'field-service'),
    callbackDelayMs: integer('TARGET_SYSTEMS_CALLBACK_DELAY_MS', 200, 0, 3_600_000),
    holdMs: integer('TARGET_SYSTEMS_HOLD_MS', 30_000, 0, 3_600_000),
    engineUrl: url('ENGINE_URL', `http://127.0.0.1:${text('ENGINE_PORT', '4000')}`),
    credential: clientSecret ? { clientId: text('TARGET_SYSTEMS_CLIENT_ID', 'target-systems'), clientSecret } : undefined,
    logLevel: oneOf('LOG_LEVEL', 'info', LOG_LEVELS),
  };
  if (clientSecret && clientSecret.length < 32) problems.push('TARGET_SYSTEMS_CLIENT_SECRET must be at least 32 characters');
  if (problems.length > 0) throw new TargetSystemsConfigError(problems);
  return config;
}
