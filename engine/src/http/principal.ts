import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticate, type AuthSettings, type Principal } from './auth';
import { DomainError } from './errors';

const principals = new WeakMap<FastifyRequest, Principal>();

/** Authenticates every request of the plugin it is called in (401 before the body is read). */
export function requireAuthentication(app: FastifyInstance, settings: AuthSettings): void {
  app.addHook('onRequest', async (request) => {
    principals.set(request, await authenticate(request, settings));
  });
}

/** The principal when the route authenticated one (observability: a span's tenant), else undefined. */
export function knownPrincipal(request: FastifyRequest): Principal | undefined {
  return principals.get(request);
}

export function principalOf(request: FastifyRequest): Principal {
  const principal = principals.get(request);
  if (!principal) throw new Error('principalOf called on a route without requireAuthentication');
  return principal;
}

const IF_MATCH = /^(?:W\/)?"?(\d{1,10})"?$/;

/** The version in If-Match (`"3"`, `W/"3"` or `3`); 428 when missing, 400 when not a version. */
export function expectedVersion(request: FastifyRequest, required: true): number;
export function expectedVersion(request: FastifyRequest, required: false): number | undefined;
export function expectedVersion(request: FastifyRequest, required: boolean): number | undefined {
  const header = request.headers['if-match'];
  if (header === undefined) {
    if (required) throw new DomainError('precondition-required', 'send If-Match with the version you read (its ETag)');
    return undefined;
  }
  // A version is a non-negative integer; anything else is the caller's mistake, named, never a NaN
  // that reaches the idempotency hash or SQL (found by openapi-fuzz.int.test.ts: a 500).
  const match = IF_MATCH.exec(String(header).trim());
  const version = match ? Number(match[1]) : Number.NaN;
  if (!Number.isSafeInteger(version) || version > 2_147_483_647) {
    throw new DomainError('validation-failed', 'If-Match must be the ETag you read: a version like "3"', [
      { field: 'headers/if-match', rule: 'format', message: 'must be a version number, as "3", W/"3" or 3' },
    ]);
  }
  return version;
}

