import { randomUUID } from 'node:crypto';
import { DomainError } from '../../../http/errors';
import { accountForQuote, accountRefusal } from '../../account';
import type { QuoteDeps } from '../quote.deps';
import { validityDays } from '../quote.guards';
import { addDays, createStatement } from '../quote.repository';
import type { CommandContext, NewQuote } from '../quote.types';
import { createFromInstalledBaseCommand } from './change-quote.commands';

/**
 * A new quote with its first revision, pinned to the tenant's current release, for an active
 * account of the tenant (its segment and channel kept on the quote). The most frequent
 * command, and one statement: account read, quote, revision, audit, event and the stored answer
 * (docs/benchmarks.md).
 */
export function createQuoteCommand(deps: QuoteDeps) {
  const { inRawStatement, releases, today, pins } = deps;
  const fromInstalledBase = createFromInstalledBaseCommand(deps);
  return async (input: NewQuote, ctx: CommandContext): Promise<{ quoteId: string; version: number }> => {
    const { principal } = ctx;
    if (!principal.roles.includes('rep') && !principal.roles.includes('sales-manager')) {
      throw new DomainError('forbidden', 'only reps and sales managers create quotes');
    }
    // A change or renewal of the account's installed assets (ADR 0022).
    if (input.basis) return fromInstalledBase({ ...input, basis: input.basis }, ctx);
    const view = await releases.get(principal.tenantId);
    const validDays = validityDays(view, input.validDays);
    const quoteId = randomUUID();
    const { sql, result } = createStatement(
      { id: quoteId, accountId: input.accountId, ...(input.customerName ? { customerName: input.customerName } : {}), currency: input.currency, termMonths: input.termMonths },
      accountForQuote(principal.tenantId, input.accountId),
      { releaseId: view.releaseId, validUntil: addDays(today(), validDays) }, ctx,
      { accountId: input.accountId, ownerId: principal.userId, releaseId: view.releaseId, currency: input.currency, termMonths: input.termMonths },
      (version) => ({ quoteId, version }),
    );
    await inRawStatement((db) => db.$executeRaw(sql)).catch((error: unknown) => {
      throw accountRefusal(error, input.accountId) ?? error;
    });
    pins.set(principal.tenantId, quoteId, view.releaseId);
    return result;
  };
}
