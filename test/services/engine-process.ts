import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MetadataItem } from '@cpq/metadata';
import { sampleCatalog } from '@cpq/metadata/samples';
import { createTestDatabase, type TestDatabase } from '@cpq/prisma/test-database';
import { testEnv } from '../env';
import { freePort } from './redis-server';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export type ServiceClientSpec = { clientId: string; secret: string; roles: string[]; tenants: string[] };

export type EngineProcess = {
  url: string;
  db: TestDatabase;
  /** The operator token (PLATFORM_ADMIN_TOKEN) of this engine. */
  adminToken: string;
  /** The last lines the engine logged (warn and above unless TEST_LOG_LEVEL says otherwise). */
  log(): string;
  /** A user token from the local issuer (`npm run token`), signed with this engine's key. */
  userToken(userId: string, tenantId: string, roles: string[], team?: string): Promise<string>;
  /** The engine's process id (the primary when it runs clustered). */
  pid: number;
  /** SIGTERM, then its exit code (null: killed after 20 s), then the database is dropped. */
  stop(): Promise<number | null>;
};

/**
 * The engine as its own process (`engine/src/server.ts`), on its own cloned database, a free
 * port and a fresh signing key, with the given service clients. For tests outside the engine
 * package (connectors): they reach it over HTTP only, like any other client, and import none
 * of its code (issue 8: engine -> connectors only).
 */
export async function startEngineProcess(label: string, options: { serviceClients?: ServiceClientSpec[]; port?: number; authSecret?: string; env?: Record<string, string> } = {}): Promise<EngineProcess> {
  const db = await createTestDatabase(testEnv.postgresUrl, label);
  // A caller that starts other processes first (the studio's e2e: Playwright's webServer) names the port and signing key.
  const port = options.port ?? (await freePort());
  const adminToken = randomBytes(24).toString('hex');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    ENGINE_HOST: '127.0.0.1',
    ENGINE_PORT: String(port),
    DATABASE_URL: db.url,
    REDIS_URL: testEnv.redisUrl,
    KAFKA_BROKERS: testEnv.kafkaBrokers.join(','),
    CAMUNDA_URL: testEnv.camundaUrl,
    PLATFORM_ADMIN_TOKEN: adminToken,
    AUTH_JWT_SECRET: options.authSecret ?? randomBytes(32).toString('hex'),
    SERVICE_CLIENTS: JSON.stringify((options.serviceClients ?? []).map((c) => ({
      clientId: c.clientId, secretSha256: createHash('sha256').update(c.secret).digest('hex'), roles: c.roles, tenants: c.tenants,
    }))),
    ...options.env,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'engine/src/server.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  // The last lines of its log (pino on stdout) and of stderr, for the error when it fails.
  let stderr = '';
  // TEST_ENGINE_LOG_DIR: every line as well, one file per engine (for a failure the tail does not explain).
  const logFile = process.env.TEST_ENGINE_LOG_DIR ? `${process.env.TEST_ENGINE_LOG_DIR}/${label}-${port}.log` : undefined;
  const keep = (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8000);
    if (logFile) appendFileSync(logFile, chunk);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(url, child, () => stderr);
  } catch (error) {
    child.kill('SIGKILL');
    await db.drop();
    throw error;
  }

  return {
    url, db, adminToken, pid: child.pid!,
    log: () => stderr,
    userToken: (userId, tenantId, roles, team) => runTokenScript(env, ['--user', userId, '--tenant', tenantId, '--roles', roles.join(','), ...(team ? ['--team', team] : [])]),
    async stop() {
      let code: number | null = child.exitCode;
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
        code = child.exitCode;
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await db.drop();
      return code;
    },
  };
}

async function waitReady(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the engine exited with ${child.exitCode}: ${stderr()}`);
    const ready = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false);
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the engine did not become ready at ${url}: ${stderr()}`);
}

function runTokenScript(env: Record<string, string>, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'deploy/scripts/token.ts', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`token script exited with ${code}: ${err}`))));
  });
}

/** The sample catalog with the platform's real default quote-approval process (bpmn/). */
export function sampleCatalogWithDefaultModels(): MetadataItem[] {
  const xml = readFileSync(new URL('../../bpmn/quote-approval.bpmn', import.meta.url), 'utf8');
  return sampleCatalog().map((item) =>
    item.kind === 'bpmn-model' && item.key === 'quote-approval' ? { ...item, content: { ...(item.content as object), xml } } : item);
}

/** Registers a tenant and publishes a release for it through the HTTP API (two admins: four-eyes). */
export async function setUpTenant(engine: EngineProcess, tenantId: string, items: MetadataItem[]): Promise<void> {
  const post = async (token: string, path: string, body?: object) => {
    const res = await fetch(`${engine.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'idempotency-key': randomBytes(12).toString('hex'), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${text}\nengine log:\n${engine.log()}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  await post(engine.adminToken, '/admin/tenants', { tenantId, name: tenantId });
  const [author, reviewer] = await Promise.all([
    engine.userToken('fixture-author', tenantId, ['admin']),
    engine.userToken('fixture-reviewer', tenantId, ['admin']),
  ]);
  for (const item of items) await post(author, '/metadata/drafts', item);
  const candidate = await post(author, '/metadata/release-candidates', { title: 'fixture' });
  if (candidate.state !== 'validated') throw new Error(`fixture release invalid: ${JSON.stringify(candidate.issues)}`);
  await post(author, `/metadata/release-candidates/${String(candidate.candidateId)}/commands/request-review`);
  await post(reviewer, `/metadata/release-candidates/${String(candidate.candidateId)}/commands/approve`);
  await post(reviewer, `/metadata/release-candidates/${String(candidate.candidateId)}/commands/publish`);
}
