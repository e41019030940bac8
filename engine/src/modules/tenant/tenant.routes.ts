import { timingSafeEqual } from 'node:crypto';
import type { OpenApiDocument } from '@cpq/contracts/openapi';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { routeSchema } from '../../http/contract-routes';
import { DomainError } from '../../http/errors';
import { commandIdOf } from '../../http/idempotency';
import type { TenantService } from './tenant.service';

export type TenantRoutesOptions = { contract: OpenApiDocument; tenants: TenantService; platformAdminToken: string };

/** Platform operators only: compares the bearer token in constant time. */
function requirePlatformAdmin(request: FastifyRequest, token: string): void {
  const header = request.headers.authorization ?? '';
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new DomainError('unauthenticated', 'a valid platform operator bearer token is required');
  }
}

export async function tenantRoutes(app: FastifyInstance, options: TenantRoutesOptions): Promise<void> {
  app.addHook('onRequest', async (request) => requirePlatformAdmin(request, options.platformAdminToken));

  app.route<{ Body: { tenantId: string; name: string } }>({
    ...routeSchema(options.contract, 'registerTenant'),
    handler: async (request, reply) => {
      const tenant = await options.tenants.register(request.body, {
        actor: { type: 'USER', id: 'platform-admin' },
        correlationId: String(request.id),
        commandId: commandIdOf(request),
      });
      return reply.status(201).send(tenant);
    },
  });

  app.route<{ Params: { tenantId: string } }>({
    ...routeSchema(options.contract, 'getTenant'),
    handler: async (request) => options.tenants.get(request.params.tenantId),
  });
}
