import type { OpenApiDocument } from '@cpq/contracts/openapi';
import type { PrismaClient } from '@cpq/prisma';
import type { FastifyInstance } from 'fastify';
import type { AuthSettings } from '../../http/auth';
import { commandRoutes } from '../../http/command-route';
import { contractRoutes } from '../../http/contract-routes';
import { principalOf, requireAuthentication } from '../../http/principal';
import type { AccountService } from './account.service';

export type AccountRoutesOptions = { contract: OpenApiDocument; auth: AuthSettings; prisma: PrismaClient; accounts: AccountService };

export async function accountRoutes(app: FastifyInstance, o: AccountRoutesOptions): Promise<void> {
  requireAuthentication(app, o.auth);
  const route = contractRoutes(app, o.contract);
  const command = commandRoutes(app, o.contract, o.prisma);
  command('createAccount', 201, (r, ctx) => o.accounts.create(r.body, ctx));
  route('listAccounts', async (request) => o.accounts.list(request.query ?? {}, principalOf(request)));
  route('getAccount', async (request) => o.accounts.get(request.params.accountId, principalOf(request)));
}
