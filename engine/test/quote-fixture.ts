import { randomUUID } from 'node:crypto';
import type { MetadataItem } from '@cpq/metadata';
import type { Principal } from '../src/http/auth';
import { cleanCamunda, publishRelease, tokensFor } from './release-fixture';
import { createTestApp, type TestApp } from './test-app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked by the contract in tests
export type Json = Record<string, any>;
export type Reply = { status: number; body: Json; headers: Record<string, unknown>; raw: Buffer };

/** The demo cast of a quote test: reps of two teams, a sales manager, finance, customers of two accounts. */
export const CAST = {
  rita: { roles: ['rep'], team: 'north' },
  rob: { roles: ['rep'], team: 'south' },
  sam: { roles: ['sales-manager'], team: 'north' },
  sue: { roles: ['sales-manager'], team: 'south' },
  fiona: { roles: ['finance'] },
  ada: { roles: ['admin'] },
  ian: { roles: ['integrator'] },
  cora: { roles: ['customer'], accountId: 'acct-1' },
  carl: { roles: ['customer'], accountId: 'acct-2' },
  /** Of another tenant (`otherTenant`), with every seller role: existence must not leak to her. */
  eve: { roles: ['rep', 'sales-manager', 'finance'], team: 'north' },
} as const satisfies Record<string, Omit<Principal, 'userId' | 'tenantId'>>;
export type Person = keyof typeof CAST;
const OUTSIDERS: ReadonlySet<Person> = new Set(['eve']);

export type QuoteFixture = {
  t: TestApp;
  tenant: string;
  /** A second tenant (eve's), with no release. */
  otherTenant: string;
  tokens: Record<Person, string>;
  /** One API call as a person; commands get a fresh Idempotency-Key unless one is given. */
  call(as: Person, method: 'GET' | 'POST', url: string, payload?: unknown, headers?: Record<string, string>): Promise<Reply>;
  /** A quote with one valid line, priced; `discountPercent` above the rep's authority needs approval. */
  pricedQuote(as?: Person, options?: { discountPercent?: string; accountId?: string }): Promise<string>;
  /** A priced quote within authority, approved at once, with its document: ready to accept. */
  acceptableQuote(as?: Person): Promise<{ quoteId: string; documentId: string }>;
  close(): Promise<void>;
};

export const internetLine = (discountPercent?: string) => ({
  offering: 'business-internet', quantity: 1, selections: { access: 'fiber', bandwidth: 500, slaTier: 'standard' },
  ...(discountPercent ? { manualDiscount: { percent: discountPercent, reason: 'competitive offer' } } : {}),
});

/** The engine on its own database with a published release and the cast's tokens: the typed setup of quote tests. */
export async function createQuoteFixture(label: string, env: Record<string, string> = {}, options: { items?: MetadataItem[] } = {}): Promise<QuoteFixture> {
  const t = await createTestApp(label, { env });
  const tenant = `${label.replace(/_/g, '-').slice(0, 20)}-${Date.now().toString(36)}`;
  const otherTenant = `${tenant}-x`;
  await t.infrastructure.prisma.tenant.createMany({ data: [{ id: tenant, name: label }, { id: otherTenant, name: `${label} (other)` }] });
  await publishRelease(t.app, t.config, tenant, options.items);
  const tokens = await tokensFor(t.config, Object.fromEntries(Object.entries(CAST).map(([id, p]) =>
    [id, { tenantId: OUTSIDERS.has(id as Person) ? otherTenant : tenant, ...p }]))) as Record<Person, string>;

  const call: QuoteFixture['call'] = async (as, method, url, payload, headers = {}) => {
    const res = await t.app.inject({
      method, url, payload: payload as Json,
      headers: { authorization: `Bearer ${tokens[as]}`, ...(method === 'POST' ? { 'idempotency-key': `k-${randomUUID()}` } : {}), ...headers },
    });
    const json = res.headers['content-type']?.toString().includes('json');
    return { status: res.statusCode, body: json ? (res.json() as Json) : {}, headers: res.headers, raw: res.rawPayload };
  };
  const must = async (reply: Promise<Reply>, status: number) => {
    const r = await reply;
    if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const pricedQuote: QuoteFixture['pricedQuote'] = async (as = 'rita', options = {}) => {
    const { quoteId } = await must(call(as, 'POST', '/quotes', { accountId: options.accountId ?? 'acct-1', customerName: 'Acme GmbH', currency: 'EUR', termMonths: 24 }), 201);
    await must(call(as, 'POST', `/quotes/${quoteId}/lines`, internetLine(options.discountPercent)), 201);
    await must(call(as, 'POST', `/quotes/${quoteId}/commands/price`), 200);
    return quoteId as string;
  };
  return {
    t, tenant, otherTenant, tokens, call, pricedQuote,
    async acceptableQuote(as = 'rita') {
      const quoteId = await pricedQuote(as);
      const submitted = await must(call(as, 'POST', `/quotes/${quoteId}/commands/submit-for-approval`), 200);
      if (submitted.state !== 'approved') throw new Error(`expected approval at once, got ${submitted.state}`);
      const { documentId } = await must(call(as, 'POST', `/quotes/${quoteId}/commands/generate-document`), 201);
      return { quoteId, documentId: documentId as string };
    },
    async close() {
      await cleanCamunda(t.config.camundaUrl, [tenant, otherTenant]);
      await t.close();
    },
  };
}
