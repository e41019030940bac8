import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { topicFor } from '@cpq/contracts/topics';
import type { KafkaClient, KafkaConsumer } from '@cpq/connectors/kafka/kafka.port';
import type { CurrentReleasePointer, ReleaseHeader } from './release-store';

/**
 * Every engine instance follows MetadataReleasePublished in its own consumer group (each
 * instance must see every event), moving its current-release pointer forward. The effect is
 * in memory and monotonic, so a redelivered or old event changes nothing; no inbox needed.
 */
export async function startReleaseFeed(kafka: KafkaClient, pointer: CurrentReleasePointer, log: { warn(o: object, m: string): void }): Promise<KafkaConsumer> {
  const consumer = await kafka.consumer({
    groupId: `engine-release-pointer-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
    topics: [topicFor('RELEASE')],
    fromBeginning: false,
  });
  void consumer
    .run(async (message) => {
      try {
        const event = JSON.parse(message.value ?? '{}') as { eventType?: string; payload?: ReleaseHeader };
        if (event.eventType === 'MetadataReleasePublished' && event.payload?.tenantId) pointer.advance(event.payload);
      } catch (error) {
        log.warn({ err: (error as Error).message, offset: message.offset }, 'unreadable release event ignored');
      }
    })
    .catch((error: Error) => log.warn({ err: error.message }, 'release feed stopped'));
  return consumer;
}
