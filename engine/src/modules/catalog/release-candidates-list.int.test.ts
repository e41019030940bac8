import { randomUUID } from 'node:crypto';
import { sampleCatalog } from '@cpq/metadata/samples';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../http/auth';
import { createTestApp, type TestApp } from '../../../test/test-app';

type Json = Record<string, unknown>;

describe('GET /metadata/release-candidates: the candidates a reviewer looks through (real PostgreSQL)', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const tenant = `cands-${Date.now().toString(36)}`;

  beforeAll(async () => {
    t = await createTestApp('candidate-list');
    await t.infrastructure.prisma.tenant.create({ data: { id: tenant, name: 'Candidates' } });
    tokens.alice = await issueToken(t.config.auth, { userId: 'alice', tenantId: tenant, roles: ['admin'] });
    tokens.rita = await issueToken(t.config.auth, { userId: 'rita', tenantId: tenant, roles: ['rep'] });
  }, 120_000);
  afterAll(async () => t?.close());

  const call = async (as: string, method: 'GET' | 'POST', url: string, payload?: Json) => {
    const res = await t.app.inject({ method, url, payload, headers: { authorization: `Bearer ${tokens[as]}`, ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}) } });
    return { status: res.statusCode, body: res.json() as Json };
  };

  it('lists the tenant\'s candidates newest first with state, people and issue count; filters by state; admins only', async () => {
    const spec = sampleCatalog().find((i) => i.kind === 'product-specification')!;
    expect((await call('alice', 'POST', '/metadata/drafts', spec as unknown as Json)).status).toBe(201);
    const first = await call('alice', 'POST', '/metadata/release-candidates', { title: 'first' });
    expect(first.status).toBe(201);
    if (first.body.state === 'validated') {
      expect((await call('alice', 'POST', `/metadata/release-candidates/${String(first.body.candidateId)}/commands/request-review`)).status).toBe(200);
    }
    const second = await call('alice', 'POST', '/metadata/release-candidates', { title: 'second' });
    expect(second.status).toBe(201);

    const list = await call('alice', 'GET', '/metadata/release-candidates');
    expect(list.status).toBe(200);
    const items = list.body.items as Json[];
    expect(items.map((i) => i.title)).toEqual(['second', 'first']);
    expect(items[1]).toMatchObject({
      candidateId: first.body.candidateId, createdBy: 'alice', decidedBy: null,
      issueCount: (first.body.issues as unknown[]).length, state: first.body.state === 'validated' ? 'in-review' : first.body.state,
    });

    const firstState = items[1]!.state as string;
    const filtered = await call('alice', 'GET', `/metadata/release-candidates?state=${firstState}`);
    expect((filtered.body.items as Json[]).map((i) => i.candidateId)).toContain(first.body.candidateId);
    expect((filtered.body.items as Json[]).every((i) => i.state === firstState)).toBe(true);

    expect((await call('alice', 'GET', '/metadata/release-candidates?state=nonsense')).status).toBe(400);
    expect((await call('rita', 'GET', '/metadata/release-candidates')).status).toBe(403);
  });
});
