/**
 * How workers reach the engine: its HTTP API, as the service principal their credential names
 * (e.g. `service:workers`, role `integrator`), one tenant at a time. Workers call commands;
 * they never touch domain tables, and they hold no signing key: the engine issues their tokens
 * at POST /auth/token (OAuth 2.0 client credentials) and is the only party that can sign one.
 */
export type EngineClient = {
  get<T>(tenantId: string, path: string): Promise<T>;
  command<T>(tenantId: string, path: string, idempotencyKey: string, body?: unknown): Promise<{ status: number; body: T }>;
};

export type ServiceCredential = { clientId: string; clientSecret: string };

/** The token endpoint refused the credential (401/403) or failed; carries its problem, never the secret. */
export class EngineAuthError extends Error {
  constructor(readonly status: number, readonly problem: unknown) {
    super(`the engine refused a service token (HTTP ${status}): ${JSON.stringify(problem)}`);
    this.name = 'EngineAuthError';
  }
}

type CachedToken = { token: string; renewAt: number };

/** Renew this long before expiry, and never later than at this share of the lifetime (nor before half of it). */
const RENEW_MARGIN_MS = 60_000;
const RENEW_SHARE = 0.8;

export type EngineClientOptions = { timeoutMs?: number; now?: () => number };

export function createEngineClient(baseUrl: string, credential: ServiceCredential, options: EngineClientOptions = {}): EngineClient {
  const root = baseUrl.replace(/\/$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? Date.now;
  const tokens = new Map<string, CachedToken>();
  // One request per tenant at a time: concurrent tasks of a tenant share the fetch.
  const pending = new Map<string, Promise<string>>();

  async function fetchToken(tenantId: string): Promise<string> {
    const response = await fetch(`${root}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: credential.clientId, client_secret: credential.clientSecret, tenant: tenantId }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    const body = (text ? JSON.parse(text) : undefined) as { access_token?: string; expires_in?: number } | undefined;
    if (!response.ok || !body?.access_token || !body.expires_in) throw new EngineAuthError(response.status, body);
    const lifetimeMs = body.expires_in * 1000;
    const renewInMs = Math.max(lifetimeMs / 2, Math.min(lifetimeMs * RENEW_SHARE, lifetimeMs - RENEW_MARGIN_MS));
    tokens.set(tenantId, { token: body.access_token, renewAt: now() + renewInMs });
    return body.access_token;
  }

  function tokenFor(tenantId: string): Promise<string> {
    const cached = tokens.get(tenantId);
    if (cached && cached.renewAt > now()) return Promise.resolve(cached.token);
    let inFlight = pending.get(tenantId);
    if (!inFlight) {
      inFlight = fetchToken(tenantId).finally(() => pending.delete(tenantId));
      pending.set(tenantId, inFlight);
    }
    return inFlight;
  }

  async function send<T>(tenantId: string, method: string, path: string, headers: Record<string, string>, body: unknown) {
    const response = await fetch(`${root}${path}`, {
      method,
      headers: { authorization: `Bearer ${await tokenFor(tenantId)}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  async function request<T>(tenantId: string, method: string, path: string, headers: Record<string, string> = {}, body?: unknown) {
    const first = await send<T>(tenantId, method, path, headers, body);
    if (first.status !== 401) return first;
    // The engine no longer takes the cached token (its key rotated, or it expired early):
    // fetch a fresh one once. Commands carry their Idempotency-Key, so a repeat is safe.
    tokens.delete(tenantId);
    return send<T>(tenantId, method, path, headers, body);
  }

  return {
    async get<T>(tenantId: string, path: string) {
      const { status, body } = await request<T>(tenantId, 'GET', path);
      if (status >= 400) throw new Error(`engine GET ${path} answered ${status}: ${JSON.stringify(body)}`);
      return body;
    },
    command: (tenantId, path, idempotencyKey, body) => request(tenantId, 'POST', path, { 'idempotency-key': idempotencyKey }, body),
  };
}
