// Outbox lag (commit -> consumer) at a steady write rate, and the backlog drain rate, against
// the real PostgreSQL and Kafka. The relay is the production bundle (its own process, as the
// platform runs it) with its default settings (relay.config.ts: batch 500, idle poll up to 50 ms,
// claims at least 25 ms apart while events flow, at once after a full batch); this process writes the events and measures with its own consumer.
// Bounded: about a minute per Kafka client, loopback traffic only. Figures, not assertions.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
// The idle request-queue guard the platform's kafkajs clients run with (ADR 0010 addendum): the measuring consumer must not burn a timer loop.
import '@cpq/connectors/kafka/kafkajs-request-queue.patch';
import { createKafkaClient, type KafkaClientName } from '@cpq/connectors/kafka/kafka.factory';
import { BENCH_DIST, buildForBench } from './bench-build';
import { loadRelayConfig } from '@cpq/connectors/outbox-relay/relay.config';
import { outboxInsert, type NewEvent } from '@cpq/engine/modules/outbox';
import { createPrismaClient, poolOf } from '@cpq/prisma';
import { createTestDatabase, prepareTemplate } from '@cpq/prisma/test-database';
import { percentile } from './machine';

const POSTGRES = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

export type OutboxFigures = {
  client: string; rate: number; achievedRate: number; seconds: number; events: number; batchSize: number; pollMs: number; busyPollMs: number;
  lagP50: number; lagP99: number; lagMax: number;
  /** The lag's shape: p90, p95, p99.9 (ms). */
  lagP90: number; lagP95: number; lagP999: number;
  /**
   * The lag split at the message's timestamp (set by the relay's producer when it builds the
   * batch): pickup = commit -> the relay has claimed and encodes it (poll, claim, previous round);
   * delivery = timestamp -> consumer (broker append, acks, fetch). p50 / p99 of each (ms).
   */
  pickupP50: number; pickupP99: number; deliveryP50: number; deliveryP99: number;
  backlog: number; drainSeconds: number; drainRate: number; consumerDrainSeconds: number;
  /** The relay process's CPU milliseconds per 1,000 events drained. */
  relayCpuPerThousand: number;
  /** The relay process's CPU milliseconds per 1,000 events in the steady phase (small batches: more rounds per event). */
  steadyCpuPerThousand: number;
};

export type OutboxOptions = { rate: number; seconds: number; backlog: number };

export const outboxDefaults = (): OutboxOptions => ({
  rate: Number(process.env.BENCH_OUTBOX_RATE ?? 1_000),
  seconds: Number(process.env.BENCH_OUTBOX_SECONDS ?? 10),
  backlog: Number(process.env.BENCH_OUTBOX_BACKLOG ?? 50_000),
});

/**
 * The relay role as the platform runs it: `connectors/<dist>/relay.js`, NODE_ENV=production, its
 * defaults. start() resolves once it serves /metrics (its loop runs by then); stop() is SIGTERM.
 */
