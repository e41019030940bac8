import { PLATFORM_TOPICS } from '@cpq/contracts/topics';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { KafkaAdmin } from '../kafka/kafka.port';
import { cachedReading } from './metrics-registry';

export type KafkaPipelineReading = {
  /** group -> topic -> messages not yet consumed (end offset - committed offset, summed over partitions). */
  lag: Map<string, Map<string, bigint>>;
  /** dead-letter topic -> messages it holds. */
  deadLetters: Map<string, bigint>;
};

export type KafkaMetricsOptions = {
  admin: () => Promise<KafkaAdmin>;
  /** The durable consumer groups to watch (lag is reported on every topic each has committed on); a function when they change (projection generations). */
  groups: string[] | (() => string[]);
  /** Report lag on these topics only (default: every topic a group committed on). */
  topics?: string[];
  /** Dead-letter topics to count (default: every `.dlq` twin of the platform's topics). */
  deadLetterTopics?: string[];
  /** How long one reading of the broker serves scrapes. */
  maxAgeMs?: number;
};

/** Reads consumer lag and dead-letter sizes from the broker's offsets (no consumer is touched). */
export async function readKafkaPipeline(admin: KafkaAdmin, groups: string[], deadLetterTopics: string[], onlyTopics?: string[]): Promise<KafkaPipelineReading> {
  const committed = await Promise.all(groups.map(async (group) => ({
    group, offsets: (await admin.groupOffsets(group)).filter((o) => !onlyTopics || onlyTopics.includes(o.topic)),
  })));
  const topics = [...new Set([...committed.flatMap((c) => c.offsets.map((o) => o.topic)), ...deadLetterTopics])];
  const ranges = await admin.topicOffsets(topics);
  const endOf = new Map(ranges.map((r) => [`${r.topic}/${r.partition}`, r]));
  const lag = new Map<string, Map<string, bigint>>();
  for (const { group, offsets } of committed) {
    const at = new Map(offsets.map((o) => [`${o.topic}/${o.partition}`, o.offset]));
    const consumed = new Set(offsets.map((o) => o.topic));
    const perTopic = new Map<string, bigint>();
    for (const range of ranges.filter((r) => consumed.has(r.topic))) {
      // A partition of a consumed topic that the group never committed on counts from the first
      // offset still held: groups start from the beginning (ADR 0004).
      const from = at.get(`${range.topic}/${range.partition}`) ?? range.start;
      const behind = range.end - (from > range.start ? from : range.start);
      perTopic.set(range.topic, (perTopic.get(range.topic) ?? 0n) + (behind > 0n ? behind : 0n));
    }
    lag.set(group, perTopic);
  }
  const deadLetters = new Map<string, bigint>();
  for (const topic of deadLetterTopics) {
    let held = 0n;
    for (const [key, range] of endOf) if (key.startsWith(`${topic}/`)) held += range.end - range.start;
    deadLetters.set(topic, held);
  }
  return { lag, deadLetters };
}

/**
 * The Kafka side of the event pipeline: consumer lag per group and topic (messages behind the
 * end of the log) and the size of every dead-letter topic. Read from the broker at scrape time,
 * at most once per `maxAgeMs`.
 */
export function registerKafkaMetrics(registry: Registry, options: KafkaMetricsOptions): void {
  const deadLetterTopics = options.deadLetterTopics ?? PLATFORM_TOPICS.map((t) => t.topic).filter((t) => t.endsWith('.dlq'));
  const errors = new Counter({ name: 'cpq_kafka_metrics_errors_total', help: 'Failed readings of consumer lag and dead-letter sizes from the broker.', registers: [registry], async collect() {
    await reading();
  } });
  const groups = typeof options.groups === 'function' ? options.groups : () => options.groups as string[];
  const reading = cachedReading(async () => readKafkaPipeline(await options.admin(), groups(), deadLetterTopics, options.topics), options.maxAgeMs ?? 5_000, () => errors.inc());
  new Gauge({
    name: 'cpq_kafka_consumer_lag_messages', help: 'Messages a consumer group has not consumed yet, per topic (end offset - committed offset).',
    labelNames: ['group', 'topic'], registers: [registry],
    async collect() {
      const value = await reading();
      this.reset(); // a group no longer watched (an old projection generation) leaves the exposition
      for (const [group, topics] of value?.lag ?? []) for (const [topic, behind] of topics) this.set({ group, topic }, Number(behind));
    },
  });
  new Gauge({
    name: 'cpq_kafka_dead_letter_messages', help: 'Messages held in a dead-letter topic (events no consumer could apply).',
    labelNames: ['topic'], registers: [registry],
    async collect() {
      const value = await reading();
      for (const [topic, held] of value?.deadLetters ?? []) this.set({ topic }, Number(held));
    },
  });
}
