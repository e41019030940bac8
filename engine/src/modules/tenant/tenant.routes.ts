import { timingSafeEqual } from 'node:crypto';
import type { OpenApiDocument } from '@cpq/contracts/openapi';
import type { PrismaClient } from '@cpq/prisma';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { commandRoutes, type CommandCaller } from '../../http/command-route';
import { contractRoutes } from '../../http/contract-routes';
import { DomainError } from '../../http/errors';
import { servesAcrossTenants } from '../../http/tenant-scope';
import type { TenantService } from './tenant.service';

export type TenantRoutesOptions = { contract: OpenApiDocument; prisma: PrismaClient; tenants: TenantService; platformAdminToken: string };

/** Platform operators only: compares the bearer token in constant time. */
function requirePlatformAdmin(request: FastifyRequest, token: string): void {
  const header = request.headers.authorization ?? '';
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new DomainError('unauthenticated', 'a valid platform operator bearer token is required');
  }
}

/** The operator is one client outside every tenant: its Idempotency-Keys have a scope of their own. */
const operator = (): CommandCaller<Record<string, never>> => ({ tenantId: 'platform', clientId: 'platform-admin', context: {} });

export async function tenantRoutes(app: FastifyInstance, options: TenantRoutesOptions): Promise<void> {
  app.addHook('onRequest', async (request) => requirePlatformAdmin(request, options.platformAdminToken));
  // The tenant registry is the platform's: its rows and records span tenants (ADR 0023).
  app.addHook('onRequest', servesAcrossTenants);
  const route = contractRoutes(app, options.contract);
  const command = commandRoutes(app, options.contract, options.prisma, operator);

  command('registerTenant', 201, (request, ctx) =>
    options.tenants.register(request.body, { actor: { type: 'USER', id: 'platform-admin' }, correlationId: ctx.correlationId, commandId: ctx.commandId }),
  );
  route('getTenant', async (request) => options.tenants.get(request.params.tenantId));
}
