import { workerTopics } from '@cpq/connectors/camunda/worker-topics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../http/auth';
import { createTestApp, type TestApp } from '../../../test/test-app';

type Json = Record<string, unknown>;

describe('GET /metadata/worker-topics: the worker catalog\'s topics for modellers (real PostgreSQL)', () => {
  let t: TestApp;
  let admin: string;
  let rep: string;
  const tenant = `topics-${Date.now().toString(36)}`;

  beforeAll(async () => {
    t = await createTestApp('worker-topics');
    await t.infrastructure.prisma.tenant.create({ data: { id: tenant, name: 'Topics' } });
    admin = await issueToken(t.config.auth, { userId: 'ada', tenantId: tenant, roles: ['admin'] });
    rep = await issueToken(t.config.auth, { userId: 'rita', tenantId: tenant, roles: ['rep'] });
  }, 120_000);
  afterAll(async () => t?.close());

  const get = async (token: string | null) => {
    const res = await t.app.inject({ method: 'GET', url: '/metadata/worker-topics', headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: res.statusCode, body: res.json() as Json };
  };

  it('lists the topics the workers subscribe, with description and input variables, for an admin', async () => {
    const res = await get(admin);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: workerTopics() });
    const items = res.body.items as { topic: string; variables: { required?: string[] } }[];
    expect(items.map((i) => i.topic)).toEqual(expect.arrayContaining(['platform.ping', 'quote.record-approval-decision', 'quote.escalate-approval']));
    expect(items.find((i) => i.topic === 'quote.record-approval-decision')?.variables.required).toEqual(['quoteId', 'revision']);
  });

  it('refuses a rep with 403 (modelling is for admins) and a caller without a token with 401', async () => {
    const refused = await get(rep);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('forbidden');
    expect((await get(null)).status).toBe(401);
  });
});
