import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startThrowawayBroker, type ThrowawayBroker } from '../../../test/services/kafka-broker';
import { testEnv } from '../../../test/env';
import { createKafkaClient, type KafkaClientName } from './kafka.factory';
import { createPlatformaticClient } from './platformatic.adapter';
import { MessageRejectedError, type IncomingMessage, type KafkaAdmin, type KafkaClient, type KafkaConsumer, type OutgoingMessage } from './kafka.port';

// One contract for both adapters of kafka.port.ts, on the real Kafka 4.1 broker
// (deploy/lib/jvm-services.sh). Every test uses its own topics and groups.

const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

type Gate = { promise: Promise<void>; open: () => void };
function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

/**
 * Runs `consumer` until `enough(received)`, then closes it and waits for run() to settle.
 * Returns what the handler saw, in order.
 */
async function consumeUntil(
  consumer: KafkaConsumer,
  enough: (received: IncomingMessage[]) => boolean,
  timeoutMs = 15_000,
): Promise<IncomingMessage[]> {
  const received: IncomingMessage[] = [];
  const done = gate();
  const running = consumer.run(async (message) => {
    received.push(message);
    if (enough(received)) done.open();
  });
  running.catch(() => done.open());
  try {
    await within(Promise.race([done.promise, running]), timeoutMs, 'consume').catch((error: Error) => {
      throw new Error(`${error.message} (got ${received.length} messages)`);
    });
  } finally {
    await consumer.close();
    await running.catch(() => {});
  }
  return received;
}

// Started once, in the background, while the other tests run; used by the restart tests.
let throwaway: Promise<ThrowawayBroker> | undefined;
beforeAll(() => {
  throwaway = startThrowawayBroker();
  throwaway.catch(() => {}); // reported by the test that awaits it
});
afterAll(async () => {
  const broker = await throwaway?.catch(() => undefined);
  await broker?.destroy();
}, 60_000);

