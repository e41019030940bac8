// `npm run projections:rebuild`: rebuilds the quote read model and worklist from offset zero into
// fresh tables and swaps them in atomically (quote-projection.rebuild.ts); the projector role
// follows the new generation. Prints the result as JSON; exit 1 when it did not finish.
import '../runtime/check-node-runtime';
import { createPrismaClient } from '@cpq/prisma';
import { pino } from 'pino';
import { createKafkaClient } from '../kafka/kafka.factory';
import { loadProjectorConfig } from './projector.config';
import { rebuildQuoteProjection } from './quote-projection.rebuild';

const config = loadProjectorConfig({ ...process.env, PROJECTOR_METRICS_PORT: 'off' });
const logger = pino({ name: 'projection-rebuild', level: config.logLevel });
const prisma = createPrismaClient(config.databaseUrl, { max: 4 });
const kafka = await createKafkaClient(config.kafkaClient, { brokers: config.kafkaBrokers, clientId: 'cpq-projection-rebuild' });
try {
  const result = await rebuildQuoteProjection({ prisma, kafka, logger, catchUpTimeoutMs: config.rebuildTimeoutMs });
  console.log(JSON.stringify(result));
} catch (error) {
  logger.error({ err: error }, 'rebuild failed; the live generation is unchanged');
  process.exitCode = 1;
} finally {
  await prisma.$disconnect();
}
