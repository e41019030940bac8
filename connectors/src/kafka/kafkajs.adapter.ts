import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import type { Headers, KafkaClient, KafkaClientOptions, KafkaConsumer, TopicMessages } from './kafka.port';
import { asRecordRejection } from './record-rejection';
// Before any client exists: kafkajs's idle request queue otherwise runs a 1 ms timer loop (and Node 24 warns of its negative delay).
import './kafkajs-request-queue.patch';

function toHeaders(raw: Record<string, unknown> | undefined): Headers {
  const headers: Headers = {};
  for (const [key, value] of Object.entries(raw ?? {})) {
    if (value !== undefined) headers[key] = Array.isArray(value) ? String(value[0]) : String(value);
  }
  return headers;
}

// Exponential from 200 ms, 5 retries: a request keeps trying for ~6 s before it fails
// (enough to ride out a broker restart of a few seconds; see docs/adr/0003-kafka-client.md).
// Every field is set: kafkajs fills missing ones from other defaults when NODE_ENV=test
// (vitest sets it), capping retries at 1 s, so tests would not see production behaviour.
const retry = { retries: 5, initialRetryTime: 200, maxRetryTime: 30_000, multiplier: 2, factor: 0.2 };

/** kafkajs 2.2.4 (last release February 2023). Contract: connectors/src/kafka/kafka-client.int.test.ts. */
export function createKafkajsClient(options: KafkaClientOptions): KafkaClient {
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: logLevel.NOTHING,
    retry,
  });
  return {
    name: 'kafkajs',
    async producer() {
      // Idempotent with one request in flight: retries can neither duplicate nor reorder.
      const create = async () => {
        const created = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
        await created.connect();
        return created;
      };
      let current: Producer | undefined = await create();
      let creating: Promise<Producer> | undefined;
      const producerNow = async () => current ?? (creating ??= create().then((created) => (current = created)).finally(() => (creating = undefined)));
      // After a failed request kafkajs rolls back the sequence numbers of every partition in it,
      // also of those the broker had written: the next, different messages to such a partition
      // would reuse written sequences (dropped as duplicates, or refused as out of order for
      // good). So a failed producer is replaced: a new one gets a new producer id, and its
      // sequences start again (a reconnect keeps the old id: kafkajs initialises it once).
      const sendBatch = async (batches: TopicMessages[]) => {
        const producer = await producerNow();
        try {
          await producer.sendBatch({
            acks: -1,
            topicMessages: batches.map(({ topic, messages }) => ({
              topic, messages: messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers ?? {} })),
            })),
          });
        } catch (error) {
          if (current === producer) {
            current = undefined;
            void producer.disconnect().catch(() => {});
          }
          throw asRecordRejection(error);
        }
      };
      return {
        send: (topic, messages) => sendBatch([{ topic, messages }]),
        sendBatch,
        close: async () => {
          await creating?.catch(() => {});
          await current?.disconnect();
        },
      };
    },
    async consumer({ groupId, topics, fromBeginning }) {
      let handlerFailed = false;
      const consumer: Consumer = kafka.consumer({
        groupId,
        allowAutoTopicCreation: false,
        // After a broker restart kafkajs rejoins as a new member and the group waits for the old
        // one's session to expire (default 30 s) before it assigns partitions again. 10 s, as in
        // the platformatic adapter. kafkajs heartbeats only between messages: a handler must
        // finish well within this, or the member is evicted and its message re-delivered.
        sessionTimeout: 10_000,
        heartbeatInterval: 1_000,
        // Transient Kafka errors are retried and the consumer restarts itself after a crash
        // (e.g. broker restart), but never after a handler failure: that one ends run().
        retry: { ...retry, restartOnFailure: async () => !handlerFailed },
      });
      await consumer.connect();
      try {
        await consumer.subscribe({ topics, fromBeginning });
      } catch (error) {
        await consumer.disconnect().catch(() => {});
        throw error;
      }
      let started = false;
      let settle: (outcome: { ok: true } | { ok: false; error: unknown }) => void = () => {};
      const adapter: KafkaConsumer = {
        run(handle) {
          if (started) return Promise.reject(new Error('KafkaConsumer.run() was already called'));
          started = true;
          return new Promise<void>((resolve, reject) => {
            let settled = false;
            settle = (outcome) => {
              if (settled) return;
              settled = true;
              removeCrash();
              if (outcome.ok) resolve();
              else reject(outcome.error);
            };
            // Only close() resolves run(). Not kafkajs's STOP event: kafkajs also stops (and emits
            // STOP) while it restarts after a crash, e.g. when the broker is restarted.
            // A crash kafkajs does not recover from by itself ends run() with its error.
            const removeCrash = consumer.on(consumer.events.CRASH, (event) => {
              if (!event.payload.restart) settle({ ok: false, error: event.payload.error });
            });
            consumer
              .run({
                autoCommit: false,
                eachMessage: async ({ topic, partition, message }) => {
                  if (handlerFailed) return;
                  try {
                    await handle({
                      topic,
                      partition,
                      offset: message.offset,
                      key: message.key?.toString() ?? null,
                      value: message.value?.toString() ?? null,
                      headers: toHeaders(message.headers as Record<string, unknown>),
                    });
                  } catch (error) {
                    // Stop without committing. Not rethrown: kafkajs would treat the error as
                    // retriable, re-deliver the message and restart the consumer after run()
                    // had already rejected. stop() sets the runner to not running at once, so
                    // no further message of the batch reaches the handler.
                    handlerFailed = true;
                    settle({ ok: false, error });
                    void consumer.stop().catch(() => {});
                    return;
                  }
                  await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
                },
              })
              .catch((error: unknown) => settle({ ok: false, error }));
          });
        },
        async close() {
          await consumer.disconnect();
          settle({ ok: true });
        },
      };
      return adapter;
    },
    async admin() {
      const admin = kafka.admin();
      // Connected on first use, so that describeCluster's timeout covers the connection too
      // (kafkajs's own connect retries take several seconds against a dead port).
      let connecting: Promise<void> | undefined;
      const connected = () =>
        (connecting ??= admin.connect().catch((error: unknown) => {
          connecting = undefined;
          throw error;
        }));
      return {
        async createTopics(specs) {
          await connected();
          await admin.createTopics({
            waitForLeaders: true,
            topics: specs.map((s) => ({ topic: s.topic, numPartitions: s.partitions, replicationFactor: 1 })),
          });
        },
        async describeCluster(timeoutMs) {
          const cluster = await withTimeout(
            connected().then(() => admin.describeCluster()),
            timeoutMs,
            'kafka describeCluster',
          );
          return { brokers: cluster.brokers.length, controllerId: cluster.controller };
        },
        async topicOffsets(topics) {
          await connected();
          const perTopic = await Promise.all(topics.map(async (topic) =>
            (await admin.fetchTopicOffsets(topic)).map((p) => ({ topic, partition: p.partition, start: BigInt(p.low), end: BigInt(p.high) }))));
          return perTopic.flat();
        },
        async groupOffsets(groupId) {
          await connected();
          const answer = await admin.fetchOffsets({ groupId });
          // kafkajs answers -1 for a partition the group never committed.
          return answer.flatMap((t) => t.partitions.filter((p) => Number(p.offset) >= 0)
            .map((p) => ({ topic: t.topic, partition: p.partition, offset: BigInt(p.offset) })));
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
