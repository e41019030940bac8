// What tracing costs per request (ADR 0019): a Fastify route that runs one PostgreSQL query,
// called over HTTP from the same process, with tracing off and on (BatchSpanProcessor, spans
// exported as JSON lines to a temporary file), each in its own child process (the SDK patches
// modules for the whole process). CPU time per request (process.cpuUsage), alternated 3 times.
// Run: npx tsx deploy/bench/tracing-overhead.bench.ts
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 5_000);
const DATABASE = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

async function child(traced: boolean): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'trace-bench-'));
  const { readTracingSettings } = await import('@cpq/connectors/observability/tracing.config');
  const { startTracing } = await import('@cpq/connectors/observability/tracing');
  const tracing = traced ? startTracing(readTracingSettings({ OTEL_TRACES_EXPORTER: 'file', OTEL_TRACES_FILE: join(dir, 't.jsonl') }, 'bench', [])) : undefined;
  const { default: Fastify } = await import('fastify');
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: DATABASE, max: 4 });
  const app = Fastify({ logger: false });
  app.get('/q/:id', async () => (await pool.query('SELECT 1 AS one')).rows[0]);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const get = () => new Promise<void>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/q/1', agent }, (res) => res.resume().on('end', resolve)).on('error', reject);
  });
  for (let i = 0; i < 500; i++) await get();
  const before = process.cpuUsage();
  for (let i = 0; i < REQUESTS / 4; i++) await Promise.all([get(), get(), get(), get()]);
  const used = process.cpuUsage(before);
  agent.destroy();
  await app.close();
  await pool.end();
  await tracing?.shutdown();
  rmSync(dir, { recursive: true, force: true });
  console.log(JSON.stringify({ traced, us: (used.user + used.system) / REQUESTS }));
}

if (process.argv[2] === 'child') {
  await child(process.argv[3] === 'on');
} else {
  const runs: { traced: boolean; us: number }[] = [];
  for (let round = 0; round < 3; round++) {
    for (const mode of ['off', 'on']) {
      const out = spawnSync(process.execPath, ['--import', 'tsx', process.argv[1]!, 'child', mode], { encoding: 'utf8' });
      if (out.status !== 0) throw new Error(out.stderr);
      runs.push(JSON.parse(out.stdout.trim().split('\n').pop()!));
    }
  }
  const median = (traced: boolean) => runs.filter((r) => r.traced === traced).map((r) => r.us).sort((a, b) => a - b)[1]!;
  const list = (traced: boolean) => runs.filter((r) => r.traced === traced).map((r) => r.us.toFixed(0)).join('/');
  console.log(`CPU per request (HTTP + one query, client in-process), median of 3 x ${REQUESTS}: tracing off ${median(false).toFixed(0)} us (${list(false)}), on ${median(true).toFixed(0)} us (${list(true)})`);
}
