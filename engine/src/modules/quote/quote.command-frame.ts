import type { ReleaseView } from '@cpq/metadata';
import type { Prisma, TransactionClient } from '@cpq/prisma';
import type { RawTx } from '../../lib/sql-transaction';
import type { QuoteDeps } from './quote.deps';
import { guard, requireEditor } from './quote.guards';
import { lock, lockOpened, lockStatement, pinnedRelease, PinnedReleaseMoved, type Loaded } from './quote.repository';
import type { QuoteCommand } from './quote.state';
import type { CommandContext } from './quote.types';

type Work<Tx, T> = (tx: Tx, loaded: Loaded, view: ReleaseView) => Promise<T>;
type WorkWithReads<T> = (tx: RawTx, loaded: Loaded, view: ReleaseView, read: Record<string, unknown>[]) => Promise<T>;
type FrameDeps = Pick<QuoteDeps, 'releases' | 'pins' | 'inRawStatement'>;

/**
 * The frame of a command that edits a quote (ADR 0013): the revision's pinned release is read
 * before the transaction (it may need Redis or another connection); then one transaction takes
 * the quote's lock, checks the editor and the transition table, and runs the work. In raw SQL on
 * node-postgres (ADR 0014), the lock sent with BEGIN; `editQuoteInPrisma` for work that needs
 * Prisma's models.
 */
export function editQuote<T>(
  deps: FrameDeps & Pick<QuoteDeps, 'inRawTransaction'>, quoteId: string, ctx: CommandContext, command: QuoteCommand, work: WorkWithReads<T>,
  /** What the work reads of the quote once it is locked (of its current revision), sent in the same round trip. */
  read?: Prisma.Sql,
): Promise<T> {
  return pinned(deps, quoteId, ctx, (view) => deps.inRawTransaction(async (tx, opened) => {
    const loaded = await lockOpened(tx, opened[0]!, quoteId, ctx, view.releaseId);
    return checked(ctx, command, () => work(tx, loaded, view, opened[1] ?? []), loaded);
    // Row-level security's second line (ADR 0023): the transaction sees this tenant's quote rows only.
  }, read ? [lockStatement(quoteId, ctx), read] : [lockStatement(quoteId, ctx)], { tenantId: ctx.principal.tenantId }));
}

export function editQuoteInPrisma<T>(deps: FrameDeps & Pick<QuoteDeps, 'inTransaction'>, quoteId: string, ctx: CommandContext, command: QuoteCommand, work: Work<TransactionClient, T>): Promise<T> {
  return pinned(deps, quoteId, ctx, (view) => deps.inTransaction(async (tx) => {
    const loaded = await lock(tx, quoteId, ctx, view.releaseId);
    return checked(ctx, command, () => work(tx, loaded, view), loaded);
  }));
}

function checked<T>(ctx: CommandContext, command: QuoteCommand, work: () => Promise<T>, loaded: Loaded): Promise<T> {
  requireEditor(ctx, loaded.quote);
  guard(command, loaded.revision);
  return work();
}

/**
 * Runs `attempt` with the compiled release the quote is pinned to: the remembered pin first
 * (no round trip); if the lock finds the revision on another release (revised since), the pin
 * is read again and the attempt made once more.
 */
async function pinned<T>({ releases, pins, inRawStatement }: FrameDeps, quoteId: string, ctx: CommandContext, attempt: (view: ReleaseView) => Promise<T>): Promise<T> {
  const { tenantId } = ctx.principal;
  const remembered = pins.get(tenantId, quoteId);
  const read = async () => {
    const releaseId = await inRawStatement((db) => pinnedRelease(db, quoteId, tenantId));
    pins.set(tenantId, quoteId, releaseId);
    return releaseId;
  };
  try {
    return await attempt(await releases.get(tenantId, remembered ?? (await read())));
  } catch (error) {
    if (!(error instanceof PinnedReleaseMoved) || remembered === undefined) throw error;
    pins.forget(tenantId, quoteId);
    return attempt(await releases.get(tenantId, await read()));
  }
}
