import type { OpenApiDocument } from '@cpq/contracts/openapi';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { AuthSettings } from '../../http/auth';
import { contractRoutes } from '../../http/contract-routes';
import { principalOf, requireAuthentication } from '../../http/principal';
import type { ReleaseViews } from '../catalog';
import { configurationInputHash, configure } from './configurator';

export type ConfigurationRoutesOptions = { contract: OpenApiDocument; auth: AuthSettings; releases: ReleaseViews; redis: Redis };

const PREVIEW_TTL_SECONDS = 600;

/**
 * The stateless preview. Results are cached in Redis under (tenant, release hash, input hash):
 * a release is immutable and the configurator is pure, so a cached result is exactly what a
 * fresh evaluation would give; any Redis failure just evaluates.
 */
export async function configurationRoutes(app: FastifyInstance, o: ConfigurationRoutesOptions): Promise<void> {
  requireAuthentication(app, o.auth);
  const route = contractRoutes(app, o.contract);
  route('evaluateConfiguration', async (request, reply) => {
    const principal = principalOf(request);
    const { releaseId, ...input } = request.body;
    const view = await o.releases.get(principal.tenantId, releaseId);
    // The input hash is order-independent: shuffled selections hit the same entry.
    const inputHash = configurationInputHash(view, input);
    const key = `cpq:${principal.tenantId}:config-preview:${view.contentHash}:${inputHash}`;
    try {
      const cached = await o.redis.get(key);
      if (cached) return reply.header('x-cache', 'hit').type('application/json').send(cached);
    } catch (error) {
      request.log.warn({ err: (error as Error).message }, 'preview cache read failed; evaluating');
    }
    // A ConfigurationInputError becomes a 422 naming the field in the shared error handler.
    const result = configure(view, input);
    o.redis.set(key, JSON.stringify(result), 'EX', PREVIEW_TTL_SECONDS).catch((error: Error) => request.log.warn({ err: error.message }, 'preview cache write failed'));
    return reply.header('x-cache', 'miss').send(result);
  });
}
