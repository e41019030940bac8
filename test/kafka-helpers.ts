import { randomBytes } from 'node:crypto';
import { createKafkaClient, type KafkaClientName } from '@cpq/connectors/kafka/kafka.factory';
import type { IncomingMessage, KafkaClient } from '@cpq/connectors/kafka/kafka.port';
import { loadRelayConfig } from '@cpq/connectors/outbox-relay/relay.config';
import { testEnv } from './env';

export const uniqueName = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

export const testKafkaClientName = (process.env.TEST_KAFKA_CLIENT ?? 'kafkajs') as KafkaClientName;

export function testKafka(brokers = testEnv.kafkaBrokers, clientId = uniqueName('test')): Promise<KafkaClient> {
  return createKafkaClient(testKafkaClientName, { brokers, clientId });
}

/** The client the relay role runs with by default (relay.config.ts), unless TEST_KAFKA_CLIENT names one: for the relay's producer in its tests. */
export function relayTestKafka(brokers = testEnv.kafkaBrokers, clientId = uniqueName('test-relay')): Promise<KafkaClient> {
  const name = (process.env.TEST_KAFKA_CLIENT as KafkaClientName | undefined) ?? loadRelayConfig({}).kafkaClient;
  return createKafkaClient(name, { brokers, clientId });
}

export async function createTopics(kafka: KafkaClient, topics: string[], partitions = 3): Promise<void> {
  const admin = await kafka.admin();
  try {
    await admin.createTopics(topics.map((topic) => ({ topic, partitions })));
  } finally {
    await admin.close();
  }
}

/**
 * Reads a topic from the beginning in a fresh group until `until` says enough (or the
 * timeout passes), then returns everything received, for assertions.
 */
export async function collect(
  kafka: KafkaClient,
  topic: string,
  until: (messages: IncomingMessage[]) => boolean,
  timeoutMs = 20_000,
): Promise<IncomingMessage[]> {
  const consumer = await kafka.consumer({ groupId: uniqueName('collect'), topics: [topic], fromBeginning: true });
  const received: IncomingMessage[] = [];
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const timer = setTimeout(finish, timeoutMs);
  const running = consumer.run(async (message) => {
    received.push(message);
    if (until(received)) finish();
  });
  running.catch(() => finish());
  await done;
  clearTimeout(timer);
  await consumer.close();
  return received;
}

/** Waits until `check` passes or the time is up; returns its last result. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 15_000, stepMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result) return result;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}
