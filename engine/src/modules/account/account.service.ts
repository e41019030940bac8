import type { BodyOf, QueryOf, ResponseOf } from '@cpq/contracts/api-types';
import { Prisma, type PrismaClient } from '@cpq/prisma';
import type { Principal } from '../../http/auth';
import type { RawTx } from '../../lib/sql-transaction';
import { DomainError } from '../../http/errors';
import { recordAudit } from '../audit';

export type Account = ResponseOf<'getAccount'>;
type AccountRow = {
  id: string; name: string; segment: string; channel: string; currency: string; billingAccountId: string | null;
  contacts: unknown; status: string; version: number; createdAt: Date;
};
type Caller = { principal: Principal; correlationId: string; complete?: (tx: RawTx, result: unknown) => Promise<void> };

const SELLERS = ['admin', 'sales-manager', 'rep', 'finance', 'integrator'];
const CREATORS = ['admin', 'sales-manager', 'integrator'];
const has = (principal: Principal, roles: string[]) => principal.roles.some((role) => roles.includes(role));

const view = (row: AccountRow): Account => ({
  accountId: row.id, name: row.name, segment: row.segment, channel: row.channel, currency: row.currency,
  billingAccountId: row.billingAccountId, contacts: row.contacts as Account['contacts'], status: row.status as Account['status'],
  version: row.version, createdAt: row.createdAt.toISOString(),
});

const COLUMNS = Prisma.sql`id, name, segment, channel, currency, billing_account_id AS "billingAccountId", contacts, status, version, created_at AS "createdAt"`;

/**
 * The accounts of a tenant (issue 11, item 1): created by admins, sales managers and a CRM sync
 * (integrator), read by every seller role, and by a customer only their own. Not a hot path:
 * Prisma's transaction, audit in the same commit.
 */
export function createAccountService(prisma: PrismaClient) {
  return {
    async create(input: BodyOf<'createAccount'>, ctx: Caller): Promise<Account> {
      const { principal } = ctx;
      if (!has(principal, CREATORS)) throw new DomainError('forbidden', 'only admins, sales managers and integrations create accounts');
      return prisma.$transaction(async (tx) => {
        const rows = await tx.$queryRaw<AccountRow[]>`
          INSERT INTO account (tenant_id, id, name, segment, channel, currency, billing_account_id, contacts, created_by)
          VALUES (${principal.tenantId}, ${input.accountId}, ${input.name}, ${input.segment}, ${input.channel}, ${input.currency},
                  ${input.billingAccountId ?? null}, ${JSON.stringify(input.contacts ?? [])}::jsonb, ${principal.userId})
          ON CONFLICT (tenant_id, id) DO NOTHING
          RETURNING ${COLUMNS}`;
        if (!rows[0]) {
          throw new DomainError('account-exists', `the tenant has an account ${input.accountId} already`, [
            { field: 'body/accountId', rule: 'unique', message: 'is taken by another account of the tenant' },
          ]);
        }
        await recordAudit(tx, {
          tenantId: principal.tenantId, actor: { type: 'USER', id: principal.userId }, action: 'account.created',
          target: { type: 'ACCOUNT', id: input.accountId }, correlationId: ctx.correlationId,
          details: { segment: input.segment, channel: input.channel, currency: input.currency },
        });
        const account = view(rows[0]);
        await ctx.complete?.(tx, account);
        return account;
      });
    },

    async get(accountId: string, principal: Principal): Promise<Account> {
      // A customer sees their own account; anyone else without a seller role sees none (existence does not leak).
      const mayRead = has(principal, SELLERS) || (principal.roles.includes('customer') && principal.accountId === accountId);
      const rows = mayRead ? await prisma.$queryRaw<AccountRow[]>`
        SELECT ${COLUMNS} FROM account WHERE tenant_id = ${principal.tenantId} AND id = ${accountId}` : [];
      if (!rows[0]) throw new DomainError('account-not-found', `no account ${accountId}`);
      return view(rows[0]);
    },

    async list(query: NonNullable<QueryOf<'listAccounts'>>, principal: Principal): Promise<ResponseOf<'listAccounts'>> {
      const limit = query.limit ?? 20;
      const offset = query.offset ?? 0;
      const conditions = [Prisma.sql`tenant_id = ${principal.tenantId}`];
      if (!has(principal, SELLERS)) {
        // A customer finds only their own account; other roles none.
        conditions.push(principal.roles.includes('customer') && principal.accountId ? Prisma.sql`id = ${principal.accountId}` : Prisma.sql`false`);
      }
      if (query.q) {
        const prefix = `${query.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        conditions.push(Prisma.sql`(lower(name) LIKE ${prefix} OR id = ${query.q})`);
      }
      if (query.segment) conditions.push(Prisma.sql`segment = ${query.segment}`);
      const where = Prisma.join(conditions, ' AND ');
      const [rows, [count]] = await Promise.all([
        prisma.$queryRaw<AccountRow[]>`SELECT ${COLUMNS} FROM account WHERE ${where} ORDER BY lower(name), id LIMIT ${limit} OFFSET ${offset}`,
        prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM account WHERE ${where}`,
      ]);
      return { items: rows.map(view), total: count?.n ?? 0, limit, offset };
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
