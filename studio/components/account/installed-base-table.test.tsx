import { describe, expect, it } from 'vitest';
import { render } from 'vitest-browser-react';
import type { InstalledAsset } from '@/lib/account-api';
import { InstalledBaseTable } from './installed-base-table';

const textOf = (locator: { element(): Element }) => locator.element().textContent ?? '';

const asset = (more: Partial<InstalledAsset>): InstalledAsset => ({
  assetId: '7d1c0c4e-0000-4000-8000-000000000001', accountId: 'acct-1', offering: 'business-internet', quantity: 2,
  selections: { access: 'fiber', bandwidth: 500, slaTier: 'standard' },
  charges: [
    { charge: 'monthly-fee', chargeType: 'recurring', period: 'monthly', quantity: 2, unitNetPrice: '99.00', lineNet: '198.00' },
    { charge: 'installation', chargeType: 'one-time', quantity: 2, unitNetPrice: '150.00', lineNet: '300.00' },
  ],
  currency: 'EUR', state: 'active', orderId: 'o-1', lineId: 'L1', lastOrderId: '5e0f7a1b-0000-4000-8000-000000000002', releaseId: 'r-1',
  termMonths: 24, termStart: '2026-12-01', termEnd: '2028-12-01', installedAt: '2026-12-01T10:00:00Z', updatedAt: '2026-12-01T10:00:00Z', version: 1,
  ...more,
} as InstalledAsset);

describe('the installed base table', () => {
  it('shows each asset by its offering\'s name with its configuration, recurring charges (not one-time), term, state and last order', async () => {
    const screen = await render(<InstalledBaseTable assets={[asset({}), asset({ assetId: '7d1c0c4e-0000-4000-8000-000000000003', state: 'disconnected', version: 3 })]} names={{ 'business-internet': 'Business Internet' }} />);
    const rows = screen.getByRole('row');
    await expect.element(screen.getByRole('table', { name: 'Installed base' })).toBeVisible();
    expect(rows.all()).toHaveLength(3);
    const first = screen.getByTestId('asset-7d1c0c4e-0000-4000-8000-000000000001');
    await expect.poll(() => textOf(first)).toContain('Business Internet');
    await expect.poll(() => textOf(first)).toContain('access: fiber, bandwidth: 500, sla tier: standard');
    await expect.poll(() => textOf(first)).toContain('198.00 EUR per month');
    expect(textOf(first)).not.toContain('300.00');
    await expect.poll(() => textOf(first)).toContain('2026-12-01 to 2028-12-01 (24 months)');
    await expect.element(first.getByRole('link')).toHaveAttribute('href', '/orders/5e0f7a1b-0000-4000-8000-000000000002');
    await expect.poll(() => textOf(screen.getByTestId('asset-7d1c0c4e-0000-4000-8000-000000000003'))).toContain('disconnected');
    await expect.poll(() => textOf(screen.getByTestId('asset-7d1c0c4e-0000-4000-8000-000000000003'))).toContain('version 3');
  });

  it('shows a bundle asset\'s options bought, by name with their values, and leaves out options at 0; none for an asset without options', async () => {
    const bundle = asset({
      assetId: '7d1c0c4e-0000-4000-8000-000000000004', offering: 'sd-wan-bundle', quantity: 1,
      options: [
        { offering: 'business-internet', quantity: 3, selections: { bandwidth: 500 } },
        { offering: 'security-addon', quantity: 1, selections: {} },
        { offering: 'managed-router', quantity: 0, selections: {} },
      ],
    });
    const names = { 'sd-wan-bundle': 'SD-WAN', 'business-internet': 'Business Internet', 'security-addon': 'Security add-on', 'managed-router': 'Managed router' };
    const screen = await render(<InstalledBaseTable assets={[bundle, asset({})]} names={names} />);
    const options = screen.getByTestId('asset-7d1c0c4e-0000-4000-8000-000000000004').getByTestId('asset-options');
    await expect.poll(() => textOf(options)).toBe('options: Business Internet x 3 (bandwidth: 500), Security add-on x 1');
    expect(textOf(options)).not.toContain('Managed router');
    expect(screen.getByTestId('asset-7d1c0c4e-0000-4000-8000-000000000001').getByTestId('asset-options').elements()).toHaveLength(0);
  });

  it('says how assets come to be when there are none', async () => {
    const screen = await render(<InstalledBaseTable assets={[]} names={{}} />);
    await expect.poll(() => textOf(screen.getByTestId('no-assets'))).toContain('Nothing installed yet');
  });
});
