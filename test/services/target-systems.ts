import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { freePort } from './redis-server';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The simulator's service credential at the engines of the tests (SERVICE_CLIENTS). */
export type TargetSystemsHandle = { url: string; clientId: string; clientSecret: string };

export type Behaviour = {
  latencyMs?: number; status?: number; timeoutMs?: number; unknownOutcome?: boolean; refuse?: string; partial?: boolean; async?: boolean;
  callbackOutcome?: 'completed' | 'failed'; callbackDelayMs?: number; duplicateCallback?: boolean; wrongReference?: boolean; lateCallback?: boolean;
};
export type RuleMatch = { system?: string; action?: string; operation?: 'execute' | 'query' | 'reverse'; keyContains?: string };
export type Journal = {
  journal: { at: string; operation: string; system: string; action: string | null; requestKey: string; answered: number | 'dropped'; rule: string | null }[];
  records: { requestKey: string; system: string; action: string; status: string; externalReference: string; callbacks: number; partial?: boolean }[];
};

/**
 * The target-systems role (connectors/src/target-systems/main.ts) as its own process on a free
 * port, with a service credential for its callbacks: started once per run by the global setup
 * (test/global-setup.ts provides its handle as `targetSystems`). Failure modes are rules keyed
 * by a part of the request key (tests name their order), so test files share it safely.
 */
export async function startTargetSystemsProcess(env: Record<string, string> = {}): Promise<TargetSystemsHandle & { stop(): Promise<void> }> {
  const port = await freePort();
  const clientId = 'target-systems-test';
  const clientSecret = randomBytes(32).toString('hex');
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'connectors/src/target-systems/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      TARGET_SYSTEMS_PORT: String(port), TARGET_SYSTEMS_CLIENT_ID: clientId, TARGET_SYSTEMS_CLIENT_SECRET: clientSecret,
      TARGET_SYSTEMS_CALLBACK_DELAY_MS: '100', TARGET_SYSTEMS_HOLD_MS: '10000', ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`target-systems exited with ${child.exitCode}: ${output}`);
    if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`target-systems did not answer at ${url}: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url, clientId, clientSecret,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** SERVICE_CLIENTS entry of the simulator for an engine under test (callbacks as role integrator). */
export const serviceClientOf = (h: TargetSystemsHandle, tenants: string[] = ['*']) => ({
  clientId: h.clientId, secretSha256: createHash('sha256').update(h.clientSecret).digest('hex'), roles: ['integrator'], tenants,
});

/** The control API of the simulator. */
export function targetSystemsControl(url: string) {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${url}${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    if (!res.ok) throw new Error(`target-systems ${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  return {
    rule: (match: RuleMatch, behaviour: Behaviour, times?: number) => call<{ id: string }>('POST', '/control/rules', { match, behaviour, ...(times ? { times } : {}) }),
    clear: (keyContains: string) => call('DELETE', `/control/rules?keyContains=${encodeURIComponent(keyContains)}`),
    requests: (keyContains: string) => call<Journal>('GET', `/control/requests?keyContains=${encodeURIComponent(keyContains)}`),
  };
}
