import { randomUUID } from 'node:crypto';
import { Prisma, type PrismaClient } from '@cpq/prisma';
import type { Principal } from '../../http/auth';
import { DomainError } from '../../http/errors';
import type { RawTx } from '../../lib/sql-transaction';
import { finishOrder, type OrderRow } from './order.repository';
import type { CommandContext, OrderView } from './order.types';

type Change = { assetId: string; lineId: string; action: 'add' | 'modify' | 'disconnect'; version?: number; termEnd?: string };
type Line = {
  lineId: string; offering: string; quantity: number; action: string; assetId: string | null; assetVersion: number | null;
  selections: unknown; charges: unknown; options: unknown; releaseId: string;
};

/** The order line's options as the asset keeps them: null when the line's are not known (an order line from before they were kept). */
const optionsOf = (line: Line): string | null => (line.options === null || line.options === undefined ? null : JSON.stringify(line.options));

/**
 * What a fulfilled order leaves the account with (issue 11, item 10), in the transaction that
 * records the order fulfilled: an add line installs an asset (one per line: a replay installs
 * nothing twice), a modify line changes the asset it names (new selections, options and charges, a new
 * version; a renewal's also starts its new term where the old one ends), a disconnect line ends
 * it; no-change lines leave it alone. An asset is changed only at the version the change quote
 * was made from (planning refused a stale one, ADR 0022), so nothing is applied twice or over
 * another order's change. Records InstalledBaseChanged when anything changed.
 */
export async function applyToInstalledBase(tx: RawTx, order: OrderRow, ctx: CommandContext): Promise<Change[]> {
  const lines = await tx.$queryRaw<Line[]>`
    SELECT line_id AS "lineId", offering, quantity, action, asset_id AS "assetId", asset_version AS "assetVersion", selections, charges, options,
           release_id::text AS "releaseId"
    FROM order_line WHERE order_id = ${order.id}::uuid ORDER BY position`;
  const renewal = order.basis === 'renewal';
  const changes: Change[] = [];
  for (const line of lines) {
    if (line.action === 'add') {
      const [installed] = await tx.$queryRaw<{ id: string }[]>`
        INSERT INTO installed_asset (id, tenant_id, account_id, offering, quantity, selections, charges, options, currency, order_id, line_id, last_order_id,
                                     release_id, term_months, term_start, term_end)
        VALUES (${randomUUID()}::uuid, ${order.tenantId}, ${order.accountId}, ${line.offering}, ${line.quantity}, ${JSON.stringify(line.selections)}::jsonb,
                ${JSON.stringify(line.charges)}::json, ${optionsOf(line)}::jsonb, ${order.currency}, ${order.id}::uuid, ${line.lineId}, ${order.id}::uuid, ${line.releaseId}::uuid,
                ${order.termMonths}, current_date, (current_date + make_interval(months => ${order.termMonths}))::date)
        ON CONFLICT (order_id, line_id) DO NOTHING RETURNING id::text`;
      if (installed) changes.push({ assetId: installed.id, lineId: line.lineId, action: 'add', version: 1 });
      continue;
    }
    if (line.action !== 'modify' && line.action !== 'disconnect') continue;
    // The version the quote was made from (lines of orders before change quotes have none).
    const atVersion = Prisma.sql`(${line.assetVersion}::int IS NULL OR version = ${line.assetVersion}::int)`;
    const updated = line.action === 'modify'
      ? await tx.$queryRaw<{ id: string; version: number; termEnd: Date }[]>`
          UPDATE installed_asset SET quantity = ${line.quantity}, selections = ${JSON.stringify(line.selections)}::jsonb, charges = ${JSON.stringify(line.charges)}::json,
                 options = ${optionsOf(line)}::jsonb,
                 last_order_id = ${order.id}::uuid, release_id = ${line.releaseId}::uuid, version = version + 1, updated_at = now(),
                 term_start = CASE WHEN ${renewal} THEN greatest(term_end, current_date) ELSE term_start END,
                 term_end = CASE WHEN ${renewal} THEN (greatest(term_end, current_date) + make_interval(months => ${order.termMonths}))::date ELSE term_end END,
                 term_months = CASE WHEN ${renewal} THEN ${order.termMonths} ELSE term_months END
          WHERE id = ${line.assetId}::uuid AND tenant_id = ${order.tenantId} AND account_id = ${order.accountId} AND state = 'active'
            AND last_order_id <> ${order.id}::uuid AND ${atVersion}
          RETURNING id::text, version, term_end AS "termEnd"`
      : await tx.$queryRaw<{ id: string; version: number; termEnd: Date }[]>`
          UPDATE installed_asset SET state = 'disconnected', last_order_id = ${order.id}::uuid, version = version + 1, updated_at = now()
          WHERE id = ${line.assetId}::uuid AND tenant_id = ${order.tenantId} AND account_id = ${order.accountId} AND state = 'active' AND ${atVersion}
          RETURNING id::text, version, term_end AS "termEnd"`;
    const row = updated[0];
    if (row) {
      changes.push({
        assetId: row.id, lineId: line.lineId, action: line.action, version: row.version,
        ...(renewal && line.action === 'modify' ? { termEnd: new Date(row.termEnd).toISOString().slice(0, 10) } : {}),
      });
    }
  }
  if (changes.length > 0) await finishOrder(tx, order, ctx, 'InstalledBaseChanged', { accountId: order.accountId, changes });
  return changes;
}

