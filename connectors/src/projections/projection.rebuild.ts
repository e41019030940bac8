import { Prisma, type PrismaClient, type TransactionClient } from '@cpq/prisma';
import type { ConsumerLogger } from '../consumer/idempotent-consumer';
import type { KafkaClient } from '../kafka/kafka.port';
import { readKafkaPipeline } from '../observability/kafka-metrics';
import { consumerName, createProjector, type ProjectionDefinition } from './projection';

export type RebuildOptions = {
  prisma: PrismaClient;
  kafka: KafkaClient;
  topics?: string[];
  /** Consumer name prefix (default `projector`; tests use their own). */
  consumerPrefix?: string;
  logger?: ConsumerLogger;
  /** Give up (and leave the live generation as it is) when not caught up within this. */
  catchUpTimeoutMs?: number;
};

export type RebuildResult = { projection: string; generation: number; previous: number; rows: number; caughtUpMs: number };

/** Index name -> definition with the table name made neutral, to pair a table's indexes with its copy's. */
async function indexesOf(tx: TransactionClient, table: string): Promise<Map<string, string>> {
  const rows = await tx.$queryRaw<{ indexname: string; indexdef: string }[]>`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ${table}`;
  return new Map(rows.map((r) => [r.indexdef.replace(/ ON [^ ]+ USING /, ' ON t USING ').replace(/INDEX [^ ]+ ON/, 'INDEX i ON'), r.indexname]));
}

/**
 * Rebuilds a projection from offset zero (seed section 13, "replay projection from offset zero")
 * without stopping reads: a consumer of the next generation (a new Kafka group and inbox, so every
 * event is new to it) fills `<table>_next` copies until its lag on every topic is zero; then one
 * transaction locks the projection's state row (waiting for every live handler's transaction),
 * drops the live tables, renames the copies (and their indexes) into place and makes the new
 * generation live. Readers see the old tables or the new ones, never a half-built one. The
 * projector role's processes notice the new generation and continue its Kafka group.
 * One rebuild of a projection at a time (an aborted one is simply started again: its copies are
 * dropped first); different projections rebuild independently.
 */
export async function rebuildProjection(definition: ProjectionDefinition, options: RebuildOptions): Promise<RebuildResult> {
  const { prisma, kafka } = options;
  const started = Date.now();
  // Never reuse a generation an aborted rebuild may have started (its group has offsets).
  const [state] = await prisma.$queryRaw<{ previous: number; generation: number }[]>`
    UPDATE projection_state SET last_started = last_started + 1 WHERE projection = ${definition.name}
    RETURNING generation AS previous, last_started AS generation`;
  if (!state) throw new Error(`projection_state has no row for ${definition.name}`);
  const { previous, generation } = state;
  for (const table of definition.tables) {
    await prisma.$executeRaw`DROP TABLE IF EXISTS ${Prisma.raw(`${table}_next`)}`;
    await prisma.$executeRaw`CREATE TABLE ${Prisma.raw(`${table}_next`)} (LIKE ${Prisma.raw(table)} INCLUDING ALL)`;
  }

  const group = consumerName(definition.name, generation, options.consumerPrefix);
  const topics = options.topics ?? [...definition.topics];
  const projector = createProjector(definition, {
    prisma, kafka, generation, topics,
    ...(options.consumerPrefix ? { consumerPrefix: options.consumerPrefix } : {}), ...(options.logger ? { logger: options.logger } : {}),
  });
  const running = projector.run();
  const admin = await kafka.admin();
  try {
    const deadline = Date.now() + (options.catchUpTimeoutMs ?? 10 * 60_000);
    for (;;) {
      const reading = await readKafkaPipeline(admin, [group], [], topics);
      const ranges = await admin.topicOffsets(topics);
      const lag = reading.lag.get(group) ?? new Map<string, bigint>();
      const behind = [...lag.values()].reduce((a, b) => a + b, 0n);
      // Caught up when every topic that holds messages has commits of this group and no lag
      // (a topic it never committed on reads as consumed only once the group has started on it).
      const waiting = topics.filter((t) => ranges.some((r) => r.topic === t && r.end > r.start) && !lag.has(t));
      if (waiting.length === 0 && behind === 0n) break;
      if (Date.now() > deadline) {
        const committed = (await admin.groupOffsets(group)).filter((o) => topics.includes(o.topic)).map((o) => `${o.topic}/${o.partition}@${o.offset}`);
        const ends = ranges.map((r) => `${r.topic}/${r.partition}:${r.start}-${r.end}`);
        throw new Error(`rebuild of ${definition.name} generation ${generation} not caught up in time (${behind} messages behind; committed ${committed.join(' ')}; log ${ends.join(' ')}); the live generation ${previous} stays`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const caughtUpMs = Date.now() - started;

    await prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT generation FROM projection_state WHERE projection = ${definition.name} FOR UPDATE`;
      for (const table of definition.tables) {
        const names = await indexesOf(tx, table);
        const copies = await indexesOf(tx, `${table}_next`);
        await tx.$executeRaw`DROP TABLE ${Prisma.raw(table)}`;
        await tx.$executeRaw`ALTER TABLE ${Prisma.raw(`${table}_next`)} RENAME TO ${Prisma.raw(table)}`;
        // Keep the migration's index and key names, so the schema stays as migrated.
        for (const [definitionText, copy] of copies) {
          const original = names.get(definitionText);
          if (original && original !== copy) await tx.$executeRaw`ALTER INDEX ${Prisma.raw(`"${copy}"`)} RENAME TO ${Prisma.raw(`"${original}"`)}`;
        }
      }
      await tx.$executeRaw`UPDATE projection_state SET generation = ${generation}, rebuilt_at = now() WHERE projection = ${definition.name}`;
    });
    const [{ rows } = { rows: 0n }] = await prisma.$queryRaw<{ rows: bigint }[]>`SELECT count(*) AS rows FROM ${Prisma.raw(definition.tables[0]!)}`;
    return { projection: definition.name, generation, previous, rows: Number(rows), caughtUpMs };
  } finally {
    await admin.close().catch(() => {});
    await projector.stop();
    await running.catch(() => {});
  }
}
