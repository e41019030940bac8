import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { issueToken, requireRole, verifyToken, type Principal } from './auth';
import { DomainError } from './errors';

const settings = { secret: 's'.repeat(40), issuer: 'cpq-local', audience: 'cpq-engine' };
const alice: Principal = { userId: 'alice', tenantId: 'acme', roles: ['admin'], team: 'north' };

const sign = (claims: Record<string, unknown>, overrides: Partial<typeof settings> = {}, exp = '1h') => {
  const s = { ...settings, ...overrides };
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('bob').setIssuer(s.issuer).setAudience(s.audience).setIssuedAt().setExpirationTime(exp).sign(new TextEncoder().encode(s.secret));
};

describe('bearer tokens', () => {
  it('round-trips a principal through the local issuer', async () => {
    expect(await verifyToken(settings, await issueToken(settings, alice))).toEqual(alice);
  });

  it.each([
    ['signed with another key', () => sign({ tenant: 'acme', roles: ['admin'] }, { secret: 'x'.repeat(40) }), 'the token is not valid'],
    ['from another issuer', () => sign({ tenant: 'acme', roles: ['admin'] }, { issuer: 'evil' }), 'the token is not valid'],
    ['for another audience', () => sign({ tenant: 'acme', roles: ['admin'] }, { audience: 'other' }), 'the token is not valid'],
    ['expired', () => sign({ tenant: 'acme', roles: ['admin'] }, {}, '-1s'), 'the token has expired'],
    ['unsigned (alg none)', async () => new UnsecuredJWT({ tenant: 'acme', roles: ['admin'] }).setSubject('bob').setIssuer('cpq-local').setAudience('cpq-engine').encode(), 'the token is not valid'],
    ['without a tenant', () => sign({ roles: ['admin'] }), 'the token lacks a subject, a tenant or a known role'],
    ['with only unknown roles', () => sign({ tenant: 'acme', roles: ['root'] }), 'the token lacks a subject, a tenant or a known role'],
    ['garbage', async () => 'not.a.jwt', 'the token is not valid'],
  ])('refuses a token %s with 401', async (_label, make, message) => {
    const error = await verifyToken(settings, await make()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'unauthenticated', message });
  });

  it('drops unknown roles and keeps known ones', async () => {
    const principal = await verifyToken(settings, await sign({ tenant: 'acme', roles: ['root', 'rep'] }));
    expect(principal.roles).toEqual(['rep']);
  });

  it('requireRole refuses with 403 forbidden', () => {
    expect(() => requireRole(alice, 'admin')).not.toThrow();
    expect(() => requireRole(alice, 'finance', 'sales-manager')).toThrow(expect.objectContaining({ code: 'forbidden' }));
  });
});
