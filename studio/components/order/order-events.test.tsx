import { describe, expect, it } from 'vitest';
import { render } from 'vitest-browser-react';
import type { OrderTimeline } from '@/lib/order-api';
import { orderEventReason, orderEventText } from './order-events';
import { OrderTimelineList } from './order-timeline';

// The payloads as the engine records them (contracts/asyncapi/cpq-events.yaml, the order events).
const steps = { 'L1.install-line': 'Install the line', 'L2.deactivate-service': null };

describe('an order timeline entry says what it was about', () => {
  it.each([
    ['order.OrderStepStateChanged', { stepKey: 'L1.install-line', from: 'in-progress', to: 'awaiting-callback', attempt: 1, requestKey: 'k', externalReference: null, reason: null },
      'L1.install-line (Install the line): in progress → awaiting callback'],
    ['order.OrderStepStateChanged', { stepKey: 'L2.deactivate-service', from: 'failed', to: 'in-progress', attempt: 2, requestKey: 'k', externalReference: 'NA-77', reason: null },
      'L2.deactivate-service: failed → in progress (attempt 2, reference NA-77)'],
    ['order.OrderStepStateChanged', { stepKey: 'L9.other', from: 'completed', to: 'completed', attempt: 1, requestKey: null, externalReference: null, reason: 'late failed recorded' },
      'L9.other: stays completed'],
    ['order.OrderCreated', { quoteId: 'q', quoteRevision: 2, accountId: 'a', source: 'event', lines: 3, snapshotSha256: 'x', basis: 'change' },
      'Created from quote revision 2: 3 lines, a change of the installed base (from the QuoteAccepted event)'],
    ['order.OrderCreated', { quoteId: 'q', quoteRevision: 1, accountId: 'a', source: 'command', lines: 1, snapshotSha256: 'x' }, 'Created from quote revision 1: 1 line'],
    ['order.OrderPlanned', { planVersion: 1, releaseId: 'r', steps: 8, waves: 4 }, 'Planned: plan v1, 8 steps in 4 waves'],
    ['order.OrderFulfillmentStarted', { processInstanceId: 'pi-1', businessKey: 'b' }, 'Fulfillment started: process instance pi-1'],
    ['order.FulfillmentCallbackRecorded', { stepKey: 'L1.install-line', externalReference: 'FS-1', outcome: 'completed', disposition: 'applied' },
      'Callback for L1.install-line (Install the line): completed, applied (reference FS-1)'],
    ['order.FulfillmentCallbackRecorded', { stepKey: null, externalReference: 'FS-2', outcome: 'failed', disposition: 'unmatched' }, 'Callback matching no step: failed, unmatched (reference FS-2)'],
    ['order.OrderCancellationRequested', { reason: 'r', compensation: ['L1.install-line', 'L1.reserve-access'] },
      'Cancellation requested (compensate L1.install-line (Install the line), L1.reserve-access, in that order)'],
    ['order.OrderCancellationRequested', { reason: 'r', compensation: [] }, 'Cancellation requested (nothing to compensate)'],
    ['order.OrderCancelled', { compensated: ['L1.install-line'] }, 'Cancelled (compensated L1.install-line (Install the line))'],
    ['order.OrderFulfilled', { planVersion: 2 }, 'Fulfilled: every step of plan v2 done'],
    ['order.FalloutCaseOpened', { caseId: 'c', stepKey: 'L1.install-line', category: 'business-fallout', reason: 'no slot', source: 'step-failure', slaDueAt: '2026-12-01T00:00:00Z', allowedActions: ['retry', 'resolve'] },
      'Fallout case opened at L1.install-line (Install the line): business-fallout from step failure; allows retry, resolve'],
    ['order.FalloutCaseOpened', { caseId: 'c', stepKey: null, category: 'model-defect', reason: 'no map', source: 'decomposition', slaDueAt: '2026-12-01T00:00:00Z', allowedActions: ['cancel'] },
      'Fallout case opened at the order: model-defect from decomposition; allows cancel'],
    ['order.FalloutCaseResolved', { caseId: 'c', action: 'retry', resolvedBy: 'olga' }, 'Fallout case resolved: retry'],
    ['order.InstalledBaseChanged', { accountId: 'a', changes: [{ assetId: '0123456789abcdef', lineId: 'L1', action: 'modify', version: 2 }, { assetId: 'fedcba9876543210', lineId: 'L2', action: 'disconnect' }] },
      'Installed base changed: L1 modify asset 01234567 (version 2); L2 disconnect asset fedcba98'],
    ['order.SomethingNew', {}, 'Something new'],
  ])('%s %#', (action, details, words) => {
    expect(orderEventText({ action, details }, steps)).toBe(words);
  });

  it('takes the reason from the audit, else from the event (a late callback records it in the event only)', () => {
    expect(orderEventReason({ reason: 'target refused', details: { reason: 'other' } })).toBe('target refused');
    expect(orderEventReason({ reason: null, details: { reason: 'late failed recorded, not applied: the step is completed' } })).toBe('late failed recorded, not applied: the step is completed');
    expect(orderEventReason({ reason: null, details: {} })).toBeNull();
  });

  it('renders the list with the step and its transition, the event type in the title, and never the generic label', async () => {
    const timeline: OrderTimeline = {
      orderId: 'o',
      entries: [{
        at: '2026-12-07T10:00:00.000Z', action: 'order.OrderStepStateChanged', actor: { type: 'service', id: 'workers' }, reason: null, correlationId: 'c',
        details: { stepKey: 'L1.install-line', from: 'in-progress', to: 'awaiting-callback', attempt: 1, requestKey: 'k', externalReference: null, reason: null },
      }],
    };
    const screen = await render(<OrderTimelineList timeline={timeline} steps={steps} />);
    const entry = screen.getByRole('listitem');
    await expect.element(entry).toHaveTextContent('2026-12-07 10:00 UTC L1.install-line (Install the line): in progress → awaiting callback by workers');
    await expect.element(screen.getByTitle('order.OrderStepStateChanged')).toBeVisible();
    expect(screen.container.textContent).not.toContain('Step state changed');
  });
});
