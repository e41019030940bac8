import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createEngineClient } from '@cpq/connectors/camunda/engine-client';
import { startWorkerHost } from '@cpq/connectors/camunda/worker-host';
import { orderFulfillmentWorkers } from '@cpq/connectors/fulfillment/order-fulfillment.workers';
import { createTargetSystemAdapters } from '@cpq/connectors/fulfillment/target-system.adapter';
import type { MetadataItem } from '@cpq/metadata';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { inject } from 'vitest';
import { testEnv } from '../../test/env';
import { serviceClientOf, targetSystemsControl } from '../../test/services/target-systems';
import { createQuoteFixture, type Json, type Person, type QuoteFixture, type Reply } from './quote-fixture';
import { sampleCatalogWithDefaultModels, tokensFor } from './release-fixture';

/** The fulfillment process's external-task topics (connectors/src/fulfillment/order-fulfillment.topics.ts). */
export const ORDER_TOPICS = ['order.execute-step', 'order.compensate-step', 'order.complete-fulfillment', 'order.finish-cancellation'] as const;

/**
 * The sample catalog with the platform's default order-fulfillment process (bpmn/), its topics
 * renamed for this run (`test.<run>.order.*`) so a platform `workers` process on this machine
 * never takes this run's tasks, and parallel runs never take each other's.
 */
