import { randomUUID } from 'node:crypto';
import { DomainError } from '../../../http/errors';
import type { QuoteDeps } from '../quote.deps';
import { validityDays } from '../quote.guards';
import { addDays, done, finish } from '../quote.repository';
import type { CommandContext, NewQuote } from '../quote.types';

/** A new quote with its first revision, pinned to the tenant's current release. */
export function createQuoteCommand({ inTransaction, releases, today }: QuoteDeps) {
  return async (input: NewQuote, ctx: CommandContext): Promise<{ quoteId: string; version: number }> => {
    const { principal } = ctx;
    if (!principal.roles.includes('rep') && !principal.roles.includes('sales-manager')) {
      throw new DomainError('forbidden', 'only reps and sales managers create quotes');
    }
    const view = await releases.get(principal.tenantId);
    const validDays = validityDays(view, input.validDays);
    const quoteId = randomUUID();
    return inTransaction(async (tx) => {
      const quote = await tx.quote.create({
        data: {
          id: quoteId, tenantId: principal.tenantId, accountId: input.accountId, customerName: input.customerName,
          ownerId: principal.userId, team: principal.team ?? null, currency: input.currency, termMonths: input.termMonths,
        },
      });
      const revision = await tx.quoteRevision.create({
        data: {
          tenantId: principal.tenantId, quoteId, revision: 1, state: 'draft', releaseId: view.releaseId,
          validUntil: new Date(`${addDays(today(), validDays)}T00:00:00Z`),
        },
      });
      const version = await finish(tx, { quote, revision }, ctx, 'QuoteCreated', {
        accountId: input.accountId, ownerId: principal.userId, releaseId: view.releaseId, currency: input.currency, termMonths: input.termMonths,
      });
      return done(tx, ctx, { quoteId, version });
    });
  };
}
