// The engine's entry point. One process (ENGINE_WORKERS=1), or a primary that runs
// ENGINE_WORKERS engine processes on the same port with node:cluster (ADR 0024).
// First: a wrong Node.js major stops here, before anything else loads (ADR 0010).
import '@cpq/connectors/runtime/check-node-runtime';
import cluster from 'node:cluster';
import { loadClusterConfig } from './roles/cluster.config';

const { workers, logLevel } = loadClusterConfig();
if (cluster.isPrimary && workers > 1) {
  // A bad setting stops the engine here, with the same message a single process gives, instead
  // of every worker dying at start and the primary replacing them until it gives up.
  const { loadConfig } = await import('./config');
  const config = loadConfig();
  // So does a database login that row-level security cannot work with (ADR 0023).
  const { checkLoginRoleAt, LOGIN_NEEDS } = await import('@cpq/prisma/login-role');
  await checkLoginRoleAt(config.databaseUrl, LOGIN_NEEDS.engine);
  const { runPrimary } = await import('./cluster/primary');
  await runPrimary({ workers, logLevel });
} else {
  await import('./api.main');
}
