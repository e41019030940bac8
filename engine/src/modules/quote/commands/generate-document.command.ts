import type { QuoteDeps } from '../quote.deps';
import { materialFacts } from '../quote.facts';
import { guard, requireEditor } from '../quote.guards';
import { actorOf, done, finish, lock, pinnedRelease, revisionKey } from '../quote.repository';
import type { CommandContext } from '../quote.types';

/** Prints the approved revision's document; rendering and storing happen on the command's connection. */
export function generateDocumentCommand({ prisma, inTransaction, releases, documents }: QuoteDeps) {
  return async (quoteId: string, ctx: CommandContext): Promise<{ documentId: string; fileSha256: string; factsSha256: string; version: number }> => {
    const view = await releases.get(ctx.principal.tenantId, await pinnedRelease(prisma, quoteId, ctx.principal.tenantId));
    return inTransaction(async (tx) => {
      const loaded = await lock(tx, quoteId, ctx, view.releaseId);
      requireEditor(ctx, loaded.quote);
      guard('generate-document', loaded.revision);
      const facts = await materialFacts(tx, loaded, view);
      const document = await documents.generate(tx, facts, 'quote-standard', { actor: actorOf(ctx), correlationId: ctx.correlationId });
      await tx.quoteRevision.update({
        where: revisionKey(loaded),
        data: { documentId: document.documentId, version: { increment: 1 }, updatedAt: new Date() },
      });
      const version = await finish(tx, loaded, ctx, 'QuoteDocumentGenerated', { documentId: document.documentId, fileSha256: document.fileSha256, factsSha256: document.factsSha256 });
      return done(tx, ctx, { documentId: document.documentId, fileSha256: document.fileSha256, factsSha256: document.factsSha256, version });
    });
  };
}
