import type { EventEnvelope } from '@cpq/contracts/event-envelope';

/** A fulfillment step as its events tell it (OrderStepStateChanged). */
export type OrderStepView = { state: string; attempt: number; externalReference: string | null; reason: string | null; updatedAt: string };

/** One row of the order read model: an order as a list screen, a report or operations need it. */
export type OrderRow = {
  tenantId: string; orderId: string; quoteId: string; quoteRevision: number; accountId: string;
  source: string; basis: string | null; state: string; lineCount: number;
  /** The plan in force (OrderPlanned): version, release, size; null before planning. */
  planVersion: number | null; releaseId: string | null; stepCount: number; waveCount: number;
  /** Steps of the current plan that moved, by step key; planned steps that never moved are pending and not listed. */
  steps: Record<string, OrderStepView>;
  /** Steps completed or resolved (what counts as done for the order to be fulfilled). */
  stepsDone: number;
  processInstanceId: string | null;
  /** Fallout cases open now, and ever opened, for this order. */
  openFallout: number; falloutTotal: number;
  cancelReason: string | null;
  /** Installed-base changes made by this order (assets added, modified or ended). */
  assetsChanged: number;
  /** The aggregate version of the last event applied; when the order was created and last changed. */
  version: number; createdAt: string; updatedAt: string;
};

type Payload = Record<string, unknown>;
const str = (p: Payload, key: string) => String(p[key]);
const strOrNull = (p: Payload, key: string) => (typeof p[key] === 'string' ? (p[key] as string) : null);
// The step states that count as done, as the order module's DONE (engine/src/modules/order/order.state.ts).
const DONE = new Set(['completed', 'resolved']);
const doneIn = (steps: Record<string, OrderStepView>) => Object.values(steps).filter((s) => DONE.has(s.state)).length;

/**
 * The order read model as a pure fold over the order aggregate's events (cpq.order.events; seed
 * section 9: projections are derived and can be rebuilt from the log). `undefined` before
 * OrderCreated. The order's state follows the events the order module writes at each of its
 * transitions (order.state.ts): created, planned, in-progress, fulfilled, cancelling, cancelled.
 * Deterministic: replaying the same events in order gives the same row.
 */
export function reduceOrder(row: OrderRow | undefined, event: EventEnvelope): OrderRow | undefined {
  const p = event.payload as Payload;
  const touched = (next: Partial<OrderRow>): OrderRow | undefined =>
    row && { ...row, ...next, version: event.aggregateVersion, updatedAt: event.occurredAt };
  if (event.eventType === 'OrderCreated') {
    return {
      tenantId: event.tenantId, orderId: str(p, 'orderId'), quoteId: str(p, 'quoteId'), quoteRevision: Number(p.quoteRevision),
      accountId: str(p, 'accountId'), source: str(p, 'source'), basis: strOrNull(p, 'basis'), state: 'created', lineCount: Number(p.lines),
      planVersion: null, releaseId: null, stepCount: 0, waveCount: 0, steps: {}, stepsDone: 0, processInstanceId: null,
      openFallout: 0, falloutTotal: 0, cancelReason: null, assetsChanged: 0,
      version: event.aggregateVersion, createdAt: event.occurredAt, updatedAt: event.occurredAt,
    };
  }
  if (!row) return undefined;
  switch (event.eventType) {
    // A new plan (a retried decomposition plans again) replaces the steps of the one before.
    case 'OrderPlanned':
      return touched({ state: 'planned', planVersion: Number(p.planVersion), releaseId: str(p, 'releaseId'), stepCount: Number(p.steps), waveCount: Number(p.waves), steps: {}, stepsDone: 0 });
    case 'OrderFulfillmentStarted': return touched({ state: 'in-progress', processInstanceId: str(p, 'processInstanceId') });
    case 'OrderStepStateChanged': {
      const steps = { ...row.steps, [str(p, 'stepKey')]: {
        state: str(p, 'to'), attempt: Number(p.attempt), externalReference: strOrNull(p, 'externalReference'), reason: strOrNull(p, 'reason'), updatedAt: event.occurredAt,
      } };
      return touched({ steps, stepsDone: doneIn(steps) });
    }
    // An empty compensation list cancels at once (OrderCancelled follows in the same commit).
    case 'OrderCancellationRequested': return touched({ state: 'cancelling', cancelReason: str(p, 'reason') });
    case 'OrderCancelled': return touched({ state: 'cancelled' });
    case 'OrderFulfilled': return touched({ state: 'fulfilled' });
    case 'FalloutCaseOpened': return touched({ openFallout: row.openFallout + 1, falloutTotal: row.falloutTotal + 1 });
    case 'FalloutCaseResolved': return touched({ openFallout: Math.max(0, row.openFallout - 1) });
    case 'InstalledBaseChanged': return touched({ assetsChanged: row.assetsChanged + (Array.isArray(p.changes) ? p.changes.length : 0) });
    // FulfillmentCallbackRecorded and events of later contract versions: only the version moves.
    default: return touched({});
  }
}
