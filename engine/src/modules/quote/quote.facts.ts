import type { ReleaseView } from '@cpq/metadata';
import type { PrismaClient, TransactionClient } from '@cpq/prisma';
import { DomainError } from '../../http/errors';
import type { QuoteMaterialFacts } from '../document';
import { isoDate, linesOf, type Loaded } from './quote.repository';
import { fromEvidence } from './price-evidence';

/**
 * Material facts of a revision: what a document shows and acceptance binds to. Reads only on
 * `db` (the command's transaction) and the release view fetched before it.
 */
export async function materialFacts(db: TransactionClient | PrismaClient, loaded: Loaded, view: ReleaseView): Promise<QuoteMaterialFacts> {
  const { quote, revision } = loaded;
  if (!revision.priceResultId) throw new DomainError('price-stale', 'the revision has no price');
  const priceRow = await db.priceResult.findUniqueOrThrow({ where: { id: revision.priceResultId } });
  const result = fromEvidence(priceRow.result);
  const lines = await linesOf(db, quote.id, revision.revision);
  return {
    tenantId: quote.tenantId, quoteId: quote.id, revision: revision.revision,
    customer: { accountId: quote.accountId, name: quote.customerName },
    currency: quote.currency, termMonths: quote.termMonths, validUntil: isoDate(revision.validUntil),
    releaseId: view.releaseId, releaseNumber: view.releaseNumber, priceResultHash: priceRow.resultHash,
    lines: lines.map((line) => {
      const priced = result.lines.find((l) => l.lineId === line.lineId);
      const offering = view.get('product-offering', line.offering);
      return {
        lineId: line.lineId, offering: line.offering, offeringName: offering?.content.name ?? line.offering, quantity: line.quantity,
        configuration: ((line.configuration as { normalized?: { selections?: Record<string, unknown> } } | null)?.normalized?.selections) ?? {},
        charges: (priced?.charges ?? []).map((c) => ({
          charge: c.charge, name: offering?.content.charges.find((oc) => oc.key === c.charge)?.name ?? c.charge,
          chargeType: c.chargeType, ...(c.period ? { period: c.period } : {}),
          unitNetPrice: c.unitNetPrice, lineNet: c.lineNet, termTotal: c.termTotal,
        })),
      };
    }),
    totals: { oneTime: result.totals.oneTime, monthly: result.totals.monthly, annual: result.totals.annual, termTotal: result.totals.termTotal },
  };
}
