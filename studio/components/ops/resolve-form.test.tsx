import { describe, expect, it, vi } from 'vitest';
import { userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-react';
import type { FalloutWorkItem, ResolveFallout } from '@/lib/order-api';
import { ResolveForm } from './resolve-form';

// next/link needs Next's runtime (process.env), which the browser tests do not have. The form
// renders a link only after a resolution, which these tests leave to the engine's refusal.
vi.mock('next/link', () => ({ default: () => null }));

const item = (allowedActions: FalloutWorkItem['allowedActions'], source: FalloutWorkItem['source'] = 'step-failure'): FalloutWorkItem => ({
  workItemId: 'c-1', kind: 'order-fallout', orderId: 'o-1', stepKey: 'L1.reserve-access', category: 'business-fallout', source,
  reason: 'network-inventory refused reserve-resource: the site survey failed after the port was reserved', state: 'open',
  slaDueAt: '2026-12-06T10:00:00Z', allowedActions, camundaIncidentId: null, createdAt: '2026-12-05T10:00:00Z', resolution: null,
} as FalloutWorkItem);

describe('resolving a fallout case (ops)', () => {
  it('offers compensate where the engine allows it, with what it does, and sends it with the reason (no evidence asked); a refusal shows', async () => {
    // The engine's answer: here a refusal (another operator decided first), shown as it came.
    const resolve = vi.fn(async (_body: ResolveFallout) => ({
      ok: false as const, problem: { title: 'The fallout case was resolved already', status: 409, code: 'fallout-state', detail: 'fallout case c-1 was resolved already (retry by oscar)' },
    }));
    const screen = await render(<ResolveForm item={item(['retry', 'resolve', 'compensate', 'cancel'])} resolve={resolve} />);
    expect(screen.getByRole('radio').all()).toHaveLength(4);
    const compensate = screen.getByRole('radio', { name: /Compensate: undo the failed step at its target system .* then run the step again/ });
    await compensate.click();
    await expect.element(screen.getByLabelText('Evidence of the work done by hand')).not.toBeInTheDocument();
    await userEvent.fill(screen.getByLabelText('Reason (kept in the order\'s audit)'), 'the inventory still holds the port');
    await screen.getByRole('button', { name: 'Resolve the case' }).click();
    await expect.poll(() => resolve.mock.calls.length).toBe(1);
    expect(resolve.mock.calls[0]![0]).toEqual({ action: 'compensate', reason: 'the inventory still holds the port' });
    await expect.poll(() => document.body.textContent ?? '').toContain('The fallout case was resolved already');
  });

  it('does not offer compensate where the case does not allow it (a failed compensation)', async () => {
    const screen = await render(<ResolveForm item={item(['retry', 'resolve'], 'compensation-failure')} resolve={vi.fn()} />);
    expect(screen.getByRole('radio').all()).toHaveLength(2);
    expect(document.body.textContent).not.toContain('Compensate');
  });
});
