// The order journey (issue 11): accept -> order -> plan -> steps on Camunda against the target
// systems -> order fulfilled, at a fixed arrival rate (10 journeys/s by default), with the
// simulated target systems at zero latency. The engine and the target systems run as their
// production bundles (NODE_ENV=production) on a cloned database; the fulfillment workers run
// in this process on this run's topics (a platform `workers` process never takes its tasks).
// A journey is timed from sending accept to the commit of OrderFulfilled (its outbox row).
// Figures, not assertions.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { createEngineClient } from '@cpq/connectors/camunda/engine-client';
import { startWorkerHost } from '@cpq/connectors/camunda/worker-host';
import { orderFulfillmentWorkers } from '@cpq/connectors/fulfillment/order-fulfillment.workers';
import { createTargetSystemAdapters } from '@cpq/connectors/fulfillment/target-system.adapter';
import { issueToken } from '@cpq/engine/http/auth';
import { sampleCatalog } from '@cpq/metadata/samples';
import { createTestDatabase, prepareTemplate } from '@cpq/prisma/test-database';
import pg from 'pg';
import { pino } from 'pino';
import { BENCH_DIST, buildForBench } from './bench-build';
import { cpuSeconds, describeMachine, listenerPid, percentile, treeCpuSeconds } from './machine';

const POSTGRES = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const CAMUNDA = process.env.CAMUNDA_URL ?? 'http://127.0.0.1:8080/engine-rest';

/** The Camunda JVM this benchmark uses (the process listening on its port), to read its CPU; never touched otherwise. */
const camundaPid = () => listenerPid(new URL(CAMUNDA).port || '80');

const freePort = () => new Promise<number>((resolve, reject) => {
  const server = createServer();
  server.once('error', reject);
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    server.close(() => resolve(port));
  });
});

