import type { KafkaClientName } from '../kafka/kafka.factory';
import { readMetricsSettings, type MetricsSettings } from '../observability/metrics.config';
import { readTracingSettings, type TracingSettings } from '../observability/tracing.config';
import { createEnvReader, LOG_LEVELS, type LogLevel } from '../shared/env-reader';

/** Settings of the `projector` role; the only file of connectors/src/projections that reads `process.env`. */
export type ProjectorConfig = {
  databaseUrl: string;
  kafkaBrokers: string[];
  kafkaClient: KafkaClientName;
  /** How often the role checks whether a rebuild made a new generation live. */
  generationPollMs: number;
  /** A rebuild gives up when not caught up within this. */
  rebuildTimeoutMs: number;
  /**
   * First part of every consumer name (`<prefix>-<projection>-g<N>`: Kafka group and inbox).
   * `projector` on the platform; another value runs a projector (a smoke run, a second platform
   * on one broker) whose groups can never take a running projector's partitions or offsets.
   */
  consumerPrefix: string;
  logLevel: LogLevel;
  /** `/metrics` (PROJECTOR_METRICS_PORT): consumer lag, event age at apply, generation. */
  metrics: MetricsSettings;
  tracing: TracingSettings;
};

export function loadProjectorConfig(env: Record<string, string | undefined> = process.env): ProjectorConfig {
  const { problems, integer, oneOf, url, list, text } = createEnvReader(env);
  const config: ProjectorConfig = {
    databaseUrl: url('DATABASE_URL', 'postgresql://postgres@127.0.0.1:5432/cpq'),
    kafkaBrokers: list('KAFKA_BROKERS', '127.0.0.1:9092'),
    kafkaClient: oneOf<KafkaClientName>('KAFKA_CLIENT', 'kafkajs', ['kafkajs', 'platformatic']),
    generationPollMs: integer('PROJECTOR_GENERATION_POLL_MS', 5_000, 100, 600_000),
    rebuildTimeoutMs: integer('PROJECTOR_REBUILD_TIMEOUT_MS', 30 * 60_000, 1_000, 24 * 3_600_000),
    consumerPrefix: text('PROJECTOR_CONSUMER_PREFIX', 'projector'),
    logLevel: oneOf('LOG_LEVEL', 'info', LOG_LEVELS),
    metrics: readMetricsSettings(env, 'PROJECTOR_METRICS_PORT', 9104, problems),
    tracing: readTracingSettings(env, 'projector', problems),
  };
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$/.test(config.consumerPrefix)) {
    problems.push(`PROJECTOR_CONSUMER_PREFIX must be 1 to 60 letters, digits, '.', '_' or '-' (a Kafka group name part), got "${config.consumerPrefix}"`);
  }
  if (problems.length > 0) throw new Error(`invalid projector configuration:\n- ${problems.join('\n- ')}`);
  return config;
}
