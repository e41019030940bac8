import { createKafkaClient } from '@cpq/connectors/kafka/kafka.factory';
import type { KafkaAdmin, KafkaClient, KafkaClientLogger } from '@cpq/connectors/kafka/kafka.port';
import { createPrismaClient, poolOf, type PrismaClient } from '@cpq/prisma';
import { assertLoginRole, LOGIN_NEEDS, LoginRoleError } from '@cpq/prisma/login-role';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import type { EngineConfig } from '../../config';
import type { DependencyCheck } from '../../modules/health';
import { createCamundaClient, type CamundaClient } from '../../modules/workflow';

/** The external systems the engine talks to, created once per process and closed on shutdown. */
export type Infrastructure = {
  prisma: PrismaClient;
  redis: Redis;
  kafka: KafkaClient;
  camunda: CamundaClient;
  checks: Record<'postgres' | 'redis' | 'kafka' | 'camunda', DependencyCheck>;
  close(): Promise<void>;
};

/**
 * Redis must never hold a request hostage: no offline queue (a command fails at once while
 * disconnected instead of waiting), one retry per request, and reconnection in the
 * background. A cache miss or outage then costs latency, never a business result.
 */
export function createRedis(url: string): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    // A cache read that does not answer in time is a miss (every caller falls back to
    // PostgreSQL or evaluates): a stalled or hot Redis must not hold requests (hot-key drill).
    commandTimeout: 500,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    lazyConnect: false,
  });
  redis.on('error', () => {
    /* reported by the readiness check and by each failed command; ioredis reconnects by itself */
  });
  return redis;
}

function waitUntilReady(redis: Redis, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`not connected (${redis.status})`));
    }, timeoutMs);
    redis.once('ready', onReady);
  });
}

/**
 * `logger`: where the Kafka client's recovery warnings go (failed rejoins, bounded closes); by
 * default a pino logger at the engine's level, so they are structured lines like the rest of the
 * engine's log rather than the adapter's console.warn fallback.
 */
export async function createInfrastructure(
  config: EngineConfig, overrides: Partial<Pick<Infrastructure, 'redis'>> & { logger?: KafkaClientLogger } = {},
): Promise<Infrastructure> {
  const prisma = createPrismaClient(config.databaseUrl, {
    max: config.databasePoolMax, connectionWaitMs: config.databasePoolWaitMs, lockTimeoutMs: config.databaseLockTimeoutMs,
    idleInTransactionTimeoutMs: config.databaseIdleInTransactionTimeoutMs,
  });
  // Row-level security (ADR 0023): the login role must bypass it (the sweeps, reconcilers and
  // the order consumer work across tenants as it) and may switch to cpq_tenant (every request
  // does). Checked once, here: a login that lacks either stops the process with the fix. A
  // database that does not answer yet is not a refusal: the readiness check asks again until the
  // check has passed, and reports a login that lacks them by name.
  let loginRoleChecked = false;
  const checkLoginRole = async () => {
    await assertLoginRole(poolOf(prisma), LOGIN_NEEDS.engine);
    loginRoleChecked = true;
  };
  try {
    await checkLoginRole();
  } catch (error) {
    if (error instanceof LoginRoleError) {
      await prisma.$disconnect().catch(() => {});
      throw error;
    }
  }
  const redis = overrides.redis ?? createRedis(config.redisUrl);
  const logger = overrides.logger ?? pino({ name: 'engine-kafka', level: config.logLevel });
  const kafka = await createKafkaClient(config.kafkaClient, { brokers: config.kafkaBrokers, clientId: config.kafkaClientId, logger });
  const camunda = createCamundaClient(config.camundaUrl);

  // Connected on first use and dropped after a failure, so a broker that was down at
  // start-up is found again once it is back.
  let admin: Promise<KafkaAdmin> | undefined;
  const kafkaCheck: DependencyCheck = async () => {
    admin ??= kafka.admin();
    try {
      const cluster = await (await admin).describeCluster(config.healthCheckTimeoutMs);
      return { brokers: cluster.brokers, client: kafka.name };
    } catch (error) {
      const stale = admin;
      admin = undefined;
      void stale.then((a) => a.close()).catch(() => {});
      throw error;
    }
  };

  return {
    prisma,
    redis,
    kafka,
    camunda,
    checks: {
      postgres: async () => {
        await prisma.$queryRaw`SELECT 1`;
        if (!loginRoleChecked) await checkLoginRole();
      },
      redis: async () => {
        // Just created or reconnecting: wait for the connection (the check's timeout bounds
        // this) instead of failing at once on the disabled offline queue.
        if (redis.status !== 'ready') await waitUntilReady(redis, config.healthCheckTimeoutMs);
        const answer = await redis.ping();
        if (answer !== 'PONG') throw new Error(`unexpected PING answer ${answer}`);
      },
      kafka: kafkaCheck,
      camunda: async () => {
        const engines = await camunda.engines(config.healthCheckTimeoutMs);
        return { engines: engines.map((e) => e.name) };
      },
    },
    async close() {
      await Promise.allSettled([
        prisma.$disconnect(),
        redis.quit().catch(() => redis.disconnect()),
        admin?.then((a) => a.close()),
      ]);
    },
  };
}
