// Kafka client comparison: kafkajs vs @platformatic/kafka, both through the adapters of
// connectors/src/kafka (what the platform runs), against the shared broker on 127.0.0.1.
//
//   npx tsx deploy/bench/kafka-clients.bench.ts
//
// Prints a markdown table and writes docs/benchmarks/kafka-clients.md. Each adapter runs in a
// child process of its own, one after the other, so that RSS is the adapter's and the two do
// not compete for the 2 cores. Bounded: about 30 s per adapter; loopback traffic only.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKafkaClient, type KafkaClientName } from '@cpq/connectors/kafka/kafka.factory';
import type { KafkaClient, OutgoingMessage } from '@cpq/connectors/kafka/kafka.port';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const PORT = Number(process.env.KAFKA_PORT ?? 9092);
const BROKERS = [`127.0.0.1:${PORT}`]; // loopback only, whatever the environment says
const ADAPTERS: KafkaClientName[] = ['kafkajs', 'platformatic'];
const PRODUCE_SECONDS = 4;
const LATENCY_RATES = [100, 200]; // msg/s offered
const LATENCY_SECONDS = 10;
const CONSUME_COUNT = 600;
const JOIN_RUNS = 3;

type Figures = {
  adapter: KafkaClientName;
  version: string;
  produce1: number; // msg/s, sends of 1 message awaited one after the other
  produce100: number; // msg/s, sends of 100 messages awaited one after the other
  consume: number; // msg/s, one group member, offset committed after each message
  latency: { rate: number; p50: number; p99: number; max: number; count: number; expected: number }[];
  joinMs: number[];
  rssStartMb: number;
  rssPeakMb: number;
  rssEndMb: number;
};

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** A JSON value of ~1 KB (1024 ± a few bytes), with the send time for latency. */
function value1k(seq: number, sentAt = 0): string {
  const body = { seq, sentAt, type: 'bench.event', tenantId: 'bench', pad: '' };
  const base = JSON.stringify(body).length;
  body.pad = 'x'.repeat(Math.max(0, 1024 - base - 8));
  return JSON.stringify(body);
}

async function createTopic(client: KafkaClient, partitions = 3): Promise<string> {
  const topic = unique('bench-clients');
  const admin = await client.admin();
  try {
    await admin.createTopics([{ topic, partitions }]);
  } finally {
    await admin.close();
  }
  return topic;
}

async function produceThroughput(client: KafkaClient, batch: number, topic: string): Promise<number> {
  const producer = await client.producer();
  try {
    // warm-up: connection, metadata, producer id
    await producer.send(topic, [{ key: 'warm', value: value1k(-1) }]);
    let sent = 0;
    const started = performance.now();
    const until = started + PRODUCE_SECONDS * 1000;
    while (performance.now() < until) {
      const messages: OutgoingMessage[] = [];
      for (let i = 0; i < batch; i++, sent++) messages.push({ key: `k${sent % 64}`, value: value1k(sent) });
      await producer.send(topic, messages);
    }
    return sent / ((performance.now() - started) / 1000);
  } finally {
    await producer.close();
  }
}

/** Rate at which one consumer handles (and commits, one by one) messages already in the topic. */
async function consumeThroughput(client: KafkaClient, topic: string): Promise<number> {
  const consumer = await client.consumer({ groupId: unique('bench-consume'), topics: [topic], fromBeginning: true });
  let count = 0;
  let first = 0;
  let last = 0;
  const running = consumer.run(async () => {
    const now = performance.now();
    if (count === 0) first = now;
    if (count < CONSUME_COUNT) last = now;
    count++;
  });
  for (let i = 0; count < CONSUME_COUNT && i < 300; i++) await sleep(50);
  await consumer.close();
  await running.catch(() => {});
  return count >= CONSUME_COUNT ? (CONSUME_COUNT - 1) / ((last - first) / 1000) : NaN;
}

