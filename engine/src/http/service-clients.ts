import { createHash, timingSafeEqual } from 'node:crypto';
import { ROLES, type Role } from './auth';

/**
 * A service principal (the workers, an integration) that signs in with client credentials
 * (POST /auth/token). The engine keeps only the SHA-256 of its secret: secrets are long random
 * strings, so a fast hash is enough, and a leaked configuration does not leak them.
 */
export type ServiceClient = {
  clientId: string;
  /** SHA-256 of the secret, 32 bytes. */
  secretSha256: Buffer;
  roles: Role[];
  /** Tenants the client may ask a token for; `*` = any tenant (the workers serve every tenant). */
  tenants: string[] | '*';
};

/** The client id pattern (also the contract's): printable, no separators that need escaping. */
export const CLIENT_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{1,63}$/;

export const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * `SERVICE_CLIENTS`: a JSON array of `{ clientId, secretSha256 (64 hex), roles, tenants }`,
 * where `tenants` is a list of tenant ids or `["*"]`. Pushes every problem it finds (naming the
 * entry and field, never echoing a value) and returns the valid entries.
 */
export function parseServiceClients(raw: string, problems: string[]): ServiceClient[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    problems.push('SERVICE_CLIENTS must be a JSON array of { clientId, secretSha256, roles, tenants }');
    return [];
  }
  if (!Array.isArray(parsed)) {
    problems.push('SERVICE_CLIENTS must be a JSON array of { clientId, secretSha256, roles, tenants }');
    return [];
  }
  const clients: ServiceClient[] = [];
  const seen = new Set<string>();
  parsed.forEach((entry: unknown, index) => {
    const at = `SERVICE_CLIENTS[${index}]`;
    const before = problems.length;
    const e = (entry ?? {}) as Record<string, unknown>;
    const clientId = typeof e.clientId === 'string' ? e.clientId : '';
    if (!CLIENT_ID_PATTERN.test(clientId)) problems.push(`${at}.clientId must match ${CLIENT_ID_PATTERN.source}`);
    else if (seen.has(clientId)) problems.push(`${at}.clientId "${clientId}" is listed twice`);
    seen.add(clientId);
    const hash = typeof e.secretSha256 === 'string' ? e.secretSha256.toLowerCase() : '';
    if (!/^[0-9a-f]{64}$/.test(hash)) problems.push(`${at}.secretSha256 must be the 64 hex digits of the secret's SHA-256`);
    const roles = Array.isArray(e.roles) ? e.roles : [];
    const unknown = roles.filter((r) => !(ROLES as readonly unknown[]).includes(r));
    if (roles.length === 0 || unknown.length > 0) problems.push(`${at}.roles must be a non-empty list of ${ROLES.join(', ')}`);
    const tenants = Array.isArray(e.tenants) ? e.tenants : [];
    const anyTenant = tenants.length === 1 && tenants[0] === '*';
    if (tenants.length === 0 || (!anyTenant && tenants.some((t) => typeof t !== 'string' || t === '*' || t === ''))) {
      problems.push(`${at}.tenants must be a non-empty list of tenant ids, or ["*"]`);
    }
    if (problems.length > before) return;
    clients.push({ clientId, secretSha256: Buffer.from(hash, 'hex'), roles: roles as Role[], tenants: anyTenant ? '*' : (tenants as string[]) });
  });
  return clients;
}

// Compared against when the client id is unknown, so an unknown client costs the same as a
// known one with a wrong secret (no timing signal for which client ids exist).
const NO_CLIENT = sha256('no such client');

/**
 * The client whose id and secret these are, or undefined. The secret's hash is compared in
 * constant time, and an unknown id goes through the same comparison.
 */
export function authenticateClient(clients: readonly ServiceClient[], clientId: string, secret: string): ServiceClient | undefined {
  const client = clients.find((c) => c.clientId === clientId);
  const matches = timingSafeEqual(sha256(secret), client?.secretSha256 ?? NO_CLIENT);
  return client && matches ? client : undefined;
}

export function mayActFor(client: ServiceClient, tenantId: string): boolean {
  return client.tenants === '*' || client.tenants.includes(tenantId);
}

/**
 * Development only (NODE_ENV unset or `development`): the workers' client with a well-known
 * secret, so `npm run workers` works against a bare `npm start`. The workers' configuration
 * (connectors/src/camunda/worker.config.ts) holds the same development default. Tests and
 * production get no default: `npm run platform` generates a secret (deploy/platform.sh).
 */
export const DEVELOPMENT_WORKERS_SECRET = 'dev-only-workers-secret-change-me-0123456789';
export const developmentServiceClients = (): ServiceClient[] => [
  { clientId: 'workers', secretSha256: sha256(DEVELOPMENT_WORKERS_SECRET), roles: ['integrator'], tenants: '*' },
];
