import type { TransactionClient } from '@cpq/prisma';
import { tableOf, type Target } from './projection';
import type { QuoteRow, WorklistChange } from './quote-projection.reducer';

export type { Target } from './projection';
const TABLES = {
  live: { quotes: tableOf('quote_read_model', 'live'), worklist: tableOf('approval_worklist', 'live') },
  next: { quotes: tableOf('quote_read_model', 'next'), worklist: tableOf('approval_worklist', 'next') },
} as const;

type DbRow = {
  quote_id: string; tenant_id: string; revision: number; state: string; account_id: string; owner_id: string; currency: string;
  term_months: number; release_id: string; line_count: number; totals: Record<string, unknown> | null; document_id: string | null;
  version: bigint; updated_at: Date;
};

const toRow = (r: DbRow): QuoteRow => ({
  tenantId: r.tenant_id, quoteId: r.quote_id, revision: r.revision, state: r.state, accountId: r.account_id, ownerId: r.owner_id,
  currency: r.currency, termMonths: r.term_months, releaseId: r.release_id, lineCount: r.line_count, totals: r.totals,
  documentId: r.document_id, version: Number(r.version), updatedAt: r.updated_at.toISOString(),
});

/** The projection's tables (owned by connectors/src/projections), read and written in the handler's transaction. */
export const quoteProjectionStore = {
  async load(tx: TransactionClient, target: Target, quoteId: string): Promise<QuoteRow | undefined> {
    const [row] = await tx.$queryRaw<DbRow[]>`
      SELECT quote_id::text, tenant_id, revision, state, account_id, owner_id, currency, term_months, release_id::text,
             line_count, totals, document_id::text, version, updated_at
        FROM ${TABLES[target].quotes} WHERE quote_id = ${quoteId}::uuid`;
    return row && toRow(row);
  },

  async save(tx: TransactionClient, target: Target, row: QuoteRow): Promise<void> {
    await tx.$executeRaw`
      INSERT INTO ${TABLES[target].quotes} (quote_id, tenant_id, revision, state, account_id, owner_id, currency, term_months,
                                            release_id, line_count, totals, document_id, version, updated_at)
      VALUES (${row.quoteId}::uuid, ${row.tenantId}, ${row.revision}, ${row.state}, ${row.accountId}, ${row.ownerId}, ${row.currency},
              ${row.termMonths}, ${row.releaseId}::uuid, ${row.lineCount}, ${row.totals === null ? null : JSON.stringify(row.totals)}::jsonb,
              ${row.documentId}::uuid, ${row.version}, ${row.updatedAt}::timestamptz)
      ON CONFLICT (quote_id) DO UPDATE SET
        tenant_id = EXCLUDED.tenant_id, revision = EXCLUDED.revision, state = EXCLUDED.state, account_id = EXCLUDED.account_id,
        owner_id = EXCLUDED.owner_id, currency = EXCLUDED.currency, term_months = EXCLUDED.term_months, release_id = EXCLUDED.release_id,
        line_count = EXCLUDED.line_count, totals = EXCLUDED.totals, document_id = EXCLUDED.document_id, version = EXCLUDED.version,
        updated_at = EXCLUDED.updated_at`;
  },

  async applyWorklist(tx: TransactionClient, target: Target, change: WorklistChange): Promise<void> {
    const table = TABLES[target].worklist;
    if (change.kind === 'add') {
      const i = change.item;
      await tx.$executeRaw`
        INSERT INTO ${table} (quote_id, revision, level, tenant_id, role, due_at, work_item_id, requested_at)
        VALUES (${i.quoteId}::uuid, ${i.revision}, ${i.level}, ${i.tenantId}, ${i.role}, ${i.dueAt}::timestamptz, ${i.workItemId}, ${i.requestedAt}::timestamptz)
        ON CONFLICT (quote_id, revision, level) DO UPDATE SET role = EXCLUDED.role, due_at = EXCLUDED.due_at, work_item_id = EXCLUDED.work_item_id`;
    } else if (change.kind === 'close-level') {
      await tx.$executeRaw`DELETE FROM ${table} WHERE quote_id = ${change.quoteId}::uuid AND revision = ${change.revision} AND level = ${change.level}`;
    } else if (change.kind === 'close-revision') {
      await tx.$executeRaw`DELETE FROM ${table} WHERE quote_id = ${change.quoteId}::uuid AND revision = ${change.revision}`;
    }
  },
};
