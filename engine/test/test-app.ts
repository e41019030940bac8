import { createTestDatabase, type TestDatabase } from '@cpq/prisma/test-database';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { testEnv } from '../../test/env';
import { buildEngine } from '../src/app';
import { loadConfig, type EngineConfig } from '../src/config';
import { createInfrastructure, type Infrastructure } from '../src/plugins/external/infrastructure';
import type { OrderService } from '../src/modules/order';
import { outboxContractViolations } from './outbox-contract-check';

export const ADMIN_TOKEN = 'test-platform-admin-token-0123456789';

export type TestApp = {
  app: FastifyInstance; config: EngineConfig; infrastructure: Infrastructure; db: TestDatabase;
  /** The order service of this app (what the API role's sweep and consumer call). */
  orders: OrderService;
  close(): Promise<void>;
};

/** The engine on its own cloned database and the real Redis, Kafka and Camunda. */
export async function createTestApp(label: string, overrides: { redis?: Redis; env?: Record<string, string> } = {}): Promise<TestApp> {
  const db = await createTestDatabase(testEnv.postgresUrl, label);
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: db.url,
    REDIS_URL: testEnv.redisUrl,
    KAFKA_BROKERS: testEnv.kafkaBrokers.join(','),
    CAMUNDA_URL: testEnv.camundaUrl,
    PLATFORM_ADMIN_TOKEN: ADMIN_TOKEN,
    ...overrides.env,
  });
  const infrastructure = await createInfrastructure(config, overrides.redis ? { redis: overrides.redis } : {});
  const { app, orders } = await buildEngine({ config, infrastructure });
  return {
    app, config, infrastructure, db, orders,
    async close() {
      // Every event the tests made the engine write must match the AsyncAPI contract.
      const violations = await outboxContractViolations(infrastructure.prisma).catch((e: Error) => [`could not read the outbox: ${e.message}`]);
      await app.close();
      await infrastructure.close();
      await db.drop();
      if (violations.length) throw new Error(`events that break contracts/asyncapi/cpq-events.yaml:\n${violations.join('\n')}`);
    },
  };
}
