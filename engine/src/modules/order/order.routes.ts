import type { OpenApiDocument } from '@cpq/contracts/openapi';
import type { PrismaClient } from '@cpq/prisma';
import type { FastifyInstance } from 'fastify';
import type { AuthSettings } from '../../http/auth';
import { commandRoutes } from '../../http/command-route';
import { contractRoutes } from '../../http/contract-routes';
import { principalOf, requireAuthentication } from '../../http/principal';
import { installedBaseOf } from './installed-base';
import type { OrderService } from './order.service';
import type { OrderViews } from './order.views';

export type OrderRoutesOptions = { contract: OpenApiDocument; auth: AuthSettings; prisma: PrismaClient; orders: OrderService; views: OrderViews };

/** The order API (contracts/openapi/order-api.yaml): routes only parse, call and map. */
export async function orderRoutes(app: FastifyInstance, o: OrderRoutesOptions): Promise<void> {
  requireAuthentication(app, o.auth);
  const route = contractRoutes(app, o.contract);
  const command = commandRoutes(app, o.contract, o.prisma);

  command('createOrderFromAcceptedQuote', 201, (r, ctx) => o.orders.create(r.body.quoteId, ctx));
  command('requestOrderCancellation', 200, (r, ctx) => o.orders.requestCancellation(r.params.orderId, r.body.reason, ctx));
  command('recordFulfillmentCallback', 200, (r, ctx) => o.orders.recordCallback(r.params.orderId, r.body, ctx));
  command('completeOrderFulfillment', 200, (r, ctx) => o.orders.completeFulfillment(r.params.orderId, ctx));
  command('finishOrderCancellation', 200, (r, ctx) => o.orders.finishCancellation(r.params.orderId, ctx));
  command('beginFulfillmentStep', 200, (r, ctx) => o.orders.beginStep(r.params.orderId, r.params.stepKey, ctx));
  command('recordStepOutcome', 200, (r, ctx) => o.orders.recordOutcome(r.params.orderId, r.params.stepKey, r.body, ctx));
  command('beginStepCompensation', 200, (r, ctx) => o.orders.beginCompensation(r.params.orderId, r.params.stepKey, ctx));
  command('recordStepCompensation', 200, (r, ctx) => o.orders.recordCompensation(r.params.orderId, r.params.stepKey, r.body, ctx));
  command('resolveFallout', 200, (r, ctx) => o.orders.resolveFallout(r.params.workItemId, r.body, ctx));

  route('listOrders', async (r) => o.views.list(principalOf(r), { ...r.query, limit: r.query?.limit ?? 20, offset: r.query?.offset ?? 0 }));
  route('getOrder', async (r) => o.views.get(r.params.orderId, principalOf(r)));
  route('getFulfillmentPlan', async (r) => o.views.plan(r.params.orderId, principalOf(r)));
  route('getOrderTimeline', async (r) => o.views.timeline(r.params.orderId, principalOf(r)));
  route('listInstalledBase', async (r) => installedBaseOf(o.prisma, principalOf(r), r.query.accountId, r.query.state));
  route('listFalloutWorkItems', async (r) => o.views.falloutItems(principalOf(r), r.query ?? {}));
  route('getFalloutWorkItem', async (r) => o.views.falloutItem(r.params.workItemId, principalOf(r)));
}
