import { Admin, Consumer, ProduceAcks, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import type { KafkaClient, KafkaClientOptions, KafkaConsumer, KafkaProducer, TopicMessages } from './kafka.port';
import { asRecordRejection } from './record-rejection';

/**
 * @platformatic/kafka 1.x (1.x: Node >= 20.19, Kafka 3.5-4.1; 2.x needs Node 22).
 * Contract: connectors/src/kafka/kafka-client.int.test.ts; findings: docs/adr/0003-kafka-client.md.
 */
export function createPlatformaticClient(options: KafkaClientOptions): KafkaClient {
  const base = {
    clientId: options.clientId,
    bootstrapBrokers: options.brokers,
    // Same budget as the kafkajs adapter: 200 ms doubling, 5 retries (~6 s) before a failure.
    retries: 5,
    retryDelay: (_client: unknown, _operation: string, attempt: number) => Math.min(200 * 2 ** (attempt - 1), 3_200),
  };
  return {
    name: 'platformatic',
    async producer() {
      return createProducer(() =>
        new Producer({ ...base, serializers: stringSerializers, idempotent: true, acks: ProduceAcks.ALL, autocreateTopics: false }),
      );
    },
    async consumer({ groupId, topics, fromBeginning }) {
      // Fewer retries than the producer's: after a broker restart, fetches on the old stream can
      // keep failing although the broker is back (seen: ~6 s of retries, then failure), while a
      // new stream works at once. The run loop below opens a new stream after a failure.
      const consumer = new Consumer({ ...base, retries: 2, groupId, deserializers: stringDeserializers, autocommit: false });
      const consumeOptions = {
        topics,
        mode: 'committed' as const,
        fallbackMode: fromBeginning ? ('earliest' as const) : ('latest' as const),
        autocommit: false,
        sessionTimeout: 10_000,
        heartbeatInterval: 500,
      };
      let closing = false;
      let running: Promise<void> | undefined;
      let failures = 0; // consecutive stream failures without a handled message
      const open = async () => {
        const opened = await consumer.consume(consumeOptions);
        // A stream error while no iteration listens (before run(), between two streams) would
        // otherwise be an uncaught 'error' event; the iteration still sees the error.
        opened.on('error', () => {});
        return opened;
      };
      let stream: Awaited<ReturnType<typeof open>>;
      try {
        stream = await open();
      } catch (error) {
        await Promise.resolve(consumer.close(true)).catch(() => {});
        throw error;
      }
      // The client emits 'error' when it cannot rejoin the group (e.g. broker down longer than
      // its retries): without a listener that is an uncaught exception. Treat it like a stream
      // failure: consume again.
      consumer.on('error', (error: Error) => {
        if (!closing) stream.destroy(error);
      });
      // Kafka unreachable or group lost: join again and resume from the committed offsets
      // (at least once), until close(). kafkajs does the same by restarting its consumer.
      const reopen = async () => {
        while (!closing) {
          failures++;
          await sleep(Math.min(250 * failures, 1_000));
          if (closing) return;
          try {
            stream = await open();
            return;
          } catch {
            // broker still unavailable: try again
          }
        }
      };
      const adapter: KafkaConsumer = {
        run(handle) {
          if (running) return Promise.reject(new Error('KafkaConsumer.run() was already called'));
          running = (async () => {
            while (!closing) {
              try {
                // One message at a time: the offset is committed only after its handler resolved.
                for await (const message of stream) {
                  if (closing) return;
                  const headers: Record<string, string> = {};
                  for (const [key, value] of message.headers) headers[String(key)] = String(value);
                  try {
                    await handle({
                      topic: message.topic,
                      partition: message.partition,
                      offset: message.offset.toString(),
                      key: message.key ?? null,
                      value: message.value ?? null,
                      headers,
                    });
                  } catch (error) {
                    throw new HandlerFailure(error);
                  }
                  await message.commit();
                  failures = 0;
                  // The stream buffers prefetched messages: stop at once when closing.
                  if (closing) return;
                }
                return; // the stream ended: closed
              } catch (error) {
                // Leaving the loop destroyed the stream: no more fetches.
                if (error instanceof HandlerFailure) throw error.error;
                if (closing) return;
                await reopen();
              }
            }
          })();
          return running;
        },
        async close() {
          // Let the handler in flight finish and its offset be committed, then leave the group.
          closing = true;
          const current = stream;
          const closed = current.close().catch(() => {});
          await running?.catch(() => {});
          await closed;
          if (stream !== current) await stream.close().catch(() => {});
          await consumer.close(true);
        },
      };
      return adapter;
    },
    async admin() {
      const admin = new Admin(base);
      return {
        async createTopics(specs) {
          for (const spec of specs) {
            try {
              await admin.createTopics({ topics: [spec.topic], partitions: spec.partitions, replicas: 1 });
            } catch (error) {
              // Same contract as kafkajs: creating an existing topic is not an error.
              if (!/already exists/i.test(JSON.stringify((error as { errors?: unknown }).errors ?? (error as Error).message))) throw error;
            }
          }
        },
        async describeCluster(timeoutMs) {
          const metadata = await withTimeout(admin.metadata({ topics: [], forceUpdate: true }), timeoutMs, 'kafka metadata');
          return { brokers: metadata.brokers.size, controllerId: metadata.controllerId };
        },
        async topicOffsets(topics) {
          if (topics.length === 0) return [];
          const metadata = await admin.metadata({ topics, forceUpdate: true });
          // ListOffsets with timestamp -2 answers the earliest offset, -1 the latest.
          const at = async (timestamp: bigint) => admin.listOffsets({
            topics: topics.map((name) => ({
              name, partitions: Array.from({ length: metadata.topics.get(name)?.partitionsCount ?? 0 }, (_, partitionIndex) => ({ partitionIndex, timestamp })),
            })),
          });
          const [earliest, latest] = await Promise.all([at(-2n), at(-1n)]);
          const start = new Map(earliest.flatMap((t) => t.partitions.map((p) => [`${t.name}/${p.partitionIndex}`, p.offset] as const)));
          return latest.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, start: start.get(`${t.name}/${p.partitionIndex}`) ?? 0n, end: p.offset })));
        },
        async groupOffsets(groupId) {
          const [group] = await admin.listConsumerGroupOffsets({ groups: [groupId] });
          return (group?.topics ?? []).flatMap((t) => t.partitions.filter((p) => p.committedOffset >= 0n)
            .map((p) => ({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset })));
        },
        close: () => admin.close(),
      };
    },
  };
}

