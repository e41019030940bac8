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
  /**
   * Runs after the handler's transaction committed, for work that must not run inside it (a
   * remote call, ADR 0013). Not retried and never undoes the commit: it must be finished by a
   * reconciler when it fails.
   */
  onApplied?: (event: EventEnvelope) => Promise<void>;
};


export type Outcome = 'applied' | 'duplicate' | 'stale' | 'dead-lettered';

/**
 * Runs `handler` at most once per (consumer, eventId): the inbox row is inserted in the same
 * transaction as the handler's effect, so a redelivered event finds it and has no second
 * effect, and a failed handler leaves no inbox row behind. An event whose aggregateVersion is
 * not newer than the last one this consumer applied for its aggregate (consumer_position) is
 * stale: an out-of-order or replayed older fact. It is recorded in the inbox as 'stale' (so it
 * is not retried) and logged, and the handler does not run. Writers give every event of an
 * aggregate its own, increasing version, so an equal version is a stale one too. Failures are counted in
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

  async function applyOnce(event: EventEnvelope): Promise<'applied' | 'duplicate' | 'stale'> {
    return prisma.$transaction(async (tx) => {
      const inserted = await tx.$executeRaw`
        INSERT INTO inbox_message (consumer, event_id, event_type)
        VALUES (${name}, ${event.eventId}::uuid, ${event.eventType})
        ON CONFLICT (consumer, event_id) DO NOTHING`;
      if (inserted === 0) return 'duplicate';
      // Moves the position forward, or leaves it (and locks it, so two deliveries of one
      // aggregate cannot both pass): 0 rows means the event is not newer than the position.
      const advanced = await tx.$executeRaw`
        INSERT INTO consumer_position (consumer, aggregate_type, aggregate_id, aggregate_version, event_id)
        VALUES (${name}, ${event.aggregateType}, ${event.aggregateId}, ${event.aggregateVersion}, ${event.eventId}::uuid)
        ON CONFLICT (consumer, aggregate_type, aggregate_id) DO UPDATE
          SET aggregate_version = EXCLUDED.aggregate_version, event_id = EXCLUDED.event_id, updated_at = now()
          WHERE consumer_position.aggregate_version < EXCLUDED.aggregate_version`;
      if (advanced === 0) {
        await tx.$executeRaw`UPDATE inbox_message SET outcome = 'stale' WHERE consumer = ${name} AND event_id = ${event.eventId}::uuid`;
        const [position] = await tx.$queryRaw<{ aggregate_version: bigint; event_id: string }[]>`
          SELECT aggregate_version, event_id::text FROM consumer_position
           WHERE consumer = ${name} AND aggregate_type = ${event.aggregateType} AND aggregate_id = ${event.aggregateId}`;
        const applied = Number(position?.aggregate_version);
        logger?.warn({
          consumer: name, eventId: event.eventId, eventType: event.eventType, aggregateType: event.aggregateType,
          aggregateId: event.aggregateId, aggregateVersion: event.aggregateVersion, appliedVersion: applied, appliedEventId: position?.event_id,
        }, applied === event.aggregateVersion
          ? 'stale event ignored: another event of this aggregate version was applied already'
          : 'stale event ignored: a newer version of its aggregate was applied already');
        return 'stale';
      }
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
      let outcome: 'applied' | 'duplicate' | 'stale';
      try {
        outcome = await applyOnce(event);
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
        continue;
      }
      if (outcome === 'applied' && options.onApplied) {
        await options.onApplied(event).catch((error: unknown) =>
          logger?.warn({ consumer: name, eventId: event.eventId, err: (error as Error).message }, 'after-commit work failed; its reconciler finishes it'));
      }
      return outcome;
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
