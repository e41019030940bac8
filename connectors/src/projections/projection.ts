import type { EventEnvelope } from '@cpq/contracts/event-envelope';
import { Prisma, type PrismaClient, type TransactionClient } from '@cpq/prisma';
import { createIdempotentConsumer, type ConsumerLogger } from '../consumer/idempotent-consumer';
import type { KafkaClient } from '../kafka/kafka.port';

/** The live tables, or the `_next` copies a rebuild fills before the swap. */
export type Target = 'live' | 'next';

/**
 * One read model of the projector role (ADR 0020): the topics it folds, the tables it owns (each
 * rebuilt as `<table>_next` and swapped in), and how one event changes them. `apply` runs in the
 * idempotent consumer's transaction, after the inbox and the per-aggregate position accepted the
 * event, and must be deterministic: replaying the same events in order gives the same rows.
 */
export type ProjectionDefinition = {
  /** Its row in projection_state and the middle of its consumer names. */
  name: string;
  topics: readonly string[];
  /** Live table names; the first one's row count is what a rebuild reports. */
  tables: readonly string[];
  apply(event: EventEnvelope, tx: TransactionClient, target: Target): Promise<void>;
};

/** The table a handler writes: the live one, or the copy a rebuild fills. */
export const tableOf = (table: string, target: Target) => Prisma.raw(target === 'live' ? table : `${table}_next`);

/**
 * The consumer (Kafka group and inbox name) of one generation of a projection. The platform's
 * projector uses the prefix `projector`; tests use one of their own, so they never share a group
 * with a running projector (a shared group would hand their partitions to it).
 */
export const consumerName = (projection: string, generation: number, prefix = 'projector') => `${prefix}-${projection}-g${generation}`;

export type ProjectorOptions = {
  prisma: PrismaClient;
  kafka: KafkaClient;
  /** The generation this consumer builds: the live one, or the next during a rebuild. */
  generation: number;
  /** Instead of the projection's topics (tests use topics of their own). */
  topics?: string[];
  /** Consumer name prefix (default `projector`). */
  consumerPrefix?: string;
  logger?: ConsumerLogger;
  /** After an event was applied (for the lag metrics). */
  onApplied?: (event: EventEnvelope) => void;
  /** A newer generation went live: this consumer is superseded and should stop. */
  onSuperseded?: (generation: number) => void;
};

/** The projection's live generation, locked FOR SHARE until the transaction ends (the swap waits for it). */
export async function liveGenerationFor(tx: TransactionClient, projection: string): Promise<number> {
  const [row] = await tx.$queryRaw<{ generation: number }[]>`SELECT generation FROM projection_state WHERE projection = ${projection} FOR SHARE`;
  if (!row) throw new Error(`projection ${projection} has no projection_state row (its migration inserts it)`);
  return row.generation;
}

/**
 * A projection's consumer of one generation, through the idempotent consumer (inbox,
 * per-aggregate position so a duplicate or an out-of-order event changes nothing, dead letters:
 * ADR 0004). Each event's transaction reads the live generation FOR SHARE and writes the live
 * tables when it is this consumer's, the `_next` tables when this consumer is a rebuild (a newer
 * generation, not yet swapped in); an older consumer applies nothing more and reports itself
 * superseded.
 */
export function createProjector(definition: ProjectionDefinition, options: ProjectorOptions) {
  const { generation } = options;
  let superseded = false;
  return createIdempotentConsumer({
    name: consumerName(definition.name, generation, options.consumerPrefix),
    topics: options.topics ?? [...definition.topics],
    prisma: options.prisma,
    kafka: options.kafka,
    fromBeginning: true,
    ...(options.logger ? { logger: options.logger } : {}),
    handler: async (event, tx) => {
      const live = await liveGenerationFor(tx, definition.name);
      let target: Target;
      if (live === generation) target = 'live';
      else if (generation > live) target = 'next';
      else {
        if (!superseded) {
          superseded = true;
          options.onSuperseded?.(live);
        }
        return;
      }
      await definition.apply(event, tx, target);
      options.onApplied?.(event);
    },
  });
}

export type Projector = ReturnType<typeof createProjector>;
