import type { ReleaseView } from '@cpq/metadata';
import type { TransactionClient } from '@cpq/prisma';
import type { QuoteDeps } from './quote.deps';
import { guard, requireEditor } from './quote.guards';
import { lock, pinnedRelease, type Loaded } from './quote.repository';
import type { QuoteCommand } from './quote.state';
import type { CommandContext } from './quote.types';

/**
 * The frame of a command that edits a quote (ADR 0013): the revision's pinned release is read
 * before the transaction (it may need Redis or another connection); then one transaction takes
 * the quote's lock, checks the editor and the transition table, and runs the work.
 */
export async function editQuote<T>(
  { prisma, releases, inTransaction }: Pick<QuoteDeps, 'prisma' | 'releases' | 'inTransaction'>,
  quoteId: string, ctx: CommandContext, command: QuoteCommand,
  work: (tx: TransactionClient, loaded: Loaded, view: ReleaseView) => Promise<T>,
): Promise<T> {
  const view = await releases.get(ctx.principal.tenantId, await pinnedRelease(prisma, quoteId, ctx.principal.tenantId));
  return inTransaction(async (tx) => {
    const loaded = await lock(tx, quoteId, ctx, view.releaseId);
    requireEditor(ctx, loaded.quote);
    guard(command, loaded.revision);
    return work(tx, loaded, view);
  });
}
