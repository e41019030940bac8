// What the API's HTTP metrics cost per request (ADR 0018): one Fastify app with a trivial route,
// with and without the latency hook, alternated; CPU time per request of this process
// (process.cpuUsage), which a busy shared machine disturbs far less than wall time.
// Run: npx tsx deploy/bench/metrics-overhead.bench.ts
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OpenApiDocument } from '@cpq/contracts/openapi';
import { createMetricsRegistry } from '@cpq/connectors/observability/metrics-registry';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerHttpMetrics } from '../../engine/src/observability/http-metrics';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20_000);
const contract = { paths: { '/quotes/{quoteId}': { get: { operationId: 'getQuote' } } } } as unknown as OpenApiDocument;

async function cpuPerRequest(withMetrics: boolean): Promise<number> {
  const app = Fastify({ logger: false });
  if (withMetrics) registerHttpMetrics(app, createMetricsRegistry('bench'), contract);
  app.get('/quotes/:quoteId', async () => ({ ok: true }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const get = () => new Promise<void>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: `/quotes/${Math.random()}`, agent }, (res) => res.resume().on('end', resolve)).on('error', reject);
  });
  for (let i = 0; i < 2_000; i++) await get(); // warm-up
  const before = process.cpuUsage();
  for (let i = 0; i < REQUESTS / 8; i++) await Promise.all(Array.from({ length: 8 }, get));
  const used = process.cpuUsage(before);
  agent.destroy();
  await app.close();
  return (used.user + used.system) / REQUESTS;
}

/** The hook's own work in a tight loop (key, Map lookup, observe): robust to a busy machine. */
function hookWorkNs(): number {
  const registry = createMetricsRegistry('bench');
  let hook!: (request: unknown, reply: unknown, done: () => void) => void;
  const fake = { addHook: (_: string, fn: typeof hook) => (hook = fn) } as unknown as FastifyInstance;
  registerHttpMetrics(fake, registry, contract);
  const request = { method: 'GET', routeOptions: { url: '/quotes/:quoteId' } };
  const reply = { statusCode: 200, elapsedTime: 3.2 };
  const done = () => {};
  const n = 2_000_000;
  for (let i = 0; i < 100_000; i++) hook(request, reply, done);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) hook(request, reply, done);
  return Number(process.hrtime.bigint() - t0) / n;
}
console.log(`hook work per request (tight loop): ${hookWorkNs().toFixed(0)} ns`);

const runs: { metrics: boolean; us: number }[] = [];
for (let round = 0; round < 3; round++) {
  for (const metrics of [false, true]) runs.push({ metrics, us: await cpuPerRequest(metrics) });
}
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const off = median(runs.filter((r) => !r.metrics).map((r) => r.us));
const on = median(runs.filter((r) => r.metrics).map((r) => r.us));
const spread = (metrics: boolean) => runs.filter((r) => r.metrics === metrics).map((r) => r.us.toFixed(0)).join('/');
console.log(`CPU per request (client and server in one process), median of 3 x ${REQUESTS}: without metrics ${off.toFixed(1)} us (${spread(false)}), with ${on.toFixed(1)} us (${spread(true)})`);
