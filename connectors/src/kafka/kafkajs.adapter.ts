import { Kafka, logLevel, type Consumer } from 'kafkajs';
import type { Headers, KafkaClient, KafkaClientOptions, KafkaConsumer } from './kafka.port';

function toHeaders(raw: Record<string, unknown> | undefined): Headers {
  const headers: Headers = {};
  for (const [key, value] of Object.entries(raw ?? {})) {
    if (value !== undefined) headers[key] = Array.isArray(value) ? String(value[0]) : String(value);
  }
  return headers;
}

/** kafkajs 2.2.4 (last release February 2023): the design card's original choice. */
export function createKafkajsClient(options: KafkaClientOptions): KafkaClient {
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 200 },
  });
  return {
    name: 'kafkajs',
    async producer() {
      // Idempotent with one request in flight: retries can neither duplicate nor reorder.
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
      await producer.connect();
      return {
        async send(topic, messages) {
          await producer.send({ topic, acks: -1, messages: messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers ?? {} })) });
        },
        close: () => producer.disconnect(),
      };
    },
    async consumer({ groupId, topics, fromBeginning }) {
      const consumer: Consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, retry: { retries: 0 } });
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning });
      let failure: ((error: unknown) => void) | undefined;
      const adapter: KafkaConsumer = {
        run(handle) {
          return new Promise<void>((resolve, reject) => {
            failure = reject;
            consumer
              .run({
                autoCommit: false,
                eachMessage: async ({ topic, partition, message }) => {
                  try {
                    await handle({
                      topic, partition, offset: message.offset,
                      key: message.key?.toString() ?? null,
                      value: message.value?.toString() ?? null,
                      headers: toHeaders(message.headers as Record<string, unknown>),
                    });
                  } catch (error) {
                    // Stop rather than let kafkajs skip or loop: the caller decides.
                    failure?.(error);
                    failure = undefined;
                    void consumer.stop();
                    throw error;
                  }
                  await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
                },
              })
              .then(() => undefined, reject);
            consumer.on(consumer.events.STOP, () => resolve());
          });
        },
        async close() {
          await consumer.disconnect();
        },
      };
      return adapter;
    },
    async admin() {
      const admin = kafka.admin();
      await admin.connect();
      return {
        async createTopics(specs) {
          await admin.createTopics({
            waitForLeaders: true,
            topics: specs.map((s) => ({ topic: s.topic, numPartitions: s.partitions, replicationFactor: 1 })),
          });
        },
        async describeCluster(timeoutMs) {
          const cluster = await withTimeout(admin.describeCluster(), timeoutMs, 'kafka describeCluster');
          return { brokers: cluster.brokers.length, controllerId: cluster.controller };
        },
        close: () => admin.disconnect(),
      };
    },
  };
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
