import { jwtVerify, SignJWT, errors as joseErrors } from 'jose';
import type { FastifyRequest } from 'fastify';
import { DomainError } from './errors';

export const ROLES = ['admin', 'rep', 'sales-manager', 'finance', 'ops', 'customer', 'integrator'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: taken from a verified bearer JWT, never from the request body. */
export type Principal = { userId: string; tenantId: string; roles: Role[]; team?: string; accountId?: string };

export type AuthSettings = { secret: string; issuer: string; audience: string };

const key = (secret: string) => new TextEncoder().encode(secret);

/**
 * Issues a token: service tokens at POST /auth/token (client credentials, auth-token.routes.ts),
 * and user tokens of the local issuer for development and tests (`npm run token`).
 */
export async function issueToken(settings: AuthSettings, principal: Principal, ttlSeconds = 8 * 3600): Promise<string> {
  return new SignJWT({ tenant: principal.tenantId, roles: principal.roles, ...(principal.team ? { team: principal.team } : {}), ...(principal.accountId ? { account: principal.accountId } : {}) })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(principal.userId)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(key(settings.secret));
}

/**
 * Tokens already verified, until they expire: a client sends the same token with every
 * request, and the HMAC check is a crypto job per request (measured: ~3 % of a command's CPU).
 * Bounded; keyed by the token and the settings that verified it.
 */
const verified = new Map<string, { settings: AuthSettings; principal: Principal; expiresAt: number }>();
const VERIFIED_MAX = 10_000;

export async function verifyToken(settings: AuthSettings, token: string): Promise<Principal> {
  const known = verified.get(token);
  if (known && known.settings === settings && known.expiresAt > Date.now()) return known.principal;
  return verifySignedToken(settings, token);
}

async function verifySignedToken(settings: AuthSettings, token: string): Promise<Principal> {
  try {
    const { payload } = await jwtVerify(token, key(settings.secret), { issuer: settings.issuer, audience: settings.audience, algorithms: ['HS256'] });
    const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is Role => (ROLES as readonly string[]).includes(String(r))) : [];
    if (typeof payload.sub !== 'string' || typeof payload.tenant !== 'string' || roles.length === 0) {
      throw new DomainError('unauthenticated', 'the token lacks a subject, a tenant or a known role');
    }
    const principal: Principal = Object.freeze({
      userId: payload.sub,
      tenantId: payload.tenant,
      roles,
      ...(typeof payload.team === 'string' ? { team: payload.team } : {}),
      ...(typeof payload.account === 'string' ? { accountId: payload.account } : {}),
    });
    if (typeof payload.exp === 'number') {
      if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!);
      verified.set(token, { settings, principal, expiresAt: payload.exp * 1000 });
    }
    return principal;
  } catch (error) {
    if (error instanceof DomainError) throw error;
    const reason = error instanceof joseErrors.JWTExpired ? 'the token has expired' : 'the token is not valid';
    throw new DomainError('unauthenticated', reason);
  }
}

/** The caller, or 401. */
export async function authenticate(request: FastifyRequest, settings: AuthSettings): Promise<Principal> {
  const header = request.headers.authorization ?? '';
  if (!header.startsWith('Bearer ')) throw new DomainError('unauthenticated', 'a bearer token is required');
  return verifyToken(settings, header.slice(7));
}

/** 403 unless the principal holds one of the roles. */
export function requireRole(principal: Principal, ...roles: Role[]): void {
  if (!roles.some((role) => principal.roles.includes(role))) {
    throw new DomainError('forbidden', `requires the role ${roles.join(' or ')}`);
  }
}
