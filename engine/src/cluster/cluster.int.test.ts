import { existsSync } from 'node:fs';
import http from 'node:http';
import { DEVELOPMENT_METRICS_TOKEN } from '@cpq/connectors/observability/scrape-token';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngineProcess, type EngineProcess } from '../../../test/services/engine-process';
import { childrenOf, commandLineOf } from '../../../test/services/process-tree';

/**
 * The cluster's workers: the primary's children that run the engine. Not every child is a worker:
 * when tsx compiles sources it has not cached yet (a fresh checkout), the primary also runs
 * esbuild's service.
 */
const workersOf = (pid: number): number[] => childrenOf(pid).filter((child) => commandLineOf(child).includes('engine/src/server.ts'));

/**
 * A GET on a fresh connection (the cluster hands out connections, not requests), given up after
 * 10 s: node:cluster's primary can hand a connection to a worker in the instant it dies, and that
 * connection is then never answered (a client's timeout is what ends it, in production too).
 */
const get = (url: string, headers: Record<string, string> = {}) => new Promise<{ status: number; body: string }>((resolve, reject) => {
  const request = http.get(url, { agent: false, headers, timeout: 10_000 }, (res) => {
    let body = '';
    res.on('data', (chunk: Buffer) => (body += chunk.toString()));
    res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
  });
  request.on('timeout', () => request.destroy(new Error(`GET ${url}: no answer in 10 s`)));
  request.on('error', reject);
});

/** Polls `check` (an error counts as "not yet") until it holds; the failure says what was last seen. */
const waitFor = async (check: () => boolean | Promise<boolean>, timeoutMs: number, seen: () => string) => {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    if (await Promise.resolve().then(check).catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`condition not met in ${timeoutMs} ms; ${seen()}`);
};

describe('clustered engine role (ENGINE_WORKERS=2, real processes)', () => {
  let engine: EngineProcess;
  const seenWorkers = () => `workers of ${engine.pid}: [${workersOf(engine.pid).join(', ')}]; the engine's log ends:\n${engine.log()}`;
  beforeAll(async () => {
    engine = await startEngineProcess('cluster', { env: { ENGINE_WORKERS: '2' } });
    await waitFor(() => workersOf(engine.pid).length === 2, 60_000, seenWorkers);
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
    const [victim] = workersOf(engine.pid);
    process.kill(victim!, 'SIGKILL');
    // Once the primary has seen it die and reaped it (until then it is a zombie: still in /proc,
    // with an empty command line), the other worker serves alone.
    await waitFor(() => !existsSync(`/proc/${victim}`), 30_000, seenWorkers);
    expect((await get(`${engine.url}/health/live`)).status).toBe(200);
    await waitFor(() => {
      const workers = workersOf(engine.pid);
      return workers.length === 2 && !workers.includes(victim!);
    }, 60_000, seenWorkers);
    // The replacement loads the engine from sources (tsx) here: ~20 s at a load average of 8 on
    // two cores, minutes at 15; give it time on a busy machine.
    await waitFor(async () => (await get(`${engine.url}/metrics`, { authorization: `Bearer ${DEVELOPMENT_METRICS_TOKEN}` })).body.match(/process_resident_memory_bytes\{/g)?.length === 2, 300_000, seenWorkers);

    const workers = workersOf(engine.pid);
    const stopped = engine;
    engine = undefined as unknown as EngineProcess;
    expect(await stopped.stop()).toBe(0);
    for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow();
  }, 400_000);
});