async function endToEndLatency(client: KafkaClient, rate: number): Promise<{ latencies: number[]; expected: number }> {
  const topic = await createTopic(client);
  const latencies: number[] = [];
  let warmed = false;
  const consumer = await client.consumer({ groupId: unique('bench-latency'), topics: [topic], fromBeginning: true });
  const running = consumer.run(async (message) => {
    const { seq, sentAt } = JSON.parse(message.value!) as { seq: number; sentAt: number };
    if (seq < 0) warmed = true;
    else latencies.push(performance.now() - sentAt);
  });
  running.catch((error: unknown) => console.error('latency consumer failed:', error));
  const producer = await client.producer();
  try {
    // The consumer has joined and fetches: a warm-up message went through.
    await producer.send(topic, [{ key: 'warm', value: value1k(-1, performance.now()) }]);
    for (let i = 0; !warmed && i < 300; i++) await sleep(50);
    if (!warmed) throw new Error('latency consumer did not receive the warm-up message within 15 s');

    const total = rate * LATENCY_SECONDS;
    const interval = 1000 / rate;
    const pending: Promise<void>[] = [];
    const started = performance.now();
    for (let seq = 0; seq < total; seq++) {
      const due = started + seq * interval;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      // Not awaited: a steady offered rate; latency runs from the send() call to the handler.
      pending.push(producer.send(topic, [{ key: `k${seq % 64}`, value: value1k(seq, performance.now()) }]));
    }
    await Promise.all(pending);
    for (let i = 0; latencies.length < total && i < 100; i++) await sleep(50);
    return { latencies, expected: total };
  } finally {
    await producer.close();
    await consumer.close();
    await running.catch(() => {});
  }
}

/** From creating the consumer (subscribe, group join) to its first message, the topic holding one. */
async function joinTime(client: KafkaClient): Promise<number> {
  const topic = await createTopic(client);
  const producer = await client.producer();
  await producer.send(topic, [{ key: 'k', value: value1k(0) }]);
  await producer.close();
  const started = performance.now();
  const consumer = await client.consumer({ groupId: unique('bench-join'), topics: [topic], fromBeginning: true });
  let first = 0;
  const running = consumer.run(async () => {
    first ||= performance.now();
  });
  for (let i = 0; !first && i < 600; i++) await sleep(5);
  await consumer.close();
  await running.catch(() => {});
  if (!first) throw new Error('no message within 3 s of joining');
  return first - started;
}

