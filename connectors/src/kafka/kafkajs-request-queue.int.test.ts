import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/env';
import { createKafkaClient } from './kafka.factory';
import { guardIdleRequestQueue } from './kafkajs-request-queue.patch';
import type { KafkaAdmin, KafkaClient, KafkaProducer } from './kafka.port';

// kafkajs's idle request queue (tulios/kafkajs#1751): before the guard, an idle connection
// scheduled its check at minus the clock, a 1 ms loop that Node 24 warns about. On the real broker.

type Queue = { pending: unknown[]; throttledUntil: number; throttleCheckTimeoutId: NodeJS.Timeout | null; checkPendingRequests(): void; scheduleCheckPendingRequests(): void };
const { prototype } = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as { prototype: Queue };

/** Every setTimeout call with a delay under 1 ms (what Node 24 warns about) while `during` runs. */
async function negativeTimers(during: () => Promise<void>): Promise<number[]> {
  const original = globalThis.setTimeout;
  const seen: number[] = [];
  globalThis.setTimeout = ((fn: () => void, ms?: number) => {
    if (typeof ms === 'number' && ms < 1) seen.push(ms);
    return original(fn, ms);
  }) as typeof setTimeout;
  try {
    await during();
  } finally {
    globalThis.setTimeout = original;
  }
  return seen;
}

describe('kafkajs request queue guard (connectors/src/kafka/kafkajs-request-queue.patch.ts)', () => {
  let client: KafkaClient | undefined;
  let producer: KafkaProducer | undefined;
  let admin: KafkaAdmin | undefined;
  afterAll(async () => {
    await producer?.close();
    await admin?.close();
  });

  it('an idle connected producer sets no negative timer and Node emits no TimeoutNegativeWarning; it still sends', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      client = await createKafkaClient('kafkajs', { brokers: testEnv.kafkaBrokers, clientId: 'request-queue-guard' });
      admin = await client.admin();
      const topic = `request-queue-guard-${randomBytes(4).toString('hex')}`;
      await admin.createTopics([{ topic, partitions: 1 }]);
      const seen = await negativeTimers(async () => {
        producer = await client!.producer();
        await producer.send(topic, [{ key: 'k', value: 'before idle' }]);
        // Idle: without the guard, about 650 timers a second at minus the clock.
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        await producer.send(topic, [{ key: 'k', value: 'after idle' }]);
      });
      expect(seen).toEqual([]);
      const ranges = await admin.topicOffsets([topic]);
      expect(ranges.map((r) => r.end - r.start)).toEqual([2n]);
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.startsWith('TimeoutNegativeWarning'))).toEqual([]);
  });

  it.each([
    // throttle: ms from now until the broker's throttle ends (null: none, kafkajs's initial -1).
    ['idle: nothing pending, no throttle', { pending: [], throttle: null }, false],
    ['a throttle running out, nothing pending', { pending: [], throttle: 30 }, true],
    ['a request pending, no throttle (kafkajs checks again in 10 ms)', { pending: [{}], throttle: null }, true],
    ['a request pending behind a throttle', { pending: [{}], throttle: 30 }, true],
  ])('%s: kafkajs\'s own scheduling where there is something to check (%#)', async (_, { pending, throttle }, schedules) => {
    let checked = 0;
    const queue = Object.assign(Object.create(prototype) as Queue, {
      pending, throttledUntil: throttle === null ? -1 : Date.now() + throttle, throttleCheckTimeoutId: null, checkPendingRequests: () => { checked += 1; },
    });
    const seen = await negativeTimers(async () => {
      queue.scheduleCheckPendingRequests();
      await new Promise((resolve) => setTimeout(resolve, 80));
    });
    expect(seen).toEqual([]);
    expect(checked).toBe(schedules ? 1 : 0);
  });

  it('is applied once however often it is called', () => {
    const before = prototype.scheduleCheckPendingRequests;
    guardIdleRequestQueue();
    guardIdleRequestQueue();
    expect(prototype.scheduleCheckPendingRequests).toBe(before);
  });
});
