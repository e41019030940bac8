// The relay process role: publishes the outbox to Kafka until SIGTERM/SIGINT. Run as many
// as you like against one database; they share the work (see outbox-relay.ts).
// First: a wrong Node.js major stops here, before anything else loads (ADR 0010).
import '../runtime/check-node-runtime';
import { createPrismaClient, poolOf } from '@cpq/prisma';
import { LOGIN_NEEDS } from '@cpq/prisma/login-role';
import { pino } from 'pino';
import { createKafkaClient } from '../kafka/kafka.factory';
import { registerKafkaMetrics } from '../observability/kafka-metrics';
import { createMetricsRegistry } from '../observability/metrics-registry';
import { startMetricsServer } from '../observability/metrics-server';
import { startTracing } from '../observability/tracing';
import { registerPoolMetrics } from '../observability/pool-metrics';
import { registerOutboxMetrics } from './outbox-metrics';
import { createOutboxRelay } from './outbox-relay';
import { loadRelayConfig } from './relay.config';
import { requireLoginRole } from '../runtime/login-role-check';

const config = loadRelayConfig();
const tracing = startTracing(config.tracing);
const logger = pino({ name: 'outbox-relay', level: config.logLevel });
const prisma = createPrismaClient(config.databaseUrl, { max: 4 });
// Works across tenants as the login role: refuse one that does not bypass row-level security (ADR 0023).
await requireLoginRole(poolOf(prisma), LOGIN_NEEDS.relay, logger);
const kafka = await createKafkaClient(config.kafkaClient, { brokers: config.kafkaBrokers, clientId: 'cpq-outbox-relay', logger });
const producer = await kafka.producer();
// Metrics of the whole event pipeline: outbox backlog and publish lag, consumer lag, dead letters.
const registry = createMetricsRegistry('relay');
registerPoolMetrics(registry, poolOf(prisma));
const outboxMetrics = registerOutboxMetrics(registry, prisma);
let admin: ReturnType<typeof kafka.admin> | undefined;
registerKafkaMetrics(registry, {
  admin: () => (admin ??= kafka.admin().catch((error: unknown) => {
    admin = undefined;
    throw error;
  })),
  groups: config.watchedConsumerGroups,
});
const metricsServer = config.metrics.port === undefined ? undefined
  : await startMetricsServer({ registry, host: config.metrics.host, port: config.metrics.port, token: config.metrics.token });
const relay = createOutboxRelay({
  prisma, producer, batchSize: config.batchSize, pollIntervalMs: config.pollIntervalMs, busyPollIntervalMs: config.busyPollIntervalMs, maxMessageBytes: config.maxMessageBytes, topicPrefix: config.topicPrefix,
  logger, onPublished: outboxMetrics.observePublished,
});

async function shutdown(signal: string): Promise<void> {
  logger.info({ signal }, 'stopping relay');
  await relay.stop();
  await metricsServer?.close();
  await admin?.then((a) => a.close()).catch(() => {});
  await producer.close();
  await prisma.$disconnect();
  await tracing?.shutdown();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

relay.start();
logger.info({ node: process.version, client: kafka.name, brokers: config.kafkaBrokers, metricsPort: metricsServer?.port }, 'outbox relay running');