async function startRole(bundle: string, env: Record<string, string>, ready: string): Promise<{ child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [bundle], { env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 240; i += 1) {
    if (child.exitCode !== null) throw new Error(`${bundle} exited with ${child.exitCode}`);
    if (await fetch(ready).then((r) => r.ok, () => false)) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    child,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

type Call = (method: 'GET' | 'POST', path: string, body?: unknown) => Promise<{ status: number; body: Record<string, unknown> }>;
const caller = (url: string, token: string): Call => async (method, path, body) => {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(method === 'POST' ? { 'idempotency-key': `j-${randomUUID()}`, 'content-type': 'application/json' } : {}) },
    body: method === 'POST' ? JSON.stringify(body ?? {}) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
};

export type JourneyFigures = {
  rate: number; seconds: number; journeys: number; fulfilled: number; p50: number; p99: number; max: number; achieved: number; failed: number;
  /** CPU milliseconds per journey of the engine and of Camunda during the phase (both serve nothing else here). */
  engineCpuMs: number; camundaCpuMs: number;
  /** Journeys fulfilled per second, from the first start to the last OrderFulfilled. */
  throughput: number;
};

export async function benchJourney(options = {
  rate: Number(process.env.BENCH_JOURNEY_RATE ?? 10),
  /** A second phase at a rate the machine sustains, for the latency of the journey itself. */
  sustained: Number(process.env.BENCH_JOURNEY_SUSTAINED ?? 2),
  seconds: Number(process.env.BENCH_JOURNEY_SECONDS ?? 30),
}): Promise<{ figures: JourneyFigures; markdown: string }> {
  // Its own build (`.dist-test-bench/`): dist/ is what a running platform was started from.
  await buildForBench();
  await prepareTemplate(POSTGRES);
  const db = await createTestDatabase(POSTGRES, 'bench_journey');
  const secret = randomBytes(32).toString('hex');
  const workers = { clientId: 'bench-workers', clientSecret: randomBytes(32).toString('hex') };
  const targets = { clientId: 'bench-targets', clientSecret: randomBytes(32).toString('hex') };
  const hash = (s: string) => createHash('sha256').update(s).digest('hex');
  const [enginePort, targetPort] = await Promise.all([freePort(), freePort()]);
  const engineUrl = `http://127.0.0.1:${enginePort}`;
  const engine = await startRole(`engine/${BENCH_DIST}/engine.js`, {
    ENGINE_HOST: '127.0.0.1', ENGINE_PORT: String(enginePort), DATABASE_URL: db.url, REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092', CAMUNDA_URL: CAMUNDA, PLATFORM_ADMIN_TOKEN: randomBytes(24).toString('hex'),
    AUTH_JWT_SECRET: secret, METRICS_TOKEN: randomBytes(24).toString('hex'), SWEEP_INTERVAL_MS: '0',
    // One bench user drives the whole load: the per-user rate limit (ADR 0021) would measure itself.
    RATE_LIMIT_USER_PER_MINUTE: '0',
    // Its own database: no platform consumer group; the reconciler only for callbacks that raced their message.
    ORDER_CONSUMER: 'off', ORDER_RECONCILE_INTERVAL_MS: '1000',
    SERVICE_CLIENTS: JSON.stringify([
      { clientId: workers.clientId, secretSha256: hash(workers.clientSecret), roles: ['integrator'], tenants: ['*'] },
      { clientId: targets.clientId, secretSha256: hash(targets.clientSecret), roles: ['integrator'], tenants: ['*'] },
    ]),
  }, `${engineUrl}/health/ready`);
  const targetUrl = `http://127.0.0.1:${targetPort}`;
  const targetSystems = await startRole(`connectors/${BENCH_DIST}/target-systems.js`, {
    TARGET_SYSTEMS_PORT: String(targetPort), TARGET_SYSTEMS_LATENCY_MS: '0', TARGET_SYSTEMS_CALLBACK_DELAY_MS: '0', ENGINE_URL: engineUrl,
    TARGET_SYSTEMS_CLIENT_ID: targets.clientId, TARGET_SYSTEMS_CLIENT_SECRET: targets.clientSecret,
  }, `${targetUrl}/health`);
  const sql = new pg.Pool({ connectionString: db.url, max: 2 });
  const tenant = `journey-${Date.now().toString(36)}`;
  const topicPrefix = `bench.${randomBytes(4).toString('hex')}.`;
  const host = startWorkerHost({
    baseUrl: CAMUNDA, workerId: `bench-${topicPrefix}`, maxTasks: 40, asyncResponseTimeout: 1_000, stopTimeoutMs: 5_000, logger: pino({ level: 'silent' }),
    pollIntervalMs: 50,
    catalog: orderFulfillmentWorkers(createEngineClient(engineUrl, workers), createTargetSystemAdapters({ baseUrl: targetUrl, callbackUrl: engineUrl }), { topicPrefix }),
  });
  try {
    await sql.query('INSERT INTO tenant (id, name) VALUES ($1, $1)', [tenant]);
    const auth = { secret, issuer: 'cpq-local', audience: 'cpq-engine' };
    const admin = caller(engineUrl, await issueToken(auth, { userId: 'bench-author', tenantId: tenant, roles: ['admin'] }));
    const reviewer = caller(engineUrl, await issueToken(auth, { userId: 'bench-reviewer', tenantId: tenant, roles: ['admin'] }));
    const xml = readFileSync('bpmn/order-fulfillment.bpmn', 'utf8').replace(/camunda:topic="order\./g, `camunda:topic="${topicPrefix}order.`);
    for (const item of [...sampleCatalog(), { kind: 'bpmn-model', key: 'order-fulfillment', content: { name: 'Order fulfillment', processKey: 'order-fulfillment', xml } }]) {
      await admin('POST', '/metadata/drafts', item);
    }
    const candidate = (await admin('POST', '/metadata/release-candidates', { title: 'journey' })).body;
    await admin('POST', `/metadata/release-candidates/${String(candidate.candidateId)}/commands/request-review`);
    await reviewer('POST', `/metadata/release-candidates/${String(candidate.candidateId)}/commands/approve`);
    const published = await reviewer('POST', `/metadata/release-candidates/${String(candidate.candidateId)}/commands/publish`);
    if (published.status >= 300) throw new Error(`publish failed: ${JSON.stringify(published.body)}`);
    const rep = caller(engineUrl, await issueToken(auth, { userId: 'bench-rep', tenantId: tenant, roles: ['rep'], team: 'north' }));

    const journey = async ({ quoteId, documentId }: { quoteId: string; documentId: string }) => {
      const started = Date.now();
      const accepted = await rep('POST', `/quotes/${quoteId}/commands/accept`, { documentId, onBehalfOf: { evidence: 'bench', channel: 'email' } });
      if (accepted.status !== 200) return { started, orderId: null };
      const order = await rep('POST', '/orders/from-accepted-quote', { quoteId });
      return { started, orderId: order.status === 201 ? String(order.body.orderId) : null };
    };
    /** Quotes ready to accept (priced, approved at once, document generated): not measured. */
    const prepare = async (count: number) => {
      const ready: { quoteId: string; documentId: string }[] = [];
      for (let i = 0; i < count; i += 1) {
        const { quoteId } = (await rep('POST', '/quotes', { accountId: 'acct-1', customerName: 'Journey GmbH', currency: 'EUR', termMonths: 24 })).body as { quoteId: string };
        await rep('POST', `/quotes/${quoteId}/lines`, { offering: 'business-internet', quantity: 1, selections: { access: 'fiber', bandwidth: 500, slaTier: 'standard' } });
        await rep('POST', `/quotes/${quoteId}/commands/price`);
        await rep('POST', `/quotes/${quoteId}/commands/submit-for-approval`);
        const { documentId } = (await rep('POST', `/quotes/${quoteId}/commands/generate-document`)).body as { documentId: string };
        ready.push({ quoteId, documentId });
      }
      return ready;
    };
    // Warm-up: a few journeys first (compiled views, JIT, Camunda's caches).
    for (const q of await prepare(5)) await journey(q);

    const phase = async (rate: number, seconds: number): Promise<JourneyFigures> => {
      console.log(`preparing ${Math.ceil(rate * seconds)} quotes ...`);
      const ready = await prepare(Math.ceil(rate * seconds));
      console.log(`journeys at ${rate}/s for ${seconds} s ...`);
      const cpu0 = [treeCpuSeconds(engine.child.pid), cpuSeconds(camundaPid())];
      const runs: Promise<{ started: number; orderId: string | null }>[] = [];
      const t0 = Date.now();
      for (let i = 0; i < ready.length; i += 1) {
        const due = t0 + (i * 1000) / rate;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
        runs.push(journey(ready[i]!));
      }
      const started = await Promise.all(runs);
      const achieved = started.length / ((started.at(-1)!.started - t0) / 1000 || 1);
      const ids = started.map((s) => s.orderId).filter((id): id is string => id !== null);
      // Wait for the last ones (bounded), then read when each OrderFulfilled committed.
      const deadline = Date.now() + 240_000;
      let done: { aggregate_id: string; at: Date }[] = [];
      while (Date.now() < deadline) {
        done = (await sql.query(`SELECT aggregate_id, occurred_at AS at FROM outbox_event WHERE event_type = 'OrderFulfilled' AND aggregate_id = ANY($1)`, [ids])).rows;
        if (done.length === ids.length) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      const cpu1 = [treeCpuSeconds(engine.child.pid), cpuSeconds(camundaPid())];
      const at = new Map(done.map((d) => [d.aggregate_id, new Date(d.at).getTime()]));
      const latencies = started.filter((s) => s.orderId && at.has(s.orderId)).map((s) => at.get(s.orderId!)! - s.started).sort((a, b) => a - b);
      const lastDone = Math.max(...at.values());
      return {
        throughput: latencies.length / ((lastDone - t0) / 1000),
        rate, seconds, journeys: started.length, fulfilled: latencies.length, achieved,
        p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) ?? NaN, failed: started.length - latencies.length,
        engineCpuMs: ((cpu1[0]! - cpu0[0]!) * 1000) / started.length, camundaCpuMs: ((cpu1[1]! - cpu0[1]!) * 1000) / started.length,
      };
    };
    const phases = [await phase(options.rate, options.seconds), await phase(options.sustained, options.seconds)];
    const figures = phases[0]!;
    const f = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '-');
    const markdown = [
      '## Order journey: accept -> order fulfilled (issue 11)',
      '',
      `Machine: ${describeMachine()}; load average at the start ${loadavg().map((l) => l.toFixed(1)).join(' / ')} (other work shares the cores).`,
      '',
      `Journeys started at a fixed rate (open loop); each: accept (HTTP) -> create the order (HTTP) -> plan -> the release's order-fulfillment`,
      'process on Camunda -> five steps (reserve, install by callback, activate, billing handoff, notify) by the workers against the simulated',
      'target systems at zero latency -> OrderFulfilled committed. Timed from sending accept to that commit. Engine and target systems are',
      'production bundles; the workers run in the load generator\'s process; everything shares the two cores with PostgreSQL, Kafka and Camunda.',
      'First row: the issue\'s target rate; second: a rate this machine sustains (the journey\'s own latency, without a queue). CPU per journey',
      'is what the engine process and the Camunda JVM used during the phase, divided by its journeys: it says which rate two cores can carry.',
      '',
      '| target rate (journeys/s) | achieved start rate | journeys | fulfilled | fulfilled per s | p50 (ms) | p99 (ms) | max (ms) | not fulfilled in time | engine CPU per journey (ms) | Camunda CPU per journey (ms) |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
      ...phases.map((p) => `| ${p.rate} | ${f(p.achieved, 1)} | ${p.journeys} | ${p.fulfilled} | ${f(p.throughput, 1)} | ${f(p.p50)} | ${f(p.p99)} | ${f(p.max)} | ${p.failed} | ${f(p.engineCpuMs)} | ${f(p.camundaCpuMs)} |`),
      '',
      `The engine and Camunda alone need ${f(phases[1]!.engineCpuMs + phases[1]!.camundaCpuMs)} ms of CPU per journey: two cores carry at most`,
      `${f(2000 / (phases[1]!.engineCpuMs + phases[1]!.camundaCpuMs), 1)} journeys/s before PostgreSQL, Kafka and the workers take their share. Above what the`,
      'machine carries, journeys queue (the first row\'s latency is mostly waiting); none is lost or done twice.',
      '',
    ].join('\n');
    return { figures, markdown };
  } finally {
    await host.stop();
    await sql.end();
    await targetSystems.stop();
    await engine.stop();
    const deployments = await fetch(`${CAMUNDA}/deployment?tenantIdIn=${tenant}`).then((r) => r.json() as Promise<{ id: string }[]>).catch(() => []);
    for (const d of deployments) await fetch(`${CAMUNDA}/deployment/${d.id}?cascade=true`, { method: 'DELETE' }).catch(() => {});
    await db.drop();
  }
}

// `npx tsx deploy/bench/journey.bench.ts`: this benchmark alone, printed (npm run bench journey writes it to docs/benchmarks.md).
if (import.meta.url === `file://${process.argv[1]}`) {
  const { markdown } = await benchJourney();
  console.log(markdown);
  process.exit(0);
}
