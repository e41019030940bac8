import cluster, { type Worker } from 'node:cluster';
import { pino } from 'pino';
import { serveClusterMetrics } from './cluster-metrics';

/** Restarts allowed within the window before the primary gives up (a worker that dies at start would loop). */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;
/** Workers get this long to finish their requests and close (api.main.ts forces its own exit at 15 s). */
const STOP_TIMEOUT_MS = 20_000;

/**
 * The clustered engine's primary (ADR 0024): forks `workers` engine processes that share the
 * API port (node:cluster hands connections out round-robin), replaces a worker that dies, and
 * on SIGTERM/SIGINT stops them all gracefully before it exits. It loads none of the engine and
 * opens no connection of its own; it carries the workers' metrics requests (cluster-metrics.ts).
 */
export async function runPrimary(options: { workers: number; logLevel: string }): Promise<void> {
  const logger = pino({ name: 'engine-primary', level: options.logLevel });
  let stopping = false;
  const restarts: number[] = [];
  serveClusterMetrics();

  const fork = (): Worker => cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    const now = Date.now();
    restarts.push(now);
    while (restarts.length > 0 && restarts[0]! < now - RESTART_WINDOW_MS) restarts.shift();
    if (restarts.length > MAX_RESTARTS) {
      logger.error({ worker: worker.id, code, signal, restarts: restarts.length }, 'engine workers keep dying; stopping the engine');
      void stop('restart-limit', 1);
      return;
    }
    logger.warn({ worker: worker.id, code, signal }, 'engine worker died; starting another');
    setTimeout(() => {
      if (!stopping) fork();
    }, 1_000).unref();
  });

  let listening = 0;
  cluster.on('listening', (worker, address) => {
    listening += 1;
    if (listening === options.workers) logger.info({ workers: options.workers, port: address.port, node: process.version }, 'engine cluster running');
  });

  async function stop(signal: string, exitCode = 0): Promise<void> {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping engine workers');
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    await Promise.all(workers.map((worker) => new Promise<void>((resolve) => {
      if (worker.isDead()) return resolve();
      const timer = setTimeout(() => {
        worker.process.kill('SIGKILL');
        resolve();
      }, STOP_TIMEOUT_MS);
      worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      // Each worker runs the API role's own shutdown: stop accepting, finish, close, exit.
      worker.process.kill('SIGTERM');
    })));
    process.exit(exitCode);
  }
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  for (let i = 0; i < options.workers; i += 1) fork();
}