function relayProcess(databaseUrl: string, client: KafkaClientName) {
  let child: ChildProcess | undefined;
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  return {
    async start() {
      // BENCH_PROFILE=<dir>: a V8 CPU profile of the relay (see docs/benchmarks.md).
      const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] : [];
      // BENCH_RELAY_JS=<file>: another relay bundle (an A/B run of two relays on the same machine state).
      // RELAY_* settings of this process are passed on (e.g. RELAY_POLL_INTERVAL_MS).
      const relaySettings = Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('RELAY_') && name !== 'RELAY_METRICS_PORT'));
      child = spawn(process.execPath, [...profile, process.env.BENCH_RELAY_JS ?? `connectors/${BENCH_DIST}/relay.js`], {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: {
          PATH: process.env.PATH ?? '', NODE_ENV: 'production', LOG_LEVEL: 'warn', DATABASE_URL: databaseUrl, KAFKA_BROKERS: BROKERS.join(','),
          ...relaySettings, KAFKA_CLIENT: client, RELAY_METRICS_PORT: String(port), METRICS_TOKEN: randomBytes(16).toString('hex'), METRICS_CONSUMER_GROUPS: '',
        },
      });
      for (let i = 0; i < 200; i += 1) {
        if (child.exitCode !== null) throw new Error(`the relay exited with ${child.exitCode}`);
        if (await fetch(`http://127.0.0.1:${port}/metrics`).then(() => true, () => false)) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error('the relay did not start');
    },
    /** CPU seconds the running relay has used so far (/proc, Linux, 100 Hz ticks). */
    cpuSeconds(): number {
      try {
        const fields = readFileSync(`/proc/${child?.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        return (Number(fields[11]) + Number(fields[12])) / 100;
      } catch {
        return NaN;
      }
    },
    async stop() {
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

export async function benchOutbox(clientName: KafkaClientName, options: OutboxOptions = outboxDefaults()): Promise<OutboxFigures> {
  const settings = loadRelayConfig({});
  await buildForBench();
  await prepareTemplate(POSTGRES);
  const db = await createTestDatabase(POSTGRES, 'bench_outbox');
  // The writers' pool (like the engine's) and the relay's (4, as its role has).
  // Wait as long as it takes for a connection: in an open model the writes queue when PostgreSQL lags.
  const writers = createPrismaClient(db.url, { max: 8, connectionWaitMs: 0 });
  const kafka = await createKafkaClient(clientName, { brokers: BROKERS, clientId: 'bench-outbox' });
  const topic = `bench-outbox-${randomUUID().slice(0, 8)}`;
  const admin = await kafka.admin();
  await admin.createTopics([{ topic, partitions: 6 }]);
  await admin.close();

  // The measuring consumer: kafkajs batches, no per-message commit, so that what is measured is
  // the relay's delivery and not a consumer's bookkeeping (the platform's consumers commit each
  // message after its transaction: their own rate is theirs).
  const committedAt = new Map<string, number>();
  const committedWallAt = new Map<string, number>();
  const lags: number[] = [];
  const pickups: number[] = [];
  const deliveries: number[] = [];
  let received = 0;
  const measuring = new Kafka({ clientId: 'bench-outbox-consumer', brokers: BROKERS, logLevel: logLevel.NOTHING });
  const consumer = measuring.consumer({ groupId: `${topic}-g`, maxWaitTimeInMs: 5 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatchAutoResolve: true,
    eachBatch: async ({ batch }) => {
      const now = performance.now();
      const wallNow = Date.now();
      for (const message of batch.messages) {
        received += 1;
        const id = message.headers?.['event-id']?.toString();
        const at = id ? committedAt.get(id) : undefined;
        if (at !== undefined) lags.push(now - at);
        const wallAt = id ? committedWallAt.get(id) : undefined;
        if (wallAt !== undefined) {
          pickups.push(Number(message.timestamp) - wallAt);
          deliveries.push(wallNow - Number(message.timestamp));
        }
      }
    },
  });

  const relay = relayProcess(db.url, clientName);
  // Not a contract event (its own topic, a padded payload of a fixed size): typed as one on purpose.
  const event = (aggregateId: string, version: number) => ({
    eventType: 'BenchEvent', tenantId: 'bench', aggregateType: 'BENCH', aggregateId, aggregateVersion: version,
    correlationId: 'bench', causationId: 'bench-run', actor: { type: 'SYSTEM', id: 'bench' } as const, payload: { n: version, pad: 'x'.repeat(400) }, topic,
  }) as unknown as NewEvent;
  const pool = poolOf(writers);
  /** One event in its own transaction (one statement: PostgreSQL's implicit transaction), as a command writes it. */
  const write = async (aggregateId: string, version: number) => {
    const { envelope, sql } = outboxInsert(event(aggregateId, version));
    await pool.query(sql.text, sql.values as unknown[]);
    return envelope.eventId;
  };

  const phase = (name: string) => console.log(`${new Date().toISOString()} ${name}`);
  // Warm up: the consumer joins its group and the relay's first batch goes out.
  await relay.start();
  await write('warmup', 1);
  while (received < 1) await new Promise((r) => setTimeout(r, 50));

  phase('steady');
  // Steady phase: `rate` single-event transactions per second, open loop (a slow commit does not
  // delay the next one), 200 aggregates.
  const total = options.rate * options.seconds;
  const steadyCpu = relay.cpuSeconds();
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / options.rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(write(`agg-${i % 200}`, i).then((id) => {
      committedAt.set(id, performance.now());
      committedWallAt.set(id, Date.now());
    }));
  }
  await Promise.all(inFlight);
  const achievedRate = total / ((performance.now() - started) / 1000);
  while (lags.length < total && performance.now() - started < (options.seconds + 30) * 1000) await new Promise((r) => setTimeout(r, 50));
  const steadyCpuPerThousand = ((relay.cpuSeconds() - steadyCpu) * 1000 * 1000) / total;
  await relay.stop();

  phase('backlog');
  // Backlog phase: `backlog` events committed while the relay was stopped (one INSERT of copies
  // of one envelope, new ids, 1,000 aggregates in commit order), then the relay starts.
  const before = received;
  const { sql: template } = outboxInsert(event('template', 0));
  await pool.query(template.text, template.values as unknown[]);
  await pool.query(
    `INSERT INTO outbox_event (event_id, event_type, event_version, tenant_id, aggregate_type, aggregate_id, aggregate_version,
                               occurred_at, correlation_id, causation_id, actor, payload, topic)
     SELECT gen_random_uuid(), t.event_type, t.event_version, t.tenant_id, t.aggregate_type, 'agg-' || (n % 1000), n,
            now(), t.correlation_id, t.causation_id, t.actor, t.payload, t.topic
       FROM outbox_event t, generate_series(1, $1::int) AS n
      WHERE t.aggregate_id = 'template'
      ORDER BY n`, [options.backlog]);
  await pool.query(`UPDATE outbox_event SET published_at = now() WHERE aggregate_id = 'template'`);
  await relay.start();
  const drainCpu = relay.cpuSeconds();
  const drainStart = performance.now();
  let drainSeconds = NaN;
  while (performance.now() - drainStart < 180_000) {
    const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM outbox_event WHERE published_at IS NULL');
    if (Number(rows[0]!.n) === 0) {
      drainSeconds = (performance.now() - drainStart) / 1000;
      break;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  const relayCpuPerThousand = ((relay.cpuSeconds() - drainCpu) * 1000 * 1000) / options.backlog;
  while (received - before < options.backlog && performance.now() - drainStart < 180_000) await new Promise((r) => setTimeout(r, 10));
  const consumerDrainSeconds = (performance.now() - drainStart) / 1000;
  await relay.stop();

  phase('done');
  await consumer.disconnect();
  // Dropping the database ends any connection the client still holds: not an error here.
  poolOf(writers).on('error', () => {});
  await writers.$disconnect();
  await db.drop();

  const sorted = [...lags].sort((a, b) => a - b);
  const sortedPickups = [...pickups].sort((a, b) => a - b);
  const sortedDeliveries = [...deliveries].sort((a, b) => a - b);
  return {
    client: clientName, rate: options.rate, achievedRate, seconds: options.seconds, events: lags.length,
    batchSize: settings.batchSize, pollMs: settings.pollIntervalMs, busyPollMs: Math.min(settings.busyPollIntervalMs, settings.pollIntervalMs),
    lagP50: percentile(sorted, 50), lagP99: percentile(sorted, 99), lagMax: sorted[sorted.length - 1] ?? NaN,
    lagP90: percentile(sorted, 90), lagP95: percentile(sorted, 95), lagP999: percentile(sorted, 99.9),
    pickupP50: percentile(sortedPickups, 50), pickupP99: percentile(sortedPickups, 99),
    deliveryP50: percentile(sortedDeliveries, 50), deliveryP99: percentile(sortedDeliveries, 99),
    backlog: options.backlog, drainSeconds, drainRate: options.backlog / drainSeconds, consumerDrainSeconds, relayCpuPerThousand, steadyCpuPerThousand,
  };
}

if (process.argv[1]?.endsWith('outbox.bench.ts')) {
  const client = (process.argv[2] ?? 'kafkajs') as KafkaClientName;
  console.log(await benchOutbox(client));
  process.exit(0);
}