describe.each<KafkaClientName>(['kafkajs', 'platformatic'])('Kafka port contract: %s', (name) => {
  let client: KafkaClient;
  let admin: KafkaAdmin;

  beforeAll(async () => {
    client = await createKafkaClient(name, { brokers: testEnv.kafkaBrokers, clientId: unique(`contract-${name}`) });
    admin = await client.admin();
  });
  afterAll(async () => {
    await admin?.close();
  });

  it('createTopics is idempotent; describeCluster sees the single broker', async () => {
    const topic = unique('t-admin');
    await admin.createTopics([{ topic, partitions: 3 }]);
    await admin.createTopics([{ topic, partitions: 3 }]);
    const cluster = await admin.describeCluster(5_000);
    expect(cluster.brokers).toBe(1);
    expect(cluster.controllerId === null || typeof cluster.controllerId === 'number').toBe(true);
  });

  it('a group from the beginning receives every message with key, value and headers intact, per-key order kept over 3 partitions', async () => {
    const topic = unique('t-order');
    await admin.createTopics([{ topic, partitions: 3 }]);
    const keys = Array.from({ length: 24 }, (_, i) => `key-${i}`);
    const perKey = 5;
    const messages: OutgoingMessage[] = [];
    for (let seq = 0; seq < perKey; seq++) {
      for (const key of keys) {
        messages.push({
          key,
          value: JSON.stringify({ key, seq, text: 'é€ "quoted" \n' }),
          headers: { 'event-type': 'test.ordered', seq: String(seq), 'x-unicode': 'ü€' },
        });
      }
    }
    const producer = await client.producer();
    try {
      // Two sends: order must hold across calls as well as within one.
      await producer.send(topic, messages.slice(0, 60));
      await producer.send(topic, messages.slice(60));
    } finally {
      await producer.close();
    }

    const consumer = await client.consumer({ groupId: unique('g-order'), topics: [topic], fromBeginning: true });
    const received = await consumeUntil(consumer, (r) => r.length >= messages.length);

    expect(received).toHaveLength(messages.length);
    const partitionOfKey = new Map<string, number>();
    const lastSeq = new Map<string, number>();
    for (const message of received) {
      expect(message.topic).toBe(topic);
      expect(message.key).not.toBeNull();
      const key = message.key!;
      const value = JSON.parse(message.value!) as { key: string; seq: number; text: string };
      expect(value.key).toBe(key);
      expect(value.text).toBe('é€ "quoted" \n');
      expect(message.headers).toEqual({ 'event-type': 'test.ordered', seq: String(value.seq), 'x-unicode': 'ü€' });
      expect(typeof message.offset).toBe('string');
      // Same key, same partition; sequence strictly increasing per key.
      expect(partitionOfKey.get(key) ?? message.partition).toBe(message.partition);
      partitionOfKey.set(key, message.partition);
      expect(value.seq).toBe((lastSeq.get(key) ?? -1) + 1);
      lastSeq.set(key, value.seq);
    }
    expect(new Set(partitionOfKey.values()).size).toBe(3);
    expect([...lastSeq.values()].every((s) => s === perKey - 1)).toBe(true);
  });

  /*
   * The idempotent producer under concurrent calls: @platformatic/kafka 1.x gave concurrent sends
   * to one partition the same sequence number, so the broker acknowledged all of them and wrote
   * one (upstream platformatic/kafka#326; ADR 0003: 50 resolved, 1 written). The platformatic
   * adapter serialises its sends (for outages, see there); 2.12.1 passed this test without that
   * too (ADR 0003 addendum 2026-12-04). Order across concurrent calls is not part of the port.
   */
  it('concurrent send() calls to one partition: every call resolves and every message is written exactly once', async () => {
    const topic = unique('t-concurrent');
    await admin.createTopics([{ topic, partitions: 1 }]);
    const count = 50;
    const values = Array.from({ length: count }, (_, i) => `c${i}`);
    const producer = await client.producer();
    try {
      const outcomes = await within(
        Promise.allSettled(values.map((value) => producer.send(topic, [{ key: 'same', value }]))),
        30_000,
        'concurrent sends settling',
      );
      expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    } finally {
      await producer.close();
    }
    // The log holds exactly `count` records (a dropped duplicate leaves fewer, a retried one more).
    const [range] = await admin.topicOffsets([topic]);
    expect(range!.end - range!.start).toBe(BigInt(count));
    const consumer = await client.consumer({ groupId: unique('g-concurrent'), topics: [topic], fromBeginning: true });
    const received = await consumeUntil(consumer, (r) => r.length >= count);
    expect(received.map((m) => m.value!).sort()).toEqual([...values].sort());
  });

  /*
   * A produce request the broker partly refuses (one record over message.max.bytes, the other
   * partitions written): the call rejects with MessageRejectedError, and the producer's later
   * sends are all written, also to the partitions the broker had written. Guards the sequence
   * bookkeeping after a failed request: kafkajs rolls back the written partitions' sequences
   * (later sends dropped as duplicates or refused as out of order), @platformatic/kafka 1.x left
   * its sequences out of step after any failure (upstream platformatic/kafka#309).
   */
  it('a send the broker refuses rejects with MessageRejectedError; later sends of the same producer are all written', async () => {
    const topic = unique('t-refused');
    await admin.createTopics([{ topic, partitions: 3 }]);
    const keys = Array.from({ length: 9 }, (_, i) => `k${i}`);
    const batch = (tag: string) => keys.map((key) => ({ key, value: `${tag}-${key}` }));
    const producer = await client.producer();
    try {
      await producer.send(topic, batch('before'));
      // Over the broker's message.max.bytes (1 MiB by default).
      const refused = producer.send(topic, [...batch('mixed'), { key: 'k0', value: 'x'.repeat(1_200_000) }]);
      await expect(refused).rejects.toBeInstanceOf(MessageRejectedError);
      // The message names the broker's reason (the relay records it as the event's last error).
      await expect(refused).rejects.toThrow(/too large|larger/i);
      await producer.send(topic, batch('after'));
      await producer.send(topic, batch('later'));
    } finally {
      await producer.close();
    }
    const wanted = new Set(['before', 'after', 'later'].flatMap((tag) => batch(tag).map((m) => m.value)));
    const consumer = await client.consumer({ groupId: unique('g-refused'), topics: [topic], fromBeginning: true });
    const received = await consumeUntil(consumer, (r) => [...wanted].every((v) => r.some((m) => m.value === v)));
    const receivedValues = received.map((m) => m.value!);
    expect([...wanted].filter((v) => !receivedValues.includes(v))).toEqual([]);
    // Records of the refused request that the broker wrote (other partitions) may be there, once.
    expect(receivedValues.filter((v) => v.startsWith('x'))).toEqual([]);
    expect(receivedValues.length).toBe(new Set(receivedValues).size);
  });

  it('commits only handled messages: a consumer closed after k messages, the next one in the group resumes there', async () => {
    const topic = unique('t-resume');
    const groupId = unique('g-resume');
    await admin.createTopics([{ topic, partitions: 3 }]);
    const total = 30;
    const k = 10;
    const producer = await client.producer();
    try {
      await producer.send(topic, Array.from({ length: total }, (_, i) => ({ key: `k${i % 7}`, value: `m${i}` })));
    } finally {
      await producer.close();
    }

    // First consumer: handles k messages, then the test closes it while the next handler is
    // still running (in flight); that handler finishes during close.
    const first = await client.consumer({ groupId, topics: [topic], fromBeginning: true });
    const handledBeforeClose: string[] = [];
    const handledDuringClose: string[] = [];
    let closing = false;
    const reachedK = gate();
    const running = first.run(async (message) => {
      if (closing) {
        handledDuringClose.push(message.value!);
        return;
      }
      if (handledBeforeClose.length === k) {
        // in flight when close() starts
        reachedK.open();
        await sleep(300);
        handledDuringClose.push(message.value!);
        return;
      }
      handledBeforeClose.push(message.value!);
    });
    await within(Promise.race([reachedK.promise, running]), 15_000, 'first consumer reaching k');
    closing = true;
    await within(first.close(), 15_000, 'close with a handler in flight');
    await within(running, 5_000, 'run() settling after close');
    expect(handledBeforeClose).toHaveLength(k);
    // Closing does not start new handlers after the one in flight.
    expect(handledDuringClose.length).toBeLessThanOrEqual(1);

    const second = await client.consumer({ groupId, topics: [topic], fromBeginning: true });
    const handled = new Set([...handledBeforeClose, ...handledDuringClose]);
    const resumed = await consumeUntil(second, (r) => new Set([...handled, ...r.map((m) => m.value!)]).size >= total);
    const resumedValues = resumed.map((m) => m.value!);

    // Nothing the first consumer finished before close is delivered again...
    expect(resumedValues.filter((v) => handledBeforeClose.includes(v))).toEqual([]);
    // ...nothing is lost, and only the in-flight message may come again.
    expect(new Set([...handled, ...resumedValues]).size).toBe(total);
    const redelivered = resumedValues.filter((v) => handled.has(v));
    expect(redelivered.length).toBeLessThanOrEqual(handledDuringClose.length);
    expect(new Set(resumedValues).size).toBe(resumedValues.length);
  });

  it('a handler that throws makes run() reject with that error; its message is not committed', async () => {
    const topic = unique('t-fail');
    const groupId = unique('g-fail');
    await admin.createTopics([{ topic, partitions: 1 }]);
    const producer = await client.producer();
    try {
      await producer.send(topic, ['m0', 'm1', 'm2', 'm3', 'm4'].map((value) => ({ key: 'same', value })));
    } finally {
      await producer.close();
    }

    const boom = new Error('handler failed on m2');
    const seen: string[] = [];
    const first = await client.consumer({ groupId, topics: [topic], fromBeginning: true });
    const outcome = await within(
      first
        .run(async (message) => {
          seen.push(message.value!);
          if (message.value === 'm2') throw boom;
        })
        .then(() => 'resolved' as const, (error: unknown) => error),
      15_000,
      'run() settling after the handler threw',
    );
    // The failed consumer stays stopped (no restart, no re-delivery) until it is closed.
    await sleep(1_000);
    await first.close();
    expect(outcome).toBe(boom);
    // Stopped at the failing message: nothing after it was handed to the handler.
    expect(seen).toEqual(['m0', 'm1', 'm2']);

    const second = await client.consumer({ groupId, topics: [topic], fromBeginning: true });
    const again = await consumeUntil(second, (r) => r.length >= 3);
    expect(again.map((m) => m.value)).toEqual(['m2', 'm3', 'm4']);
  });

  it('describeCluster without a broker fails within its timeout', async () => {
    const started = Date.now();
    const down = await createKafkaClient(name, { brokers: ['127.0.0.1:1'], clientId: unique('down') });
    const attempt = (async () => {
      const downAdmin = await down.admin();
      try {
        return await downAdmin.describeCluster(2_000);
      } finally {
        await downAdmin.close().catch(() => {});
      }
    })();
    await expect(within(attempt, 4_000, 'describeCluster on a dead port')).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(3_500);
  });

  /*
   * Asserted: a send made while the broker is down either rejects or resolves only once a broker
   * runs again; nothing acknowledged is lost or duplicated; the producer and a running consumer
   * work again after the restart. Observed (docs/adr/0003-kafka-client.md), with the adapters'
   * retry budget (200 ms doubling, 5 retries, ~6 s): kafkajs resolves such a send after the
   * restart when its budget outlasts the outage and otherwise rejects it (ECONNREFUSED); both
   * happen in runs of this test (~5-8 s without a broker). The platformatic adapter serialises
   * sends: they wait behind the one retrying and resolve after the restart. Its consumer rejoins
   * on a new client per attempt (asserted from its log: no two failed attempts on one client).
   */
  it('broker stopped and started under a sending producer and a running consumer: nothing acknowledged is lost', async () => {
    const broker = await within(throwaway!, 90_000, 'throwaway broker start');
    const adapterWarnings: { obj: Record<string, unknown>; msg: string }[] = [];
    const tbOptions = { brokers: broker.brokers, clientId: unique(`restart-${name}`) };
    const tb = name === 'platformatic'
      ? createPlatformaticClient({ ...tbOptions, logger: { warn: (obj, msg) => void adapterWarnings.push({ obj: obj as Record<string, unknown>, msg }) } })
      : await createKafkaClient(name, tbOptions);
    const tbAdmin = await tb.admin();
    const topic = unique('t-restart');
    try {
      await tbAdmin.createTopics([{ topic, partitions: 3 }]);
    } finally {
      await tbAdmin.close();
    }

    // A consumer that stays in its group through the restart.
    const live = await tb.consumer({ groupId: unique('g-live'), topics: [topic], fromBeginning: true });
    const liveValues: string[] = [];
    let liveSettled: string | undefined;
    const liveRun = live.run(async (message) => void liveValues.push(message.value!));
    liveRun.then(
      () => (liveSettled = 'resolved'),
      (error: unknown) => (liveSettled = `rejected: ${String(error)}`),
    );

    const producer = await tb.producer();
    type Sent = { seq: number; at: number; settledAt?: number; ok?: boolean; error?: string };
    const sent: Sent[] = [];
    const pending: Promise<void>[] = [];
    let seq = 0;
    let sending = true;
    const loop = (async () => {
      while (sending) {
        const record: Sent = { seq: seq++, at: Date.now() };
        sent.push(record);
        pending.push(
          producer.send(topic, [{ key: `k${record.seq % 5}`, value: String(record.seq) }]).then(
            () => void Object.assign(record, { ok: true, settledAt: Date.now() }),
            (error: unknown) => void Object.assign(record, { ok: false, settledAt: Date.now(), error: String((error as Error)?.message ?? error) }),
          ),
        );
        await sleep(50);
      }
    })();

    await sleep(500);
    const stopAt = Date.now();
    await broker.stop();
    const stoppedAt = Date.now();
    await sleep(1_000);
    const startAt = Date.now();
    await broker.start();
    const readyAt = Date.now();
    await sleep(1_500);
    sending = false;
    await loop;
    await within(Promise.all(pending), 45_000, 'every send settling');
    await producer.close().catch(() => {});

    const acked = sent.filter((s) => s.ok).map((s) => String(s.seq));
    // Issued while no broker process existed (between the end of kafka_stop and kafka_start).
    const whileDown = sent.filter((s) => s.at >= stoppedAt && s.at < startAt);
    const afterReady = sent.filter((s) => s.at >= readyAt + 500);
    const summary = {
      adapter: name,
      sends: sent.length,
      acked: acked.length,
      rejected: sent.filter((s) => !s.ok).length,
      stopMs: stoppedAt - stopAt,
      startMs: readyAt - startAt,
      whileDown: whileDown.length,
      whileDownResolvedAfterRestart: whileDown.filter((s) => s.ok).length,
      whileDownRejected: whileDown.filter((s) => !s.ok).length,
      afterReady: afterReady.length,
      afterReadyAcked: afterReady.filter((s) => s.ok).length,
      errors: [...new Set(sent.filter((s) => !s.ok).map((s) => s.error))].slice(0, 3),
    };
    console.log(`[restart] ${JSON.stringify(summary)}`);

    // A send made while the broker was down never resolves before a broker is started again.
    for (const s of whileDown) if (s.ok) expect(s.settledAt!).toBeGreaterThanOrEqual(startAt);
    // The producer works again once the broker is back.
    expect(afterReady.length).toBeGreaterThan(0);
    expect(summary.afterReadyAcked).toBe(afterReady.length);

    // The live consumer got through the restart: run() still pending, every acknowledged message
    // handled (re-deliveries allowed: at least once).
    // kafkajs rejoins its group slowly after a broker restart on a loaded 2-core machine (21.6 s
    // measured once, against a 20 s budget): the contract is "eventually, at least once".
    const deadline = Date.now() + 60_000;
    while (acked.some((v) => !liveValues.includes(v)) && Date.now() < deadline && !liveSettled) await sleep(100);
    console.log(`[restart] ${name}: live consumer had every acknowledged message ${Date.now() - readyAt} ms after the broker was ready`);
    expect(liveSettled).toBeUndefined();
    expect(acked.filter((v) => !liveValues.includes(v))).toEqual([]);
    await live.close();
    await within(liveRun, 5_000, 'run() resolving after close');
    if (name === 'platformatic') {
      const failedRejoins = adapterWarnings.filter((w) => /could not rejoin/.test(w.msg));
      const closeWarnings = adapterWarnings.filter((w) => /did not close/.test(w.msg));
      console.log(`[restart] platformatic: ${failedRejoins.length} failed rejoin attempts on clients ${JSON.stringify(failedRejoins.map((w) => w.obj.client))}; close warnings ${JSON.stringify(closeWarnings)}`);
      const clientsTried = failedRejoins.map((w) => w.obj.client);
      expect(new Set(clientsTried).size).toBe(clientsTried.length);
    }

    // A fresh group reads the log: every acknowledged message once (no duplicates from retries).
    const reader = await tb.consumer({ groupId: unique('g-restart'), topics: [topic], fromBeginning: true });
    const wanted = new Set(acked);
    const received = await consumeUntil(reader, (r) => {
      for (const m of r.slice(-1)) wanted.delete(m.value!);
      return wanted.size === 0;
    }, 20_000);
    const receivedValues = received.map((m) => m.value!);
    expect(acked.filter((v) => !receivedValues.includes(v))).toEqual([]);
    expect(receivedValues.length).toBe(new Set(receivedValues).size);
  }, 180_000);
});

