// First: a wrong Node.js major stops here, before anything else loads (ADR 0010).
import '../runtime/check-node-runtime';
import { pino } from 'pino';
import { registerCamundaMetrics } from '../observability/camunda-metrics';
import { createMetricsRegistry } from '../observability/metrics-registry';
import { startMetricsServer } from '../observability/metrics-server';
import { startTracing } from '../observability/tracing';
import { createEngineClient } from './engine-client';
import { loadWorkerConfig } from './worker.config';
import { startWorkerHost } from './worker-host';
import { workersCatalog } from './worker-topics';

// The `workers` process role: runs the platform's external-task catalog against Camunda.
const config = loadWorkerConfig();
const logger = pino({ level: config.logLevel, name: 'workers' });
// Calls to Camunda and to the engine (fetch) carry the trace (ADR 0019).
const tracing = startTracing(config.tracing);

// Camunda's incidents and backlogs as the workers' operators see them (Camunda REST, at scrape time).
const registry = createMetricsRegistry('workers');
registerCamundaMetrics(registry, { baseUrl: config.camundaUrl });
const metricsServer = config.metrics.port === undefined ? undefined
  : await startMetricsServer({ registry, host: config.metrics.host, port: config.metrics.port, token: config.metrics.token });

const host = startWorkerHost({
  baseUrl: config.camundaUrl,
  catalog: workersCatalog(createEngineClient(config.engineUrl, config.credential), config.camundaUrl, config.fulfillment),
  workerId: config.workerId,
  maxTasks: config.maxTasks,
  asyncResponseTimeout: config.asyncResponseTimeoutMs,
  stopTimeoutMs: config.stopTimeoutMs,
  logger,
});

let stopping = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping workers');
  try {
    await host.stop();
    await metricsServer?.close();
    await tracing?.shutdown();
    process.exit(0);
  } catch (error) {
    logger.error({ err: error }, 'workers did not stop cleanly');
    process.exit(1);
  }
}
// A second signal while stopping hits the default handler again and ends the process at once.
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, (s) => void shutdown(s));
logger.info({ node: process.version, workerId: config.workerId, camunda: config.camundaUrl, metricsPort: metricsServer?.port }, 'workers running');
