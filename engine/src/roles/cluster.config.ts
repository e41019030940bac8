import { availableParallelism } from 'node:os';

export type ClusterConfig = {
  /** Engine processes behind the one port; 1 runs the engine in this process, without a primary. */
  workers: number;
  /** The primary's own log level (LOG_LEVEL, as the workers'). */
  logLevel: string;
};

/**
 * ENGINE_WORKERS: how many engine processes serve the API port (node:cluster). Default: one per
 * core in production (`npm run platform`), one elsewhere (development and tests start the
 * engine from sources and expect one process). The clustered role's settings module (as roles/<role>.config.ts are): the
 * primary needs only these and loads none of the engine; each worker reads config.ts itself.
 */
export function loadClusterConfig(env: Record<string, string | undefined> = process.env, cores = availableParallelism()): ClusterConfig {
  const logLevel = env.LOG_LEVEL?.trim() || 'info';
  const raw = env.ENGINE_WORKERS?.trim();
  if (!raw) return { workers: env.NODE_ENV === 'production' ? cores : 1, logLevel };
  const workers = Number(raw);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
    throw new Error(`invalid engine configuration:\n- ENGINE_WORKERS must be an integer from 1 to 64, got "${raw}"`);
  }
  return { workers, logLevel };
}
