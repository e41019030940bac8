import { loadApiDocument, type OpenApiDocument } from '@cpq/contracts/openapi';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { EngineConfig } from './config';
import { authTokenRoutes } from './http/auth-token.routes';
import { CORRELATION_HEADER, correlationIdOf } from './http/correlation';
import { registerContractSchemas, routeSchema } from './http/contract-routes';
import { frameworkErrorHandler, registerErrorHandling } from './http/error-handler';
import { registerLimits } from './http/limits';
import { registerRequestValidation } from './http/request-validation';
import { registerResponseValidation } from './http/response-validation';
import { registerTenantScope } from './http/tenant-scope';
import {
  catalogRoutes, createCurrentReleasePointer, createDraftService, createMetadataAudit, createReleaseService, createReleaseStore, createReleaseViews, publishedContentOf,
  type CurrentReleasePointer, type ReleaseService, type ReleaseViews,
} from './modules/catalog';
import { accountRoutes, createAccountService } from './modules/account';
import { configurationRoutes } from './modules/configuration';
import { createDocumentService } from './modules/document';
import { poolOf } from '@cpq/prisma';
import { createSqlStatementRunner, createSqlTransactionRunner } from './lib/sql-transaction';
import { DEFAULT_TRANSACTION_SETTINGS, createTransactionRunner } from './lib/transaction';
import { approvalPreviewRoutes, createImpactReplay, createQuoteService, createQuoteViews, createWorkItemService, quoteRoutes, type QuoteService, type WorkItemService } from './modules/quote';
import { healthRoutes } from './modules/health';
import { createOrderService, createOrderViews, orderRoutes, type OrderService } from './modules/order';
import { createTenantService, tenantRoutes } from './modules/tenant';
import { registerObservability } from './observability';
import { workerTopicsRoutes } from './modules/workflow';
import type { Infrastructure } from './plugins/external/infrastructure';

export type AppOptions = { config: EngineConfig; infrastructure: Infrastructure; contract?: OpenApiDocument };

/** What the app built that the process role (server.ts) keeps alive, e.g. the release feed. */
export type EngineApp = {
  app: FastifyInstance;
  releasePointer: CurrentReleasePointer;
  releaseViews: ReleaseViews;
  quotes: QuoteService;
  workItems: WorkItemService;
  releases: ReleaseService;
  orders: OrderService;
};

/**
 * Builds the engine without listening (tests use `app.inject()`), in a fixed order:
 * HTTP conventions (correlation, errors, contract schemas) -> modules -> routes.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  return (await buildEngine(options)).app;
}

export async function buildEngine({ config, infrastructure, contract = loadApiDocument() }: AppOptions): Promise<EngineApp> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
    },
    genReqId: correlationIdOf,
    // Every log line of a request carries its correlation id under that name.
    logController: new LogController({ requestIdLogLabel: 'correlationId' }),
    requestIdHeader: false,
    bodyLimit: config.bodyLimitBytes,
    frameworkErrors: frameworkErrorHandler,
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header(CORRELATION_HEADER, request.id);
  });
  registerErrorHandling(app);
  // Before any route: every request's database work runs in its principal's tenant scope (ADR 0023).
  registerTenantScope(app);
  // Before any route: body limits and rate limits attach to each route as it is added.
  await registerLimits(app, config.limits, infrastructure.redis);
  registerContractSchemas(app, contract);
  registerRequestValidation(app, contract, config.limits.jsonMaxDepth);
  if (config.validateResponses) registerResponseValidation(app, contract);
  registerObservability(app, { contract, prisma: infrastructure.prisma, config });

  app.route({ ...routeSchema(contract, 'getOpenApi'), handler: async () => contract });
  await app.register(healthRoutes, { contract, checks: infrastructure.checks, timeoutMs: config.healthCheckTimeoutMs });
  await app.register(authTokenRoutes, { contract, auth: config.auth, clients: config.serviceClients, ttlSeconds: config.serviceTokenTtlSeconds });
  await app.register(tenantRoutes, {
    contract,
    prisma: infrastructure.prisma,
    tenants: createTenantService(infrastructure.prisma),
    platformAdminToken: config.platformAdminToken,
  });

  const store = createReleaseStore(infrastructure.prisma, infrastructure.redis, app.log);
  const releasePointer = createCurrentReleasePointer(store);
  const releaseViews = createReleaseViews(store, releasePointer);
  const replay = createImpactReplay(infrastructure.prisma);
  const releases = createReleaseService({ prisma: infrastructure.prisma, camunda: infrastructure.camunda, store, pointer: releasePointer, log: app.log });
  await app.register(catalogRoutes, {
    contract,
    auth: config.auth,
    prisma: infrastructure.prisma,
    drafts: createDraftService(infrastructure.prisma, publishedContentOf(store, releasePointer)),
    releases,
    store,
    pointer: releasePointer,
    impact: (tenantId, candidate) => replay(tenantId, candidate, (releaseId) => releaseViews.get(tenantId, releaseId)),
    audit: createMetadataAudit(infrastructure.prisma),
  });

  await app.register(workerTopicsRoutes, { contract, auth: config.auth });
  await app.register(configurationRoutes, { contract, auth: config.auth, releases: releaseViews, redis: infrastructure.redis });
  const documents = createDocumentService(infrastructure.prisma);
  const settings = { ...DEFAULT_TRANSACTION_SETTINGS, maxWaitMs: config.databasePoolWaitMs, timeoutMs: config.databaseStatementTimeoutMs };
  const inTransaction = createTransactionRunner(infrastructure.prisma, settings);
  const inRawTransaction = createSqlTransactionRunner(poolOf(infrastructure.prisma), settings);
  const inRawStatement = createSqlStatementRunner(poolOf(infrastructure.prisma), settings);
  const quotes = createQuoteService({ prisma: infrastructure.prisma, inTransaction, inRawTransaction, inRawStatement, releases: releaseViews, camunda: infrastructure.camunda, documents, log: app.log });
  const workItems = createWorkItemService({ prisma: infrastructure.prisma, inRawTransaction, camunda: infrastructure.camunda, releases: releaseViews, log: app.log });
  await app.register(quoteRoutes, {
    contract, auth: config.auth, prisma: infrastructure.prisma, quotes, workItems,
    views: createQuoteViews(infrastructure.prisma, documents),
  });
  await app.register(approvalPreviewRoutes, { contract, auth: config.auth, prisma: infrastructure.prisma, releases: releaseViews });
  await app.register(accountRoutes, { contract, auth: config.auth, prisma: infrastructure.prisma, accounts: createAccountService(infrastructure.prisma) });
  const orders = createOrderService({ prisma: infrastructure.prisma, inTransaction, inRawTransaction, releases: releaseViews, camunda: infrastructure.camunda, log: app.log });
  await app.register(orderRoutes, { contract, auth: config.auth, prisma: infrastructure.prisma, orders, views: createOrderViews(infrastructure.prisma) });
  return { app, releasePointer, releaseViews, quotes, workItems, releases, orders };
}