/** An installed asset as a change or renewal quote starts from it (the quote module's read, through this port). */
export type AssetForQuote = {
  assetId: string; accountId: string; offering: string; quantity: number; selections: Record<string, unknown>;
  /** As the order line installed them: a bundle option's charge names its option (offering). */
  charges: { charge: string; option?: string; chargeType: string; period?: string; quantity: number; unitNetPrice: string; lineNet: string }[];
  /** A bundle asset's configured options as its order line had them (explicit zeros kept); null: not known (installed before they were kept). */
  options: { offering: string; quantity: number; selections: Record<string, unknown> }[] | null;
  currency: string; state: 'active' | 'disconnected'; version: number; termMonths: number; termStart: string; termEnd: string;
};

/**
 * The tenant's assets among `assetIds` (any account: the caller checks the account, so that it
 * can name the asset that is not the quote's). A read on the pool, before the quote's statement
 * (ADR 0013): an asset changed after it is caught by its version when the order is planned.
 */
export async function assetsForQuote(db: PrismaClient | RawTx, tenantId: string, assetIds: readonly string[]): Promise<AssetForQuote[]> {
  if (assetIds.length === 0) return [];
  const rows = await db.$queryRaw<(Omit<AssetForQuote, 'termStart' | 'termEnd'> & { termStart: Date; termEnd: Date })[]>`
    SELECT id::text AS "assetId", account_id AS "accountId", offering, quantity, selections, charges, options, currency, state, version,
           term_months AS "termMonths", term_start AS "termStart", term_end AS "termEnd"
    FROM installed_asset WHERE tenant_id = ${tenantId} AND id = ANY(${[...assetIds]}::uuid[])`;
  const day = (d: Date) => new Date(d).toISOString().slice(0, 10);
  return rows.map((r) => ({ ...r, termStart: day(r.termStart), termEnd: day(r.termEnd) }));
}

/** An installed asset as it is now, and the order (planned or running) that is changing it, if any. */
export type AssetNow = { assetId: string; version: number; state: 'active' | 'disconnected'; lastOrderId: string | null; changingOrderId: string | null };

/**
 * The current version and state of the tenant's assets among `assetIds`, each with an order in
 * flight (created, planned, in progress or cancelling: any not fulfilled or cancelled) that modifies or disconnects it: what a change or
 * renewal quote checks its lines against when it is priced, submitted or accepted (ADR 0022
 * addendum), in the command's transaction. An id that is no asset of the tenant is absent.
 */
export async function assetsNow(db: RawTx, tenantId: string, assetIds: readonly string[]): Promise<AssetNow[]> {
  if (assetIds.length === 0) return [];
  return db.$queryRaw<AssetNow[]>`
    SELECT a.id::text AS "assetId", a.version, a.state, a.last_order_id::text AS "lastOrderId",
           (SELECT o.id::text FROM order_line l JOIN customer_order o ON o.id = l.order_id
            WHERE l.tenant_id = a.tenant_id AND l.asset_id = a.id::text AND l.action IN ('modify', 'disconnect')
              AND o.state NOT IN ('fulfilled', 'cancelled') ORDER BY o.created_at LIMIT 1) AS "changingOrderId"
    FROM installed_asset a WHERE a.tenant_id = ${tenantId} AND a.id = ANY(${[...assetIds]}::uuid[])`;
}

/**
 * Why an order's changes can no longer apply, if they cannot (ADR 0022), in the planning
 * transaction: the assets its modify and disconnect lines name are row-locked (planning of two
 * changes of one asset is serialised), and each must still be active at the version its quote
 * was made from, with no other planned order changing it. A second change quote on an asset
 * already changed (or being changed) is stale: planning opens a business fallout case instead.
 */
