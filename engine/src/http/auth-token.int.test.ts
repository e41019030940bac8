import { createHash, randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/test-app';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const WORKERS_SECRET = randomBytes(32).toString('hex');
const PARTNER_SECRET = randomBytes(32).toString('hex');

describe('POST /auth/token: client credentials for service principals (real engine, its own database)', () => {
  let t: TestApp;
  const tenant = `tok-${Date.now().toString(36)}`;

  beforeAll(async () => {
    t = await createTestApp('auth_token', {
      env: {
        SERVICE_CLIENTS: JSON.stringify([
          { clientId: 'workers', secretSha256: sha256(WORKERS_SECRET), roles: ['integrator'], tenants: ['*'] },
          { clientId: 'partner', secretSha256: sha256(PARTNER_SECRET), roles: ['integrator'], tenants: ['acme'] },
        ]),
      },
    });
    await t.infrastructure.prisma.tenant.create({ data: { id: tenant, name: 'Tokens' } });
  });
  afterAll(async () => t?.close());

  const tokenRequest = (body: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/auth/token', payload: body });
  const good = () => ({ grant_type: 'client_credentials', client_id: 'workers', client_secret: WORKERS_SECRET, tenant });
  const listQuotes = (token: string) => t.app.inject({ method: 'GET', url: '/quotes', headers: { authorization: `Bearer ${token}` } });

  it('issues a short-lived token with the client\'s roles, which the API accepts for that tenant', async () => {
    const res = await tokenRequest(good());
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900 });
    const claims = JSON.parse(Buffer.from(body.access_token.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ sub: 'service:workers', tenant, roles: ['integrator'] });
    expect(claims.exp - claims.iat).toBe(900);
    const quotes = await listQuotes(body.access_token);
    expect(quotes.statusCode).toBe(200);
  });

  it('accepts the form-encoded body OAuth clients send', async () => {
    const res = await t.app.inject({
      method: 'POST', url: '/auth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(good()).toString(),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().token_type).toBe('Bearer');
  });

  it.each([
    ['a wrong secret', { client_secret: 'x'.repeat(64) }, 401, 'unauthenticated', 'body/client_secret', 'client-credentials'],
    ['an unknown client (the same answer as a wrong secret)', { client_id: 'nobody' }, 401, 'unauthenticated', 'body/client_secret', 'client-credentials'],
    ['another client\'s secret', { client_secret: PARTNER_SECRET }, 401, 'unauthenticated', 'body/client_secret', 'client-credentials'],
    ['a tenant the client may not act for', { client_id: 'partner', client_secret: PARTNER_SECRET }, 403, 'forbidden', 'body/tenant', 'allowed-tenants'],
    ['another grant type', { grant_type: 'password' }, 400, 'validation-failed', 'body/grant_type', 'enum'],
    ['no secret', { client_secret: undefined }, 400, 'validation-failed', 'body/client_secret', 'required'],
    ['no tenant', { tenant: undefined }, 400, 'validation-failed', 'body/tenant', 'required'],
    ['an extra field', { scope: 'admin' }, 400, 'validation-failed', 'body/scope', 'additionalProperties'],
  ])('refuses %s with problem+json naming the field, and no token', async (_label, change, status, code, field, rule) => {
    const res = await tokenRequest({ ...good(), ...change });
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const problem = res.json();
    expect(problem).toMatchObject({ status, code });
    expect(problem.errors).toContainEqual(expect.objectContaining({ field, rule }));
    expect(res.body).not.toContain('access_token');
    // The secret sent is never echoed.
    expect(res.body).not.toContain(WORKERS_SECRET);
  });

  it('refuses a token with the same claims signed with another key (what a worker holding its own key could mint)', async () => {
    const forged = await new SignJWT({ tenant, roles: ['integrator'] })
      .setProtectedHeader({ alg: 'HS256' }).setSubject('service:workers').setIssuer(t.config.auth.issuer)
      .setAudience(t.config.auth.audience).setIssuedAt().setExpirationTime('15m')
      .sign(new TextEncoder().encode(randomBytes(32).toString('hex')));
    const res = await listQuotes(forged);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'unauthenticated', detail: 'the token is not valid' });
  });
});
