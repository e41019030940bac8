import type { QuoteDeps } from '../quote.deps';
import { materialFacts } from '../quote.facts';
import { editQuoteInPrisma } from '../quote.command-frame';
import { actorOf, done, finish, revisionKey } from '../quote.repository';
import type { CommandContext } from '../quote.types';

/** Prints the approved revision's document; rendering and storing happen on the command's connection. */
export function generateDocumentCommand(deps: QuoteDeps) {
  const { documents } = deps;
  return async (quoteId: string, ctx: CommandContext): Promise<{ documentId: string; fileSha256: string; factsSha256: string; version: number }> => {
    return editQuoteInPrisma(deps, quoteId, ctx, 'generate-document', async (tx, loaded, view) => {
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
