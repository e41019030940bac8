import type { ReleaseView } from '@cpq/metadata';
import type { TransactionClient } from '@cpq/prisma';
import type { RawTx } from '../../lib/sql-transaction';
import type { QuoteDeps } from './quote.deps';
import { guard, requireEditor } from './quote.guards';
import { lock, pinnedRelease, type Loaded } from './quote.repository';
import type { QuoteCommand } from './quote.state';
import type { CommandContext } from './quote.types';

type Work<Tx, T> = (tx: Tx, loaded: Loaded, view: ReleaseView) => Promise<T>;
type FrameDeps = Pick<QuoteDeps, 'prisma' | 'releases'>;

/**
 * The frame of a command that edits a quote (ADR 0013): the revision's pinned release is read
 * before the transaction (it may need Redis or another connection); then one transaction takes
 * the quote's lock, checks the editor and the transition table, and runs the work. In raw SQL on
 * node-postgres (ADR 0014); `editQuoteInPrisma` for work that needs Prisma's models.
 */
export function editQuote<T>(deps: FrameDeps & Pick<QuoteDeps, 'inRawTransaction'>, quoteId: string, ctx: CommandContext, command: QuoteCommand, work: Work<RawTx, T>): Promise<T> {
  return frame(deps, deps.inRawTransaction, quoteId, ctx, command, work);
}

export function editQuoteInPrisma<T>(deps: FrameDeps & Pick<QuoteDeps, 'inTransaction'>, quoteId: string, ctx: CommandContext, command: QuoteCommand, work: Work<TransactionClient, T>): Promise<T> {
  return frame(deps, deps.inTransaction, quoteId, ctx, command, work);
}

async function frame<Tx extends RawTx, T>(
  { prisma, releases }: FrameDeps, run: (work: (tx: Tx) => Promise<T>) => Promise<T>,
  quoteId: string, ctx: CommandContext, command: QuoteCommand, work: Work<Tx, T>,
): Promise<T> {
  const view = await releases.get(ctx.principal.tenantId, await pinnedRelease(prisma, quoteId, ctx.principal.tenantId));
  return run(async (tx) => {
    const loaded = await lock(tx, quoteId, ctx, view.releaseId);
    requireEditor(ctx, loaded.quote);
    guard(command, loaded.revision);
    return work(tx, loaded, view);
  });
}
