import { Admin, compatibilityPartitioner, Consumer, ProduceAcks, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import type { KafkaClient, KafkaClientOptions, KafkaConsumer, KafkaProducer, TopicMessages } from './kafka.port';
import { asRecordRejection } from './record-rejection';

/**
 * @platformatic/kafka 2.x (Node >= 22.22 or >= 24.6; the project runs Node 24).
 * Contract: connectors/src/kafka/kafka-client.int.test.ts; findings: docs/adr/0003-kafka-client.md
 * and its 2026-12-04 addendum.
 */
export type PlatformaticAdapterLogger = { warn(obj: object, msg: string): void };

export type PlatformaticClientOptions = KafkaClientOptions & {
  /** Where the adapter reports what it recovers from (close failures, failed rejoins); default: console.warn. */
  logger?: PlatformaticAdapterLogger;
  /** How long a consumer client's close may take before its connections are torn down (default 5 s). */
  consumerCloseTimeoutMs?: number;
};

const consoleLogger: PlatformaticAdapterLogger = {
  warn: (obj, msg) => console.warn(`[kafka platformatic] ${msg} ${JSON.stringify(obj)}`),
};

export function createPlatformaticClient(options: PlatformaticClientOptions): KafkaClient {
  const logger = options.logger ?? consoleLogger;
  const closeTimeoutMs = options.consumerCloseTimeoutMs ?? 5_000;
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
      return createProducer(
        // Java's (and kafkajs's) key -> partition mapping: the client's default (murmur2 >>> 0) puts
        // about half the keys elsewhere, and an aggregate whose events two clients publish (a
        // rolling deploy, a role on the other client) would lose its order across partitions.
        new Producer({ ...base, serializers: stringSerializers, idempotent: true, acks: ProduceAcks.ALL, autocreateTopics: false, partitioner: compatibilityPartitioner }),
      );
    },
    async consumer({ groupId, topics, fromBeginning }) {
      // Fewer retries than the producer's: after a broker restart, fetches on the old stream can
      // keep failing although the broker is back (seen: ~6 s of retries, then failure), while a
      // new stream works at once. The run loop below opens a new stream after a failure.
      let closing = false;
      let clients = 0; // consumer clients created so far: names them in the logs
      const createConsumer = () => {
        const created = new Consumer({ ...base, retries: 2, groupId, deserializers: stringDeserializers, autocommit: false });
        clientNumbers.set(created, ++clients);
        // The client emits 'error' when it cannot rejoin the group (e.g. broker down longer than
        // its retries): without a listener that is an uncaught exception. Treat it like a stream
        // failure: consume again.
        created.on('error', (error: Error) => {
          if (!closing && created === consumer) stream?.destroy(error);
        });
        return created;
      };
      const clientNumbers = new WeakMap<ConsumerClient, number>();
      let consumer = createConsumer();
      // Clients being closed in the background (replaced after a failure); close() waits for them.
      const retiring = new Set<Promise<void>>();
      const retire = (client: ConsumerClient, reason: string) => {
        const done = closeConsumerClient(client, closeTimeoutMs, logger, { groupId, client: clientNumbers.get(client), reason });
        retiring.add(done);
        void done.finally(() => retiring.delete(done));
      };
      const consumeOptions = {
        topics,
        mode: 'committed' as const,
        fallbackMode: fromBeginning ? ('earliest' as const) : ('latest' as const),
        autocommit: false,
        sessionTimeout: 10_000,
        heartbeatInterval: 500,
      };
      let running: Promise<void> | undefined;
      let failures = 0; // consecutive stream failures without a handled message
      const open = async () => {
        const opened = await consumer.consume(consumeOptions);
        // A stream error while no iteration listens (before run(), between two streams) would
        // otherwise be an uncaught 'error' event; the iteration still sees the error.
        opened.on('error', () => {});
        return opened;
      };
      let stream: Awaited<ReturnType<typeof open>> | undefined;
      try {
        stream = await open();
      } catch (error) {
        await closeConsumerClient(consumer, closeTimeoutMs, logger, { groupId, client: clientNumbers.get(consumer), reason: 'first open failed' });
        throw error;
      }
      // Kafka unreachable or group lost: join again and resume from the committed offsets
      // (at least once), until close(). kafkajs does the same by restarting its consumer.
      // With a new client: after a broker restart, 2.12.1's client can keep a group request
      // (FindCoordinator) that never settles, and every later commit of that client waits behind
      // it (seen in the contract suite's restart test: no message handled for 60 s after the
      // broker was back). A new client joins as a new member; the old one leaves, or its session
      // (10 s) expires. Every attempt gets a new client too: one created while the broker is down
      // can end in the same state. A replaced client's close is bounded (closeConsumerClient): it
      // can wait on that same request, or fail without closing its connections.
      const reopen = async (cause: unknown) => {
        retire(consumer, `stream failed: ${errorText(cause)}`);
        while (!closing) {
          failures++;
          await sleep(Math.min(250 * failures, 1_000));
          if (closing) return;
          consumer = createConsumer();
          try {
            stream = await open();
            return;
          } catch (error) {
            // broker still unavailable: try again, on a new client
            logger.warn({ groupId, client: clientNumbers.get(consumer), attempt: failures, err: errorText(error) }, 'Kafka consumer could not rejoin; retrying on a new client');
            if (!closing) retire(consumer, 'open failed');
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
                for await (const message of stream!) {
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
                await reopen(error);
              }
            }
          })();
          return running;
        },
        async close() {
          // Let the handler in flight finish and its offset be committed, then leave the group.
          closing = true;
          const current = stream!;
          const closed = current.close().catch(() => {});
          await running?.catch(() => {});
          await closed;
          if (stream !== current) await stream!.close().catch(() => {});
          await closeConsumerClient(consumer, closeTimeoutMs, logger, { groupId, client: clientNumbers.get(consumer), reason: 'consumer closed' });
          await Promise.all(retiring);
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
 * The idempotent producer, one send() at a time in call order. @platformatic/kafka 1.x needed two
 * workarounds here for data loss; 2.x fixed both (2.3.0, upstream platformatic/kafka#310) and the
 * contract suite passes on 2.12.1 without them (ADR 0003 addendum 2026-12-04):
 * - concurrent sends to one partition no longer share a sequence number (1.x: acknowledged,
 *   never written, platformatic/kafka#326): 2.x reserves the sequences when it builds a request;
 * - a failed send no longer leaves the sequences out of step for good (platformatic/kafka#309):
 *   2.x starts a new producer id after it. The adapter no longer replaces the producer.
 * The serialisation stays for another reason: with concurrent sends during a broker outage, sends
 * made after the broker was back failed too (4 of 20 in the restart test; the errors name
 * initProducerId and metadata failing 6 times, requests begun while it was down). Queued, they
 * resolve once it is back (0 of 20).
 * The relay sends one batch at a time anyway; batch with sendBatch for throughput.
 */
function createProducer(producer: Producer<string, string, string, string>): KafkaProducer {
  let queue: Promise<unknown> = Promise.resolve();
  const sendNow = async (batches: TopicMessages[]) => {
    try {
      // One call, every topic: the client builds one produce request per broker.
      await producer.send({
        messages: batches.flatMap(({ topic, messages }) =>
          messages.map((m) => ({ topic, key: m.key, value: m.value, headers: new Map(Object.entries(m.headers ?? {})) }))),
      });
    } catch (error) {
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
      await producer.close();
    },
  };
}

type ConsumerClient = Pick<Consumer<string, string, string, string>, 'close' | 'connections'>;

/**
 * Closes a consumer client within `timeoutMs`, never silently. In 2.12.1 `Consumer.close` leaves
 * the group first and closes its connections only if that worked (or failed with unknown member or
 * a retryable network error): another LeaveGroup failure skips the socket teardown, and a group
 * request that never settles (the failure the consumer's reopen works around) keeps close from
 * settling at all. Either way the failure is logged and the client's connections are closed
 * directly, also within `timeoutMs`; the broker ends the membership when the session expires.
 * Resolves in every case.
 */
export async function closeConsumerClient(
  client: ConsumerClient,
  timeoutMs: number,
  logger: PlatformaticAdapterLogger,
  context: Record<string, unknown>,
): Promise<void> {
  try {
    await withTimeout(Promise.resolve().then(() => client.close(true)), timeoutMs, 'Kafka consumer close');
    return;
  } catch (error) {
    logger.warn({ ...context, err: errorText(error) }, 'Kafka consumer client did not close; closing its connections');
  }
  try {
    await withTimeout(Promise.resolve().then(() => client.connections.close()), timeoutMs, 'closing the connections of a Kafka consumer');
  } catch (error) {
    logger.warn({ ...context, err: errorText(error) }, 'Kafka consumer client: its connections did not close either');
  }
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

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
