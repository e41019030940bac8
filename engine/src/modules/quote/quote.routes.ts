import type { OpenApiDocument } from '@cpq/contracts/openapi';
import type { PrismaClient } from '@cpq/prisma';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthSettings } from '../../http/auth';
import { routeSchema } from '../../http/contract-routes';
import { idempotencyKeyOf, runIdempotent } from '../../http/idempotency';
import { expectedVersion, principalOf, requireAuthentication } from '../../http/principal';
import type { QuoteService } from './quote.service';
import type { AcceptInput, CommandContext, LineInput, NewQuote } from './quote.types';
import type { QuoteViews } from './quote.views';
import type { WorkItemService } from './work-items.service';

export type QuoteRoutesOptions = {
  contract: OpenApiDocument;
  auth: AuthSettings;
  prisma: PrismaClient;
  quotes: QuoteService;
  views: QuoteViews;
  workItems: WorkItemService;
};

type QuoteParams = { quoteId: string };
type WorkItemParams = { workItemId: string };

export async function quoteRoutes(app: FastifyInstance, o: QuoteRoutesOptions): Promise<void> {
  requireAuthentication(app, o.auth);
  const route = (operationId: string) => routeSchema(o.contract, operationId);

  /**
   * Every mutating command: the Idempotency-Key scopes (tenant, client, operation, key); the
   * command stores its answer in its own transaction; a replay sends the stored answer.
   */
  function command<P>(operation: string, status: number, run: (request: FastifyRequest, ctx: CommandContext) => Promise<unknown>) {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      const principal = principalOf(request);
      const key = idempotencyKeyOf(request.headers);
      const version = expectedVersion(request, false);
      const result = await runIdempotent(
        o.prisma,
        { tenantId: principal.tenantId, clientId: principal.userId, operation, key },
        { params: request.params as P, body: request.body ?? null, ifMatch: version ?? null },
        async (complete) => ({
          status,
          body: await run(request, {
            principal, correlationId: String(request.id), commandId: key, ...(version !== undefined ? { expectedVersion: version } : {}),
            complete: (tx, body) => complete(tx, { status, body }),
          }),
        }),
      );
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      if (result.status >= 400) reply.type('application/problem+json');
      return reply.status(result.status).send(result.body);
    };
  }

  app.route<{ Body: NewQuote }>({ ...route('createQuote'), handler: command('createQuote', 201, (r, ctx) => o.quotes.create(r.body as NewQuote, ctx)) });
  app.route<{ Params: QuoteParams; Body: LineInput }>({
    ...route('addQuoteLine'),
    handler: command('addQuoteLine', 201, (r, ctx) => o.quotes.addLine((r.params as QuoteParams).quoteId, r.body as LineInput, ctx)),
  });
  app.route({
    ...route('configureQuoteLine'),
    handler: command('configureQuoteLine', 200, (r, ctx) => {
      const { lineId, ...line } = r.body as LineInput & { lineId: string };
      return o.quotes.configureLine((r.params as QuoteParams).quoteId, lineId, line, ctx);
    }),
  });
  app.route({ ...route('priceQuote'), handler: command('priceQuote', 200, (r, ctx) => o.quotes.price((r.params as QuoteParams).quoteId, ctx)) });
  app.route({ ...route('submitQuoteForApproval'), handler: command('submitQuoteForApproval', 200, (r, ctx) => o.quotes.submit((r.params as QuoteParams).quoteId, ctx)) });
  app.route({ ...route('generateQuoteDocument'), handler: command('generateQuoteDocument', 201, (r, ctx) => o.quotes.generateDocument((r.params as QuoteParams).quoteId, ctx)) });
  app.route({ ...route('acceptQuote'), handler: command('acceptQuote', 200, (r, ctx) => o.quotes.accept((r.params as QuoteParams).quoteId, r.body as AcceptInput, ctx)) });
  app.route({ ...route('reviseQuote'), handler: command('reviseQuote', 200, (r, ctx) => o.quotes.revise((r.params as QuoteParams).quoteId, ctx)) });
  app.route({ ...route('withdrawQuote'), handler: command('withdrawQuote', 200, (r, ctx) => o.quotes.withdraw((r.params as QuoteParams).quoteId, (r.body as { reason: string }).reason, ctx)) });

  app.route<{ Querystring: { state?: string; accountId?: string; limit: number; offset: number } }>({
    ...route('listQuotes'),
    handler: async (request) => o.views.list(principalOf(request), { ...request.query, limit: request.query.limit ?? 20, offset: request.query.offset ?? 0 }),
  });
  app.route<{ Params: QuoteParams }>({ ...route('getQuote'), handler: async (request) => o.views.get(request.params.quoteId, principalOf(request)) });
  app.route<{ Params: QuoteParams }>({ ...route('getQuoteTimeline'), handler: async (request) => o.views.timeline(request.params.quoteId, principalOf(request)) });
  app.route<{ Params: QuoteParams }>({ ...route('getQuotePriceTrace'), handler: async (request) => o.views.priceTrace(request.params.quoteId, principalOf(request)) });
  app.route<{ Params: QuoteParams }>({ ...route('getQuoteApprovalEvidence'), handler: async (request) => o.views.approvalEvidence(request.params.quoteId, principalOf(request)) });
  app.route<{ Params: QuoteParams & { documentId: string } }>({
    ...route('getQuoteDocument'),
    handler: async (request, reply) => {
      const doc = await o.views.document(request.params.quoteId, request.params.documentId, principalOf(request));
      return reply.type('application/pdf').header('etag', `"${doc.fileSha256}"`).send(doc.content);
    },
  });

  // Work items: the approver's inbox.
  app.route({ ...route('listWorkItems'), handler: async (request) => ({ items: await o.workItems.list(principalOf(request)) }) });
  app.route<{ Params: WorkItemParams }>({ ...route('getWorkItem'), handler: async (request) => o.workItems.get(request.params.workItemId, principalOf(request)) });
  const item = (r: FastifyRequest) => (r.params as WorkItemParams).workItemId;
  app.route({ ...route('claimWorkItem'), handler: command('claimWorkItem', 200, (r, ctx) => o.workItems.claim(item(r), ctx)) });
  app.route({ ...route('approveQuote'), handler: command('approveQuote', 200, (r, ctx) => o.workItems.approve(item(r), (r.body as { reason?: string }).reason, ctx)) });
  app.route({ ...route('rejectQuote'), handler: command('rejectQuote', 200, (r, ctx) => o.workItems.reject(item(r), (r.body as { reason: string }).reason, ctx)) });
  app.route({ ...route('escalateWorkItem'), handler: command('escalateWorkItem', 200, (r, ctx) => o.workItems.escalate(item(r), ctx)) });
}
