import { listOperations, loadApiDocument } from '@cpq/contracts/openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, createTestApp, type TestApp } from '../test/test-app';

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

describe('engine HTTP conventions', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp('app'); });
  afterAll(async () => { await t?.close(); });

  const counts = async () => ({
    tenants: await t.infrastructure.prisma.tenant.count(),
    events: await t.infrastructure.prisma.outboxEvent.count(),
  });

  describe('correlation id', () => {
    it('echoes a given X-Correlation-Id', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/health/live', headers: { 'x-correlation-id': 'corr-abc.123' } });
      expect(res.headers['x-correlation-id']).toBe('corr-abc.123');
    });
    it.each([[undefined], ['has spaces and {braces}'], ['x'.repeat(121)]])('generates one when the header is %s', async (given) => {
      const res = await t.app.inject({ method: 'GET', url: '/health/live', headers: given ? { 'x-correlation-id': given } : {} });
      expect(res.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    });
    it('puts it in problem bodies too', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/nowhere', headers: { 'x-correlation-id': 'corr-404' } });
      expect(res.json().correlationId).toBe('corr-404');
    });
  });

  it('serves the merged OpenAPI 3.1 document', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health/ready', '/admin/tenants', '/admin/tenants/{tenantId}']));
  });

  it('every operation in the contracts has a route', async () => {
    for (const { method, path } of listOperations(loadApiDocument())) {
      const url = path.replace(/\{[^}]+\}/g, 'demo');
      const res = await t.app.inject({ method: method as 'GET', url, headers: auth, payload: method === 'GET' ? undefined : {} });
      expect(res.json().code, `${method} ${path}`).not.toBe('not-found');
    }
  });

  describe('tenant registration', () => {
    it('writes the tenant and its TenantRegistered event in one transaction', async () => {
      const res = await t.app.inject({
        method: 'POST', url: '/admin/tenants', headers: { ...auth, 'x-correlation-id': 'corr-reg', 'idempotency-key': 'register-acme-telco' },
        payload: { tenantId: 'acme-telco', name: 'Acme Telco' },
      });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ tenantId: 'acme-telco', name: 'Acme Telco', createdAt: expect.any(String) });
      const event = await t.infrastructure.prisma.outboxEvent.findFirstOrThrow({ where: { aggregateId: 'acme-telco' } });
      expect(event).toMatchObject({
        eventType: 'TenantRegistered', tenantId: 'acme-telco', aggregateType: 'TENANT', correlationId: 'corr-reg',
        topic: 'cpq.tenant.events', publishedAt: null, payload: { tenantId: 'acme-telco', name: 'Acme Telco' },
      });
      const read = await t.app.inject({ method: 'GET', url: '/admin/tenants/acme-telco', headers: auth });
      expect(read.json()).toEqual(res.json());
    });

    it('a duplicate gets 409 naming the field, and writes no second event', async () => {
      await t.app.inject({ method: 'POST', url: '/admin/tenants', headers: { ...auth, 'idempotency-key': 'register-dup-1' }, payload: { tenantId: 'dup-co', name: 'Dup' } });
      const before = await counts();
      const res = await t.app.inject({ method: 'POST', url: '/admin/tenants', headers: { ...auth, 'idempotency-key': 'register-dup-2' }, payload: { tenantId: 'dup-co', name: 'Dup again' } });
      expect(res.statusCode).toBe(409);
      expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(res.json()).toMatchObject({
        type: 'https://cpq.example/problems/tenant-already-exists', status: 409, code: 'tenant-already-exists',
        errors: [{ field: 'body/tenantId', rule: 'unique', message: 'is already taken' }],
      });
      expect(await counts()).toEqual(before);
    });

    it('an unknown tenant is a 404 problem', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/admin/tenants/nobody-here', headers: auth });
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('tenant-not-found');
    });
  });

  describe('bad input: a 4xx problem+json that names the field and the rule, and nothing changes', () => {
    const post = (payload: unknown, headers: Record<string, string> = auth) =>
      t.app.inject({ method: 'POST', url: '/admin/tenants', headers, payload: payload as object });

    it.each([
      ['a missing field', { name: 'X' }, 'body/tenantId', 'required'],
      ['a wrong type', { tenantId: 'ok-id', name: 42 }, 'body/name', 'type'],
      ['a pattern broken', { tenantId: 'Bad Id!', name: 'X' }, 'body/tenantId', 'pattern'],
      ['an empty string', { tenantId: 'ok-id', name: '' }, 'body/name', 'minLength'],
      ['an unknown field', { tenantId: 'ok-id', name: 'X', role: 'admin' }, 'body/role', 'additionalProperties'],
      ['an array body', [], 'body', 'type'],
    ])('%s', async (_label, payload, field, rule) => {
      const before = await counts();
      const res = await post(payload);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      const body = res.json();
      expect(body).toMatchObject({ type: 'https://cpq.example/problems/validation-failed', status: 400, code: 'validation-failed' });
      expect(body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, rule })]));
      expect(await counts()).toEqual(before);
    });

    it('reports every broken field at once', async () => {
      const res = await post({ tenantId: 1, name: '' });
      expect(res.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['body/name', 'body/tenantId']);
    });

    it('malformed JSON is a 400 malformed-body', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/admin/tenants', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"tenantId": ' });
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('malformed-body');
    });

    it('an empty body with a JSON content type is "no body": a route that needs one says so by name', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/admin/tenants', headers: { ...auth, 'content-type': 'application/json' }, payload: '' });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'validation-failed', errors: [expect.objectContaining({ field: 'body' })] });
    });

    it('a non-JSON content type is a 415', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/admin/tenants', headers: { ...auth, 'content-type': 'text/plain' }, payload: 'hello' });
      expect(res.statusCode).toBe(415);
      expect(res.json().code).toBe('unsupported-media-type');
    });

    it('a body over the limit is a 413', async () => {
      const res = await post({ tenantId: 'big', name: 'x'.repeat(t.config.bodyLimitBytes) });
      expect(res.statusCode).toBe(413);
      expect(res.json().code).toBe('payload-too-large');
    });

    it('a path parameter breaking its pattern is a 400 naming params/tenantId', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/admin/tenants/NOT_VALID', headers: auth });
      expect(res.statusCode).toBe(400);
      expect(res.json().errors[0]).toMatchObject({ field: 'params/tenantId', rule: 'pattern' });
    });

    it.each([
      ['no token', {}],
      ['a wrong token', { authorization: 'Bearer not-the-token' }],
      ['a token in the wrong scheme', { authorization: `Basic ${ADMIN_TOKEN}` }],
    ])('%s is a 401 before the body is even read', async (_label, headers) => {
      const before = await counts();
      const res = await post({ tenantId: 'sneaky', name: 'Sneaky' }, headers as Record<string, string>);
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('unauthenticated');
      expect(await counts()).toEqual(before);
    });

    it('an unknown route is a 404 problem', async () => {
      const res = await t.app.inject({ method: 'DELETE', url: '/quotes/1' });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 'not-found', status: 404 });
    });

    it('no operation answers 500 to hostile bodies', async () => {
      const hostile = ['[]', '"text"', '1', 'null', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}', `{"a":"${'x'.repeat(10_000)}"}`];
      for (const { method, path } of listOperations(loadApiDocument()).filter((o) => o.method !== 'GET')) {
        for (const payload of hostile) {
          const res = await t.app.inject({ method: method as 'POST', url: path.replace(/\{[^}]+\}/g, 'demo'), headers: { ...auth, 'content-type': 'application/json' }, payload });
          expect(res.statusCode, `${method} ${path} ${payload.slice(0, 40)}`).toBeGreaterThanOrEqual(400);
          expect(res.statusCode, `${method} ${path} ${payload.slice(0, 40)}`).toBeLessThan(500);
          expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        }
      }
    });
  });
});
