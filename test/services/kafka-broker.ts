import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A second, throwaway Kafka broker for tests that must stop and start one (the shared broker
 * on 9092 is never touched). It is the same broker as the shared one, run through
 * deploy/lib/jvm-services.sh with its own ports, its own CPQ_RUN directory under os.tmpdir()
 * and its own cluster id; the jars are shared through CPQ_CACHE (already resolved by the
 * shared broker's start, so nothing is downloaded).
 *
 * Costs on 2 cores: first start (format + start + readiness probe) ~5-7 s, stop ~1-2 s,
 * restart ~4-6 s. Always call destroy() (afterAll); if the test process dies first, an exit
 * hook sends SIGTERM to the broker of the pid file.
 */
export type ThrowawayBroker = {
  /** ['127.0.0.1:<port>'] */
  brokers: string[];
  /** kafka_stop: SIGTERM (controlled shutdown), waits until the process is gone. Data is kept. */
  stop(): Promise<void>;
  /** kafka_start && kafka_wait_ready on the same ports and data. */
  start(): Promise<void>;
  /** stop() and delete the run directory. */
  destroy(): Promise<void>;
};

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const library = join(repoRoot, 'deploy/lib/jvm-services.sh');

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolvePort(port) : reject(new Error('no port'))));
    });
  });
}

/** A KRaft cluster id: 16 random bytes, base64url without padding (22 chars), not starting with '-'. */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function runLibrary(env: NodeJS.ProcessEnv, script: string, timeoutMs: number): Promise<void> {
  return new Promise((resolveRun, reject) => {
    execFile(
      'bash',
      ['-c', `source "${library}" && ${script}`],
      { env, cwd: repoRoot, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 4 * 1024 * 1024 },
      (error, _stdout, stderr) => {
        if (error) reject(new Error(`${script} failed: ${error.message}\n${stderr}`));
        else resolveRun();
      },
    );
  });
}

export async function startThrowawayBroker(): Promise<ThrowawayBroker> {
  const [port, controllerPort] = await Promise.all([freePort(), freePort()]);
  if (port === controllerPort) throw new Error('free port picked twice');
  const runDir = mkdtempSync(join(tmpdir(), 'cpq-kafka-throwaway-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CPQ_CACHE: process.env.CPQ_CACHE ?? join(repoRoot, '.cache'),
    CPQ_RUN: runDir,
    KAFKA_HOST: '127.0.0.1',
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
    KAFKA_CLUSTER_ID: clusterId(),
    KAFKA_LOG_DIRS: join(runDir, 'kafka', 'data'),
    KAFKA_HEAP_OPTS: '-Xms128m -Xmx384m',
    KAFKA_READY_TIMEOUT: '90',
  };
  const pidFile = join(runDir, 'kafka', 'kafka.pid');
  // Last resort if the test process exits without destroy(): SIGTERM our broker (by its pid only).
  const onExit = () => {
    try {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      if (pid > 0) process.kill(pid, 'SIGTERM');
    } catch {
      // no pid file: not running
    }
  };
  process.once('exit', onExit);

  const start = () => runLibrary(env, 'kafka_start && kafka_wait_ready', 120_000);
  const stop = () => runLibrary(env, 'kafka_stop', 90_000);
  try {
    await start();
  } catch (error) {
    await stop().catch(() => {});
    process.removeListener('exit', onExit);
    rmSync(runDir, { recursive: true, force: true });
    throw error;
  }
  return {
    brokers: [`127.0.0.1:${port}`],
    start,
    stop,
    async destroy() {
      await stop();
      process.removeListener('exit', onExit);
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}
