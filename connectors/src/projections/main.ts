// The `projector` process role: keeps every read model of PROJECTIONS (quotes, orders, worklist)
// up to date from Kafka (connectors/src/projections), each following its own live generation:
// when a rebuild (`npm run projections:rebuild`) swaps a new one in, the role continues that
// generation's group. Run as many as you like: Kafka shares the partitions out within a group.
// First: a wrong Node.js major stops here, before anything else loads (ADR 0010).
import '../runtime/check-node-runtime';
import { createPrismaClient, poolOf } from '@cpq/prisma';
import { LOGIN_NEEDS } from '@cpq/prisma/login-role';
import { pino } from 'pino';
import { createKafkaClient } from '../kafka/kafka.factory';
import { registerKafkaMetrics } from '../observability/kafka-metrics';
import { createMetricsRegistry } from '../observability/metrics-registry';
import { startMetricsServer } from '../observability/metrics-server';
import { registerPoolMetrics } from '../observability/pool-metrics';
import { startTracing } from '../observability/tracing';
import { consumerName, createProjector, type ProjectionDefinition, type Projector } from './projection';
import { PROJECTIONS } from './projections';
import { loadProjectorConfig } from './projector.config';
import { registerProjectorMetrics } from './projector.metrics';
import { requireLoginRole } from '../runtime/login-role-check';

const config = loadProjectorConfig();
const logger = pino({ name: 'projector', level: config.logLevel });
const tracing = startTracing(config.tracing);
// A connection per projection's handler at a time, and one for the generation polls.
const prisma = createPrismaClient(config.databaseUrl, { max: PROJECTIONS.length + 2 });
// Works across tenants as the login role: refuse one that does not bypass row-level security (ADR 0023).
await requireLoginRole(poolOf(prisma), LOGIN_NEEDS.projector, logger);
const kafka = await createKafkaClient(config.kafkaClient, { brokers: config.kafkaBrokers, clientId: 'cpq-projector', logger });

const liveGeneration = async (projection: string) => (await prisma.projectionState.findUniqueOrThrow({ where: { projection } })).generation;

type Follower = { definition: ProjectionDefinition; generation: number; projector?: Projector };
const followers: Follower[] = [];
for (const definition of PROJECTIONS) followers.push({ definition, generation: await liveGeneration(definition.name) });
let stopping = false;

const registry = createMetricsRegistry('projector');
registerPoolMetrics(registry, poolOf(prisma));
const freshness = registerProjectorMetrics(registry, (name) => followers.find((f) => f.definition.name === name)?.generation, PROJECTIONS.map((p) => p.name));
let admin: ReturnType<typeof kafka.admin> | undefined;
registerKafkaMetrics(registry, {
  admin: () => (admin ??= kafka.admin().catch((error: unknown) => {
    admin = undefined;
    throw error;
  })),
  groups: () => followers.map((f) => consumerName(f.definition.name, f.generation, config.consumerPrefix)),
  topics: [...new Set(PROJECTIONS.flatMap((p) => p.topics))],
  deadLetterTopics: [],
});
const metricsServer = config.metrics.port === undefined ? undefined
  : await startMetricsServer({ registry, host: config.metrics.host, port: config.metrics.port, token: config.metrics.token });

function follow(follower: Follower, next: number): void {
  const { definition } = follower;
  follower.generation = next;
  const current = createProjector(definition, {
    prisma, kafka, generation: next, logger, consumerPrefix: config.consumerPrefix,
    onApplied: (event) => freshness.observe(event, definition.name),
    onSuperseded: (live) => void switchTo(follower, live),
  });
  follower.projector = current;
  current.run().catch((error: unknown) => {
    logger.error({ err: error, projection: definition.name, generation: next }, 'projector consumer stopped');
    if (!stopping && follower.projector === current) void shutdown('consumer failed', 1);
  });
  logger.info({ projection: definition.name, generation: next, group: consumerName(definition.name, next, config.consumerPrefix) }, 'following generation');
}

async function switchTo(follower: Follower, next: number): Promise<void> {
  if (stopping || next === follower.generation) return;
  const old = follower.projector;
  follower.projector = undefined;
  await old?.stop().catch(() => {});
  follow(follower, next);
}

// A rebuild in another process makes a new generation live: follow it even when no event arrives.
const poll = setInterval(() => {
  for (const follower of followers) void liveGeneration(follower.definition.name).then((live) => switchTo(follower, live), () => {});
}, config.generationPollMs);
poll.unref();

async function shutdown(reason: string, code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ reason }, 'stopping projector');
  clearInterval(poll);
  await Promise.all(followers.map((f) => f.projector?.stop().catch(() => {})));
  await metricsServer?.close();
  await admin?.then((a) => a.close()).catch(() => {});
  await prisma.$disconnect();
  await tracing?.shutdown();
  process.exit(code);
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void shutdown(signal, 0));

for (const follower of followers) follow(follower, follower.generation);
logger.info({ node: process.version, client: kafka.name, metricsPort: metricsServer?.port, projections: PROJECTIONS.map((p) => p.name) }, 'projector running');
