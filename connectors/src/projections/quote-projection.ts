import type { EventEnvelope } from '@cpq/contracts/event-envelope';
import { topicFor } from '@cpq/contracts/topics';
import type { PrismaClient } from '@cpq/prisma';
import { createIdempotentConsumer, type ConsumerLogger } from '../consumer/idempotent-consumer';
import type { KafkaClient } from '../kafka/kafka.port';
import { reduceQuote, worklistChange } from './quote-projection.reducer';
import { quoteProjectionStore as store, type Target } from './quote-projection.store';

export const QUOTE_PROJECTION = 'quotes';
/** The consumer (Kafka group and inbox name) of one generation of the quote projection. */
export const projectorName = (generation: number) => `projector-${QUOTE_PROJECTION}-g${generation}`;

export type QuoteProjectorOptions = {
  prisma: PrismaClient;
  kafka: KafkaClient;
  /** The generation this consumer builds: the live one, or the next during a rebuild. */
  generation: number;
  topics?: string[];
  logger?: ConsumerLogger;
  /** After an event was applied (for the lag metrics): when it occurred. */
  onApplied?: (event: EventEnvelope) => void;
  /** A newer generation went live: this consumer is superseded and should stop. */
  onSuperseded?: (generation: number) => void;
};

/**
 * The quote read model and approval worklist, from the quote topic through the idempotent
 * consumer (inbox, per-aggregate position, dead letters: ADR 0004). Each event's transaction reads
 * the live generation FOR SHARE and writes the live tables when it is this consumer's, the
 * `_next` tables when this consumer is a rebuild (a newer generation, not yet swapped in); an older
 * consumer applies nothing more and reports itself superseded.
 */
export function createQuoteProjector(options: QuoteProjectorOptions) {
  const { generation } = options;
  let superseded = false;
  return createIdempotentConsumer({
    name: projectorName(generation),
    topics: options.topics ?? [topicFor('QUOTE')],
    prisma: options.prisma,
    kafka: options.kafka,
    fromBeginning: true,
    ...(options.logger ? { logger: options.logger } : {}),
    handler: async (event, tx) => {
      const live = await store.generation(tx, QUOTE_PROJECTION);
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
      if (event.aggregateType !== 'QUOTE') return;
      const quoteId = String((event.payload as { quoteId?: unknown }).quoteId ?? event.aggregateId);
      const before = await store.load(tx, target, quoteId);
      const after = reduceQuote(before, event);
      if (after) await store.save(tx, target, after);
      await store.applyWorklist(tx, target, worklistChange(event));
      options.onApplied?.(event);
    },
  });
}

export type QuoteProjector = ReturnType<typeof createQuoteProjector>;
