import type { OpenApiDocument } from '@cpq/contracts/openapi';
import type { PrismaClient } from '@cpq/prisma';
import type { FastifyInstance } from 'fastify';
import { ROLES, requireRole, type AuthSettings } from '../../http/auth';
import { commandRoutes } from '../../http/command-route';
import { contractRoutes } from '../../http/contract-routes';
import { principalOf, requireAuthentication } from '../../http/principal';
import type { QuoteService } from './quote.service';
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

export async function quoteRoutes(app: FastifyInstance, o: QuoteRoutesOptions): Promise<void> {
  requireAuthentication(app, o.auth);
  const route = contractRoutes(app, o.contract);
  const command = commandRoutes(app, o.contract, o.prisma);

  // The hot commands are one transaction each with no remote call: their answer is stored with
  // their effect, without claiming the key first (command-route.ts, `singleTransaction`).
  const single = { singleTransaction: true } as const;
  command('createQuote', 201, (r, ctx) => o.quotes.create(r.body, ctx), single);
  command('addQuoteLine', 201, (r, ctx) => o.quotes.addLine(r.params.quoteId, r.body, ctx), single);
  command('configureQuoteLine', 200, (r, ctx) => {
    const { lineId, ...line } = r.body;
    return o.quotes.configureLine(r.params.quoteId, lineId, line, ctx);
  }, single);
  command('disconnectQuoteLine', 200, (r, ctx) => o.quotes.disconnectLine(r.params.quoteId, r.body.lineId, ctx), single);
  command('priceQuote', 200, (r, ctx) => o.quotes.price(r.params.quoteId, ctx), single);
  // Commands that read before they change anything: the key's claim goes with their first read.
  const claimWithFirstRead = { claimWithFirstRead: true } as const;
  command('submitQuoteForApproval', 200, (r, ctx) => o.quotes.submit(r.params.quoteId, ctx), claimWithFirstRead);
  command('generateQuoteDocument', 201, (r, ctx) => o.quotes.generateDocument(r.params.quoteId, ctx));
  command('acceptQuote', 200, (r, ctx) => o.quotes.accept(r.params.quoteId, r.body, ctx));
  command('reviseQuote', 200, (r, ctx) => o.quotes.revise(r.params.quoteId, ctx));
  command('withdrawQuote', 200, (r, ctx) => o.quotes.withdraw(r.params.quoteId, r.body.reason, ctx));

  route('listQuotes', async (request) => o.views.list(principalOf(request), { ...request.query, limit: request.query?.limit ?? 20, offset: request.query?.offset ?? 0 }));
  route('getQuote', async (request) => o.views.get(request.params.quoteId, principalOf(request)));
  route('getQuoteTimeline', async (request) => o.views.timeline(request.params.quoteId, principalOf(request)));
  route('getQuotePriceTrace', async (request) => o.views.priceTrace(request.params.quoteId, principalOf(request)));
  route('getQuoteApprovalEvidence', async (request) => o.views.approvalEvidence(request.params.quoteId, principalOf(request)));
  route('getQuoteDocument', async (request, reply) => {
    const doc = await o.views.document(request.params.quoteId, request.params.documentId, principalOf(request));
    return reply.type('application/pdf').header('etag', `"${doc.fileSha256}"`).send(doc.content);
  });

  // Work items: the approver's inbox.
  // The approvers' inbox is the staff's: a customer user has none to list (403, not an empty list).
  route('listWorkItems', async (request) => {
    const principal = principalOf(request);
    requireRole(principal, ...ROLES.filter((role) => role !== 'customer'));
    return { items: await o.workItems.list(principal) };
  });
  route('getWorkItem', async (request) => o.workItems.get(request.params.workItemId, principalOf(request)));
  command('claimWorkItem', 200, (r, ctx) => o.workItems.claim(r.params.workItemId, ctx), claimWithFirstRead);
  command('approveQuote', 200, (r, ctx) => o.workItems.approve(r.params.workItemId, r.body.reason, ctx), claimWithFirstRead);
  command('rejectQuote', 200, (r, ctx) => o.workItems.reject(r.params.workItemId, r.body.reason, ctx), claimWithFirstRead);
  command('escalateWorkItem', 200, (r, ctx) => o.workItems.escalate(r.params.workItemId, ctx));
}
