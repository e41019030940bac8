import type { EventEnvelope } from '@cpq/contracts/event-envelope';
import { describe, expect, it } from 'vitest';
import { reduceOrder, type OrderRow } from './order-projection.reducer';

let version = 0;
const at = (eventType: string, payload: Record<string, unknown>): EventEnvelope => ({
  eventId: `e${++version}`, eventType, eventVersion: 1, tenantId: 't', aggregateType: 'ORDER', aggregateId: 'o1', aggregateVersion: version,
  occurredAt: `2026-12-04T10:00:${String(version).padStart(2, '0')}.000Z`, correlationId: 'c', causationId: 'k', actor: { type: 'SYSTEM', id: 's' },
  payload: { orderId: 'o1', ...payload },
});
const fold = (events: EventEnvelope[]) => events.reduce<OrderRow | undefined>(reduceOrder, undefined);
const created = () => at('OrderCreated', { quoteId: 'q1', quoteRevision: 2, accountId: 'acct-1', source: 'event', lines: 3, snapshotSha256: 'x' });
const step = (stepKey: string, from: string, to: string, attempt = 1) =>
  at('OrderStepStateChanged', { stepKey, from, to, attempt, requestKey: `${stepKey}#${attempt}`, externalReference: to === 'completed' ? `ref-${stepKey}` : null, reason: null });

describe('order read model reducer (pure)', () => {
  it('follows an order from creation through its plan and steps to fulfilled, with its fallout and installed-base changes', () => {
    version = 0;
    const row = fold([
      created(), at('OrderPlanned', { planVersion: 1, releaseId: 'r1', steps: 2, waves: 2 }),
      at('OrderFulfillmentStarted', { processInstanceId: 'pi-1', businessKey: 'bk' }),
      step('a', 'pending', 'in-progress'), step('a', 'in-progress', 'completed'), step('b', 'pending', 'in-progress'), step('b', 'in-progress', 'failed'),
      at('FalloutCaseOpened', { caseId: 'c1', stepKey: 'b', category: 'technical-retry', reason: 'boom', source: 'step-failure', slaDueAt: '2026-12-04T14:00:00.000Z', allowedActions: ['retry'] }),
    ]);
    expect(row).toMatchObject({ state: 'in-progress', quoteRevision: 2, lineCount: 3, stepCount: 2, stepsDone: 1, openFallout: 1, processInstanceId: 'pi-1', basis: null, version: 8 });
    expect(row!.steps.b).toEqual({ state: 'failed', attempt: 1, externalReference: null, reason: null, updatedAt: '2026-12-04T10:00:07.000Z' });
    const done = fold([
      created(), at('OrderPlanned', { planVersion: 1, releaseId: 'r1', steps: 1, waves: 1 }), at('OrderFulfillmentStarted', { processInstanceId: 'pi', businessKey: 'bk' }),
      step('a', 'pending', 'in-progress'), step('a', 'in-progress', 'failed'),
      at('FalloutCaseOpened', { caseId: 'c1', stepKey: 'a', category: 'technical-retry', reason: 'boom', source: 'step-failure', slaDueAt: '2026-12-04T14:00:00.000Z', allowedActions: ['retry'] }),
      at('FalloutCaseResolved', { caseId: 'c1', action: 'resolve', resolvedBy: 'olga' }), step('a', 'failed', 'resolved'),
      at('OrderFulfilled', { planVersion: 1 }), at('InstalledBaseChanged', { accountId: 'acct-1', changes: [{ assetId: 'x', lineId: 'L1', action: 'add', version: 1 }, { assetId: 'y', lineId: 'L2', action: 'disconnect' }] }),
    ]);
    expect(done).toMatchObject({ state: 'fulfilled', stepsDone: 1, openFallout: 0, falloutTotal: 1, assetsChanged: 2 });
  });

  it('a new plan replaces the steps of the one before; cancellation keeps its reason', () => {
    const planned = fold([created(), at('OrderPlanned', { planVersion: 1, releaseId: 'r1', steps: 1, waves: 1 }), step('a', 'pending', 'in-progress')]);
    expect(reduceOrder(planned, at('OrderPlanned', { planVersion: 2, releaseId: 'r2', steps: 3, waves: 2 }))).toMatchObject({ planVersion: 2, releaseId: 'r2', stepCount: 3, steps: {}, stepsDone: 0 });
    const cancelling = reduceOrder(planned, at('OrderCancellationRequested', { reason: 'customer changed mind', compensation: ['a'] }));
    expect(cancelling).toMatchObject({ state: 'cancelling', cancelReason: 'customer changed mind' });
    expect(reduceOrder(cancelling, at('OrderCancelled', { compensated: ['a'] }))).toMatchObject({ state: 'cancelled', cancelReason: 'customer changed mind' });
  });

  it('ignores events before OrderCreated; an event it does not fold moves only the version', () => {
    expect(reduceOrder(undefined, at('OrderPlanned', { planVersion: 1, releaseId: 'r', steps: 0, waves: 0 }))).toBeUndefined();
    const row = fold([created()])!;
    const after = reduceOrder(row, at('FulfillmentCallbackRecorded', { stepKey: 'a', externalReference: 'r', outcome: 'completed', disposition: 'duplicate' }))!;
    expect({ ...after, version: row.version, updatedAt: row.updatedAt }).toEqual(row);
    expect(after.version).toBeGreaterThan(row.version);
  });
});
