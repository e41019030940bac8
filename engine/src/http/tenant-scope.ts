import { NO_TENANT, runAcrossTenants, runInTenantScope } from '@cpq/prisma';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { knownPrincipal } from './principal';

/**
 * Every request's database work runs in one tenant scope, opened here, in one place, for every
 * route there is and will be (row-level security, ADR 0023 addendum; prisma/src/tenant-scope.ts):
 *
 * - a request with a principal (requireAuthentication) acts for the principal's tenant: each
 *   connection it takes sees that tenant's rows only, whatever its queries say;
 * - a request without one sees no tenant's rows at all (the tenant role with no tenant), so a
 *   new route that forgot its authentication fails closed;
 * - the platform's own routes (the operator's tenant registry, the metrics scrape) say so with
 *   `servesAcrossTenants` and run as the login role, which bypasses the policy.
 *
 * The scope is entered in a preHandler hook, after the body was read: an async context entered
 * in onRequest does not survive Node's body parsing, a preHandler's reaches the handler.
 */
export function registerTenantScope(app: FastifyInstance): void {
  app.addHook('preHandler', (request, _reply, done) => {
    if (acrossTenants.has(request)) return runAcrossTenants(done);
    return runInTenantScope(knownPrincipal(request)?.tenantId ?? NO_TENANT, done);
  });
}

const acrossTenants = new WeakSet<FastifyRequest>();

/** An onRequest hook (of a plugin or of one route) for platform routes that work across tenants. */
export async function servesAcrossTenants(request: FastifyRequest): Promise<void> {
  acrossTenants.add(request);
}
