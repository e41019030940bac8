import { issueToken, type AuthSettings } from '@cpq/engine/http/auth';

/**
 * How workers reach the engine: its HTTP API, as a service principal of the task's tenant
 * (role `integrator`). Workers call commands; they never touch domain tables. The token is
 * signed with the engine's key here; with an external identity provider this becomes a
 * client-credentials grant.
 */
export type EngineClient = {
  get<T>(tenantId: string, path: string): Promise<T>;
  command<T>(tenantId: string, path: string, idempotencyKey: string, body?: unknown): Promise<{ status: number; body: T }>;
};

export function createEngineClient(baseUrl: string, auth: AuthSettings, workerId: string): EngineClient {
  const root = baseUrl.replace(/\/$/, '');
  const tokens = new Map<string, { token: string; expires: number }>();
  async function tokenFor(tenantId: string): Promise<string> {
    const cached = tokens.get(tenantId);
    if (cached && cached.expires > Date.now() + 60_000) return cached.token;
    const token = await issueToken(auth, { userId: `worker:${workerId}`, tenantId, roles: ['integrator'] }, 900);
    tokens.set(tenantId, { token, expires: Date.now() + 900_000 });
    return token;
  }
  async function request<T>(tenantId: string, method: string, path: string, headers: Record<string, string> = {}, body?: unknown) {
    const response = await fetch(`${root}${path}`, {
      method,
      headers: { authorization: `Bearer ${await tokenFor(tenantId)}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
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
