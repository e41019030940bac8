// The relay process role: publishes the outbox to Kafka until SIGTERM/SIGINT. Run as many
// as you like against one database; they share the work (see outbox-relay.ts).
// First: a wrong Node.js major stops here, before anything else loads (ADR 0010).
import '../runtime/check-node-runtime';
import { createPrismaClient } from '@cpq/prisma';
import { pino } from 'pino';
import { createKafkaClient } from '../kafka/kafka.factory';
import { createOutboxRelay } from './outbox-relay';
import { loadRelayConfig } from './relay.config';

const config = loadRelayConfig();
const logger = pino({ name: 'outbox-relay', level: config.logLevel });
const prisma = createPrismaClient(config.databaseUrl, { max: 4 });
const kafka = await createKafkaClient(config.kafkaClient, { brokers: config.kafkaBrokers, clientId: 'cpq-outbox-relay' });
const producer = await kafka.producer();
const relay = createOutboxRelay({ prisma, producer, batchSize: config.batchSize, pollIntervalMs: config.pollIntervalMs, logger });

async function shutdown(signal: string): Promise<void> {
  logger.info({ signal }, 'stopping relay');
  await relay.stop();
  await producer.close();
  await prisma.$disconnect();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

relay.start();
logger.info({ node: process.version, client: kafka.name, brokers: config.kafkaBrokers }, 'outbox relay running');
