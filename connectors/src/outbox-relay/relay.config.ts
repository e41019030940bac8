import { createEnvReader, LOG_LEVELS, type LogLevel } from '../shared/env-reader';
import type { KafkaClientName } from '../kafka/kafka.factory';
import { readMetricsSettings, type MetricsSettings } from '../observability/metrics.config';
import { readTracingSettings, type TracingSettings } from '../observability/tracing.config';

/** The relay process's settings; the only place in the relay that reads `process.env`. */
export type RelayConfig = {
  databaseUrl: string;
  kafkaBrokers: string[];
  kafkaClient: KafkaClientName;
  batchSize: number;
  pollIntervalMs: number;
  logLevel: LogLevel;
  /** `/metrics` of the relay (RELAY_METRICS_PORT): outbox backlog and lag, consumer lag, dead letters. */
  metrics: MetricsSettings;
  /** Durable consumer groups whose lag the relay reports (it watches the whole event pipeline). */
  watchedConsumerGroups: string[];
  tracing: TracingSettings;
};

export function loadRelayConfig(env: Record<string, string | undefined> = process.env): RelayConfig {
  const { problems, integer, oneOf, url, list } = createEnvReader(env);
  const config: RelayConfig = {
    databaseUrl: url('DATABASE_URL', 'postgresql://postgres@127.0.0.1:5432/cpq'),
    kafkaBrokers: list('KAFKA_BROKERS', '127.0.0.1:9092'),
    kafkaClient: oneOf<KafkaClientName>('KAFKA_CLIENT', 'kafkajs', ['kafkajs', 'platformatic']),
    batchSize: integer('RELAY_BATCH_SIZE', 200, 1, 10_000),
    pollIntervalMs: integer('RELAY_POLL_INTERVAL_MS', 200, 1, 60_000),
    logLevel: oneOf('LOG_LEVEL', 'info', LOG_LEVELS),
    metrics: readMetricsSettings(env, 'RELAY_METRICS_PORT', 9101, problems),
    // The projector reports its own lag: its group's name changes with each rebuild.
    watchedConsumerGroups: list('METRICS_CONSUMER_GROUPS', 'notifications,orders'),
    tracing: readTracingSettings(env, 'relay', problems),
  };
  if (problems.length > 0) throw new Error(`invalid relay configuration:\n- ${problems.join('\n- ')}`);
  return config;
}
