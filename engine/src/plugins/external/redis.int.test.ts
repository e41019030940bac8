import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { testEnv } from '../../../../test/env';
import { startThrowawayRedis } from '../../../../test/services/redis-server';
import { createRedis } from './infrastructure';

// No offline queue (by design): a command before the first connection fails at once.
const ready = (redis: Redis) => (redis.status === 'ready' ? Promise.resolve() : new Promise<void>((resolve) => redis.once('ready', () => resolve())));

describe('Redis client (real Redis)', () => {
  let redis: Redis;
  const prefix = `test:${randomBytes(4).toString('hex')}:`;
  beforeAll(async () => {
    redis = createRedis(testEnv.redisUrl);
    await ready(redis);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('sets a value with a TTL, gets it back, and it expires', async () => {
    const key = `${prefix}snapshot`;
    expect(await redis.set(key, JSON.stringify({ release: 1 }), 'PX', 300)).toBe('OK');
    expect(JSON.parse((await redis.get(key))!)).toEqual({ release: 1 });
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(300);
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(await redis.get(key)).toBeNull();
    expect(await redis.exists(key)).toBe(0);
  });

  it('a key set without a TTL has none (a cache entry must always be given one)', async () => {
    const key = `${prefix}no-ttl`;
    await redis.set(key, 'x');
    expect(await redis.pttl(key)).toBe(-1);
  });
});

describe('Redis client when Redis goes away', () => {
  it('fails a command at once instead of queueing it until Redis returns', async () => {
    const server = await startThrowawayRedis();
    const redis = createRedis(server.url);
    redis.on('error', () => {});
    try {
      await ready(redis);
      expect(await redis.ping()).toBe('PONG');
      await server.stop();
      await new Promise((resolve) => setTimeout(resolve, 200));
      const started = Date.now();
      await expect(redis.get('anything')).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      redis.disconnect();
      await server.stop();
    }
  });
});
