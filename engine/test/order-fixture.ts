import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { MetadataItem } from '@cpq/metadata';
import type { FastifyInstance } from 'fastify';
import { createQuoteFixture, type Json, type Person, type QuoteFixture, type Reply } from './quote-fixture';
import { sampleCatalogWithDefaultModels, tokensFor } from './release-fixture';

/** The fulfillment process's external-task topics (connectors/src/fulfillment/order-fulfillment.topics.ts). */
export const ORDER_TOPICS = ['order.execute-step', 'order.compensate-step', 'order.complete-fulfillment', 'order.finish-cancellation'] as const;

/**
 * The sample catalog with the platform's default order-fulfillment process (bpmn/), its topics
 * renamed for this run (`test.<run>.order.*`) so a platform `workers` process on this machine
 * never takes this run's tasks, and parallel runs never take each other's.
 */
export function orderCatalog(topicPrefix: string, extra: MetadataItem[] = []): MetadataItem[] {
  const xml = readFileSync(new URL('../../bpmn/order-fulfillment.bpmn', import.meta.url), 'utf8')
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
export async function createOrderFixture(label: string, env: Record<string, string> = {}, extra: MetadataItem[] = []): Promise<OrderFixture> {
  const topicPrefix = `test.${Date.now().toString(36)}${randomBytes(3).toString('hex')}.`;
  const f = await createQuoteFixture(label, env, { items: orderCatalog(topicPrefix, extra) });
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
