/**
 * The only surface of Kafka the platform uses. Adapters (kafkajs, @platformatic/kafka)
 * implement it, so the client can be swapped without touching the relay or consumers
 * (docs/adr/0003-kafka-client.md).
 */
export type Headers = Record<string, string>;

export type OutgoingMessage = { key: string; value: string; headers?: Headers };

export type IncomingMessage = {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Headers;
};

export type TopicMessages = { topic: string; messages: OutgoingMessage[] };

export type KafkaProducer = {
  /** Sends in order; resolves once every message is acknowledged by the broker (acks=all). */
  send(topic: string, messages: OutgoingMessage[]): Promise<void>;
  /**
   * Messages of several topics in one produce request per broker (one round trip on a single
   * broker), each topic's messages in the order given. Optional: a producer without it is
   * driven topic by topic through `send` (test doubles, older adapters).
   */
  sendBatch?(batches: TopicMessages[]): Promise<void>;
  close(): Promise<void>;
};

/**
 * The broker refused the messages themselves (too large, invalid record): sending the same
 * messages again cannot succeed, unlike a broker that is down or a leader that moved. Adapters
 * throw it so the relay can isolate the message that caused it instead of retrying the batch.
 */
export class MessageRejectedError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'MessageRejectedError';
  }
}

export type ConsumerOptions = {
  groupId: string;
  topics: string[];
  /** Where a group without committed offsets starts. */
  fromBeginning: boolean;
};

/**
 * `handle` runs one message at a time per partition; the offset is committed only after it
 * resolves. If it throws, the consumer stops with that error (nothing is skipped silently);
 * retry and dead-lettering are the caller's policy (see consumer/idempotent-consumer.ts).
 */
export type KafkaConsumer = {
  run(handle: (message: IncomingMessage) => Promise<void>): Promise<void>;
  close(): Promise<void>;
};

export type TopicSpec = { topic: string; partitions: number };
export type PartitionRange = { topic: string; partition: number; start: bigint; end: bigint };
export type CommittedOffset = { topic: string; partition: number; offset: bigint };

export type KafkaAdmin = {
  createTopics(topics: TopicSpec[]): Promise<void>;
  /** Fetches cluster metadata; throws when no broker answers within `timeoutMs`. */
  describeCluster(timeoutMs: number): Promise<{ brokers: number; controllerId: number | null }>;
  /** Per partition, the first offset still held and the next offset to be written (end - start = messages held). */
  topicOffsets(topics: string[]): Promise<PartitionRange[]>;
  /** The offsets a consumer group committed, on every topic it committed on (none: empty). */
  groupOffsets(groupId: string): Promise<CommittedOffset[]>;
  close(): Promise<void>;
};

export type KafkaClient = {
  readonly name: string;
  producer(): Promise<KafkaProducer>;
  consumer(options: ConsumerOptions): Promise<KafkaConsumer>;
  admin(): Promise<KafkaAdmin>;
};

/** Where an adapter reports what it recovers from on its own (a role passes its structured logger). */
export type KafkaClientLogger = { warn(obj: object, msg: string): void };

export type KafkaClientOptions = { brokers: string[]; clientId: string; logger?: KafkaClientLogger };
