import { isScrapeAuthorized } from '@cpq/connectors/observability/scrape-token';
import type { OpenApiDocument } from '@cpq/contracts/openapi';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { routeSchema } from '../http/contract-routes';
import { DomainError } from '../http/errors';
import { servesAcrossTenants } from '../http/tenant-scope';

/**
 * GET /metrics: the Prometheus exposition of this process (of every worker, labelled, when the
 * engine runs clustered: `exposition`, ADR 0024), for holders of the scrape token only (ADR 0018).
 */
export function metricsRoute(app: FastifyInstance, options: { contract: OpenApiDocument; registry: Registry; token: string; exposition?: () => Promise<string> }): void {
  app.route({
    ...routeSchema(options.contract, 'getMetrics'),
    // The business signals count every tenant's quotes and orders (ADR 0023: the platform's route).
    onRequest: servesAcrossTenants,
    handler: async (request, reply) => {
      if (!isScrapeAuthorized(request.headers.authorization, options.token)) {
        throw new DomainError('unauthenticated', 'the Prometheus scrape token is required as a bearer token');
      }
      const text = await (options.exposition ?? (() => options.registry.metrics()))();
      return reply.type(options.registry.contentType).send(text);
    },
  });
}
