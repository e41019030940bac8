import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectRetryAfterAsContracted } from '../../test/retry-after';
import { createTestApp, type TestApp } from '../../test/test-app';
import { issueToken, type Role } from './auth';
import { jsonDepth } from './limits';

// ADR 0021: body size per route class, JSON depth and rate limits, on the real engine with its
// Redis store. Limits are set low here so a few requests reach them.
describe('limits against bad input and abuse (real engine, Redis store)', () => {
  let t: TestApp;
  const tenant = `lim-${Date.now().toString(36)}`;
  const token = (userId: string, roles: Role[] = ['rep']) => issueToken(t.config.auth, { userId, tenantId: tenant, roles, team: 'north' });
  const post = async (url: string, payload: string, userId = `u-${randomUUID()}`) => t.app.inject({
    method: 'POST', url, payload,
    headers: { authorization: `Bearer ${await token(userId, ['admin', 'rep'])}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
  });

  beforeAll(async () => {
    t = await createTestApp('limits', {
      env: {
        RATE_LIMIT_USER_PER_MINUTE: '5', RATE_LIMIT_SERVICE_PER_MINUTE: '50', RATE_LIMIT_TOKEN_PER_MINUTE_PER_IP: '3', JSON_MAX_DEPTH: '8',
        COMMAND_BODY_LIMIT_BYTES: '2048', BODY_LIMIT_BYTES: '65536',
      },
    });
    await t.infrastructure.prisma.tenant.create({ data: { id: tenant, name: 'Limits' } });
  });
  afterAll(async () => t?.close());

  it('counts nesting outside strings only', () => {
    expect(jsonDepth('{"a":[1,{"b":"[[[[{{{{"}]}')).toBe(3);
    expect(jsonDepth('"\\"[["')).toBe(0);
    expect(jsonDepth('['.repeat(1_000_000), 10)).toBe(11);
  });

  it('refuses a body nested deeper than JSON_MAX_DEPTH with a 400 naming the rule, before parsing', async () => {
    const deep = `{"accountId":"a","currency":"EUR","termMonths":12,"x":${'['.repeat(9)}${']'.repeat(9)}}`;
    const res = await post('/quotes', deep);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'validation-failed', errors: [{ field: 'body', rule: 'max-depth' }] });
    // Unbalanced brackets up to the size limit: refused by the scan, before JSON.parse and ajv.
    const huge = await post('/configurations/evaluate', '['.repeat(2000));
    expect(huge.statusCode).toBe(400);
    expect(huge.json().errors[0].rule).toBe('max-depth');
  });

  it('limits bodies by route class: commands small, the metadata API larger', async () => {
    const padding = 'x'.repeat(4000);
    const command = await post('/quotes', JSON.stringify({ accountId: padding, currency: 'EUR', termMonths: 12 }));
    expect(command.statusCode).toBe(413);
    expect(command.json().code).toBe('payload-too-large');
    // The same size is within the metadata limit: refused by validation or the domain, not by size.
    const draft = await post('/metadata/drafts', JSON.stringify({ kind: 'offering', key: 'big', content: { name: padding } }));
    expect(draft.statusCode).not.toBe(413);
    expect(draft.statusCode).toBeLessThan(500);
    const tooBig = await post('/metadata/drafts', JSON.stringify({ kind: 'offering', key: 'big', content: { name: 'x'.repeat(70_000) } }));
    expect(tooBig.statusCode).toBe(413);
  });

  it('answers 429 problem+json with Retry-After past the per-user rate, counted per tenant+user', async () => {
    const rita = await token('rita-rate');
    const list = (bearer: string) => t.app.inject({ method: 'GET', url: '/quotes', headers: { authorization: `Bearer ${bearer}` } });
    const statuses = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await list(rita)).statusCode);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const refused = await list(rita);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    // Retry-After: whole seconds, at least 1, within the fixed one-minute window, as listQuotes' contract declares it.
    expect(expectRetryAfterAsContracted('listQuotes', 429, refused.headers)).toBeLessThanOrEqual(60);
    expect(refused.json()).toMatchObject({ code: 'rate-limited', status: 429 });
    // Another user of the same tenant has a budget of their own.
    expect((await list(await token('sam-rate', ['sales-manager']))).statusCode).toBe(200);
    // Service principals (the workers drive every order's steps) have a budget of their own.
    const workers = await issueToken(t.config.auth, { userId: 'service:workers', tenantId: tenant, roles: ['integrator'] });
    for (let i = 0; i < 8; i += 1) expect((await list(workers)).statusCode).toBe(200);
    // Probes are never limited.
    for (let i = 0; i < 8; i += 1) expect((await t.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
  });

  // Regressions found by openapi-fuzz.int.test.ts (each was a 500 or a non-problem answer).
  it('refuses an If-Match that is not a version with a 400 naming the header (was a 500: NaN reached the idempotency hash)', async () => {
    for (const ifMatch of ['"abc"', '*', '"1.5"', '"99999999999"', '']) {
      const res = await t.app.inject({
        method: 'POST', url: '/quotes', payload: { accountId: 'acct-1', currency: 'EUR', termMonths: 12 },
        headers: { authorization: `Bearer ${await token('if-match', ['rep'])}`, 'idempotency-key': randomUUID(), 'if-match': ifMatch },
      });
      expect(res.statusCode, ifMatch).toBe(400);
      expect(res.json().errors, ifMatch).toEqual([expect.objectContaining({ field: 'headers/if-match', rule: 'format' })]);
    }
  });

  it('refuses a NUL character in the query, the path and JSON strings with a 400 naming the part (was a 500 from PostgreSQL)', async () => {
    const bearer = { authorization: `Bearer ${await token('nul', ['rep'])}` };
    const query = await t.app.inject({ method: 'GET', url: '/accounts?q=%00', headers: bearer });
    expect(query.statusCode).toBe(400);
    expect(query.json().errors).toEqual([expect.objectContaining({ field: 'query', rule: 'no-nul' })]);
    const path = await t.app.inject({ method: 'GET', url: '/accounts/a%00b', headers: bearer });
    expect(path.json().errors).toEqual([expect.objectContaining({ field: 'params', rule: 'no-nul' })]);
    const body = await post('/quotes', '{"accountId":"a\\u0000","currency":"EUR","termMonths":12}');
    expect(body.statusCode).toBe(400);
    expect(body.json().errors).toEqual([expect.objectContaining({ field: 'body', rule: 'no-nul' })]);
    // An escaped backslash followed by the text u0000 is no NUL.
    const text = await post('/quotes', '{"accountId":"a\\\\u0000","currency":"EUR","termMonths":12}');
    expect(text.json().errors?.[0]?.rule).not.toBe('no-nul');
  });

  it('answers a path segment past the router\'s limit with problem+json (was Fastify\'s own 414 JSON)', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/quotes/${'x'.repeat(300)}`, headers: { authorization: `Bearer ${await token('long-path')}` } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'validation-failed', errors: [{ field: 'params', rule: 'maxLength' }] });
  });

  it('limits POST /auth/token per client IP, whoever the client claims to be', async () => {
    // Counters outlive the app in Redis: addresses of this run only.
    const octet = () => 1 + Math.floor(Math.random() * 250);
    const [ip1, ip2] = [`198.18.${octet()}.${octet()}`, `198.19.${octet()}.${octet()}`];
    const attempt = (i: number) => t.app.inject({
      method: 'POST', url: '/auth/token', remoteAddress: ip1,
      payload: { grant_type: 'client_credentials', client_id: `guess-${i}`, client_secret: 'nope', tenant },
    });
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await attempt(i)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const other = await t.app.inject({
      method: 'POST', url: '/auth/token', remoteAddress: ip2,
      payload: { grant_type: 'client_credentials', client_id: 'x1', client_secret: 'nope', tenant },
    });
    expect(other.statusCode).toBe(401);
  });
});