// Both clients must put a key on the same partition (Java's murmur2, positive by masking), or
// per-aggregate order breaks the moment two roles, or two relays of a rolling deploy, publish one
// aggregate's events with different clients.
describe('the two clients partition keys alike', () => {
  it('every key lands on the same partition whichever client sent it (kafkajs, platformatic)', async () => {
    const topic = unique('t-partitioner');
    const clients = await Promise.all((['kafkajs', 'platformatic'] as KafkaClientName[]).map((name) => createKafkaClient(name, { brokers: testEnv.kafkaBrokers, clientId: unique(`partitioner-${name}`) })));
    const admin = await clients[0]!.admin();
    await admin.createTopics([{ topic, partitions: 7 }]);
    await admin.close();
    // Aggregate ids as the platform writes them (uuids), and short keys whose murmur2 is negative.
    const keys = [...Array.from({ length: 40 }, () => randomUUID()), ...Array.from({ length: 40 }, (_, i) => `k${i}`)];
    for (const [index, client] of clients.entries()) {
      const producer = await client.producer();
      await producer.send(topic, keys.map((key) => ({ key, value: String(index) })));
      await producer.close();
    }
    const reader = await clients[0]!.consumer({ groupId: unique('g-partitioner'), topics: [topic], fromBeginning: true });
    const received = await consumeUntil(reader, (r) => r.length >= keys.length * 2, 20_000);
    const partitionOf = (sender: string) => new Map(received.filter((m) => m.value === sender).map((m) => [m.key, m.partition]));
    const [byKafkajs, byPlatformatic] = [partitionOf('0'), partitionOf('1')];
    expect(byKafkajs.size).toBe(keys.length);
    expect(keys.filter((key) => byKafkajs.get(key) !== byPlatformatic.get(key))).toEqual([]);
  });
});
