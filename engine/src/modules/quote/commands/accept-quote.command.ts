import { DomainError } from '../../../http/errors';
import type { QuoteDeps } from '../quote.deps';
import { materialFacts } from '../quote.facts';
import { guard, requireEditor } from '../quote.guards';
import { done, finish, isoDate, lock, pinnedRelease, revisionKey } from '../quote.repository';
import type { AcceptInput, CommandContext } from '../quote.types';
import { refuseStaleChanges } from './change-quote.commands';

/**
 * Acceptance (seed section 5): an approved, current, unexpired revision whose price and
 * approval are fresh, with a document whose facts hash still matches the revision. By the
 * customer of the account, or by a rep on their behalf with recorded evidence. Everything is
 * checked on the command's own connection while it holds the quote's lock: the release is
 * read before, the document verified through `tx` (it was verified on a second pool connection,
 * which deadlocked the pool when many accepts waited for one quote).
 */
export function acceptQuoteCommand({ prisma, inTransaction, releases, documents, today }: QuoteDeps) {
  return async (quoteId: string, input: AcceptInput, ctx: CommandContext): Promise<{ state: string; version: number }> => {
    const view = await releases.get(ctx.principal.tenantId, await pinnedRelease(prisma, quoteId, ctx.principal.tenantId));
    return inTransaction(async (tx) => {
      const loaded = await lock(tx, quoteId, ctx, view.releaseId);
      const { quote, revision } = loaded;
      const isCustomer = ctx.principal.roles.includes('customer') && ctx.principal.accountId === quote.accountId;
      if (!isCustomer) {
        requireEditor(ctx, quote);
        if (!input.onBehalfOf) throw new DomainError('acceptance-evidence-required', 'record how the customer accepted (onBehalfOf.evidence)', [{ field: 'body/onBehalfOf', rule: 'required', message: 'is required when a rep accepts' }]);
      }
      const accepted = await tx.quoteRevision.findFirst({ where: { quoteId, state: 'accepted' }, select: { revision: true } });
      if (accepted) throw new DomainError('already-accepted', `revision ${accepted.revision} of this quote is already accepted`);
      guard('accept', revision);
      if (isoDate(revision.validUntil) < today()) throw new DomainError('quote-expired', `revision ${revision.revision} expired on ${isoDate(revision.validUntil)}`);
      if (revision.pricedMaterialVersion !== revision.materialVersion) throw new DomainError('price-stale', 'the price is older than the last material change');
      if (revision.approvalMaterialVersion !== revision.materialVersion || revision.approvedPriceResultId !== revision.priceResultId) {
        throw new DomainError('approval-stale', 'the approval does not cover the current revision and price');
      }
      if (!revision.documentId) throw new DomainError('document-required', 'generate the quote document first');
      if (input.documentId !== revision.documentId) throw new DomainError('document-stale', 'this is not the current document of the revision');
      await refuseStaleChanges(tx, loaded);
      const check = await documents.verify(ctx.principal.tenantId, revision.documentId, await materialFacts(tx, loaded, view), tx);
      if (!check.matches) throw new DomainError('document-stale', `the document shows facts ${check.expectedFactsSha256}, the revision now has ${check.actualFactsSha256}`);
      await tx.quoteRevision.update({
        where: revisionKey(loaded),
        data: {
          state: 'accepted', acceptedBy: ctx.principal.userId, acceptedAt: new Date(),
          acceptanceEvidence: { byCustomer: isCustomer, ...(input.onBehalfOf ? { onBehalfOf: input.onBehalfOf } : {}), documentId: revision.documentId, factsSha256: check.actualFactsSha256 },
          version: { increment: 1 }, updatedAt: new Date(),
        },
      });
      const version = await finish(tx, loaded, ctx, 'QuoteAccepted', { ownerId: quote.ownerId, accountId: quote.accountId, acceptedBy: ctx.principal.userId, documentId: revision.documentId });
      return done(tx, ctx, { state: 'accepted', version });
    });
  };
}
