import { createRedis } from '../../plugins/external/infrastructure';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startThrowawayRedis } from '../../../../test/services/redis-server';
import { createTestApp, type TestApp } from '../../../test/test-app';

describe('GET /health/live and /health/ready', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp('health'); });
  afterAll(async () => { await t?.close(); });

  it('live answers without looking at dependencies', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health/live' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'up' });
  });

  it('ready reports every dependency up, each with its latency', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health/ready' });
    const body = res.json();
    expect(body.checks.kafka).toMatchObject({ status: 'up' });
    expect(res.statusCode).toBe(200);
    expect(body.status).toBe('up');
    for (const name of ['postgres', 'redis', 'kafka', 'camunda']) {
      expect(body.checks[name].status).toBe('up');
      expect(body.checks[name].latencyMs).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('readiness with Redis stopped', () => {
  let t: TestApp;
  let redisServer: Awaited<ReturnType<typeof startThrowawayRedis>>;
  beforeAll(async () => {
    redisServer = await startThrowawayRedis();
    t = await createTestApp('health-redis', { redis: createRedis(redisServer.url) });
  });
  afterAll(async () => {
    await t?.close();
    await redisServer?.stop();
  });

  it('reports Redis down with 503 while the other checks still answer up', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    await redisServer.stop();

    const started = Date.now();
    const res = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json();
    expect(body.status).toBe('down');
    expect(body.checks.redis.status).toBe('down');
    expect(body.checks.redis.error).toEqual(expect.any(String));
    expect(body.checks.postgres.status).toBe('up');
    expect(body.checks.kafka.status).toBe('up');
    expect(body.checks.camunda.status).toBe('up');
    // Bounded by the check timeout, not by Redis reconnect attempts.
    expect(Date.now() - started).toBeLessThan(t.config.healthCheckTimeoutMs + 1500);
  });
});
