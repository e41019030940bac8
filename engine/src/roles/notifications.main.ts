// The `notifications` process role: consumes quote and approval events into notification rows
// (idempotent consumer) and delivers them to the webhook (dispatcher), until SIGTERM/SIGINT.
// Run as many as you like: Kafka shares the partitions out, and dispatchers claim rows with
// FOR UPDATE SKIP LOCKED (see modules/notification/notification.dispatcher.ts). It lives in the
// engine because the notification module owns those rows; connectors gives it the generic
// parts (Kafka port, idempotent consumer, polling loop, signed webhook sender).
// First: a wrong Node.js major stops here, before anything else loads (ADR 0010).
import '@cpq/connectors/runtime/check-node-runtime';
import { createKafkaClient } from '@cpq/connectors/kafka/kafka.factory';
import { createMetricsRegistry } from '@cpq/connectors/observability/metrics-registry';
import { startMetricsServer } from '@cpq/connectors/observability/metrics-server';
import { startTracing } from '@cpq/connectors/observability/tracing';
import { registerPoolMetrics } from '@cpq/connectors/observability/pool-metrics';
import { createPrismaClient, poolOf } from '@cpq/prisma';
import { LOGIN_NEEDS } from '@cpq/prisma/login-role';
import { pino } from 'pino';
import { createNotificationConsumer, createNotificationDispatcher } from '../modules/notification';
import { loadNotificationsConfig } from './notifications.config';
import { requireLoginRole } from '@cpq/connectors/runtime/login-role-check';

const config = loadNotificationsConfig();
const logger = pino({ name: 'notifications', level: config.logLevel });
// Consumed events continue the trace of the command that wrote them (ADR 0019).
const tracing = startTracing(config.tracing);
const prisma = createPrismaClient(config.databaseUrl, { max: 4 });
// Works across tenants as the login role: refuse one that does not bypass row-level security (ADR 0023).
await requireLoginRole(poolOf(prisma), LOGIN_NEEDS.notifications, logger);
const kafka = await createKafkaClient(config.kafkaClient, { brokers: config.kafkaBrokers, clientId: 'cpq-notifications', logger });
const consumer = createNotificationConsumer({ prisma, kafka, maxAttempts: config.consumerMaxAttempts, logger });
const dispatcher = createNotificationDispatcher({
  prisma,
  url: config.webhook.url,
  secret: config.webhook.secret,
  timeoutMs: config.webhook.timeoutMs,
  maxAttempts: config.webhook.maxAttempts,
  backoff: { initialMs: config.webhook.backoffInitialMs, maxMs: config.webhook.backoffMaxMs },
  batchSize: config.dispatch.batchSize,
  pollIntervalMs: config.dispatch.pollIntervalMs,
  logger,
});

// Runtime and pool metrics; its consumer lag is reported by the relay (METRICS_CONSUMER_GROUPS).
const registry = createMetricsRegistry('notifications');
registerPoolMetrics(registry, poolOf(prisma));
const metricsServer = config.metrics.port === undefined ? undefined
  : await startMetricsServer({ registry, host: config.metrics.host, port: config.metrics.port, token: config.metrics.token });

let stopping = false;
async function shutdown(reason: string, code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ reason }, 'stopping notifications');
  try {
    await Promise.all([consumer.stop(), dispatcher.stop(), metricsServer?.close()]);
    await prisma.$disconnect();
    await tracing?.shutdown();
  } catch (error) {
    logger.error({ err: error }, 'notifications did not stop cleanly');
    code = 1;
  }
  process.exit(code);
}
// A second signal while stopping hits the default handler again and ends the process at once.
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, (s) => void shutdown(s, 0));

dispatcher.start();
consumer.run().then(
  () => void shutdown('consumer ended', stopping ? 0 : 1),
  (error: unknown) => {
    logger.error({ err: error }, 'notification consumer stopped');
    void shutdown('consumer failed', 1);
  },
);
// The URL may carry credentials: log its origin only.
logger.info({ node: process.version, client: kafka.name, brokers: config.kafkaBrokers, webhook: new URL(config.webhook.url).origin }, 'notifications running');
