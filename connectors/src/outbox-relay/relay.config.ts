import { createEnvReader, LOG_LEVELS, type LogLevel } from '../shared/env-reader';
import type { KafkaClientName } from '../kafka/kafka.factory';
import { readMetricsSettings, type MetricsSettings } from '../observability/metrics.config';
import { readTracingSettings, type TracingSettings } from '../observability/tracing.config';

/** The relay process's settings; the only place in the relay that reads `process.env`. */
export type RelayConfig = {
  databaseUrl: string;
  kafkaBrokers: string[];
  kafkaClient: KafkaClientName;
  /** Events per round: claimed, sent in one produce request, marked in one statement. */
  batchSize: number;
  pollIntervalMs: number;
  /** While events flow: the least time between two claims (start to start), so a stream is batched. */
  busyPollIntervalMs: number;
  /** Larger events are refused without sending (held with their aggregate); 0: the broker decides. */
  maxMessageBytes: number;
  /** Prepended to every topic (RELAY_TOPIC_PREFIX, default none): for an environment sharing a broker. */
  topicPrefix: string;
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
    // The relay's own default (the consumers' stays kafkajs): @platformatic/kafka 2.x drains the
    // outbox faster and with a shorter tail on the same machine (ADR 0003, decision of 2026-12-04).
    kafkaClient: oneOf<KafkaClientName>('KAFKA_CLIENT', 'platformatic', ['kafkajs', 'platformatic']),
    batchSize: integer('RELAY_BATCH_SIZE', 500, 1, 10_000),
    // Idle: one cheap claim (an empty partial index) at most every 50 ms bounds the first event's
    // wait (after a claim that found nothing the relay looks again after the busy interval,
    // doubling up to this). Busy, the next round is claimed while one is with the broker, and
    // claims start at least 25 ms apart unless the last one was a full batch: at most 40 small
    // rounds/s, so a steady stream costs about the relay CPU per event of the serial relay (10 ms
    // cost up to 2x on a loaded machine; outbox-relay.ts, docs/benchmarks.md).
    pollIntervalMs: integer('RELAY_POLL_INTERVAL_MS', 50, 1, 60_000),
    busyPollIntervalMs: integer('RELAY_BUSY_POLL_INTERVAL_MS', 25, 0, 60_000),
    // The broker's message.max.bytes is 1 MiB by default; headers and the batch frame take a little.
    maxMessageBytes: integer('RELAY_MAX_MESSAGE_BYTES', 1_000_000, 0, 100_000_000),
    topicPrefix: env.RELAY_TOPIC_PREFIX?.trim() ?? '',
    logLevel: oneOf('LOG_LEVEL', 'info', LOG_LEVELS),
    metrics: readMetricsSettings(env, 'RELAY_METRICS_PORT', 9101, problems),
    // The projector reports its own lag: its group's name changes with each rebuild.
    watchedConsumerGroups: list('METRICS_CONSUMER_GROUPS', 'notifications,orders'),
    tracing: readTracingSettings(env, 'relay', problems),
  };
  if (problems.length > 0) throw new Error(`invalid relay configuration:\n- ${problems.join('\n- ')}`);
  return config;
}
