import { createHash, randomUUID } from 'node:crypto';
import canonicalize from 'canonicalize';
import { Prisma } from '@cpq/prisma';
import { DomainError } from '../../../http/errors';
import type { RawTx } from '../../../lib/sql-transaction';
import { acceptedRevisionSnapshot, type AcceptedSnapshot } from '../../quote';
import { requireCreator } from '../order.access';
import { done, finishOrder, primaryOrderOf } from '../order.repository';
import type { CommandContext, OrderDeps } from '../order.types';

export type OrderCreation = { orderId: string; state: 'created'; version: number };

const sha256 = (value: unknown) => createHash('sha256')
  .update((canonicalize as unknown as (v: unknown) => string)(value)).digest('hex');

/**
 * Writes the primary order of an accepted revision from its snapshot (O1), in the caller's
 * transaction: the order row, its lines with their explicit action (O2; a quote of new
 * business adds every line, a change or renewal quote's lines name the asset and its version), OrderCreated. The unique index on (tenant, quote, revision) makes
 * a second order impossible: a concurrent insert waits for the first to commit and then finds
 * the conflict (`ON CONFLICT DO NOTHING`). Returns undefined when the order existed already.
 */
export async function insertOrder(tx: RawTx, snapshot: AcceptedSnapshot, ctx: CommandContext, source: 'command' | 'event'): Promise<OrderCreation | undefined> {
  const orderId = randomUUID();
  const inserted = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO customer_order (id, tenant_id, quote_id, quote_revision, account_id, customer_name, owner_id, team, currency, term_months, basis,
                                release_id, price_result_id, document_id, snapshot_sha256, source, state, created_by)
    VALUES (${orderId}::uuid, ${snapshot.tenantId}, ${snapshot.quoteId}::uuid, ${snapshot.revision}, ${snapshot.accountId}, ${snapshot.customerName},
            ${snapshot.ownerId}, ${snapshot.team}, ${snapshot.currency}, ${snapshot.termMonths}, ${snapshot.basis}, ${snapshot.releaseId}::uuid,
            ${snapshot.priceResultId}::uuid, ${snapshot.documentId}::uuid, ${sha256(snapshot)}, ${source}, 'created', ${ctx.principal.userId})
    ON CONFLICT (tenant_id, quote_id, quote_revision) WHERE is_primary DO NOTHING
    RETURNING id::text`;
  if (inserted.length === 0) return undefined;
  if (snapshot.lines.length > 0) {
    // O2: each line's action as the quote decided it (new business adds; a change or renewal acts on the asset it names).
    const rows = snapshot.lines.map((l) => Prisma.sql`(${snapshot.tenantId}, ${orderId}::uuid, ${l.lineId}, ${l.position}, ${l.offering}, ${l.quantity}, ${l.action},
      ${l.assetId}, ${l.assetVersion}::int, ${JSON.stringify(l.selections)}::jsonb, ${l.configurationHash}, ${l.releaseId}::uuid, ${JSON.stringify(l.charges)}::json,
      ${l.options === null ? null : JSON.stringify(l.options)}::jsonb)`);
    // The line's configured options come from the snapshot too (ADR 0022, fourth addendum): the asset keeps them.
    await tx.$executeRaw`
      INSERT INTO order_line (tenant_id, order_id, line_id, position, offering, quantity, action, asset_id, asset_version, selections, configuration_hash, release_id, charges,
                              options)
      VALUES ${Prisma.join(rows)}`;
  }
  const order = { id: orderId, tenantId: snapshot.tenantId, version: 1 } as Parameters<typeof finishOrder>[1];
  const version = await finishOrder(tx, order, ctx, 'OrderCreated', {
    quoteId: snapshot.quoteId, quoteRevision: snapshot.revision, accountId: snapshot.accountId, source, lines: snapshot.lines.length,
    snapshotSha256: sha256(snapshot), ...(snapshot.basis !== 'new' ? { basis: snapshot.basis } : {}),
  });
  return { orderId, state: 'created', version };
}

/**
 * POST /orders/from-accepted-quote: the snapshot is read through the quote module before the
 * transaction (ADR 0013); the transaction inserts the order. A second order of the revision is a
 * 409 order-exists naming the first. Decomposition and the fulfillment start follow the commit
 * (`startFulfillment`), never inside it.
 */
export function createOrderCommand({ prisma, inRawTransaction }: Pick<OrderDeps, 'prisma' | 'inRawTransaction'>) {
  return async (quoteId: string, ctx: CommandContext): Promise<OrderCreation> => {
    const snapshot = await acceptedRevisionSnapshot(prisma, ctx.principal.tenantId, quoteId);
    if (!snapshot) {
      throw new DomainError('quote-not-accepted', `quote ${quoteId} has no accepted revision to order`, [
        { field: 'body/quoteId', rule: 'accepted-revision', message: 'names no quote with an accepted revision' },
      ]);
    }
    requireCreator(ctx.principal, snapshot);
    return inRawTransaction(async (tx) => {
      const created = await insertOrder(tx, snapshot, ctx, 'command');
      if (!created) {
        const existing = await primaryOrderOf(tx, snapshot.tenantId, snapshot.quoteId, snapshot.revision);
        throw new DomainError('order-exists', `revision ${snapshot.revision} of quote ${quoteId} is already order ${existing?.id}`, [
          { field: 'body/quoteId', rule: 'one-primary-order', message: `already has order ${existing?.id}` },
        ]);
      }
      return done(tx, ctx, created);
      // Row-level security's second line (ADR 0023): the order rows of this tenant only.
    }, [], { tenantId: snapshot.tenantId });
  };
}
