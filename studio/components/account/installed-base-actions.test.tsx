import { describe, expect, it, vi } from 'vitest';
import { userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-react';
import type { InstalledAsset } from '@/lib/account-api';
import type { NewQuote } from '@/lib/quote-api';
import { InstalledBaseActions } from './installed-base-actions';

const push = vi.fn();
vi.mock('next/navigation', () => ({ useRouter: () => ({ push, refresh: vi.fn() }) }));

const asset = (assetId: string, state: 'active' | 'disconnected', offering = 'business-internet'): InstalledAsset => ({
  assetId, accountId: 'acct-1', offering, quantity: 1, selections: { bandwidth: 500 }, currency: 'EUR', state, orderId: 'o-1', lineId: 'L1',
  lastOrderId: 'o-1', releaseId: 'r-1', termMonths: 24, termStart: '2026-12-01', termEnd: '2028-12-01', installedAt: '2026-12-01T10:00:00Z', updatedAt: '2026-12-01T10:00:00Z', version: 1,
  charges: [{ charge: 'monthly-fee', chargeType: 'recurring', period: 'monthly', quantity: 1, unitNetPrice: '99.00', lineNet: '99.00' }],
} as InstalledAsset);

const A = '11111111-0000-4000-8000-000000000001';
const B = '11111111-0000-4000-8000-000000000002';
const GONE = '11111111-0000-4000-8000-000000000003';
const account = { accountId: 'acct-1', name: 'Acme GmbH', currency: 'EUR' };
const names = { 'business-internet': 'Business Internet', 'managed-router': 'Managed Router' };

describe('quoting a change or a renewal from the installed base', () => {
  it('a rep chooses active assets (not disconnected ones) and starts a change; then a renewal for the term typed; the quote opens', async () => {
    const create = vi.fn(async (_quote: NewQuote) => ({ ok: true as const, data: { quoteId: 'q-1' } }));
    const screen = await render(<InstalledBaseActions account={account} assets={[asset(A, 'active'), asset(B, 'active', 'managed-router'), asset(GONE, 'disconnected')]} names={names} create={create} />);
    await expect.element(screen.getByRole('button', { name: 'Change the chosen assets' })).toBeDisabled();
    expect(screen.getByRole('checkbox').all()).toHaveLength(2);
    await screen.getByRole('checkbox', { name: 'Choose Business Internet 11111111' }).first().click();
    await screen.getByRole('button', { name: 'Change the chosen assets' }).click();
    await expect.poll(() => create.mock.calls.length).toBe(1);
    expect(create.mock.calls[0]![0]).toEqual({ accountId: 'acct-1', customerName: 'Acme GmbH', currency: 'EUR', termMonths: 24, basis: { kind: 'change', assetIds: [A] } });
    await expect.poll(() => push.mock.lastCall?.[0]).toBe('/quotes/q-1');

    await screen.getByRole('checkbox', { name: 'Choose Managed Router 11111111' }).click();
    await userEvent.fill(screen.getByLabelText('Term (months)'), '36');
    await screen.getByRole('button', { name: 'Renew the chosen assets' }).click();
    await expect.poll(() => create.mock.calls.length).toBe(2);
    expect(create.mock.calls[1]![0]).toMatchObject({ termMonths: 36, basis: { kind: 'renewal', assetIds: [A, B] } });
  });

  it('the engine\'s refusal is shown with its title', async () => {
    const create = vi.fn(async () => ({ ok: false as const, problem: { title: 'The asset is not active', status: 422, code: 'asset-not-active', errors: [{ field: 'body/basis/assetIds/0', rule: 'asset-not-active', message: 'disconnected' }] } }));
    const screen = await render(<InstalledBaseActions account={account} assets={[asset(A, 'active')]} names={names} create={create} />);
    await screen.getByRole('checkbox').click();
    await screen.getByRole('button', { name: 'Change the chosen assets' }).click();
    await expect.poll(() => document.body.textContent ?? '').toContain('The asset is not active');
  });

  it('an account with nothing active offers no quoting', async () => {
    const screen = await render(<InstalledBaseActions account={account} assets={[asset(GONE, 'disconnected')]} names={names} create={vi.fn()} />);
    expect(screen.getByRole('button', { name: 'Change the chosen assets' }).query()).toBeNull();
    expect(screen.getByRole('checkbox').query()).toBeNull();
  });
});
