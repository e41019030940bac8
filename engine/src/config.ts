import type { KafkaClientName } from '@cpq/connectors/kafka/kafka.factory';
import { metricsTokenOf } from '@cpq/connectors/observability/scrape-token';
import { readTracingSettings, type TracingSettings } from '@cpq/connectors/observability/tracing.config';
import type { LimitSettings } from './http/limits';
import { developmentServiceClients, parseServiceClients, type ServiceClient } from './http/service-clients';

/**
 * The engine's settings. This is the only module that reads `process.env`; everything else
 * receives an EngineConfig, so tests build apps with explicit settings.
 */
export type EngineConfig = {
  environment: 'development' | 'test' | 'production';
  host: string;
  port: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  databaseUrl: string;
  databasePoolMax: number;
  /** Bounded waits: for a pooled connection (also a transaction's start) and for a row lock. */
  databasePoolWaitMs: number;
  databaseLockTimeoutMs: number;
  /** Bounds every statement of a command's transaction (a slow price run ends as a 503, nothing written). */
  databaseStatementTimeoutMs: number;
  /** PostgreSQL ends an engine session left idle inside a transaction this long (its locks and snapshot go with it). */
  databaseIdleInTransactionTimeoutMs: number;
  redisUrl: string;
  kafkaBrokers: string[];
  kafkaClient: KafkaClientName;
  kafkaClientId: string;
  camundaUrl: string;
  /** Bearer token of platform operators (tenant registration). */
  platformAdminToken: string;
  /** HS256 key, issuer and audience of user tokens (the local issuer signs with the same key). */
  auth: { secret: string; issuer: string; audience: string };
  /** Service principals (the workers, integrations) that sign in at POST /auth/token. */
  serviceClients: ServiceClient[];
  /** Lifetime of a service token; short, since a client fetches a new one with its secret. */
  serviceTokenTtlSeconds: number;
  /** Per dependency check in /health/ready. */
  healthCheckTimeoutMs: number;
  /** Validate every response against its contract (on outside production). */
  validateResponses: boolean;
  /** The largest body any route takes (the metadata API's limit; ADR 0021). */
  bodyLimitBytes: number;
  /** Body size per route class, JSON depth and rate limits (ADR 0021). */
  limits: LimitSettings;
  /** The Prometheus scrape token: it reads /metrics and nothing else (ADR 0018). */
  metricsToken: string;
  /** A draft quote with lines untouched this long counts as stuck before pricing (metrics). */
  quoteStuckBeforePricingSeconds: number;
  /** How long one reading of the business signals serves /metrics scrapes. */
  metricsSignalsMaxAgeMs: number;
  /** OpenTelemetry traces (OTEL_TRACES_EXPORTER, default none; ADR 0019). */
  tracing: TracingSettings;
  /** How often the quote expiry sweep and the approval-task reconciler run (0: never). */
  sweepIntervalMs: number;
  /** How often the order reconciler runs: Camunda effects left by outages, incidents -> fallout cases (0: never). */
  orderReconcileIntervalMs: number;
  /** Orders from QuoteAccepted on Kafka (the idempotent consumer `orders`) in this API process (ORDER_CONSUMER, on in production). */
  orderConsumer: boolean;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n- ${problems.join('\n- ')}`);
  }
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): EngineConfig {
  const problems: string[] = [];
  const text = (name: string, fallback: string) => env[name]?.trim() || fallback;
  const integer = (name: string, fallback: number, min: number, max: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };
  const oneOf = <T extends string>(name: string, fallback: T, allowed: readonly T[]): T => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      problems.push(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
      return fallback;
    }
    return raw as T;
  };
  const url = (name: string, fallback: string) => {
    const value = text(name, fallback);
    try {
      new URL(value);
    } catch {
      problems.push(`${name} must be a URL, got "${value}"`);
    }
    return value;
  };

  const environment = oneOf('NODE_ENV', 'development', ['development', 'test', 'production'] as const);
  const platformAdminToken = text('PLATFORM_ADMIN_TOKEN', environment === 'production' ? '' : 'dev-platform-admin-token');
  if (platformAdminToken.length < 16) problems.push('PLATFORM_ADMIN_TOKEN must be set to at least 16 characters');
  const jwtSecret = text('AUTH_JWT_SECRET', environment === 'production' ? '' : 'dev-only-jwt-secret-change-me-0123456789');
  if (jwtSecret.length < 32) problems.push('AUTH_JWT_SECRET must be set to at least 32 characters');
  // Service credentials: a default only in development; tests configure their own, and
  // production refuses to start without them (npm run platform generates them).
  const serviceClientsRaw = env.SERVICE_CLIENTS?.trim() ?? '';
  const serviceClients = serviceClientsRaw
    ? parseServiceClients(serviceClientsRaw, problems)
    : environment === 'development' ? developmentServiceClients() : [];
  if (environment === 'production' && !serviceClientsRaw) problems.push('SERVICE_CLIENTS must list the service clients (the workers at least) in production');

  const config: EngineConfig = {
    environment,
    host: text('ENGINE_HOST', '127.0.0.1'),
    port: integer('ENGINE_PORT', 4000, 0, 65535),
    logLevel: oneOf('LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
    databaseUrl: url('DATABASE_URL', 'postgresql://postgres@127.0.0.1:5432/cpq'),
    databasePoolMax: integer('DATABASE_POOL_MAX', 20, 1, 200),
    databasePoolWaitMs: integer('DATABASE_POOL_WAIT_MS', 10_000, 100, 120_000),
    databaseLockTimeoutMs: integer('DATABASE_LOCK_TIMEOUT_MS', 3000, 50, 60_000),
    databaseStatementTimeoutMs: integer('DATABASE_STATEMENT_TIMEOUT_MS', 15_000, 100, 600_000),
    databaseIdleInTransactionTimeoutMs: integer('DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS', 60_000, 100, 3_600_000),
    redisUrl: url('REDIS_URL', 'redis://127.0.0.1:6379'),
    kafkaBrokers: text('KAFKA_BROKERS', '127.0.0.1:9092').split(',').map((b) => b.trim()).filter(Boolean),
    kafkaClient: oneOf('KAFKA_CLIENT', 'kafkajs', ['kafkajs', 'platformatic'] as const),
    kafkaClientId: text('KAFKA_CLIENT_ID', 'cpq-engine'),
    camundaUrl: url('CAMUNDA_URL', 'http://127.0.0.1:8080/engine-rest'),
    platformAdminToken,
    auth: { secret: jwtSecret, issuer: text('AUTH_JWT_ISSUER', 'cpq-local'), audience: text('AUTH_JWT_AUDIENCE', 'cpq-engine') },
    serviceClients,
    serviceTokenTtlSeconds: integer('SERVICE_TOKEN_TTL_SECONDS', 900, 60, 3600),
    healthCheckTimeoutMs: integer('HEALTH_CHECK_TIMEOUT_MS', 2000, 50, 60_000),
    validateResponses: (env.VALIDATE_RESPONSES ?? (environment === 'production' ? 'false' : 'true')) === 'true',
    bodyLimitBytes: integer('BODY_LIMIT_BYTES', 1_048_576, 1024, 50 * 1_048_576),
    limits: {
      metadataBodyBytes: integer('BODY_LIMIT_BYTES', 1_048_576, 1024, 50 * 1_048_576),
      commandBodyBytes: integer('COMMAND_BODY_LIMIT_BYTES', 65_536, 1024, 50 * 1_048_576),
      jsonMaxDepth: integer('JSON_MAX_DEPTH', 32, 4, 512),
      // Production defaults; off in development and tests unless set (0 = off).
      userPerMinute: integer('RATE_LIMIT_USER_PER_MINUTE', environment === 'production' ? 1200 : 0, 0, 1_000_000),
      servicePerMinute: integer('RATE_LIMIT_SERVICE_PER_MINUTE', 60_000, 1, 10_000_000),
      tokenPerMinutePerIp: integer('RATE_LIMIT_TOKEN_PER_MINUTE_PER_IP', environment === 'production' ? 30 : 0, 0, 1_000_000),
    },
    metricsToken: metricsTokenOf(env, environment, problems),
    quoteStuckBeforePricingSeconds: integer('QUOTE_STUCK_BEFORE_PRICING_SECONDS', 3600, 1, 30 * 86_400),
    metricsSignalsMaxAgeMs: integer('METRICS_SIGNALS_MAX_AGE_MS', 15_000, 0, 3_600_000),
    tracing: readTracingSettings(env, 'api', problems),
    sweepIntervalMs: integer('SWEEP_INTERVAL_MS', 60_000, 0, 86_400_000),
    orderReconcileIntervalMs: integer('ORDER_RECONCILE_INTERVAL_MS', 5_000, 0, 86_400_000),
    // On by default only in production: a development or test engine on its own database must
    // not join the platform's consumer group and take its QuoteAccepted events.
    orderConsumer: oneOf('ORDER_CONSUMER', environment === 'production' ? 'on' : 'off', ['on', 'off'] as const) === 'on',
  };
  if (config.kafkaBrokers.length === 0) problems.push('KAFKA_BROKERS must name at least one host:port');
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
