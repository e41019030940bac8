// Commands through HTTP against the production build, next to pgbench's TPC-B in the same run:
// createQuote, add line, and price of 50/200/500-line quotes (trace persisted), 8 clients each.
// The engine runs as its own process (engine/dist/engine.js, NODE_ENV=production) on a cloned
// database; load is loopback only, bounded in time. Figures, not assertions.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueToken } from '@cpq/engine/http/auth';
import { sampleCatalog } from '@cpq/metadata/samples';
import { createTestDatabase, prepareTemplate } from '@cpq/prisma/test-database';
import pg from 'pg';
import { BENCH_DIST, buildForBench } from './bench-build';
import { describeMachine, percentile } from './machine';
import { httpCaller } from './http-caller';

const POSTGRES = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const CLIENTS = 8;

export type Figures = { label: string; ops: number; seconds: number; rate: number; p50: number; p99: number; errors: number };

/** pgbench TPC-B (scale 8, 8 clients, 2 threads, prepared statements) with per-transaction latencies. */
function pgbench(seconds: number): Figures {
  const database = `cpq_bench_pgbench_${process.pid}`;
  const url = new URL(POSTGRES);
  const args = ['-h', url.hostname, '-p', url.port || '5432', '-U', url.username || 'postgres'];
  const bin = readdirSync('/usr/lib/postgresql').sort().reverse().map((v) => `/usr/lib/postgresql/${v}/bin/pgbench`)[0]!;
  const admin = (sql: string) => spawnSync('psql', [...args, '-d', 'postgres', '-qc', sql], { encoding: 'utf8' });
  admin(`DROP DATABASE IF EXISTS ${database}`);
  admin(`CREATE DATABASE ${database}`);
  const logDir = mkdtempSync(join(tmpdir(), 'pgbench-'));
  try {
    const init = spawnSync(bin, [...args, '-i', '-q', '-s', '8', database], { encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`pgbench -i failed: ${init.stderr}`);
    const run = spawnSync(bin, [...args, '-c', String(CLIENTS), '-j', '2', '-M', 'prepared', '-T', String(seconds), '-l', '--log-prefix', join(logDir, 'tx'), database], { encoding: 'utf8', cwd: logDir });
    if (run.status !== 0) throw new Error(`pgbench failed: ${run.stderr}`);
    const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(run.stdout)?.[1]);
    // Per-transaction log: client_id transaction_no latency_us script_no epoch epoch_us.
    const latencies = readdirSync(logDir).flatMap((f) => readFileSync(join(logDir, f), 'utf8').trim().split('\n').map((l) => Number(l.split(' ')[2]) / 1000)).sort((a, b) => a - b);
    return { label: 'pgbench TPC-B', ops: latencies.length, seconds, rate: tps, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors: 0 };
  } finally {
    rmSync(logDir, { recursive: true, force: true });
    admin(`DROP DATABASE IF EXISTS ${database}`);
  }
}

export type Engine = { url: string; child: ChildProcess; secret: string; stop(): Promise<void> };

/** Engine processes behind the port (ADR 0024): BENCH_ENGINE_WORKERS, else one per core as `npm run platform` runs it. */
export const benchEngineWorkers = () => Number(process.env.BENCH_ENGINE_WORKERS ?? availableParallelism());

