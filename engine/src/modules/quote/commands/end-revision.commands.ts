import { correlations, type Correlation } from '../../workflow';
import type { QuoteDeps } from '../quote.deps';
import { guard, requireEditor, validityDays } from '../quote.guards';
import { addDays, done, finish, isoDate, linesOf, lock, revisionKey, type LineOption } from '../quote.repository';
import { allowed, type RevisionState } from '../quote.state';
import type { CommandContext } from '../quote.types';
import { endCancelled } from '../quote.workflow';
import { configureLineOn } from './line.commands';

/*
 * Commands that end a revision (revise, withdraw, expire) also end its approval workflow, as
 * two steps: the command's transaction marks the correlation CANCELLING with the state change;
 * after the commit the process is ended in Camunda. The command stands either way; a process
 * Camunda did not end now is ended by the reconciler (`recoverWorkflows`).
 */

const cancelWorkflowOf = (tx: Parameters<typeof correlations.cancelActive>[0], tenantId: string, quoteId: string, revision: number) =>
  correlations.cancelActive(tx, tenantId, 'QUOTE_REVISION', `${quoteId}:${revision}`);

/** A new revision carrying the lines over, re-configured against the current release; the old one is superseded. */
export function reviseQuoteCommand(deps: QuoteDeps) {
  const { inTransaction, releases, today } = deps;
  return async (quoteId: string, ctx: CommandContext): Promise<{ revision: number; version: number }> => {
    const view = await releases.get(ctx.principal.tenantId);
    let cancelled: Correlation[] = [];
    const result = await inTransaction(async (tx) => {
      const loaded = await lock(tx, quoteId, ctx);
      requireEditor(ctx, loaded.quote);
      guard('revise', loaded.revision);
      const { revision } = loaded;
      const next = revision.revision + 1;
      await tx.quoteRevision.update({ where: revisionKey(loaded), data: { state: 'superseded', version: { increment: 1 }, updatedAt: new Date() } });
      await tx.quoteRevision.create({
        data: { tenantId: ctx.principal.tenantId, quoteId, revision: next, state: 'draft', releaseId: view.releaseId, validUntil: new Date(`${addDays(today(), validityDays(view))}T00:00:00Z`) },
      });
      const lines = await linesOf(tx, quoteId, revision.revision);
      if (lines.length) {
        await tx.quoteLine.createMany({
          data: lines.map((line) => {
            // A bundle line keeps its options as configured (explicit zeros included), as a configure without children does.
            const children = (line.configuration as { normalized?: { children?: LineOption[] } } | null)?.normalized?.children;
            const configured = configureLineOn(view, { offering: line.offering, quantity: line.quantity, selections: line.selections as Record<string, unknown>, ...(children ? { children } : {}) },
              loaded.quote, lines.filter((l) => l.lineId !== line.lineId).map((l) => l.offering));
            return {
              tenantId: ctx.principal.tenantId, quoteId, revision: next, lineId: line.lineId, position: line.position, offering: line.offering,
              quantity: line.quantity, selections: line.selections as object, configuration: configured as unknown as object,
              configurationHash: configured.resultHash, configurationValid: configured.valid, releaseId: view.releaseId,
              manualDiscount: line.manualDiscount ?? undefined,
              // A change or renewal line keeps the asset it acts on, as the quote found it (ADR 0022).
              action: line.action, assetId: line.assetId, assetVersion: line.assetVersion, baseline: line.baseline ?? undefined,
            };
          }),
        });
      }
      cancelled = await cancelWorkflowOf(tx, ctx.principal.tenantId, quoteId, revision.revision);
      await tx.quote.update({ where: { id: quoteId }, data: { currentRevision: next } });
      const version = await finish(tx, loaded, ctx, 'QuoteRevised', { newRevision: next, releaseId: view.releaseId });
      return done(tx, ctx, { revision: next, version });
    });
    await endCancelled(deps, cancelled, 'quote revised');
    return result;
  };
}

export function withdrawQuoteCommand(deps: QuoteDeps) {
  return async (quoteId: string, reason: string, ctx: CommandContext): Promise<{ state: string; version: number }> => {
    let cancelled: Correlation[] = [];
    const result = await deps.inTransaction(async (tx) => {
      const loaded = await lock(tx, quoteId, ctx);
      requireEditor(ctx, loaded.quote);
      guard('withdraw', loaded.revision);
      await tx.quoteRevision.update({ where: revisionKey(loaded), data: { state: 'withdrawn', version: { increment: 1 }, updatedAt: new Date() } });
      cancelled = await cancelWorkflowOf(tx, ctx.principal.tenantId, quoteId, loaded.revision.revision);
      const version = await finish(tx, loaded, ctx, 'QuoteWithdrawn', { reason }, reason);
      return done(tx, ctx, { state: 'withdrawn', version });
    });
    await endCancelled(deps, cancelled, 'quote withdrawn');
    return result;
  };
}

/** The expiry timer's sweep: revisions past their validity, still open, become expired (one transaction each). */
export function expireDueCommand(deps: QuoteDeps) {
  const { prisma, inTransaction, today } = deps;
  return async (): Promise<number> => {
    const due = await prisma.quoteRevision.findMany({
      where: { validUntil: { lt: new Date(`${today()}T00:00:00Z`) }, state: { in: ['draft', 'priced', 'submitted', 'approved'] } },
      select: { quoteId: true, revision: true, tenantId: true },
    });
    let expired = 0;
    const run = `expiry-${today()}`;
    for (const r of due) {
      const system: CommandContext = { principal: { userId: 'system:expiry', tenantId: r.tenantId, roles: ['admin'] }, correlationId: `expiry-${r.quoteId}`, commandId: run };
      let cancelled: Correlation[] = [];
      try {
        await inTransaction(async (tx) => {
          const loaded = await lock(tx, r.quoteId, system);
          if (loaded.revision.revision !== r.revision || !allowed('expire', loaded.revision.state as RevisionState)) return;
          await tx.quoteRevision.update({ where: revisionKey(loaded), data: { state: 'expired', version: { increment: 1 }, updatedAt: new Date() } });
          cancelled = await cancelWorkflowOf(tx, r.tenantId, r.quoteId, r.revision);
          await finish(tx, loaded, system, 'QuoteExpired', { validUntil: isoDate(loaded.revision.validUntil) });
          expired += 1;
        });
      } catch (error) {
        // One busy quote must not hold up the others: it is expired by the next sweep.
        deps.log.warn({ err: (error as Error).message, quoteId: r.quoteId }, 'could not expire a revision; the next sweep retries');
        continue;
      }
      await endCancelled(deps, cancelled, 'quote expired');
    }
    return expired;
  };
}
