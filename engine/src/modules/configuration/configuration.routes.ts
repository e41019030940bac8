import type { OpenApiDocument } from '@cpq/contracts/openapi';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { ROLES, requireRole, type AuthSettings } from '../../http/auth';
import { contractRoutes } from '../../http/contract-routes';
import { principalOf, requireAuthentication } from '../../http/principal';
import type { ReleaseViews } from '../catalog';
import { configurationInputHash, configure } from './configurator';
import { refuseAboveMaxQuantity } from './quantity-limit';

export type ConfigurationRoutesOptions = { contract: OpenApiDocument; auth: AuthSettings; releases: ReleaseViews; redis: Redis };

const PREVIEW_TTL_SECONDS = 600;

/**
 * The stateless preview. Results are cached in Redis under (tenant, release hash, input hash):
 * a release is immutable and the configurator is pure, so a cached result is exactly what a
 * fresh evaluation would give; any Redis failure just evaluates.
 *
 * Identical previews in flight at once share one reading (the hot-key drill, seed section 13):
 * a burst of the same preview (a popular offering's default form opened by many reps) costs one
 * Redis GET and at most one evaluation per process instead of one each, so a slow or hot Redis
 * key cannot multiply into a queue of identical commands; followers answer `x-cache: shared`.
 */
const STAFF = ROLES.filter((role) => role !== 'customer');

export async function configurationRoutes(app: FastifyInstance, o: ConfigurationRoutesOptions): Promise<void> {
  requireAuthentication(app, o.auth);
  const route = contractRoutes(app, o.contract);
  const inFlight = new Map<string, Promise<{ body: string; cache: 'hit' | 'miss' }>>();
  route('evaluateConfiguration', async (request, reply) => {
    const principal = principalOf(request);
    // The preview's explanations and fixes name the release's configuration rules, which are
    // internal like the release itself (catalog.routes.ts RELEASE_READERS): never a customer's.
    requireRole(principal, ...STAFF);
    const { releaseId, ...body } = request.body;
    const { savedQuantity, ...context } = body.context ?? {};
    const input = body.context ? { ...body, context } : body;
    const view = await o.releases.get(principal.tenantId, releaseId);
    // The line's quantity is held to the offering's maximum as add-line and configure-line hold
    // it: a new quantity only, not the saved line's own (before the cache: never a result).
    if (context.quantity !== undefined && context.quantity !== savedQuantity) refuseAboveMaxQuantity(view, input.offering, context.quantity, 'body/context/quantity');
    // The input hash is order-independent: shuffled selections hit the same entry.
    const inputHash = configurationInputHash(view, input);
    const key = `cpq:${principal.tenantId}:config-preview:${view.contentHash}:${inputHash}`;
    const shared = inFlight.get(key);
    if (shared) return reply.header('x-cache', 'shared').type('application/json').send((await shared).body);
    const reading = (async () => {
      try {
        const cached = await o.redis.get(key);
        if (cached) return { body: cached, cache: 'hit' as const };
      } catch (error) {
        request.log.warn({ err: (error as Error).message }, 'preview cache read failed; evaluating');
      }
      // A ConfigurationInputError becomes a 422 naming the field in the shared error handler.
      const body = JSON.stringify(configure(view, input));
      o.redis.set(key, body, 'EX', PREVIEW_TTL_SECONDS).catch((error: Error) => request.log.warn({ err: error.message }, 'preview cache write failed'));
      return { body, cache: 'miss' as const };
    })();
    inFlight.set(key, reading);
    try {
      const { body, cache } = await reading;
      return reply.header('x-cache', cache).type('application/json').send(body);
    } finally {
      inFlight.delete(key);
    }
  });
}