export async function startEngine(databaseUrl: string, workers = benchEngineWorkers(), extraEnv: Record<string, string> = {}): Promise<Engine> {
  await buildForBench();
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const secret = randomBytes(32).toString('hex');
  const env = {
    PATH: process.env.PATH ?? '', NODE_ENV: 'production', LOG_LEVEL: 'warn', ENGINE_HOST: '127.0.0.1', ENGINE_PORT: String(port),
    DATABASE_URL: databaseUrl, REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    CAMUNDA_URL: process.env.CAMUNDA_URL ?? 'http://127.0.0.1:8080/engine-rest', PLATFORM_ADMIN_TOKEN: randomBytes(24).toString('hex'), AUTH_JWT_SECRET: secret,
    SERVICE_CLIENTS: JSON.stringify([{ clientId: 'bench', secretSha256: createHash('sha256').update(randomBytes(16)).digest('hex'), roles: ['integrator'], tenants: ['*'] }]),
    SWEEP_INTERVAL_MS: '0', METRICS_TOKEN: randomBytes(24).toString('hex'), ENGINE_WORKERS: String(workers),
    // The platform's pool per engine process.
    DATABASE_POOL_MAX: process.env.BENCH_DATABASE_POOL_MAX ?? '20',
    ...extraEnv,
    // One bench user drives the whole load: the per-user rate limit (ADR 0021) would measure itself.
    RATE_LIMIT_USER_PER_MINUTE: '0',
    // A production engine on its own database: it must not join the platform's order consumer group.
    ORDER_CONSUMER: 'off', ORDER_RECONCILE_INTERVAL_MS: '0',
  };
  // BENCH_PROFILE=<dir>: a V8 CPU profile of the engine (open in Chrome DevTools or speedscope; see docs/benchmarks.md).
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] : [];
  const child = spawn(process.execPath, [...profile, `engine/${BENCH_DIST}/engine.js`], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i += 1) {
    if (child.exitCode !== null) throw new Error(`the engine exited with ${child.exitCode}`);
    if (await fetch(`${url}/health/ready`).then((r) => r.ok, () => false)) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    url, child, secret,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

const caller = httpCaller({ maxSockets: 64, keyPrefix: 'b' });

/** CLIENTS closed loops for `seconds`; each op is timed end to end (request to parsed answer). */
async function load(label: string, seconds: number, op: (client: number, i: number) => Promise<{ status: number }>, clients = CLIENTS): Promise<Figures> {
  const latencies: number[] = [];
  let errors = 0;
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, async (_, client) => {
    for (let i = 0; performance.now() < until; i += 1) {
      const t0 = performance.now();
      const { status } = await op(client, i);
      latencies.push(performance.now() - t0);
      if (status >= 300) errors += 1;
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { label, ops: latencies.length, seconds: elapsed, rate: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors };
}

const line = { offering: 'business-internet', quantity: 1, selections: { access: 'fiber', bandwidth: 500, slaTier: 'standard' } };
const newQuote = { accountId: 'acct-1', customerName: 'Bench GmbH', currency: 'EUR', termMonths: 24 };

export async function benchCommands(options = { seconds: 10 }): Promise<{ figures: Figures[]; markdown: string }> {
  const figures: Figures[] = [];
  console.log('pgbench TPC-B ...');
  if (!process.env.BENCH_SKIP_PGBENCH) figures.push(pgbench(options.seconds));

  await prepareTemplate(POSTGRES);
  const db = await createTestDatabase(POSTGRES, 'bench_commands');
  const workers = benchEngineWorkers();
  const engine = await startEngine(db.url, workers);
  const sql = new pg.Pool({ connectionString: db.url, max: 4 });
  try {
    const tenant = `bench-${Date.now().toString(36)}`;
    await sql.query('INSERT INTO tenant (id, name) VALUES ($1, $1)', [tenant]);
    const auth = { secret: engine.secret, issuer: 'cpq-local', audience: 'cpq-engine' };
    const admin = caller(engine.url, await issueToken(auth, { userId: 'bench-author', tenantId: tenant, roles: ['admin'] }));
    const reviewer = caller(engine.url, await issueToken(auth, { userId: 'bench-reviewer', tenantId: tenant, roles: ['admin'] }));
    for (const item of sampleCatalog()) await admin('POST', '/metadata/drafts', item);
    const candidate = (await admin('POST', '/metadata/release-candidates', { title: 'bench' })).body;
    await admin('POST', `/metadata/release-candidates/${String(candidate.candidateId)}/commands/request-review`);
    await reviewer('POST', `/metadata/release-candidates/${String(candidate.candidateId)}/commands/approve`);
    const published = await reviewer('POST', `/metadata/release-candidates/${String(candidate.candidateId)}/commands/publish`);
    if (published.status >= 300) throw new Error(`publish failed: ${JSON.stringify(published.body)}`);
    const rep = caller(engine.url, await issueToken(auth, { userId: 'bench-rep', tenantId: tenant, roles: ['rep'], team: 'north' }));

    // Warm-up: compiled release views, JIT, pool connections.
    await load('warm-up', 2, () => rep('POST', '/quotes', newQuote));

    // Each phase runs on the planner's statistics as autovacuum keeps them in a running database (and
    // as pgbench's initialization leaves its own tables): the database is new, thousands of quotes are
    // made in seconds, and without statistics a quote's lock by id was planned through the tenant's
    // index, every quote of the tenant read per command (docs/benchmarks.md, 2026-12-04 night).
    const analyze = () => sql.query('ANALYZE');

    // BENCH_ONLY=createQuote,add-line,price: a subset (e.g. to profile one command).
    const only = (name: string) => !process.env.BENCH_ONLY || process.env.BENCH_ONLY.split(',').includes(name);
    if (only('createQuote')) {
      console.log('createQuote ...');
      figures.push(await load('createQuote', options.seconds, () => rep('POST', '/quotes', newQuote)));
      // One client: the service time without queueing behind the other seven.
      figures.push(await load('createQuote, 1 client', options.seconds / 2, () => rep('POST', '/quotes', newQuote), 1));
    }

    if (only('add-line')) {
    console.log('add line ...');
    // 20 quotes per client, lines added round-robin so each quote stays small (about 10-30 lines).
    const pools = await Promise.all(Array.from({ length: CLIENTS }, async () =>
      Promise.all(Array.from({ length: 20 }, async () => String((await rep('POST', '/quotes', newQuote)).body.quoteId)))));
    await analyze();
    figures.push(await load('add line', options.seconds, (client, i) => rep('POST', `/quotes/${pools[client]![i % 20]}/lines`, line)));
    figures.push(await load('add line, 1 client', options.seconds / 2, (_, i) => rep('POST', `/quotes/${pools[0]![i % 20]}/lines`, line), 1));
    }

    // Equal lines (a rollout of equal sites) are priced once and their evidence stored once; a quote
    // whose every line differs (quantities 1..N) is the worst case, measured beside it.
    const shapes = [
      ...[50, 200, 500].map((size) => ({ size, label: `price ${size} lines`, quantity: 'quantity' })),
      { size: 500, label: 'price 500 lines, all different', quantity: 'n' },
    ];
    for (const { size, label, quantity } of only('price') ? shapes : []) {
      console.log(`${label} ...`);
      // One quote per client with `size` copies of one configured line (set up by SQL: not measured).
      const quotes = await Promise.all(Array.from({ length: CLIENTS }, async () => {
        const quoteId = String((await rep('POST', '/quotes', newQuote)).body.quoteId);
        await rep('POST', `/quotes/${quoteId}/lines`, line);
        await sql.query(
          `INSERT INTO quote_line (tenant_id, quote_id, revision, line_id, position, offering, quantity, selections, configuration, configuration_hash, configuration_valid, release_id)
           SELECT tenant_id, quote_id, revision, 'L' || n, n, offering, ${quantity}, selections, configuration, configuration_hash, configuration_valid, release_id
           FROM quote_line, generate_series(2, $2::int) AS n WHERE quote_id = $1::uuid AND line_id = 'L1'`, [quoteId, size]);
        return quoteId;
      }));
      await analyze();
      figures.push(await load(label, options.seconds, (client) => rep('POST', `/quotes/${quotes[client]}/commands/price`)));
      if (size === 500) figures.push(await load(`${label}, 1 client`, options.seconds / 2, () => rep('POST', `/quotes/${quotes[0]}/commands/price`), 1));
    }
  } finally {
    await sql.end();
    caller.destroy();
    await engine.stop();
    await db.drop();
  }

  const base = figures.find((r) => r.label === 'pgbench TPC-B') ?? figures[0]!;
  const f1 = (n: number) => n.toFixed(1);
  const markdown = [
    '## Commands through HTTP vs pgbench (same run)',
    '',
    `Machine: ${describeMachine()}; load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' / ')} (a shared machine: other sessions' work runs beside it).`,
    `Engine: production bundle (\`engine.js\` of \`npm run build\`, NODE_ENV=production), ${workers} engine process${workers > 1 ? 'es (node:cluster, ADR 0024)' : ''}, pool 20 each;`,
    `${CLIENTS} closed-loop HTTP clients per row ("1 client": one, for the service time without queueing), ${options.seconds} s each, on the same 2 cores as PostgreSQL and the load generator.`,
    'pgbench: TPC-B (scale 8, 8 clients, 2 threads, prepared). The engine\'s database is analyzed after each phase\'s setup (as pgbench\'s initialization analyzes its tables). Price rows: quotes of N identical configured lines (equal lines are priced once',
    'and their evidence stored once), and of 500 lines that all differ (quantities 1-500, the worst case); each priced with its trace persisted. Targets (issue 8): createQuote >= 0.5x pgbench with p99 <= 100 ms; add line p50 <= 8 ms; price 500 lines p50 <= 60 ms.',
    '',
    '| operation | ops | rate (ops/s) | x pgbench | p50 (ms) | p99 (ms) | non-2xx |',
    '|---|---|---|---|---|---|---|',
    ...figures.map((r) => `| ${r.label} | ${r.ops} | ${f1(r.rate)} | ${(r.rate / base.rate).toFixed(2)} | ${f1(r.p50)} | ${f1(r.p99)} | ${r.errors} |`),
    '',
  ].join('\n');
  return { figures, markdown };
}

if (process.argv[1]?.endsWith('commands.bench.ts')) {
  const { markdown } = await benchCommands({ seconds: Number(process.env.BENCH_SECONDS ?? 10) });
  console.log(markdown);
}
