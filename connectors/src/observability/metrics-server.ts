import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { isScrapeAuthorized } from './scrape-token';

export type MetricsServer = { port: number; close(): Promise<void> };

/**
 * The `/metrics` endpoint of a role that has no HTTP API of its own (relay, workers,
 * notifications, projector): Prometheus text exposition behind the scrape token. 401 without
 * it, 404 for any other path; nothing else is served.
 */
export async function startMetricsServer(options: { registry: Registry; host: string; port: number; token: string }): Promise<MetricsServer> {
  const { registry, token } = options;
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ title: 'No such resource', status: 404 }));
      return;
    }
    if (!isScrapeAuthorized(request.headers.authorization, token)) {
      response.writeHead(401, { 'content-type': 'application/problem+json', 'www-authenticate': 'Bearer' })
        .end(JSON.stringify({ title: 'Authentication is required', status: 401, detail: 'send the scrape token as a bearer token' }));
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: Error) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics collection failed: ${error.message}`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  server.unref();
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
