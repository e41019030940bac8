import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../test/kafka-helpers';
import { startThrowawayRedis } from '../../../test/services/redis-server';
import { buildApp } from '../app';
import { createInfrastructure, createRedis, type Infrastructure } from '../plugins/external/infrastructure';
import { createQuoteFixture, internetLine, type QuoteFixture } from '../../test/quote-fixture';
import type { FastifyInstance } from 'fastify';

// Seed section 13, Redis drills, on a real Redis server of the test's own (so it can be made to
// evict): Redis only accelerates, so losing its keys changes no result (ARCHITECTURE.md section 2).
describe('Redis drills', () => {
  let f: QuoteFixture;
  let redisServer: Awaited<ReturnType<typeof startThrowawayRedis>>;
  let infrastructure: Infrastructure;
  let app: FastifyInstance;
  let admin: Redis;

  beforeAll(async () => {
    f = await createQuoteFixture('redis_drills');
    redisServer = await startThrowawayRedis();
    admin = new Redis(redisServer.url);
    // A tiny memory limit with LRU eviction over every key, as a cache under pressure is configured.
    await admin.config('SET', 'maxmemory', '2mb');
    await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
    infrastructure = await createInfrastructure(f.t.config, { redis: createRedis(redisServer.url) });
    // No offline queue (by design): wait for the connection before the cache can be filled.
    if (infrastructure.redis.status !== 'ready') await new Promise((resolve) => infrastructure.redis.once('ready', resolve));
    app = await buildApp({ config: f.t.config, infrastructure });
  }, 180_000);
  afterAll(async () => {
    await app?.close();
    await infrastructure?.close();
    admin?.disconnect();
    await redisServer?.stop();
    await f?.close();
  });

  const call = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const res = await app.inject({ method, url, payload: payload as object, headers: { authorization: `Bearer ${f.tokens.rita}`, ...(method === 'POST' ? { 'idempotency-key': `k-${Math.random()}` } : {}) } });
    return { status: res.statusCode, body: res.json() as Record<string, unknown> };
  };
  const preview = { offering: 'business-internet', selections: { access: 'fiber', bandwidth: 500, slaTier: 'standard' } };

  it('drill: eviction removes the preview and release cache: the same previews and prices follow from PostgreSQL', async () => {
    const first = await call('POST', '/configurations/evaluate', preview);
    expect(first.status).toBe(200);
    const { body: quote } = await call('POST', '/quotes', { accountId: 'acct-1', customerName: 'Evict AG', currency: 'EUR', termMonths: 24 });
    await call('POST', `/quotes/${quote.quoteId}/lines`, internetLine());
    const priced = await call('POST', `/quotes/${quote.quoteId}/commands/price`);
    expect(priced.status).toBe(200);
    // The cache writes are not awaited by the requests: wait until the release and the preview are both in Redis.
    const cached = (await eventually(async () => {
      const keys = await admin.keys('cpq:*');
      return keys.some((k) => k.includes(':release:')) && keys.some((k) => k.includes(':config-preview:')) && keys;
    }, 10_000, 50)).length;
    expect(cached).toBeGreaterThan(0);

    // Memory pressure: 4 MB of other keys into a 2 MB cache evicts ours.
    const filler = 'x'.repeat(10_000);
    for (let i = 0; i < 400; i++) await admin.set(`filler:${i}`, filler);
    const stats = await admin.info('stats');
    expect(Number(/evicted_keys:(\d+)/.exec(stats)?.[1])).toBeGreaterThan(0);
    expect((await admin.keys('cpq:*')).length).toBeLessThan(cached);

    const again = await call('POST', '/configurations/evaluate', preview);
    expect(again).toEqual(first);
    const repriced = await call('POST', `/quotes/${quote.quoteId}/commands/price`);
    expect(repriced.status).toBe(200);
    expect((repriced.body as { totals?: unknown }).totals).toEqual((priced.body as { totals?: unknown }).totals);
  });

  it('drill: hot key causes latency spike: a burst of one preview costs one Redis read, and with that Redis stalled every answer still comes within the command timeout', async () => {
    const hot = { offering: 'business-internet', selections: { access: 'fiber', bandwidth: 200, slaTier: 'standard' } };
    const gets = async () => Number(/cmdstat_get:calls=(\d+)/.exec(await admin.info('commandstats'))?.[1] ?? 0);
    const burst = async (n: number) => Promise.all(Array.from({ length: n }, async () => {
      const started = performance.now();
      const res = await app.inject({ method: 'POST', url: '/configurations/evaluate', payload: hot, headers: { authorization: `Bearer ${f.tokens.rita}`, 'idempotency-key': `k-${Math.random()}` } });
      return { status: res.statusCode, cache: String(res.headers['x-cache']), body: res.body, ms: performance.now() - started };
    }));
    await admin.config('RESETSTAT');
    await admin.flushall();

    // 200 reps open the same preview at once (a cold key): one GET, one evaluation, the rest share it.
    const cold = await burst(200);
    expect(cold.every((r) => r.status === 200)).toBe(true);
    expect(new Set(cold.map((r) => r.body)).size).toBe(1);
    expect(cold.filter((r) => r.cache === 'miss').length).toBeLessThanOrEqual(2);
    expect(await gets()).toBeLessThanOrEqual(4);

    // The key's Redis stalls (CLIENT PAUSE: every command waits, as behind a saturated shard)
    // for 3 s: reads give up after the command timeout (500 ms) and evaluate, nobody waits 3 s.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await admin.call('CLIENT', 'PAUSE', '3000', 'ALL');
    const stalled = await burst(200);
    expect(stalled.every((r) => r.status === 200)).toBe(true);
    expect(new Set(stalled.map((r) => r.body)).size).toBe(1);
    expect(stalled[0]!.body).toBe(cold[0]!.body);
    const slowest = Math.max(...stalled.map((r) => r.ms));
    expect(slowest).toBeLessThan(1_500);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
  });
});
