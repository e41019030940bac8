import type { KafkaClientName } from '@cpq/connectors/kafka/kafka.factory';
import { readMetricsSettings, type MetricsSettings } from '@cpq/connectors/observability/metrics.config';
import { readTracingSettings, type TracingSettings } from '@cpq/connectors/observability/tracing.config';
import { createEnvReader, LOG_LEVELS } from '@cpq/connectors/shared/env-reader';

/**
 * Settings of the `notifications` role. The only file of that role that reads `process.env`
 * (like config.ts for the API role); everything else receives a NotificationsConfig. The secret is never
 * logged or echoed in an error.
 */
export type NotificationsConfig = {
  databaseUrl: string;
  kafkaBrokers: string[];
  kafkaClient: KafkaClientName;
  /** Attempts of the consumer's handler before an event goes to `<topic>.dlq`. */
  consumerMaxAttempts: number;
  webhook: {
    url: string;
    secret: string;
    timeoutMs: number;
    maxAttempts: number;
    backoffInitialMs: number;
    backoffMaxMs: number;
  };
  dispatch: { batchSize: number; pollIntervalMs: number };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** `/metrics` of the role (NOTIFICATIONS_METRICS_PORT). */
  metrics: MetricsSettings;
  tracing: TracingSettings;
};

export class NotificationsConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid notifications configuration:\n- ${problems.join('\n- ')}`);
    this.name = 'NotificationsConfigError';
  }
}

/** Below this the HMAC key is guessable; 32 characters is what `openssl rand -hex 16` gives. */
const MIN_SECRET_LENGTH = 32;

export function loadNotificationsConfig(env: Record<string, string | undefined> = process.env): NotificationsConfig {
  const { problems, text, integer, oneOf, list } = createEnvReader(env);
  const kafkaClient = oneOf<KafkaClientName>('KAFKA_CLIENT', 'kafkajs', ['kafkajs', 'platformatic']);
  const url = env.WEBHOOK_URL?.trim() ?? '';
  if (!url) problems.push('WEBHOOK_URL is required');
  else if (!URL.canParse(url) || !['http:', 'https:'].includes(new URL(url).protocol)) problems.push('WEBHOOK_URL must be an http(s) URL');
  const secret = env.WEBHOOK_SECRET ?? '';
  if (secret.length < MIN_SECRET_LENGTH) problems.push(`WEBHOOK_SECRET is required, at least ${MIN_SECRET_LENGTH} characters`);
  const logLevel = oneOf('LOG_LEVEL', 'info', LOG_LEVELS);

  const config: NotificationsConfig = {
    databaseUrl: text('DATABASE_URL', 'postgresql://postgres@127.0.0.1:5432/cpq'),
    kafkaBrokers: list('KAFKA_BROKERS', '127.0.0.1:9092'),
    kafkaClient,
    consumerMaxAttempts: integer('NOTIFICATIONS_CONSUMER_MAX_ATTEMPTS', 5, 1, 100),
    webhook: {
      url,
      secret,
      timeoutMs: integer('WEBHOOK_TIMEOUT_MS', 5_000, 100, 120_000),
      maxAttempts: integer('WEBHOOK_MAX_ATTEMPTS', 8, 1, 100),
      backoffInitialMs: integer('WEBHOOK_BACKOFF_INITIAL_MS', 1_000, 1, 3_600_000),
      backoffMaxMs: integer('WEBHOOK_BACKOFF_MAX_MS', 300_000, 1, 86_400_000),
    },
    dispatch: {
      batchSize: integer('NOTIFICATIONS_BATCH_SIZE', 10, 1, 500),
      pollIntervalMs: integer('NOTIFICATIONS_POLL_INTERVAL_MS', 500, 10, 60_000),
    },
    logLevel,
    metrics: readMetricsSettings(env, 'NOTIFICATIONS_METRICS_PORT', 9103, problems),
    tracing: readTracingSettings(env, 'notifications', problems),
  };
  if (config.webhook.backoffMaxMs < config.webhook.backoffInitialMs) problems.push('WEBHOOK_BACKOFF_MAX_MS must not be below WEBHOOK_BACKOFF_INITIAL_MS');
  if (problems.length > 0) throw new NotificationsConfigError(problems);
  return config;
}
