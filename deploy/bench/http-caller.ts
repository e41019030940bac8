import { randomUUID } from 'node:crypto';
import http from 'node:http';

export type Call = (method: 'GET' | 'POST', path: string, body?: unknown) => Promise<{ status: number; body: Record<string, unknown> }>;

/**
 * The load generators' HTTP client: node:http on keep-alive sockets, not fetch. It shares the
 * two cores with the engine and PostgreSQL (as pgbench's C client does), and fetch costs about
 * twice the CPU per request; what it spends is taken from what is measured. Every POST carries a
 * fresh Idempotency-Key with the bench's prefix.
 */
export function httpCaller(options: { maxSockets: number; keyPrefix: string }): ((url: string, token: string) => Call) & { destroy(): void } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets });
  const caller = (url: string, token: string): Call => {
    const { hostname, port } = new URL(url);
    return (method, path, body) => new Promise((resolve, reject) => {
      const payload = method === 'POST' ? JSON.stringify(body ?? {}) : undefined;
      const req = http.request({
        host: hostname, port: Number(port), method, path, agent,
        headers: {
          authorization: `Bearer ${token}`,
          ...(payload !== undefined ? { 'idempotency-key': `${options.keyPrefix}-${randomUUID()}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          let parsed: Record<string, unknown> = {};
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
          } catch {
            // 204 or a body that is not JSON: nothing to read
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  };
  // Ends the keep-alive sockets, so the bench process can exit.
  return Object.assign(caller, { destroy: () => agent.destroy() });
}
