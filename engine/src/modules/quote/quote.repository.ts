import type { PrismaClient, TransactionClient } from '@cpq/prisma';
import { DomainError } from '../../http/errors';
import { recordAudit } from '../audit';
import { writeOutboxEvent } from '../outbox';
import { canSee } from './quote.access';
import { nextState, type QuoteCommand, type RevisionState } from './quote.state';
import type { CommandContext } from './quote.types';

/** The quote module's tables (quote, quote_revision, quote_line, price_result), for its commands. */
export type QuoteRow = Awaited<ReturnType<PrismaClient['quote']['findFirstOrThrow']>>;
export type RevisionRow = Awaited<ReturnType<PrismaClient['quoteRevision']['findFirstOrThrow']>>;
export type Loaded = { quote: QuoteRow; revision: RevisionRow };
type Db = PrismaClient | TransactionClient;

export const isoDate = (d: Date) => d.toISOString().slice(0, 10);
export const addDays = (day: string, days: number) => isoDate(new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000));

export const actorOf = (ctx: CommandContext) => ({
  type: ctx.principal.roles.includes('customer') ? ('CUSTOMER' as const) : ('USER' as const),
  id: ctx.principal.userId,
});

/**
 * Which release the quote's current revision is pinned to, read before the command's
 * transaction: the compiled release is fetched outside it (it may need Redis or another pool
 * connection), and `lock` checks the revision is still on it.
 */
export async function pinnedRelease(db: Db, quoteId: string, tenantId: string): Promise<string> {
  const row = await db.quoteRevision.findFirst({ where: { quoteId, tenantId }, orderBy: { revision: 'desc' }, select: { releaseId: true } });
  if (!row) throw new DomainError('quote-not-found', `no quote ${quoteId}`);
  return row.releaseId;
}

/**
 * Row-locks the quote (the one lock every quote command takes, so the lock order is fixed:
 * quote first, then anything of the quote) and loads its current revision, checking
 * visibility, the expected version and, when given, the release read before the transaction.
 */
export async function lock(tx: TransactionClient, quoteId: string, ctx: CommandContext, pinned?: string): Promise<Loaded> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM quote WHERE id = ${quoteId}::uuid AND tenant_id = ${ctx.principal.tenantId} FOR UPDATE`;
  const quote = rows.length ? await tx.quote.findUnique({ where: { id: quoteId } }) : null;
  if (!quote || !canSee(ctx.principal, quote)) throw new DomainError('quote-not-found', `no quote ${quoteId}`);
  if (ctx.expectedVersion !== undefined && quote.version !== ctx.expectedVersion) {
    throw new DomainError('version-conflict', `quote is at version ${quote.version}, not ${ctx.expectedVersion}; read it again`);
  }
  const revision = await tx.quoteRevision.findUniqueOrThrow({ where: { quoteId_revision: { quoteId, revision: quote.currentRevision } } });
  if (pinned !== undefined && revision.releaseId !== pinned) {
    throw new DomainError('concurrent-update', 'the quote was revised while this command ran; read it again and retry');
  }
  return { quote, revision };
}

export const linesOf = (db: Db, quoteId: string, revision: number) =>
  db.quoteLine.findMany({ where: { quoteId, revision }, orderBy: { position: 'asc' } });

export const revisionKey = (loaded: Loaded) => ({ quoteId_revision: { quoteId: loaded.quote.id, revision: loaded.revision.revision } });

/** Bumps the quote version and records audit and the event: every state change ends here. */
export async function finish(tx: TransactionClient, loaded: Loaded, ctx: CommandContext, eventType: string, payload: Record<string, unknown>, reason?: string): Promise<number> {
  const updated = await tx.quote.update({ where: { id: loaded.quote.id }, data: { version: { increment: 1 }, updatedAt: new Date() } });
  await recordAudit(tx, {
    tenantId: ctx.principal.tenantId, actor: actorOf(ctx), action: `quote.${eventType}`,
    target: { type: 'QUOTE', id: loaded.quote.id }, reason: reason ?? null, correlationId: ctx.correlationId,
    details: { revision: loaded.revision.revision, ...payload },
  });
  await writeOutboxEvent(tx, {
    eventType, tenantId: ctx.principal.tenantId, aggregateType: 'QUOTE', aggregateId: loaded.quote.id,
    aggregateVersion: updated.version, correlationId: ctx.correlationId, causationId: ctx.commandId, actor: actorOf(ctx),
    payload: { quoteId: loaded.quote.id, revision: loaded.revision.revision, ...payload },
  });
  return updated.version;
}

/** A material change makes the price and any approval stale: back to draft, material version up. */
export async function materialChange(tx: TransactionClient, loaded: Loaded, command: QuoteCommand): Promise<void> {
  await tx.quoteRevision.update({
    where: revisionKey(loaded),
    data: { state: nextState(command, loaded.revision.state as RevisionState), materialVersion: { increment: 1 }, version: { increment: 1 }, updatedAt: new Date() },
  });
}

/** Ends a command's transaction: its answer is stored for the Idempotency-Key in the same commit. */
export async function done<T>(tx: TransactionClient, ctx: CommandContext, result: T): Promise<T> {
  await ctx.complete?.(tx, result);
  return result;
}
