// First: a wrong Node.js major stops here, before anything else loads (ADR 0010).
import '../runtime/check-node-runtime';
import { pino } from 'pino';
import { loadTargetSystemsConfig } from './target-systems.config';
import { startTargetSystems } from './target-systems.service';

// The `target-systems` process role: the simulated inventory, provisioning and billing systems
// of the local platform (deploy/platform.sh), on TARGET_SYSTEMS_PORT (4100).
const config = loadTargetSystemsConfig();
const logger = pino({ level: config.logLevel, name: 'target-systems' });
const systems = await startTargetSystems({ ...config, log: logger });

let stopping = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping target systems');
  await systems.stop();
  process.exit(0);
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, (s) => void shutdown(s));
logger.info({ node: process.version, url: systems.url, callbacks: config.credential ? config.engineUrl : 'off (no TARGET_SYSTEMS_CLIENT_SECRET)' }, 'target systems running');
