import { Admin, Consumer, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { withTimeout } from './kafkajs.adapter';
import type { KafkaClient, KafkaClientOptions } from './kafka.port';

/** @platformatic/kafka 1.x: pure JS, maintained; 1.x supports Node 20 and Kafka 3.5-4.1. */
export function createPlatformaticClient(options: KafkaClientOptions): KafkaClient {
  const base = { clientId: options.clientId, bootstrapBrokers: options.brokers, retries: 5, retryDelay: 200 };
  return {
    name: 'platformatic',
    async producer() {
      const producer = new Producer({ ...base, serializers: stringSerializers, idempotent: true, acks: -1, autocreateTopics: false });
      return {
        async send(topic, messages) {
          await producer.send({
            messages: messages.map((m) => ({ topic, key: m.key, value: m.value, headers: new Map(Object.entries(m.headers ?? {})) })),
          });
        },
        close: () => producer.close(),
      };
    },
    async consumer({ groupId, topics, fromBeginning }) {
      const consumer = new Consumer({ ...base, groupId, deserializers: stringDeserializers, autocommit: false });
      const stream = await consumer.consume({
        topics,
        mode: 'committed',
        fallbackMode: fromBeginning ? 'earliest' : 'latest',
        autocommit: false,
        sessionTimeout: 10_000,
        heartbeatInterval: 500,
      });
      return {
        async run(handle) {
          // One message at a time: the offset is committed only after its handler resolved.
          for await (const message of stream) {
            const headers: Record<string, string> = {};
            for (const [key, value] of message.headers) headers[String(key)] = String(value);
            await handle({
              topic: message.topic,
              partition: message.partition,
              offset: message.offset.toString(),
              key: message.key ?? null,
              value: message.value ?? null,
              headers,
            });
            await message.commit();
          }
        },
        async close() {
          await stream.close().catch(() => {});
          await consumer.close(true);
        },
      };
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
        close: () => admin.close(),
      };
    },
  };
}