export async function staleChangesOf(tx: RawTx, order: OrderRow): Promise<string[]> {
  const changing = Prisma.sql`SELECT l.asset_id FROM order_line l WHERE l.order_id = ${order.id}::uuid AND l.action IN ('modify', 'disconnect')`;
  // The locks first, in a fixed order; the read after them sees what their holders committed.
  await tx.$queryRaw`SELECT id FROM installed_asset WHERE id::text IN (${changing}) ORDER BY id FOR UPDATE`;
  const rows = await tx.$queryRaw<{ lineId: string; assetId: string; quoted: number | null; version: number | null; state: string | null; lastOrderId: string | null }[]>`
    SELECT l.line_id AS "lineId", l.asset_id AS "assetId", l.asset_version AS "quoted", a.version, a.state, a.last_order_id::text AS "lastOrderId"
    FROM order_line l LEFT JOIN installed_asset a ON a.id::text = l.asset_id AND a.tenant_id = l.tenant_id AND a.account_id = ${order.accountId}
    WHERE l.order_id = ${order.id}::uuid AND l.action IN ('modify', 'disconnect')
    ORDER BY l.position`;
  if (rows.length === 0) return [];
  const inFlight = await tx.$queryRaw<{ assetId: string; orderId: string }[]>`
    SELECT l.asset_id AS "assetId", o.id::text AS "orderId" FROM order_line l JOIN customer_order o ON o.id = l.order_id
    WHERE l.asset_id = ANY(${rows.map((r) => r.assetId)}::text[]) AND l.action IN ('modify', 'disconnect')
      AND o.id <> ${order.id}::uuid AND o.state IN ('planned', 'in-progress', 'cancelling')`;
  const reasons: string[] = [];
  for (const r of rows) {
    const other = inFlight.find((f) => f.assetId === r.assetId);
    if (r.version === null) reasons.push(`line ${r.lineId}: asset ${r.assetId} is not an asset of account ${order.accountId}`);
    else if (r.state !== 'active') reasons.push(`line ${r.lineId}: asset ${r.assetId} is ${r.state} (order ${r.lastOrderId})`);
    else if (r.quoted !== null && r.version !== r.quoted) {
      reasons.push(`stale asset version: line ${r.lineId} changes asset ${r.assetId} at version ${r.quoted}, which order ${r.lastOrderId} took to version ${r.version}`);
    } else if (other) reasons.push(`line ${r.lineId}: asset ${r.assetId} is being changed by order ${other.orderId}`);
  }
  return reasons;
}

const SELLERS = ['admin', 'rep', 'sales-manager', 'finance', 'ops', 'integrator'] as const;

/** GET /installed-base?accountId=: any account of the tenant for sellers and operators, the own one for a customer. */
export async function installedBaseOf(prisma: PrismaClient, principal: Principal, accountId: string, state?: 'active' | 'disconnected') {
  const seller = principal.roles.some((r) => (SELLERS as readonly string[]).includes(r));
  if (!seller && principal.accountId !== accountId) throw new DomainError('account-not-found', `no account ${accountId}`);
  const rows = await prisma.$queryRaw<{
    assetId: string; accountId: string; offering: string; quantity: number; selections: Record<string, unknown>; charges: OrderView['lines'][number]['charges'];
    options: NonNullable<OrderView['lines'][number]['options']> | null; currency: string;
    state: 'active' | 'disconnected'; orderId: string; lineId: string; lastOrderId: string; version: number; releaseId: string; termMonths: number;
    termStart: Date; termEnd: Date; installedAt: Date; updatedAt: Date;
  }[]>`
    SELECT id::text AS "assetId", account_id AS "accountId", offering, quantity, selections, charges, options, currency, state, order_id::text AS "orderId",
           line_id AS "lineId", last_order_id::text AS "lastOrderId", version, release_id::text AS "releaseId", term_months AS "termMonths",
           term_start AS "termStart", term_end AS "termEnd", installed_at AS "installedAt", updated_at AS "updatedAt"
    FROM installed_asset WHERE tenant_id = ${principal.tenantId} AND account_id = ${accountId}
      ${state ? Prisma.sql`AND state = ${state}` : Prisma.empty}
    ORDER BY installed_at, id`;
  const day = (d: Date) => new Date(d).toISOString().slice(0, 10);
  return {
    accountId,
    items: rows.map(({ options, ...r }) => ({
      // A bundle's options when the asset has any (absent: none, or not known).
      ...r, ...(options?.length ? { options } : {}), termStart: day(r.termStart), termEnd: day(r.termEnd),
      installedAt: new Date(r.installedAt).toISOString(), updatedAt: new Date(r.updatedAt).toISOString(),
    })),
  };
}
