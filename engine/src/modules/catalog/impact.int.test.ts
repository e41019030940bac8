import { randomUUID } from 'node:crypto';
import { sampleCatalog } from '@cpq/metadata/samples';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanCamunda, publishRelease, tokensFor } from '../../../test/release-fixture';
import { createTestApp, type TestApp } from '../../../test/test-app';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies

describe('impact preview: recent quotes replayed against a candidate (real services)', () => {
  let t: TestApp;
  let tokens: Record<string, string>;
  const tenant = `imp-${Date.now().toString(36)}`;

  beforeAll(async () => {
    t = await createTestApp('impact');
    await t.infrastructure.prisma.tenant.create({ data: { id: tenant, name: 'Impact' } });
    await publishRelease(t.app, t.config, tenant);
    tokens = await tokensFor(t.config, { rita: { tenantId: tenant, roles: ['rep'] }, ada: { tenantId: tenant, roles: ['admin'] } });
  }, 120_000);
  afterAll(async () => {
    await cleanCamunda(t.config.camundaUrl, [tenant]);
    await t?.close();
  });

  const call = async (as: string, method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const res = await t.app.inject({ method, url, payload: payload as Json, headers: { authorization: `Bearer ${tokens[as]}`, 'idempotency-key': `k-${randomUUID()}` } });
    return { status: res.statusCode, body: res.json() as Json };
  };

  it('reports invalid configurations, price deltas and newly required approvals, and writes nothing', async () => {
    const quoteId = (await call('rita', 'POST', '/quotes', { accountId: 'acct-1', customerName: 'Acme', currency: 'EUR', termMonths: 24 })).body.quoteId;
    await call('rita', 'POST', `/quotes/${quoteId}/lines`, { offering: 'business-internet', quantity: 1, selections: { access: 'fiber', bandwidth: 500, slaTier: 'standard' }, manualDiscount: { percent: '5', reason: 'goodwill' } });
    const priced = await call('rita', 'POST', `/quotes/${quoteId}/commands/price`);
    expect(priced.status).toBe(200);

    const catalog = sampleCatalog();
    const book = structuredClone(catalog.find((i) => i.kind === 'price-book')!) as Json;
    book.content.entries.find((e: Json) => e.charge === 'monthly-fee' && e.offering === 'business-internet').rows[1].price = '120.00';
    const rules = structuredClone(catalog.find((i) => i.key === 'business-internet-rules')!) as Json;
    rules.content.rules.push({ id: 'fiber-cap', type: 'value-constraint', condition: 'access = "fiber"', constraint: 'bandwidth <= 400', message: 'Fiber is capped at 400 Mbit/s for now', severity: 'error' });
    const policy = structuredClone(catalog.find((i) => i.kind === 'approval-policy')!) as Json;
    policy.content.levels[0].limits.maxDiscountPercent = '3';
    for (const item of [book, rules, policy]) expect((await call('ada', 'POST', '/metadata/drafts', item)).status).toBe(201);
    const candidate = (await call('ada', 'POST', '/metadata/release-candidates', { title: 'Price rise' })).body;
    expect(candidate.state, JSON.stringify(candidate.issues)).toBe('validated');

    const before = await t.infrastructure.prisma.priceResult.count();
    const impact = await call('ada', 'GET', `/metadata/release-candidates/${candidate.candidateId}/impact`);
    expect(impact.status, JSON.stringify(impact.body)).toBe(200);
    const mine = impact.body.quotes.find((q: Json) => q.quoteId === quoteId);
    expect(mine.invalidLines).toEqual([expect.objectContaining({ lineId: 'L1', violations: [expect.stringMatching(/^fiber-cap/)] })]);
    expect(Number(mine.delta)).toBeGreaterThan(0);
    expect(mine).toMatchObject({ currency: 'EUR', termTotalBefore: expect.any(String), termTotalAfter: expect.any(String) });
    expect(mine.approvalsBefore).toEqual([]);
    expect(mine.newlyRequiredApprovals).toEqual(['sales-manager']);
    expect(impact.body.summary).toMatchObject({ invalidConfigurations: 1, priceChanges: 1, newlyRequiredApprovals: 1 });
    expect(await t.infrastructure.prisma.priceResult.count()).toBe(before);
    expect((await call('rita', 'GET', `/metadata/release-candidates/${candidate.candidateId}/impact`)).status).toBe(403);
  });
});
