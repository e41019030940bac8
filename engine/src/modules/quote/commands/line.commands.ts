import type { ReleaseView } from '@cpq/metadata';
import { Prisma } from '@cpq/prisma';
import { DomainError } from '../../../http/errors';
import { configure, refuseAboveMaxQuantity, type ConfigurationResult } from '../../configuration';
import type { QuoteDeps } from '../quote.deps';
import { editQuote } from '../quote.command-frame';
import { manualDiscountRecord } from '../quote.guards';
import { conclude, currentLineOfferings, materialChange, type LineOffering, type QuoteRow } from '../quote.repository';
import type { CommandContext, LineChange, LineInput } from '../quote.types';
import { assetLineAction } from './change-quote.commands';

type LineResult = { lineId: string; valid: boolean; version: number; action?: 'modify' | 'no-change' };

/** The quote's segment and channel, where it has them (quotes made before accounts have none). */
export const customerContext = (quote: Pick<QuoteRow, 'segment' | 'channel'>) => ({
  ...(quote.segment ? { segment: quote.segment } : {}),
  ...(quote.channel ? { channel: quote.channel } : {}),
});

/** Configures against the revision's release; a typed input error becomes a 422 in the error handler. */
export function configureLineOn(view: ReleaseView, line: LineInput, quote: QuoteRow, otherOfferings: string[]): ConfigurationResult {
  return configure(view, {
    offering: line.offering,
    selections: line.selections,
    // A bundle's options as the rep chose them (absent: each at its default quantity).
    ...(line.children ? { children: line.children } : {}),
    // The segment and channel the quote was made for (its account's): offerings not sold to them are refused.
    context: { quantity: line.quantity, termMonths: quote.termMonths, quoteOfferings: otherOfferings, ...customerContext(quote) },
  });
}

/**
 * The offering's most units per line (`maxQuantity`), if it has one: a line above it, new or a
 * change of an installed asset's quantity, is refused naming its quantity (422; the preview
 * refuses the same, configuration module).
 */
export function checkQuantity(view: ReleaseView, offering: string, quantity: number): void {
  refuseAboveMaxQuantity(view, offering, quantity, 'body/quantity');
}

/** Adds a configured line (configuration runs now, against the revision's pinned release). */
export function addLineCommand(deps: QuoteDeps) {
  return async (quoteId: string, line: LineInput, ctx: CommandContext): Promise<LineResult> => {
    return editQuote(deps, quoteId, ctx, 'add-line', async (tx, loaded, view, read) => {
      const existing = read as { lineId: string; offering: string }[];
      checkQuantity(view, line.offering, line.quantity);
      const result = configureLineOn(view, line, loaded.quote, existing.map((l) => l.offering));
      const lineId = `L${existing.length + 1}`;
      const discount = line.manualDiscount ? JSON.stringify(manualDiscountRecord(line.manualDiscount, ctx)) : null;
      // The line, the material change, version, audit, event and answer: one statement (`conclude`).
      const insert = Prisma.sql`
        INSERT INTO quote_line (tenant_id, quote_id, revision, line_id, position, offering, quantity, selections, configuration,
                                configuration_hash, configuration_valid, release_id, manual_discount)
        VALUES (${ctx.principal.tenantId}, ${quoteId}::uuid, ${loaded.revision.revision}, ${lineId}, ${existing.length + 1}, ${line.offering},
                ${line.quantity}, ${JSON.stringify(line.selections)}::jsonb, ${JSON.stringify(result)}::json, ${result.resultHash},
                ${result.valid}, ${loaded.revision.releaseId}::uuid, ${discount}::jsonb)`;
      return conclude(tx, loaded, ctx, 'QuoteLineAdded', { lineId, offering: line.offering, quantity: line.quantity, valid: result.valid },
        (version) => ({ lineId, valid: result.valid, version }), { also: [insert, materialChange(loaded, 'add-line')] });
    }, currentLineOfferings(quoteId));
  };
}

export function configureLineCommand(deps: QuoteDeps) {
  return async (quoteId: string, lineId: string, line: LineChange, ctx: CommandContext): Promise<LineResult> => {
    return editQuote(deps, quoteId, ctx, 'configure-line', async (tx, loaded, view, read) => {
      const existing = read as LineOffering[];
      const current = existing.find((l) => l.lineId === lineId);
      if (!current) throw new DomainError('line-not-found', `revision ${loaded.revision.revision} has no line ${lineId}`);
      // Only a new quantity is held to the maximum: a line (or an asset) already above it can still change its values.
      if (line.quantity !== current.quantity) checkQuantity(view, current.offering, line.quantity);
      // Absent options keep the line's, as configured (explicit zeros included).
      const children = line.children ?? current.children ?? undefined;
      const result = configureLineOn(view, { quantity: line.quantity, selections: line.selections, offering: current.offering, ...(children ? { children } : {}) },
        loaded.quote, existing.filter((l) => l.lineId !== lineId).map((l) => l.offering));
      // A line of an installed asset modifies it when it no longer matches it (ADR 0022).
      const action = assetLineAction(current, line.quantity, result, lineId, loaded.quote.basis);
      // Absent keeps the line's discount, null removes it, a value replaces it (with who and why).
      const discount = line.manualDiscount === undefined ? Prisma.sql`manual_discount`
        : line.manualDiscount === null ? Prisma.sql`NULL`
          : Prisma.sql`${JSON.stringify(manualDiscountRecord(line.manualDiscount, ctx))}::jsonb`;
      const update = Prisma.sql`
        UPDATE quote_line SET quantity = ${line.quantity}, selections = ${JSON.stringify(line.selections)}::jsonb, configuration = ${JSON.stringify(result)}::json,
               configuration_hash = ${result.resultHash}, configuration_valid = ${result.valid}, manual_discount = ${discount},
               action = ${action ?? 'add'}
        WHERE quote_id = ${quoteId}::uuid AND revision = ${loaded.revision.revision} AND line_id = ${lineId}`;
      return conclude(tx, loaded, ctx, 'QuoteLineConfigured', {
        lineId, quantity: line.quantity, valid: result.valid, ...(line.manualDiscount === null ? { manualDiscountRemoved: true } : {}), ...(action ? { action } : {}),
      },
        (version) => ({ lineId, valid: result.valid, version, ...(action ? { action } : {}) }), { also: [update, materialChange(loaded, 'configure-line')] });
    }, currentLineOfferings(quoteId));
  };
}
