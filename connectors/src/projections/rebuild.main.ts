// `npm run projections:rebuild [-- <projection>...]`: rebuilds read models from offset zero into
// fresh tables and swaps them in atomically (projection.rebuild.ts), one projection after the
// other (default: every one of PROJECTIONS: quotes, orders, worklist); the projector role follows
// each new generation. Prints one JSON line per projection; exit 1 when one did not finish (the
// ones before it stay rebuilt, its own live generation is unchanged), 2 on an unknown name.
import '../runtime/check-node-runtime';
import { createPrismaClient, poolOf } from '@cpq/prisma';
import { LOGIN_NEEDS } from '@cpq/prisma/login-role';
import { pino } from 'pino';
import { createKafkaClient } from '../kafka/kafka.factory';
import { rebuildProjection } from './projection.rebuild';
import { PROJECTIONS, projectionNamed } from './projections';
import { loadProjectorConfig } from './projector.config';
import { requireLoginRole } from '../runtime/login-role-check';

const names = process.argv.slice(2);
const unknown = names.filter((n) => !projectionNamed(n));
if (unknown.length > 0) {
  console.error(`unknown projection ${unknown.join(', ')}; known: ${PROJECTIONS.map((p) => p.name).join(', ')}`);
  process.exit(2);
}
const chosen = names.length > 0 ? names.map((n) => projectionNamed(n)!) : PROJECTIONS;

const config = loadProjectorConfig({ ...process.env, PROJECTOR_METRICS_PORT: 'off' });
const logger = pino({ name: 'projection-rebuild', level: config.logLevel });
const prisma = createPrismaClient(config.databaseUrl, { max: 4 });
// Works across tenants as the login role: refuse one that does not bypass row-level security (ADR 0023).
await requireLoginRole(poolOf(prisma), LOGIN_NEEDS.projectionRebuild, logger);
const kafka = await createKafkaClient(config.kafkaClient, { brokers: config.kafkaBrokers, clientId: 'cpq-projection-rebuild', logger });
try {
  for (const definition of chosen) console.log(JSON.stringify(await rebuildProjection(definition, { prisma, kafka, logger, consumerPrefix: config.consumerPrefix, catchUpTimeoutMs: config.rebuildTimeoutMs })));
} catch (error) {
  logger.error({ err: error }, 'rebuild failed; that projection\'s live generation is unchanged');
  process.exitCode = 1;
} finally {
  await prisma.$disconnect();
}
