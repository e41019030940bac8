import type { OpenApiDocument } from '@cpq/contracts/openapi';
import type { FastifyInstance } from 'fastify';
import { contractRoutes } from '../../http/contract-routes';
import { checkReadiness, type DependencyCheck } from './health.service';

export type HealthRoutesOptions = { contract: OpenApiDocument; checks: Record<string, DependencyCheck>; timeoutMs: number };

export async function healthRoutes(app: FastifyInstance, options: HealthRoutesOptions): Promise<void> {
  const route = contractRoutes(app, options.contract);
  route('getLiveness', async () => ({ status: 'up' as const }));
  route('getReadiness', async (_request, reply) => {
    const readiness = await checkReadiness(options.checks, options.timeoutMs);
    return reply.status(readiness.status === 'up' ? 200 : 503).send(readiness);
  });
}
