import { randomUUID } from 'node:crypto';
import { DomainError } from '../../../http/errors';
import type { QuoteDeps } from '../quote.deps';
import { validityDays } from '../quote.guards';
import { addDays, done, finish, type Loaded } from '../quote.repository';
import type { CommandContext, NewQuote } from '../quote.types';

/** A new quote with its first revision, pinned to the tenant's current release. */
export function createQuoteCommand({ inRawTransaction, releases, today }: QuoteDeps) {
  return async (input: NewQuote, ctx: CommandContext): Promise<{ quoteId: string; version: number }> => {
    const { principal } = ctx;
    if (!principal.roles.includes('rep') && !principal.roles.includes('sales-manager')) {
      throw new DomainError('forbidden', 'only reps and sales managers create quotes');
    }
    const view = await releases.get(principal.tenantId);
    const validDays = validityDays(view, input.validDays);
    const quoteId = randomUUID();
    return inRawTransaction(async (tx) => {
      const validUntil = addDays(today(), validDays);
      // Both rows in one statement (raw: the hot path of the most frequent command; docs/benchmarks.md).
      await tx.$executeRaw`
        WITH q AS (
          INSERT INTO quote (id, tenant_id, account_id, customer_name, owner_id, team, currency, term_months)
          VALUES (${quoteId}::uuid, ${principal.tenantId}, ${input.accountId}, ${input.customerName}, ${principal.userId}, ${principal.team ?? null}, ${input.currency}, ${input.termMonths})
          RETURNING id)
        INSERT INTO quote_revision (tenant_id, quote_id, revision, state, release_id, valid_until)
        SELECT ${principal.tenantId}, q.id, 1, 'draft', ${view.releaseId}::uuid, ${validUntil}::date FROM q`;
      const loaded = { quote: { id: quoteId, version: 1 }, revision: { revision: 1 } } as Loaded;
      const version = await finish(tx, loaded, ctx, 'QuoteCreated', {
        accountId: input.accountId, ownerId: principal.userId, releaseId: view.releaseId, currency: input.currency, termMonths: input.termMonths,
      });
      return done(tx, ctx, { quoteId, version });
    });
  };
}
