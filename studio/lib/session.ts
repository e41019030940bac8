import { jwtVerify, SignJWT } from 'jose';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { isRole, type Principal, type Role } from './roles';

/**
 * The studio's session: a token of the engine's local issuer, signed here with the engine's key
 * (as `npm run token` does; the platform keeps it in .run/secrets/auth-jwt-secret), kept in an
 * httpOnly cookie: the browser holds it but no script can read it, and only the studio's
 * server sends it to the engine.
 */
export const SESSION_COOKIE = 'cpq_studio_session';
const TTL_SECONDS = 8 * 3600;
const DEV_SECRET = 'dev-only-jwt-secret-change-me-0123456789';

function settings() {
  const secret = process.env.AUTH_JWT_SECRET ?? (process.env.NODE_ENV === 'production' ? '' : DEV_SECRET);
  return {
    secret: new TextEncoder().encode(secret),
    configured: secret.length >= 32,
    issuer: process.env.AUTH_JWT_ISSUER ?? 'cpq-local',
    audience: process.env.AUTH_JWT_AUDIENCE ?? 'cpq-engine',
  };
}

export async function signIn(principal: Principal): Promise<void> {
  const s = settings();
  if (!s.configured) throw new Error('AUTH_JWT_SECRET is not set: the studio cannot sign in local identities');
  // The engine's claims: `team` for reps and sales managers, `account` for customer users.
  const token = await new SignJWT({ tenant: principal.tenantId, roles: principal.roles, ...(principal.team ? { team: principal.team } : {}), ...(principal.accountId ? { account: principal.accountId } : {}) })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(principal.userId)
    .setIssuer(s.issuer)
    .setAudience(s.audience)
    .setIssuedAt()
    .setExpirationTime(`${TTL_SECONDS}s`)
    .sign(s.secret);
  (await cookies()).set(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', path: '/', maxAge: TTL_SECONDS, secure: false });
}

export async function signOut(): Promise<void> {
  (await cookies()).delete(SESSION_COOKIE);
}

/** The bearer token of this request's session, if any. */
export async function sessionToken(): Promise<string | undefined> {
  return (await cookies()).get(SESSION_COOKIE)?.value;
}

/** Who is signed in: the session's token verified with the same key, or undefined. */
export async function currentPrincipal(): Promise<Principal | undefined> {
  const token = await sessionToken();
  if (!token) return undefined;
  const s = settings();
  try {
    const { payload } = await jwtVerify(token, s.secret, { issuer: s.issuer, audience: s.audience, algorithms: ['HS256'] });
    const roles = Array.isArray(payload.roles) ? payload.roles.map(String).filter(isRole) : [];
    if (typeof payload.sub !== 'string' || typeof payload.tenant !== 'string' || roles.length === 0) return undefined;
    return {
      userId: payload.sub, tenantId: payload.tenant, roles: roles as Role[],
      ...(typeof payload.team === 'string' ? { team: payload.team } : {}), ...(typeof payload.account === 'string' ? { accountId: payload.account } : {}),
    };
  } catch {
    return undefined;
  }
}

export const signInConfigured = () => settings().configured;

/**
 * The signed-in principal, or a redirect to the sign-in page. Pages call it themselves: Next
 * renders a page alongside its layout, so the layout's check alone does not guard the page.
 */
export async function requirePrincipal(): Promise<Principal> {
  const principal = await currentPrincipal();
  if (!principal) redirect('/sign-in');
  return principal;
}
