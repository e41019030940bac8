// The `projector` process role: keeps the quote read model and approval worklist up to date from
// Kafka (connectors/src/projections), following the live generation: when a rebuild
// (`npm run projections:rebuild`) swaps a new one in, the role continues that generation's group.
// Run as many as you like: Kafka shares the partitions out within a generation's group.
// First: a wrong Node.js major stops here, before anything else loads (ADR 0010).
import '../runtime/check-node-runtime';
import { topicFor } from '@cpq/contracts/topics';
import { createPrismaClient, poolOf } from '@cpq/prisma';
import { pino } from 'pino';
import { createKafkaClient } from '../kafka/kafka.factory';
import { registerKafkaMetrics } from '../observability/kafka-metrics';
import { createMetricsRegistry } from '../observability/metrics-registry';
import { startMetricsServer } from '../observability/metrics-server';
import { registerPoolMetrics } from '../observability/pool-metrics';
import { startTracing } from '../observability/tracing';
import { loadProjectorConfig } from './projector.config';
import { registerProjectorMetrics } from './projector.metrics';
import { createQuoteProjector, projectorName, QUOTE_PROJECTION, type QuoteProjector } from './quote-projection';

const config = loadProjectorConfig();
const logger = pino({ name: 'projector', level: config.logLevel });
const tracing = startTracing(config.tracing);
const prisma = createPrismaClient(config.databaseUrl, { max: 4 });
const kafka = await createKafkaClient(config.kafkaClient, { brokers: config.kafkaBrokers, clientId: 'cpq-projector' });

const liveGeneration = async () => (await prisma.projectionState.findUniqueOrThrow({ where: { projection: QUOTE_PROJECTION } })).generation;
let generation = await liveGeneration();
let projector: QuoteProjector | undefined;
let stopping = false;

const registry = createMetricsRegistry('projector');
registerPoolMetrics(registry, poolOf(prisma));
const freshness = registerProjectorMetrics(registry, () => generation);
let admin: ReturnType<typeof kafka.admin> | undefined;
registerKafkaMetrics(registry, {
  admin: () => (admin ??= kafka.admin().catch((error: unknown) => {
    admin = undefined;
    throw error;
  })),
  groups: () => [projectorName(generation)],
  topics: [topicFor('QUOTE')],
  deadLetterTopics: [],
});
const metricsServer = config.metrics.port === undefined ? undefined
  : await startMetricsServer({ registry, host: config.metrics.host, port: config.metrics.port, token: config.metrics.token });

function follow(next: number): void {
  generation = next;
  const current = createQuoteProjector({ prisma, kafka, generation: next, logger, onApplied: freshness.observe, onSuperseded: (live) => void switchTo(live) });
  projector = current;
  current.run().catch((error: unknown) => {
    logger.error({ err: error, generation: next }, 'projector consumer stopped');
    if (!stopping && projector === current) void shutdown('consumer failed', 1);
  });
  logger.info({ projection: QUOTE_PROJECTION, generation: next, group: projectorName(next) }, 'following generation');
}

async function switchTo(next: number): Promise<void> {
  if (stopping || next === generation) return;
  const old = projector;
  projector = undefined;
  await old?.stop().catch(() => {});
  follow(next);
}

// A rebuild in another process makes a new generation live: follow it even when no event arrives.
const poll = setInterval(() => void liveGeneration().then((live) => switchTo(live), () => {}), config.generationPollMs);
poll.unref();

async function shutdown(reason: string, code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ reason }, 'stopping projector');
  clearInterval(poll);
  await projector?.stop().catch(() => {});
  await metricsServer?.close();
  await admin?.then((a) => a.close()).catch(() => {});
  await prisma.$disconnect();
  await tracing?.shutdown();
  process.exit(code);
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void shutdown(signal, 0));

follow(generation);
logger.info({ node: process.version, client: kafka.name, metricsPort: metricsServer?.port }, 'projector running');
