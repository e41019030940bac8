import { randomUUID } from 'node:crypto';
import { Prisma } from '@cpq/prisma';
import { DomainError } from '../../../http/errors';
import { price, type ManualDiscount, type PriceResult } from '../../pricing';
import type { QuoteDeps } from '../quote.deps';
import { editQuote } from '../quote.command-frame';
import { customerContext } from './line.commands';
import type { ReleaseView } from '@cpq/metadata';
import { ChangeLineError, disconnectFeesOf, priceChange } from '../change-pricing';
import { refuseStaleChanges } from './change-quote.commands';
import { conclude, currentPricingLines, type PricingLine } from '../quote.repository';
import { nextState, type RevisionState } from '../quote.state';
import type { CommandContext } from '../quote.types';
import { pricedOptions } from '../quote.line-options';
import { evidenceJson } from '../price-evidence';

/** Prices every line against the pinned release; the result is immutable evidence. */
export function priceQuoteCommand(deps: QuoteDeps) {
  const { today } = deps;
  return async (quoteId: string, ctx: CommandContext): Promise<{ priceResultId: string; totals: PriceResult['totals']; version: number }> => {
    return editQuote(deps, quoteId, ctx, 'price', async (tx, loaded, view, read) => {
      const all = read as PricingLine[];
      // A change or renewal prices its add and modify lines; no-change and disconnect lines count from their baseline (ADR 0022).
      const lines = all.filter((l) => l.action === 'add' || l.action === 'modify');
      const invalid = lines.filter((l) => !l.configurationValid);
      if (invalid.length > 0) {
        throw new DomainError('configuration-invalid', `lines ${invalid.map((l) => l.lineId).join(', ')} are not validly configured`,
          invalid.map((l) => ({ field: `lines/${l.lineId}`, rule: 'configuration.valid', message: 'fix the configuration before pricing' })));
      }
      // A change whose asset moved on (another change fulfilled meanwhile) is refused now, not at planning.
      await refuseStaleChanges(tx, loaded);
      const priceResultId = randomUUID();
      const core = price(view, {
        currency: loaded.quote.currency, pricingDate: today(), termMonths: loaded.quote.termMonths,
        // The customer-phase rules read the segment and channel the quote was made for.
        customer: { accountId: loaded.quote.accountId, ...customerContext(loaded.quote) },
        lines: lines.map((l) => ({
          lineId: l.lineId, offering: l.offering, quantity: l.quantity,
          characteristics: l.selections ?? {},
          ...(l.manualDiscount ? { manualDiscount: l.manualDiscount as unknown as ManualDiscount } : {}),
          ...pricedOptions(l.children),
        })),
      }, { resultId: priceResultId });
      const basis = loaded.quote.basis;
      const result = basis === 'change' || basis === 'renewal'
        ? changePriced(core, all, view, { basis, changeDate: today(), termMonths: loaded.quote.termMonths, customer: customerContext(loaded.quote) }) : core;
      // Evidence row, the revision's pointer to it, version, audit, event and answer in one statement
      // (raw: a large JSON document on a hot path).
      const evidence = Prisma.sql`
        INSERT INTO price_result (id, tenant_id, quote_id, revision, material_version, release_id, result, result_hash, created_by)
        VALUES (${priceResultId}::uuid, ${ctx.principal.tenantId}, ${quoteId}::uuid, ${loaded.revision.revision}, ${loaded.revision.materialVersion},
                ${loaded.revision.releaseId}::uuid, ${evidenceJson(result)}::json, ${result.resultHash}, ${ctx.principal.userId})`;
      // The foreign key to the evidence is checked at the end of the statement, after both rows are written.
      const pointer = Prisma.sql`
        UPDATE quote_revision SET state = ${nextState('price', loaded.revision.state as RevisionState)}, price_result_id = ${priceResultId}::uuid,
               priced_material_version = ${loaded.revision.materialVersion}, version = version + 1, updated_at = now()
        WHERE quote_id = ${quoteId}::uuid AND revision = ${loaded.revision.revision}`;
      return conclude(tx, loaded, ctx, 'QuotePriced', { priceResultId, resultHash: result.resultHash, totals: result.totals },
        (version) => ({ priceResultId, totals: result.totals, version }), { also: [evidence, pointer] });
    }, currentPricingLines(quoteId));
  };
}

/**
 * The core's result of the priced lines, as the delta against the quote's assets, with the
 * release's disconnect fees; an asset whose term is over names its line.
 */
export function changePriced(core: PriceResult, lines: Parameters<typeof priceChange>[1], view: ReleaseView,
  o: { basis: 'change' | 'renewal'; changeDate: string; termMonths: number; customer: { segment?: string; channel?: string } }): PriceResult {
  try {
    return priceChange(core, lines, { ...o, fees: disconnectFeesOf(view) });
  } catch (error) {
    if (!(error instanceof ChangeLineError)) throw error;
    throw new DomainError('term-ended', error.message, [{ field: `lines/${error.lineId}`, rule: 'term-running', message: 'its asset\'s term has ended: renew it instead' }]);
  }
}
