import { poolOf, TENANT_ROLE } from '@cpq/prisma';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokensFor } from '../../test/release-fixture';
import { createTestApp, type TestApp } from '../../test/test-app';
import { requireAuthentication } from './principal';
import { servesAcrossTenants } from './tenant-scope';

// ADR 0023 addendum: the tenant scope is opened for every request in one place (a root preHandler
// hook), so a route added later by any plugin runs its database work as its principal's tenant
// without doing anything; a route without a principal sees no tenant's rows; only a route that
// says it serves across tenants runs as the login role. Each probe route answers who its
// connections are, through each way the engine reaches PostgreSQL.
describe('the tenant scope of HTTP requests (real PostgreSQL)', () => {
  let t: TestApp;
  let token: string;
  const TENANT = 'scope-probe';

  beforeAll(async () => {
    t = await createTestApp('tenant_scope_http');
    const prisma = t.infrastructure.prisma;
    const who = async () => {
      const viaPrisma = await prisma.$queryRaw<{ u: string; t: string }[]>`SELECT current_user AS u, coalesce(current_setting('app.tenant_id', true), '') AS t`;
      const viaTransaction = await prisma.$transaction((tx) => tx.$queryRaw<{ u: string; t: string }[]>`SELECT current_user AS u, coalesce(current_setting('app.tenant_id', true), '') AS t`);
      const viaPool = await poolOf(prisma).query<{ u: string; t: string }>(`SELECT current_user AS u, coalesce(current_setting('app.tenant_id', true), '') AS t`);
      // Work continued after a timer is still the request's.
      await new Promise((resolve) => setTimeout(resolve, 5));
      const afterTimer = await prisma.$queryRaw<{ u: string; t: string }[]>`SELECT current_user AS u, coalesce(current_setting('app.tenant_id', true), '') AS t`;
      return [viaPrisma[0], viaTransaction[0], viaPool.rows[0], afterTimer[0]];
    };
    await t.app.register(async (child: FastifyInstance) => {
      requireAuthentication(child, t.config.auth);
      child.get('/probe/authenticated', who);
      child.post('/probe/authenticated', who);
    });
    await t.app.register(async (child: FastifyInstance) => {
      child.get('/probe/anonymous', who);
      child.get('/probe/platform', { onRequest: servesAcrossTenants }, who);
    });
    ({ probe: token } = await tokensFor(t.config, { probe: { tenantId: TENANT, roles: ['rep'] } }) as { probe: string });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  const probe = async (method: 'GET' | 'POST', url: string, withToken = true) => {
    const res = await t.app.inject({
      method, url, ...(method === 'POST' ? { payload: { a: 'body read before the handler' } } : {}),
      headers: withToken ? { authorization: `Bearer ${token}` } : {},
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { u: string; t: string }[];
  };

  it('a route with a principal runs every query as its tenant, also after the body was parsed', async () => {
    for (const method of ['GET', 'POST'] as const) {
      expect(await probe(method, '/probe/authenticated')).toEqual(Array(4).fill({ u: TENANT_ROLE, t: TENANT }));
    }
  });

  it('a route without a principal sees no tenant; a platform route is the login role', async () => {
    expect(await probe('GET', '/probe/anonymous', false)).toEqual(Array(4).fill({ u: TENANT_ROLE, t: '' }));
    const platform = await probe('GET', '/probe/platform', false);
    for (const row of platform) expect(row.u).not.toBe(TENANT_ROLE);
    // Work outside any request (the sweeps, the reconcilers, the consumers) is the login role too.
    const outside = await t.infrastructure.prisma.$queryRaw<{ u: string }[]>`SELECT current_user AS u`;
    expect(outside[0]!.u).not.toBe(TENANT_ROLE);
  });

  it('interleaved requests of two tenants and none keep their own scope on shared connections', async () => {
    const { other } = await tokensFor(t.config, { other: { tenantId: `${TENANT}-2`, roles: ['rep'] } }) as { other: string };
    const calls = Array.from({ length: 30 }, (_, i) => ({ i, auth: i % 3 === 0 ? token : i % 3 === 1 ? other : undefined }));
    const answers = await Promise.all(calls.map(({ auth }) => t.app.inject({
      method: auth ? 'POST' : 'GET', url: auth ? '/probe/authenticated' : '/probe/anonymous', headers: auth ? { authorization: `Bearer ${auth}` } : {},
      ...(auth ? { payload: { x: 1 } } : {}),
    })));
    answers.forEach((res, i) => {
      const expected = i % 3 === 0 ? TENANT : i % 3 === 1 ? `${TENANT}-2` : '';
      expect(res.json(), `call ${i}`).toEqual(Array(4).fill({ u: TENANT_ROLE, t: expected }));
    });
  });
});
