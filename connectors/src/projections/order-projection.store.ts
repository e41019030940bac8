import type { TransactionClient } from '@cpq/prisma';
import type { OrderRow, OrderStepView } from './order-projection.reducer';
import { tableOf, type Target } from './projection';

type DbRow = {
  order_id: string; tenant_id: string; quote_id: string; quote_revision: number; account_id: string; source: string; basis: string | null;
  state: string; line_count: number; plan_version: number | null; release_id: string | null; step_count: number; wave_count: number;
  steps: Record<string, OrderStepView>; steps_done: number; process_instance_id: string | null; open_fallout: number; fallout_total: number;
  cancel_reason: string | null; assets_changed: number; version: bigint; created_at: Date; updated_at: Date;
};

const toRow = (r: DbRow): OrderRow => ({
  tenantId: r.tenant_id, orderId: r.order_id, quoteId: r.quote_id, quoteRevision: r.quote_revision, accountId: r.account_id, source: r.source,
  basis: r.basis, state: r.state, lineCount: r.line_count, planVersion: r.plan_version, releaseId: r.release_id, stepCount: r.step_count,
  waveCount: r.wave_count, steps: r.steps, stepsDone: r.steps_done, processInstanceId: r.process_instance_id, openFallout: r.open_fallout,
  falloutTotal: r.fallout_total, cancelReason: r.cancel_reason, assetsChanged: r.assets_changed, version: Number(r.version),
  createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
});

/** The order read model's table (owned by connectors/src/projections), read and written in the handler's transaction. */
export const orderProjectionStore = {
  async load(tx: TransactionClient, target: Target, orderId: string): Promise<OrderRow | undefined> {
    const [row] = await tx.$queryRaw<DbRow[]>`
      SELECT order_id::text, tenant_id, quote_id::text, quote_revision, account_id, source, basis, state, line_count, plan_version,
             release_id::text, step_count, wave_count, steps, steps_done, process_instance_id, open_fallout, fallout_total, cancel_reason,
             assets_changed, version, created_at, updated_at
        FROM ${tableOf('order_read_model', target)} WHERE order_id = ${orderId}::uuid`;
    return row && toRow(row);
  },

  async save(tx: TransactionClient, target: Target, row: OrderRow): Promise<void> {
    await tx.$executeRaw`
      INSERT INTO ${tableOf('order_read_model', target)} (order_id, tenant_id, quote_id, quote_revision, account_id, source, basis, state,
        line_count, plan_version, release_id, step_count, wave_count, steps, steps_done, process_instance_id, open_fallout, fallout_total,
        cancel_reason, assets_changed, version, created_at, updated_at)
      VALUES (${row.orderId}::uuid, ${row.tenantId}, ${row.quoteId}::uuid, ${row.quoteRevision}, ${row.accountId}, ${row.source}, ${row.basis},
        ${row.state}, ${row.lineCount}, ${row.planVersion}, ${row.releaseId}::uuid, ${row.stepCount}, ${row.waveCount},
        ${JSON.stringify(row.steps)}::jsonb, ${row.stepsDone}, ${row.processInstanceId}, ${row.openFallout}, ${row.falloutTotal},
        ${row.cancelReason}, ${row.assetsChanged}, ${row.version}, ${row.createdAt}::timestamptz, ${row.updatedAt}::timestamptz)
      ON CONFLICT (order_id) DO UPDATE SET
        tenant_id = EXCLUDED.tenant_id, quote_id = EXCLUDED.quote_id, quote_revision = EXCLUDED.quote_revision, account_id = EXCLUDED.account_id,
        source = EXCLUDED.source, basis = EXCLUDED.basis, state = EXCLUDED.state, line_count = EXCLUDED.line_count,
        plan_version = EXCLUDED.plan_version, release_id = EXCLUDED.release_id, step_count = EXCLUDED.step_count,
        wave_count = EXCLUDED.wave_count, steps = EXCLUDED.steps, steps_done = EXCLUDED.steps_done,
        process_instance_id = EXCLUDED.process_instance_id, open_fallout = EXCLUDED.open_fallout, fallout_total = EXCLUDED.fallout_total,
        cancel_reason = EXCLUDED.cancel_reason, assets_changed = EXCLUDED.assets_changed, version = EXCLUDED.version,
        created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at`;
  },
};