export function orderCatalog(topicPrefix: string, extra: MetadataItem[] = [], model = 'order-fulfillment.bpmn'): MetadataItem[] {
  const xml = readFileSync(new URL(`../../bpmn/${model}`, import.meta.url), 'utf8')
    .replace(/camunda:topic="order\./g, `camunda:topic="${topicPrefix}order.`);
  return [
    ...sampleCatalogWithDefaultModels(),
    { kind: 'bpmn-model', key: 'order-fulfillment', content: { name: 'Order fulfillment', processKey: 'order-fulfillment', xml } },
    ...extra,
  ];
}

export type OrderFixture = QuoteFixture & {
  topicPrefix: string;
  /** ops (olga) and the fixture's integration (ian) besides the quote cast. */
  callAs(token: 'olga', method: 'GET' | 'POST', url: string, payload?: unknown, headers?: Record<string, string>): Promise<Reply>;
  /** A quote accepted by rita on the customer's behalf: its id. */
  acceptedQuote(as?: Person): Promise<string>;
  /** The order of an accepted quote through POST /orders/from-accepted-quote. */
  createOrder(quoteId: string, as?: Person): Promise<string>;
  /** The engine listening on a real port (for concurrent HTTP and for the workers). */
  listen(): Promise<string>;
};

/** The quote fixture with the order-fulfillment model published, and an operator. */
export async function createOrderFixture(label: string, env: Record<string, string> = {}, extra: MetadataItem[] = [], model?: string): Promise<OrderFixture> {
  const topicPrefix = `test.${Date.now().toString(36)}${randomBytes(3).toString('hex')}.`;
  const f = await createQuoteFixture(label, env, { items: orderCatalog(topicPrefix, extra, model) });
  const extraTokens = await tokensFor(f.t.config, { olga: { tenantId: f.tenant, roles: ['ops'] } });
  const app: FastifyInstance = f.t.app;
  const callAs: OrderFixture['callAs'] = async (who, method, url, payload, headers = {}) => {
    const res = await app.inject({
      method, url, payload: payload as Json,
      headers: { authorization: `Bearer ${extraTokens[who]}`, ...(method === 'POST' ? { 'idempotency-key': `k-${randomUUID()}` } : {}), ...headers },
    });
    const json = res.headers['content-type']?.toString().includes('json');
    return { status: res.statusCode, body: json ? (res.json() as Json) : {}, headers: res.headers, raw: res.rawPayload };
  };
  const must = async (reply: Promise<Reply>, status: number) => {
    const r = await reply;
    if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  let address: string | undefined;
  return {
    ...f, topicPrefix, callAs,
    async acceptedQuote(as = 'rita') {
      const { quoteId, documentId } = await f.acceptableQuote(as);
      await must(f.call(as, 'POST', `/quotes/${quoteId}/commands/accept`, { documentId, onBehalfOf: { evidence: 'signed order form', channel: 'signed-pdf' } }), 200);
      return quoteId;
    },
    async createOrder(quoteId, as = 'rita') {
      return (await must(f.call(as, 'POST', '/orders/from-accepted-quote', { quoteId }), 201)).orderId as string;
    },
    async listen() {
      address ??= await app.listen({ host: '127.0.0.1', port: 0 });
      return address;
    },
  };
}

export type FulfillmentFixture = OrderFixture & {
  url: string;
  control: ReturnType<typeof targetSystemsControl>;
  /** The order's plan steps by key. */
  steps(orderId: string): Promise<Record<string, Json>>;
  order(orderId: string): Promise<Json>;
  /** Waits until the order is in one of the states (or fails naming the last one seen). */
  until(orderId: string, states: string[], timeoutMs?: number): Promise<Json>;
  stopWorkers(): Promise<void>;
  startWorkers(): void;
};

/**
 * The order fixture with fulfillment running for real: the engine listening on a port, this
 * run's external-task workers (connectors/src/fulfillment) calling it with their own service
 * credential, and the run's target-systems process (test/global-setup.ts), which calls the
 * engine back with its own. Failure modes are target-systems rules keyed by the order id.
 */
export async function createFulfillmentFixture(
  label: string, options: { retries?: number; adapterTimeoutMs?: number; model?: string; reconcileEveryMs?: number; extra?: MetadataItem[] } = {},
): Promise<FulfillmentFixture> {
  const systems = inject('targetSystems');
  const workers = { clientId: 'workers-test', clientSecret: randomBytes(32).toString('hex') };
  const clients = [
    { clientId: workers.clientId, secretSha256: createHash('sha256').update(workers.clientSecret).digest('hex'), roles: ['integrator'], tenants: ['*'] },
    serviceClientOf(systems),
  ];
  // extra: release items beside the sample catalog (say a decomposition map for an offering it does not fulfil).
  const f = await createOrderFixture(label, { SERVICE_CLIENTS: JSON.stringify(clients) }, options.extra ?? [], options.model);
  const url = await f.listen();
  const catalog = orderFulfillmentWorkers(
    createEngineClient(url, workers),
    createTargetSystemAdapters({ baseUrl: systems.url, callbackUrl: url, timeoutMs: options.adapterTimeoutMs ?? 1_000 }),
    { topicPrefix: f.topicPrefix, retries: options.retries ?? 3, backoffMs: 300 },
  );
  let host: ReturnType<typeof startWorkerHost> | undefined;
  const startWorkers = () => {
    host = startWorkerHost({
      baseUrl: testEnv.camundaUrl, catalog, workerId: `fulfillment-${randomUUID().slice(0, 8)}`, maxTasks: 10,
      asyncResponseTimeout: 1_000, stopTimeoutMs: 5_000, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    });
  };
  startWorkers();
  // The order reconciler runs beside the engine as on the platform (api.main.ts), scoped to this
  // run's tenant so parallel files never reconcile each other's orders. It is what finishes a
  // callback that reached the engine before its process waited at the message (a slow worker
  // completion under load). 0: off, for a test of the reconciler itself.
  const reconcileEveryMs = options.reconcileEveryMs ?? 1_000;
  let reconciling: Promise<unknown> | undefined;
  const reconciler = reconcileEveryMs > 0 ? setInterval(() => {
    reconciling ??= f.t.orders.reconcile(2_000, { tenantId: f.tenant }).catch(() => undefined).finally(() => { reconciling = undefined; });
  }, reconcileEveryMs) : undefined;
  const order = async (orderId: string) => (await f.call('sam', 'GET', `/orders/${orderId}`)).body;
  return {
    ...f, url, control: targetSystemsControl(systems.url), order, startWorkers,
    async steps(orderId) {
      const plan = (await f.call('sam', 'GET', `/orders/${orderId}/fulfillment-plan`)).body;
      return Object.fromEntries((plan.steps as Json[]).map((s) => [s.stepKey as string, s]));
    },
    async until(orderId, states, timeoutMs = 60_000) {
      let last: Json = {};
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        last = await order(orderId);
        if (states.includes(last.state as string)) return last;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      // What the next reader of a CI log needs: where each step stands, and what Camunda holds for the order.
      const plan = (await f.call('sam', 'GET', `/orders/${orderId}/fulfillment-plan`)).body;
      const steps = ((plan.steps ?? []) as Json[]).map((st) => `${st.stepKey}=${st.state}${st.attempt ? `#${st.attempt}` : ''}${st.reason ? ` (${st.reason})` : ''}`);
      const due = (await f.t.infrastructure.prisma.orderStep.findMany({ where: { orderId, correlationDue: true }, select: { stepKey: true } })).map((st) => st.stepKey);
      const { camunda: client } = f.t.infrastructure;
      const camunda = await client.processInstances({ businessKey: `order-fulfillment:${f.tenant}:${orderId}` }).catch(() => []);
      const incidents = await client.incidents({ tenantIdIn: f.tenant }).catch(() => []);
      throw new Error(`order ${orderId} did not reach ${states.join('/')} within ${timeoutMs} ms; steps: ${steps.join(', ')}; correlation due: ${due.join(', ') || 'none'}; `
        + `Camunda instances with its business key: ${camunda.length}; incidents of the tenant: ${JSON.stringify(incidents.map((i) => [i.activityId, i.incidentMessage]))}; order: ${JSON.stringify(last)}`);
    },
    async stopWorkers() {
      await host?.stop();
      host = undefined;
    },
    async close() {
      clearInterval(reconciler);
      await reconciling;
      await host?.stop();
      await f.close();
    },
  };
}
