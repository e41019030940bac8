import { topicFor } from '@cpq/contracts/topics';
import type { ProjectionDefinition } from './projection';
import { workChange } from './worklist-projection.reducer';
import { worklistProjectionStore as store } from './worklist-projection.store';

export const WORKLIST_PROJECTION = 'worklist';

/**
 * The worklist: every open approval level (from the quote topic) and fallout case (from the
 * order topic) per tenant and role with its SLA due time, and the role an approval was escalated
 * to (ApprovalEscalated). One consumer group reads both topics
 * (`projector-worklist-g<N>`); the per-aggregate position keeps each quote's and each order's
 * events in their order (ADR 0020).
 */
export const worklistProjection: ProjectionDefinition = {
  name: WORKLIST_PROJECTION,
  topics: [topicFor('QUOTE'), topicFor('ORDER')],
  tables: ['worklist_item'],
  async apply(event, tx, target) {
    if (event.aggregateType !== 'QUOTE' && event.aggregateType !== 'ORDER') return;
    await store.apply(tx, target, workChange(event));
  },
};
