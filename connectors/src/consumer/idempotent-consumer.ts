import { checkEnvelope, type EventEnvelope } from '@cpq/contracts/event-envelope';
import { deadLetterTopicFor } from '@cpq/contracts/topics';
import type { PrismaClient, TransactionClient } from '@cpq/prisma';
import type { IncomingMessage, KafkaClient, KafkaConsumer, KafkaProducer } from '../kafka/kafka.port';

export type EventHandler = (event: EventEnvelope, tx: TransactionClient) => Promise<void>;
export type ConsumerLogger = { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };

export type IdempotentConsumerOptions = {
  /** Consumer name: the Kafka group id and the inbox's consumer column. */
  name: string;
  topics: string[];
  prisma: PrismaClient;
  kafka: KafkaClient;
  handler: EventHandler;
  /** Attempts (counted across restarts) before an event goes to the dead-letter topic. */
  maxAttempts?: number;
  backoff?: { initialMs: number; factor: number; maxMs: number };
  deadLetterTopic?: (topic: string) => string;
  fromBeginning?: boolean;
  logger?: ConsumerLogger;
};


type Outcome = 'applied' | 'duplicate' | 'dead-lettered';

/**
 * Runs `handler` at most once per (consumer, eventId): the inbox row is inserted in the same
 * transaction as the handler's effect, so a redelivered event finds it and has no second
 * effect, and a failed handler leaves no inbox row behind. Failures are counted in
 * consumer_failure; after `maxAttempts` the event goes to the dead-letter topic with its
 * reason and the consumer moves on. A message that is not a valid envelope can never
 * succeed and is dead-lettered at once.
 */
export function createIdempotentConsumer(options: IdempotentConsumerOptions) {
  const { name, prisma, handler } = options;
  const maxAttempts = options.maxAttempts ?? 5;
  const backoff = options.backoff ?? { initialMs: 200, factor: 2, maxMs: 10_000 };
  const dlqTopic = options.deadLetterTopic ?? deadLetterTopicFor;
  const logger = options.logger;

  let producer: KafkaProducer | undefined;
  let consumer: KafkaConsumer | undefined;
  let stopped = false;

  async function deadLetter(message: IncomingMessage, reason: string, attempts: number): Promise<void> {
    producer ??= await options.kafka.producer();
    await producer.send(dlqTopic(message.topic), [
      {
        key: message.key ?? '',
        value: message.value ?? '',
        headers: {
          ...message.headers,
          'dlq-reason': reason.slice(0, 4000),
          'dlq-consumer': name,
          'dlq-attempts': String(attempts),
          'dlq-original-topic': message.topic,
          'dlq-original-partition': String(message.partition),
          'dlq-original-offset': message.offset,
          'dlq-at': new Date().toISOString(),
        },
      },
    ]);
    logger?.warn({ consumer: name, topic: message.topic, offset: message.offset, reason }, 'event dead-lettered');
  }

  async function applyOnce(event: EventEnvelope): Promise<'applied' | 'duplicate'> {
    return prisma.$transaction(async (tx) => {
      const inserted = await tx.$executeRaw`
        INSERT INTO inbox_message (consumer, event_id, event_type)
        VALUES (${name}, ${event.eventId}::uuid, ${event.eventType})
        ON CONFLICT (consumer, event_id) DO NOTHING`;
      if (inserted === 0) return 'duplicate';
      await handler(event, tx);
      return 'applied';
    });
  }

  async function recordFailure(event: EventEnvelope, error: unknown): Promise<number> {
    const message = error instanceof Error ? error.message : String(error);
    const rows = await prisma.$queryRaw<{ attempts: number }[]>`
      INSERT INTO consumer_failure (consumer, event_id, attempts, last_error, updated_at)
      VALUES (${name}, ${event.eventId}::uuid, 1, ${message}, now())
      ON CONFLICT (consumer, event_id)
      DO UPDATE SET attempts = consumer_failure.attempts + 1, last_error = EXCLUDED.last_error, updated_at = now()
      RETURNING attempts`;
    return rows[0]?.attempts ?? 1;
  }

  async function process(message: IncomingMessage): Promise<Outcome> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(message.value ?? '');
    } catch (error) {
      await deadLetter(message, `not JSON: ${(error as Error).message}`, 0);
      return 'dead-lettered';
    }
    const check = checkEnvelope(parsed);
    if (!check.ok) {
      await deadLetter(message, `not a valid event envelope: ${check.errors.join('; ')}`, 0);
      return 'dead-lettered';
    }
    const event = check.envelope;
    for (;;) {
      try {
        return await applyOnce(event);
      } catch (error) {
        const attempts = await recordFailure(event, error);
        if (attempts >= maxAttempts) {
          await deadLetter(message, `handler failed ${attempts} times: ${(error as Error).message}`, attempts);
          await prisma.$executeRaw`
            UPDATE consumer_failure SET dead_lettered_at = now()
             WHERE consumer = ${name} AND event_id = ${event.eventId}::uuid`;
          return 'dead-lettered';
        }
        if (stopped) throw error; // leave it uncommitted for whoever consumes next
        const delay = Math.min(backoff.initialMs * backoff.factor ** (attempts - 1), backoff.maxMs);
        logger?.warn({ consumer: name, eventId: event.eventId, attempts, delayMs: delay, err: (error as Error).message }, 'event handler failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  return {
    process,
    /** Joins the group and consumes until `stop()`; resolves when consumption ends. */
    async run(): Promise<void> {
      consumer = await options.kafka.consumer({ groupId: name, topics: options.topics, fromBeginning: options.fromBeginning ?? true });
      await consumer.run(async (message) => {
        await process(message);
      });
    },
    async stop(): Promise<void> {
      stopped = true;
      await consumer?.close();
      await producer?.close();
    },
  };
}

export type IdempotentConsumer = ReturnType<typeof createIdempotentConsumer>;
