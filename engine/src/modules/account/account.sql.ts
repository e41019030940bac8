import { Prisma } from '@cpq/prisma';
import { DomainError } from '../../http/errors';

/**
 * The account a new quote is made for (name, segment, channel, currency), as a row source for
 * the quote's creating statement: the quote module places it, the account module owns its SQL
 * (as audit and outbox hand over their INSERTs). An unknown or closed account raises inside the
 * statement, so nothing is written; `accountRefusal` turns that into the contract's 422.
 */
export const accountForQuote = (tenantId: string, accountId: string): Prisma.Sql =>
  Prisma.sql`SELECT name, segment, channel, currency FROM account_for_quote(${tenantId}, ${accountId})`;

export function accountRefusal(error: unknown, accountId: string): DomainError | undefined {
  for (let e = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth += 1) {
    if (e.code === 'P0002' && e.message === 'account-unknown') {
      return new DomainError('account-unknown', `the tenant has no active account ${accountId}`, [
        { field: 'body/accountId', rule: 'account-exists', message: 'names no active account of the tenant (GET /accounts)' },
      ]);
    }
  }
  return undefined;
}
