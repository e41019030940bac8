import { describe, expect, it, vi } from 'vitest';
import { userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-react';
import type { ApprovalPreview } from '@/lib/quote-api';
import { DiscountForm } from './discount-form';

// The form refreshes the route after a command; outside the App Router there is none to refresh.
const refresh = vi.fn();
vi.mock('next/navigation', () => ({ useRouter: () => ({ refresh }) }));

const line = { lineId: 'L1', position: 1, name: 'Business Internet', quantity: 2, selections: { access: 'fiber', bandwidth: 500 } };
const withinAuthority = { ok: true, data: { required: [], policy: null, metrics: { discountPercent: '0', termMonths: 24, dealValue: '100.00', currency: 'EUR' } } as unknown as ApprovalPreview } as const;

describe('the manual discount form', () => {
  it('removes a line\'s discount: configure-line with the line as it is and manualDiscount null, then the page refreshes', async () => {
    const apply = vi.fn(async () => ({ ok: true as const, data: {} }));
    const screen = await render(
      <DiscountForm line={line} current={{ percent: '18', reason: 'competitive offer' }} currency="EUR" preview={async () => withinAuthority} apply={apply} debounceMs={0} />,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Remove discount' }));
    await expect.poll(() => apply.mock.calls.length).toBe(1);
    expect(apply).toHaveBeenCalledWith({ lineId: 'L1', quantity: 2, selections: { access: 'fiber', bandwidth: 500 }, manualDiscount: null });
    await expect.poll(() => refresh.mock.calls.length).toBe(1);
  });

  it('offers no removal on a line without a discount', async () => {
    const screen = await render(
      <DiscountForm line={line} current={null} currency="EUR" preview={async () => withinAuthority} apply={vi.fn()} debounceMs={0} />,
    );
    await expect.element(screen.getByRole('button', { name: 'Apply discount' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Remove discount' }).query()).toBeNull();
  });
});
