import { workerTopics } from '@cpq/connectors/camunda/worker-topics';
import type { OpenApiDocument } from '@cpq/contracts/openapi';
import type { FastifyInstance } from 'fastify';
import { requireRole, type AuthSettings } from '../../http/auth';
import { contractRoutes } from '../../http/contract-routes';
import { principalOf, requireAuthentication } from '../../http/principal';

export type WorkerTopicsRoutesOptions = { contract: OpenApiDocument; auth: AuthSettings };

/**
 * GET /metadata/worker-topics: the external-task topics of the worker catalog the `workers`
 * role runs (connectors/src/camunda/worker-topics.ts), read-only, for admins modelling BPMN:
 * the studio's modeler offers them as an external task's topic. The catalog is code, the same
 * for every tenant, so it is computed once.
 */
export async function workerTopicsRoutes(app: FastifyInstance, o: WorkerTopicsRoutesOptions): Promise<void> {
  requireAuthentication(app, o.auth);
  const route = contractRoutes(app, o.contract);
  const items = workerTopics();
  route('listWorkerTopics', async (request) => {
    requireRole(principalOf(request), 'admin');
    return { items };
  });
}