/**
 * Two defects of the idempotent producer of @platformatic/kafka 1.35.0, found by the contract
 * test, are worked around here:
 * - a partition's sequence number is read when a request is built and advanced only when its
 *   response arrives, so concurrent send() calls to one partition carry the same sequence and the
 *   broker acknowledges all but the first as duplicates: acknowledged, never written
 *   (upstream platformatic/kafka#326). Sends are therefore serialised, in call order.
 * - after a failed send (broker down, connection lost mid-request) the local sequences no longer
 *   match the broker's and every later send fails with OUT_OF_ORDER_SEQUENCE_NUMBER, for good
 *   (upstream platformatic/kafka#309). The producer is therefore replaced after any failure: a
 *   new producer id restarts the sequences.
 */
function createProducer(create: () => Producer<string, string, string, string>): KafkaProducer {
  let current = create();
  let queue: Promise<unknown> = Promise.resolve();
  const sendNow = async (batches: TopicMessages[]) => {
    const producer = current;
    try {
      // One call, every topic: the client builds one produce request per broker.
      await producer.send({
        messages: batches.flatMap(({ topic, messages }) =>
          messages.map((m) => ({ topic, key: m.key, value: m.value, headers: new Map(Object.entries(m.headers ?? {})) }))),
      });
    } catch (error) {
      if (current === producer) current = create();
      void producer.close().catch(() => {});
      throw asRecordRejection(error);
    }
  };
  const sendBatch = (batches: TopicMessages[]) => {
    const result = queue.then(() => sendNow(batches));
    queue = result.catch(() => {});
    return result;
  };
  return {
    send: (topic, messages) => sendBatch([{ topic, messages }]),
    sendBatch,
    async close() {
      await queue;
      await current.close();
    },
  };
}

class HandlerFailure {
  constructor(readonly error: unknown) {}
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
