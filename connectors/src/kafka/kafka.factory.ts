import { createKafkajsClient } from './kafkajs.adapter';
import type { KafkaClient, KafkaClientOptions } from './kafka.port';

export type KafkaClientName = 'kafkajs' | 'platformatic';

/** The adapter named by configuration; see docs/adr/0003-kafka-client.md for the default. */
export async function createKafkaClient(name: KafkaClientName, options: KafkaClientOptions): Promise<KafkaClient> {
  switch (name) {
    case 'kafkajs':
      return createKafkajsClient(options);
    case 'platformatic': {
      const { createPlatformaticClient } = await import('./platformatic.adapter');
      return createPlatformaticClient(options);
    }
    default:
      // KAFKA_CLIENT comes from the environment: an unknown value must not yield `undefined`.
      throw new Error(`unknown Kafka client "${String(name)}" (expected 'kafkajs' or 'platformatic')`);
  }
}