async function child(adapter: KafkaClientName): Promise<Figures> {
  const rssStart = process.memoryUsage().rss;
  let rssPeak = rssStart;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 100);
  const client = await createKafkaClient(adapter, { brokers: BROKERS, clientId: `bench-${adapter}` });
  const pkg = adapter === 'kafkajs' ? 'kafkajs' : '@platformatic/kafka';
  const version = (JSON.parse(readFileSync(join(repoRoot, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;

  const topic1 = await createTopic(client);
  const produce1 = await produceThroughput(client, 1, topic1);
  const produce100 = await produceThroughput(client, 100, await createTopic(client));
  const consume = await consumeThroughput(client, topic1);
  const latency: Figures['latency'] = [];
  for (const rate of LATENCY_RATES) {
    const { latencies, expected } = await endToEndLatency(client, rate);
    const sorted = [...latencies].sort((a, b) => a - b);
    latency.push({ rate, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN, count: latencies.length, expected });
  }
  const joinMs: number[] = [];
  for (let i = 0; i < JOIN_RUNS; i++) joinMs.push(await joinTime(client));
  clearInterval(sampler);
  return {
    adapter,
    version,
    produce1,
    produce100,
    consume,
    latency,
    joinMs,
    rssStartMb: mb(rssStart),
    rssPeakMb: mb(Math.max(rssPeak, process.memoryUsage().rss)),
    rssEndMb: mb(process.memoryUsage().rss),
  };
}

function runChild(adapter: KafkaClientName): Promise<Figures> {
  return new Promise((resolveChild, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', adapter], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 75_000);
    proc.on('close', (code) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code === 0 && line) resolveChild(JSON.parse(line.slice('RESULT '.length)) as Figures);
      else reject(new Error(`${adapter} benchmark failed (exit ${code})\n${out}`));
    });
  });
}

function machine(): string[] {
  const mem = `${(totalmem() / 2 ** 30).toFixed(1)} GiB`;
  let nproc = String(cpus().length);
  try {
    nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
  } catch {
    // os.cpus() count
  }
  const jar = readdirSync(join(process.env.CPQ_CACHE ?? join(repoRoot, '.cache'), 'kafka', 'libs')).find((f) => /^kafka_2\.13-.*\.jar$/.test(f));
  const broker = jar ? `Apache Kafka ${jar.replace(/^kafka_2\.13-|\.jar$/g, '')}` : 'Apache Kafka (version unknown)';
  return [
    `- CPU: \`nproc\` = ${nproc} (${cpus()[0]?.model ?? 'unknown'})`,
    `- Memory: ${mem}`,
    `- Node ${process.version}`,
    `- Broker: ${broker}, one KRaft node (broker + controller), 127.0.0.1:${PORT}, shared with whatever else runs on the machine`,
  ];
}

async function main(): Promise<void> {
  const started = Date.now();
  const results: Figures[] = [];
  for (const adapter of ADAPTERS) {
    console.error(`benchmarking ${adapter} ...`);
    results.push(await runChild(adapter));
  }
  const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
  const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  const col = (r: Figures) => (r.adapter === 'kafkajs' ? `kafkajs ${r.version}` : `@platformatic/kafka ${r.version}`);
  const row = (label: string, cell: (r: Figures) => string) => `| ${label} | ${results.map(cell).join(' | ')} |`;
  const table = [
    `| measure | ${results.map(col).join(' | ')} |`,
    `|---|${results.map(() => '---:').join('|')}|`,
    row('produce, batches of 1, awaited one by one (msg/s)', (r) => f0(r.produce1)),
    row('produce, batches of 100, awaited one by one (msg/s)', (r) => f0(r.produce100)),
    row(`consume, 1 member, commit after each message (msg/s, ${CONSUME_COUNT} messages)`, (r) => f0(r.consume)),
    ...LATENCY_RATES.flatMap((rate) => {
      const at = (r: Figures) => r.latency.find((l) => l.rate === rate)!;
      return [
        row(`end-to-end latency at ${rate} msg/s: p50 / p99 / max (ms)`, (r) => `${f1(at(r).p50)} / ${f1(at(r).p99)} / ${f1(at(r).max)}`),
        row(`messages received / sent at ${rate} msg/s`, (r) => `${at(r).count} / ${at(r).expected}`),
      ];
    }),
    row(`group join: consumer() to first message, median of ${JOIN_RUNS} (ms)`, (r) => `${f0(median(r.joinMs))} (${r.joinMs.map(f0).join(', ')})`),
    row('RSS at start / peak / end (MB)', (r) => `${r.rssStartMb} / ${r.rssPeakMb} / ${r.rssEndMb}`),
  ].join('\n');
  console.log(`\n${table}\n`);

  const doc = [
    '# Kafka clients: kafkajs vs @platformatic/kafka',
    '',
    `Produced by \`npx tsx deploy/bench/kafka-clients.bench.ts\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    `(${Math.round((Date.now() - started) / 1000)} s). Decision: [ADR 0003](../adr/0003-kafka-client.md).`,
    '',
    '## Machine',
    '',
    ...machine(),
    '',
    '## Figures',
    '',
    table,
    '',
    '## Method',
    '',
    '- Both clients go through the platform\'s adapters (`connectors/src/kafka/*.adapter.ts`): idempotent producer, acks=all,',
    '  one message handled at a time and its offset committed after the handler (as the relay and the consumers run them).',
    '  The platformatic adapter serialises `send()` calls (a workaround, see the ADR); so does kafkajs\'s single in-flight request.',
    '- Each client runs in a child process of its own, one after the other; RSS is that process\'s (Node + tsx + the client),',
    '  sampled every 100 ms.',
    `- Produce: 1 KB JSON values, 64 keys, topic of 3 partitions; \`send()\` awaited before the next one, for ${PRODUCE_SECONDS} s after a warm-up.`,
    `- Consume: one group member reads ${CONSUME_COUNT} messages already in the topic; the adapters commit each offset before the next`,
    '  message, so this is bounded by the OffsetCommit round trip (Kafka 4.1\'s group coordinator lingers',
    '  `group.coordinator.append.linger.ms` = 5 ms, its default, before writing a commit).',
    `- Latency: a consumer group (already joined) reads a fresh topic while ${LATENCY_RATES.join(' and ')} msg/s are offered for ${LATENCY_SECONDS} s each`,
    '  (sends not awaited); latency = handler start - `send()` call, same process clock. An offered rate above the consume rate',
    '  queues, and the latency is then mostly that queue.',
    '- Join: a fresh group on a topic holding one message; from `client.consumer()` (connect, subscribe/join) to the handler.',
    '- One run on a shared 2-core machine with the JVMs on it: read ratios, not absolutes.',
    '',
  ].join('\n');
  const file = join(repoRoot, 'docs/benchmarks/kafka-clients.md');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, doc);
  console.error(`wrote ${file}`);
}

const childIndex = process.argv.indexOf('--child');
if (childIndex >= 0) {
  const adapter = process.argv[childIndex + 1] as KafkaClientName;
  child(adapter).then(
    (figures) => {
      process.stdout.write(`RESULT ${JSON.stringify(figures)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
} else {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
