import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { DEVELOPMENT_METRICS_TOKEN } from '@cpq/connectors/observability/scrape-token';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngineProcess, type EngineProcess } from '../../../test/services/engine-process';

/** The processes whose parent is `pid` (the cluster's workers). */
const childrenOf = (pid: number): number[] => {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return []; // ps exits 1 when there is none
  }
};

/** A GET on a fresh connection (the cluster hands out connections, not requests). */
const get = (url: string, headers: Record<string, string> = {}) => new Promise<{ status: number; body: string }>((resolve, reject) => {
  http.get(url, { agent: false, headers }, (res) => {
    let body = '';
    res.on('data', (chunk: Buffer) => (body += chunk.toString()));
    res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
  }).on('error', reject);
});

const waitFor = async (check: () => boolean | Promise<boolean>, timeoutMs = 60_000) => {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('condition not met in time');
};

describe('clustered engine role (ENGINE_WORKERS=2, real processes)', () => {
  let engine: EngineProcess;
  beforeAll(async () => {
    engine = await startEngineProcess('cluster', { env: { ENGINE_WORKERS: '2' } });
    await waitFor(() => childrenOf(engine.pid).length === 2);
  }, 300_000);
  afterAll(async () => {
    if (engine) await engine.stop();
  });

  it('serves the port from two workers; /metrics shows both, each series labelled with its worker', async () => {
    for (let i = 0; i < 20; i += 1) expect((await get(`${engine.url}/health/live`)).status).toBe(200);
    const metrics = await get(`${engine.url}/metrics`, { authorization: `Bearer ${DEVELOPMENT_METRICS_TOKEN}` });
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/process_resident_memory_bytes\{[^}]*worker="1"/);
    expect(metrics.body).toMatch(/process_resident_memory_bytes\{[^}]*worker="2"/);
    // One family per metric name: the workers' series are merged, not concatenated.
    expect(metrics.body.match(/^# TYPE process_resident_memory_bytes /gm)).toHaveLength(1);
    expect((await get(`${engine.url}/metrics`)).status).toBe(401);
  });

  it('replaces a worker that dies while the other keeps serving; SIGTERM stops every worker and exits 0', async () => {
    const [victim] = childrenOf(engine.pid);
    process.kill(victim!, 'SIGKILL');
    expect((await get(`${engine.url}/health/live`)).status).toBe(200);
    await waitFor(() => {
      const workers = childrenOf(engine.pid);
      return workers.length === 2 && !workers.includes(victim!);
    });
    // The replacement loads the engine from sources (tsx) here: ~20 s at a load average of 8 on
    // two cores, minutes at 15; give it time on a busy machine.
    await waitFor(async () => (await get(`${engine.url}/metrics`, { authorization: `Bearer ${DEVELOPMENT_METRICS_TOKEN}` })).body.match(/process_resident_memory_bytes\{/g)?.length === 2, 300_000);

    const workers = childrenOf(engine.pid);
    const stopped = engine;
    engine = undefined as unknown as EngineProcess;
    expect(await stopped.stop()).toBe(0);
    for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow();
  }, 400_000);
});
