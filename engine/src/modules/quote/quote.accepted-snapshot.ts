import type { PrismaClient } from '@cpq/prisma';
import type { RawTx } from '../../lib/sql-transaction';
import { storedCharges } from './price-evidence';

/** Raw SQL on the pool, a Prisma transaction or a node-postgres transaction. */
type Db = PrismaClient | RawTx;

/**
 * A charge of a line as it was accepted (from the accepted price result). A bundle option's
 * charge keeps the option (its offering) it prices: the order line and the installed asset carry
 * it, so that a later change quote compares each option's charge with the same option's.
 */
export type AcceptedCharge = { charge: string; option?: string; chargeType: string; period?: string; quantity: number; unitNetPrice: string; lineNet: string };

export type AcceptedLine = {
  lineId: string;
  position: number;
  offering: string;
  quantity: number;
  /** The normalized selections of the line's configuration (what was priced). */
  selections: Record<string, unknown>;
  configurationHash: string | null;
  releaseId: string;
  /** What the order does with the line (O2): add for new business; a change or renewal quote's lines act on an asset. */
  action: 'add' | 'modify' | 'disconnect' | 'no-change';
  assetId: string | null;
  /** The asset's version the quote was made from: an asset changed since makes the change stale. */
  assetVersion: number | null;
  /**
   * The line's configured options (the configuration's normalized children: offering, quantity
   * per line unit, normalized selections; explicit zeros kept; [] for a line without options),
   * as accepted: the order line and the installed asset keep them, so that a change or renewal
   * quote starts from them (ADR 0022, fourth addendum). Null for a line configured before the
   * configuration kept its options.
   */
  options: AcceptedOption[] | null;
  charges: AcceptedCharge[];
};

/** A bundle option of an accepted line, as the configurator normalized it. */
export type AcceptedOption = { offering: string; quantity: number; selections: Record<string, unknown> };

/**
 * What an accepted revision committed the customer and us to: the facts an order is made from
 * (seed section 5, O1). Read only through the quote module (the order module never reads the
 * quote tables); immutable once accepted, since an accepted revision takes no command.
 */
export type AcceptedSnapshot = {
  tenantId: string;
  quoteId: string;
  revision: number;
  accountId: string;
  customerName: string;
  ownerId: string;
  team: string | null;
  currency: string;
  termMonths: number;
  /** new business, or a change or renewal of the account's installed assets (ADR 0022). */
  basis: 'new' | 'change' | 'renewal';
  releaseId: string;
  priceResultId: string;
  documentId: string;
  acceptedBy: string;
  acceptedAt: string;
  lines: AcceptedLine[];
};

type StoredCharge = AcceptedCharge & { fee?: unknown };
type Head = Omit<AcceptedSnapshot, 'lines' | 'acceptedAt'> & {
  acceptedAt: Date;
  /** Each priced line's charges, or the index of the line whose charges it shares (quote/price-evidence.ts). */
  priced: { lineId: string; charges: StoredCharge[] | null; chargesAt: number | null }[] | null;
  /** A change's disconnect lines with their change charges: the disconnect fees among them are what the order bills. */
  disconnects: { lineId: string; charges: StoredCharge[] }[] | null;
};

/**
 * The accepted revision of a quote with its lines and accepted prices, or null when the quote
 * has no accepted revision (or is not the tenant's). Two statements, no lock: an accepted
 * revision no longer changes. The price result is read per line (each line's charges, not the
 * whole trace document).
 */
export async function acceptedRevisionSnapshot(db: Db, tenantId: string, quoteId: string): Promise<AcceptedSnapshot | null> {
  const [head] = await db.$queryRaw<Head[]>`
    SELECT q.tenant_id AS "tenantId", q.id::text AS "quoteId", r.revision, q.account_id AS "accountId", q.customer_name AS "customerName",
           q.owner_id AS "ownerId", q.team, q.currency, q.term_months AS "termMonths", q.basis, r.release_id::text AS "releaseId",
           r.price_result_id::text AS "priceResultId", r.document_id::text AS "documentId", r.accepted_by AS "acceptedBy", r.accepted_at AS "acceptedAt",
           (SELECT json_agg(json_build_object('lineId', l ->> 'lineId', 'charges', l -> 'charges', 'chargesAt', l -> 'chargesAt') ORDER BY n)
              FROM json_array_elements(p.result -> 'lines') WITH ORDINALITY AS e(l, n)) AS priced,
           (SELECT json_agg(json_build_object('lineId', c ->> 'lineId', 'charges', c -> 'charges'))
              FROM json_array_elements(p.result -> 'change' -> 'lines') c WHERE c ->> 'action' = 'disconnect') AS disconnects
    FROM quote q
    JOIN quote_revision r ON r.quote_id = q.id AND r.state = 'accepted'
    JOIN price_result p ON p.id = r.price_result_id
    WHERE q.id = ${quoteId}::uuid AND q.tenant_id = ${tenantId}`;
  if (!head) return null;
  const lines = await db.$queryRaw<Omit<AcceptedLine, 'charges'>[]>`
    SELECT line_id AS "lineId", position, offering, quantity,
           COALESCE(normalized -> 'selections', selections) AS selections,
           configuration_hash AS "configurationHash", release_id::text AS "releaseId",
           action, asset_id::text AS "assetId", asset_version AS "assetVersion", normalized -> 'children' AS options
    FROM quote_line WHERE quote_id = ${quoteId}::uuid AND revision = ${head.revision} ORDER BY position`;
  // Each line's charges as priced, a shared list restored from the line that carries it.
  const priced = head.priced ?? [];
  const charges = storedCharges(priced);
  const chargesOf = new Map<string, readonly AcceptedCharge[]>(priced.map((p, i) => [p.lineId, charges[i]!]));
  // A disconnect line carries the one-time disconnect fees its change charged (ADR 0022 addendum); nothing else.
  for (const d of head.disconnects ?? []) {
    const fees = d.charges.filter((c) => c.fee !== undefined);
    if (fees.length) chargesOf.set(d.lineId, fees.map((c) => ({ charge: c.charge, chargeType: 'one-time', quantity: 1, unitNetPrice: c.lineNet, lineNet: c.lineNet })));
  }
  const { priced: _priced, disconnects: _disconnects, acceptedAt, ...rest } = head;
  return {
    ...rest,
    acceptedAt: new Date(acceptedAt).toISOString(),
    lines: lines.map((line) => ({
      ...line,
      charges: (chargesOf.get(line.lineId) ?? []).map((c) => ({
        charge: c.charge, ...(c.option !== undefined ? { option: c.option } : {}), chargeType: c.chargeType, ...(c.period ? { period: c.period } : {}), quantity: c.quantity,
        unitNetPrice: c.unitNetPrice, lineNet: c.lineNet,
      })),
    })),
  };
}
