import { topicFor } from '@cpq/contracts/topics';
import { consumerName, createProjector, type ProjectionDefinition, type ProjectorOptions } from './projection';
import { reduceQuote, worklistChange } from './quote-projection.reducer';
import { quoteProjectionStore as store } from './quote-projection.store';

export const QUOTE_PROJECTION = 'quotes';
/** The consumer (Kafka group and inbox name) of one generation of the quote projection. */
export const projectorName = (generation: number, prefix?: string) => consumerName(QUOTE_PROJECTION, generation, prefix);

/**
 * The quote read model and approval worklist, from the quote topic: a pure reducer over each
 * quote's events (quote-projection.reducer.ts) plus SQL upserts.
 */
export const quoteProjection: ProjectionDefinition = {
  name: QUOTE_PROJECTION,
  topics: [topicFor('QUOTE')],
  tables: ['quote_read_model', 'approval_worklist'],
  async apply(event, tx, target) {
    if (event.aggregateType !== 'QUOTE') return;
    const quoteId = String((event.payload as { quoteId?: unknown }).quoteId ?? event.aggregateId);
    const before = await store.load(tx, target, quoteId);
    const after = reduceQuote(before, event);
    if (after) await store.save(tx, target, after);
    await store.applyWorklist(tx, target, worklistChange(event));
  },
};

export type QuoteProjectorOptions = ProjectorOptions;

/** The quote projection's consumer of one generation (createProjector, ADR 0020). */
export const createQuoteProjector = (options: QuoteProjectorOptions) => createProjector(quoteProjection, options);

export type QuoteProjector = ReturnType<typeof createQuoteProjector>;
