import { randomUUID } from 'node:crypto';
import { Prisma, type PrismaClient } from '@cpq/prisma';
import type { Principal } from '../../http/auth';
import { DomainError } from '../../http/errors';
import type { RawTx } from '../../lib/sql-transaction';
import { finishOrder, type OrderRow } from './order.repository';
import type { CommandContext, OrderView } from './order.types';

type Change = { assetId: string; lineId: string; action: 'add' | 'modify' | 'disconnect' };
type Line = { lineId: string; offering: string; quantity: number; action: string; assetId: string | null; selections: unknown; charges: unknown; releaseId: string };

/**
 * What a fulfilled order leaves the account with (issue 11, item 10), in the transaction that
 * records the order fulfilled: an add line installs an asset (one per line: a replay installs
 * nothing twice), a modify line changes the asset it names, a disconnect line ends it; no-change
 * lines leave it alone. Records InstalledBaseChanged when anything changed.
 */
export async function applyToInstalledBase(tx: RawTx, order: OrderRow, ctx: CommandContext): Promise<Change[]> {
  const lines = await tx.$queryRaw<Line[]>`
    SELECT line_id AS "lineId", offering, quantity, action, asset_id AS "assetId", selections, charges, release_id::text AS "releaseId"
    FROM order_line WHERE order_id = ${order.id}::uuid ORDER BY position`;
  const changes: Change[] = [];
  for (const line of lines) {
    if (line.action === 'add') {
      const [installed] = await tx.$queryRaw<{ id: string }[]>`
        INSERT INTO installed_asset (id, tenant_id, account_id, offering, quantity, selections, charges, currency, order_id, line_id, last_order_id,
                                     release_id, term_months, term_start, term_end)
        VALUES (${randomUUID()}::uuid, ${order.tenantId}, ${order.accountId}, ${line.offering}, ${line.quantity}, ${JSON.stringify(line.selections)}::jsonb,
                ${JSON.stringify(line.charges)}::json, ${order.currency}, ${order.id}::uuid, ${line.lineId}, ${order.id}::uuid, ${line.releaseId}::uuid,
                ${order.termMonths}, current_date, (current_date + make_interval(months => ${order.termMonths}))::date)
        ON CONFLICT (order_id, line_id) DO NOTHING RETURNING id::text`;
      if (installed) changes.push({ assetId: installed.id, lineId: line.lineId, action: 'add' });
      continue;
    }
    if (line.action !== 'modify' && line.action !== 'disconnect') continue;
    const updated = line.action === 'modify'
      ? await tx.$queryRaw<{ id: string }[]>`
          UPDATE installed_asset SET quantity = ${line.quantity}, selections = ${JSON.stringify(line.selections)}::jsonb, charges = ${JSON.stringify(line.charges)}::json,
                 last_order_id = ${order.id}::uuid, release_id = ${line.releaseId}::uuid, version = version + 1, updated_at = now()
          WHERE id = ${line.assetId}::uuid AND tenant_id = ${order.tenantId} AND account_id = ${order.accountId} AND state = 'active'
            AND last_order_id <> ${order.id}::uuid
          RETURNING id::text`
      : await tx.$queryRaw<{ id: string }[]>`
          UPDATE installed_asset SET state = 'disconnected', last_order_id = ${order.id}::uuid, version = version + 1, updated_at = now()
          WHERE id = ${line.assetId}::uuid AND tenant_id = ${order.tenantId} AND account_id = ${order.accountId} AND state = 'active'
          RETURNING id::text`;
    if (updated[0]) changes.push({ assetId: updated[0].id, lineId: line.lineId, action: line.action });
  }
  if (changes.length > 0) await finishOrder(tx, order, ctx, 'InstalledBaseChanged', { accountId: order.accountId, changes });
  return changes;
}

const SELLERS = ['admin', 'rep', 'sales-manager', 'finance', 'ops', 'integrator'] as const;

/** GET /installed-base?accountId=: any account of the tenant for sellers and operators, the own one for a customer. */
export async function installedBaseOf(prisma: PrismaClient, principal: Principal, accountId: string, state?: 'active' | 'disconnected') {
  const seller = principal.roles.some((r) => (SELLERS as readonly string[]).includes(r));
  if (!seller && principal.accountId !== accountId) throw new DomainError('account-not-found', `no account ${accountId}`);
  const rows = await prisma.$queryRaw<{
    assetId: string; accountId: string; offering: string; quantity: number; selections: Record<string, unknown>; charges: OrderView['lines'][number]['charges']; currency: string;
    state: 'active' | 'disconnected'; orderId: string; lineId: string; lastOrderId: string; releaseId: string; termMonths: number;
    termStart: Date; termEnd: Date; installedAt: Date; updatedAt: Date;
  }[]>`
    SELECT id::text AS "assetId", account_id AS "accountId", offering, quantity, selections, charges, currency, state, order_id::text AS "orderId",
           line_id AS "lineId", last_order_id::text AS "lastOrderId", release_id::text AS "releaseId", term_months AS "termMonths",
           term_start AS "termStart", term_end AS "termEnd", installed_at AS "installedAt", updated_at AS "updatedAt"
    FROM installed_asset WHERE tenant_id = ${principal.tenantId} AND account_id = ${accountId}
      ${state ? Prisma.sql`AND state = ${state}` : Prisma.empty}
    ORDER BY installed_at, id`;
  const day = (d: Date) => new Date(d).toISOString().slice(0, 10);
  return {
    accountId,
    items: rows.map((r) => ({
      ...r, termStart: day(r.termStart), termEnd: day(r.termEnd),
      installedAt: new Date(r.installedAt).toISOString(), updatedAt: new Date(r.updatedAt).toISOString(),
    })),
  };
}
