/**
 * Kafka topic names are part of the contract (see contracts/asyncapi). One topic per
 * aggregate type, keyed by aggregate id; each has a dead-letter twin.
 */
export const AGGREGATE_TYPES = ['TENANT', 'RELEASE', 'QUOTE', 'APPROVAL', 'ORDER'] as const;
export type AggregateType = (typeof AGGREGATE_TYPES)[number];

export function topicFor(aggregateType: string): string {
  return `cpq.${aggregateType.toLowerCase().replace(/_/g, '-')}.events`;
}

export const deadLetterTopicFor = (topic: string) => `${topic}.dlq`;

/** Every topic the platform publishes to, with its partition count. */
export const PLATFORM_TOPICS = AGGREGATE_TYPES.flatMap((type) => [
  { topic: topicFor(type), partitions: 6 },
  { topic: deadLetterTopicFor(topicFor(type)), partitions: 1 },
]);
