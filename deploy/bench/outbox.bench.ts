// Outbox lag (commit -> consumer) at a steady write rate, and backlog drain rate, against
// the real PostgreSQL and Kafka. Bounded: about 40 s, loopback traffic only.
import { randomUUID } from 'node:crypto';
import { createKafkaClient, type KafkaClientName } from '@cpq/connectors/kafka/kafka.factory';
import { createOutboxRelay } from '@cpq/connectors/outbox-relay/outbox-relay';
import { writeOutboxEvent, type NewEvent } from '@cpq/engine/modules/outbox';
import { createPrismaClient } from '@cpq/prisma';
import { createTestDatabase, prepareTemplate } from '@cpq/prisma/test-database';
import { percentile } from './machine';

const POSTGRES = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

export type OutboxFigures = {
  client: string; rate: number; seconds: number; events: number; pollMs: number;
  lagP50: number; lagP99: number; lagMax: number; backlog: number; drainSeconds: number; drainRate: number;
};

export async function benchOutbox(clientName: KafkaClientName, options = { rate: 200, seconds: 10, backlog: 20_000, pollMs: 50 }): Promise<OutboxFigures> {
  await prepareTemplate(POSTGRES);
  const db = await createTestDatabase(POSTGRES, 'bench_outbox');
  const prisma = createPrismaClient(db.url, { max: 8 });
  const kafka = await createKafkaClient(clientName, { brokers: BROKERS, clientId: 'bench-outbox' });
  const topic = `bench-outbox-${randomUUID().slice(0, 8)}`;
  const admin = await kafka.admin();
  await admin.createTopics([{ topic, partitions: 6 }]);
  await admin.close();

  const committedAt = new Map<string, number>();
  const lags: number[] = [];
  let received = 0;
  const consumer = await kafka.consumer({ groupId: `${topic}-g`, topics: [topic], fromBeginning: true });
  const consuming = consumer.run(async (message) => {
    received += 1;
    const id = message.headers['event-id'];
    const at = id ? committedAt.get(id) : undefined;
    if (at !== undefined) lags.push(performance.now() - at);
  });
  void consuming.catch(() => {});

  const producer = await kafka.producer();
  const relay = createOutboxRelay({ prisma, producer, pollIntervalMs: options.pollMs, batchSize: 500 });
  // Not a contract event (its own topic, a padded payload of a fixed size): typed as one on purpose.
  const event = (aggregateId: string, version: number) => ({
    eventType: 'BenchEvent', tenantId: 'bench', aggregateType: 'BENCH', aggregateId, aggregateVersion: version,
    correlationId: 'bench', causationId: 'bench-run', actor: { type: 'SYSTEM', id: 'bench' } as const, payload: { n: version, pad: 'x'.repeat(400) }, topic,
  }) as unknown as NewEvent;
  const write = (aggregateId: string, version: number) => prisma.$transaction((tx) => writeOutboxEvent(tx, event(aggregateId, version)));

  // Warm up: the consumer joins its group and the relay's first batch goes out.
  relay.start();
  await write('warmup', 1);
  while (received < 1) await new Promise((r) => setTimeout(r, 50));

  // Steady phase: `rate` single-event transactions per second.
  const total = options.rate * options.seconds;
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / options.rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const written = await write(`agg-${i % 50}`, i);
    committedAt.set(written.eventId, performance.now());
  }
  while (lags.length < total && performance.now() - started < (options.seconds + 20) * 1000) await new Promise((r) => setTimeout(r, 50));
  await relay.stop();

  // Backlog phase: the relay was down while `backlog` events were committed.
  const before = received;
  for (let i = 0; i < options.backlog; i += 500) {
    await prisma.$transaction(async (tx) => {
      for (let j = i; j < Math.min(i + 500, options.backlog); j++) await writeOutboxEvent(tx, event(`agg-${j % 50}`, j));
    }, { timeout: 60_000 });
  }
  const drainStart = performance.now();
  relay.start();
  while (received - before < options.backlog && performance.now() - drainStart < 120_000) await new Promise((r) => setTimeout(r, 20));
  const drainSeconds = (performance.now() - drainStart) / 1000;
  await relay.stop();

  await consumer.close();
  await producer.close();
  await prisma.$disconnect();
  await db.drop();

  const sorted = [...lags].sort((a, b) => a - b);
  return {
    client: clientName, rate: options.rate, seconds: options.seconds, events: lags.length, pollMs: options.pollMs,
    lagP50: percentile(sorted, 50), lagP99: percentile(sorted, 99), lagMax: sorted[sorted.length - 1] ?? NaN,
    backlog: received - before, drainSeconds, drainRate: (received - before) / drainSeconds,
  };
}
