// Open-model soak of the quote journey (issue 12, item 6): journeys arrive at a fixed rate
// whatever the answers' speed (not a closed loop), for `--minutes` (30 in `npm run bench`;
// `npx tsx deploy/bench/soak.bench.ts --minutes 2` to try it), against the production bundles:
// the engine (clustered as the platform runs it) and the relay, on a cloned database. The relay
// publishes to this run's own topics (RELAY_TOPIC_PREFIX): the platform's consumers never see
// them; this process consumes them as a consumer group, so its lag is real consumer lag.
// Every 10 s it records the memory (RSS) of each role, the outbox backlog and the age of its
// oldest event, the publish lag (commit -> consumed) and the consumer group's lag in messages.
// A journey: create a quote, add a line, price, submit (within authority: approved at once),
// generate the document, accept for the customer. Figures, not assertions.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Kafka, logLevel } from 'kafkajs';
// The idle request-queue guard the platform's kafkajs clients run with (ADR 0010 addendum): the measuring consumer must not burn a timer loop.
import '@cpq/connectors/kafka/kafkajs-request-queue.patch';
import { PLATFORM_TOPICS } from '@cpq/contracts/topics';
import { issueToken } from '@cpq/engine/http/auth';
import { sampleCatalog } from '@cpq/metadata/samples';
import { createTestDatabase, prepareTemplate } from '@cpq/prisma/test-database';
import pg from 'pg';
import { BENCH_DIST } from './bench-build';
import { benchEngineWorkers, startEngine } from './commands.bench';
import { describeMachine, percentile, treeRssMiB } from './machine';
import { httpCaller, type Call } from './http-caller';

const POSTGRES = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

const caller = httpCaller({ maxSockets: 256, keyPrefix: 's' });

export type SoakSample = {
  minute: number; journeysStarted: number; journeysDone: number; failed: number; journeyP50: number; journeyP99: number;
  engineRssMiB: number; relayRssMiB: number; loadGeneratorRssMiB: number;
  outboxBacklog: number; oldestUnpublishedSeconds: number; publishLagP99Ms: number; consumerLagMessages: number; load: number;
};

function relayProcess(databaseUrl: string, topicPrefix: string): { child: ChildProcess; stop(): Promise<void> } {
  const child = spawn(process.execPath, [`connectors/${BENCH_DIST}/relay.js`], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      PATH: process.env.PATH ?? '', NODE_ENV: 'production', LOG_LEVEL: 'warn', DATABASE_URL: databaseUrl, KAFKA_BROKERS: BROKERS.join(','),
      RELAY_TOPIC_PREFIX: topicPrefix, RELAY_METRICS_PORT: 'off', METRICS_TOKEN: randomBytes(16).toString('hex'),
    },
  });
  return {
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

export async function benchSoak(options = {
  minutes: Number(process.env.BENCH_SOAK_MINUTES ?? 30),
  rate: Number(process.env.BENCH_SOAK_RATE ?? 5),
  sampleSeconds: 10,
}): Promise<{ samples: SoakSample[]; markdown: string }> {
  await prepareTemplate(POSTGRES);
  const db = await createTestDatabase(POSTGRES, 'bench_soak');
  const workers = benchEngineWorkers();
  const engine = await startEngine(db.url, workers);
  const topicPrefix = `soak.${randomBytes(4).toString('hex')}.`;
  const kafka = new Kafka({ clientId: 'bench-soak', brokers: BROKERS, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topics = PLATFORM_TOPICS.filter((t) => !t.topic.endsWith('.dlq')).map((t) => `${topicPrefix}${t.topic}`);
  await admin.createTopics({ waitForLeaders: true, topics: topics.map((topic) => ({ topic, numPartitions: 3, replicationFactor: 1 })) });
  const relay = relayProcess(db.url, topicPrefix);
  const sql = new pg.Pool({ connectionString: db.url, max: 2 });

  // The consumer group whose lag is measured: commits after each batch, like a platform consumer.
  const group = `${topicPrefix}consumer`;
  const consumer = kafka.consumer({ groupId: group, maxWaitTimeInMs: 50 });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  let publishLags: number[] = [];
  await consumer.run({
    eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary }) => {
      const now = Date.now();
      for (const message of batch.messages) {
        try {
          publishLags.push(now - Date.parse((JSON.parse(message.value?.toString() ?? '{}') as { occurredAt: string }).occurredAt));
        } catch {
          // not an envelope: not ours to measure
        }
        resolveOffset(message.offset);
      }
      await commitOffsetsIfNecessary();
    },
  });

  const samples: SoakSample[] = [];
  let failures: string;
  try {
    const tenant = `soak-${Date.now().toString(36)}`;
    await sql.query('INSERT INTO tenant (id, name) VALUES ($1, $1)', [tenant]);
    const auth = { secret: engine.secret, issuer: 'cpq-local', audience: 'cpq-engine' };
    const author = caller(engine.url, await issueToken(auth, { userId: 'soak-author', tenantId: tenant, roles: ['admin'] }));
    const reviewer = caller(engine.url, await issueToken(auth, { userId: 'soak-reviewer', tenantId: tenant, roles: ['admin'] }));
    for (const item of sampleCatalog()) await author('POST', '/metadata/drafts', item);
    const candidate = (await author('POST', '/metadata/release-candidates', { title: 'soak' })).body;
    await author('POST', `/metadata/release-candidates/${String(candidate.candidateId)}/commands/request-review`);
    await reviewer('POST', `/metadata/release-candidates/${String(candidate.candidateId)}/commands/approve`);
    const published = await reviewer('POST', `/metadata/release-candidates/${String(candidate.candidateId)}/commands/publish`);
    if (published.status >= 300) throw new Error(`publish failed: ${JSON.stringify(published.body)}`);
    // 20 reps of one team, the journeys spread over them (the per-user rate limit is per rep).
    const reps = await Promise.all(Array.from({ length: 20 }, async (_, i) =>
      caller(engine.url, await issueToken(auth, { userId: `soak-rep-${i}`, tenantId: tenant, roles: ['rep'], team: 'north' }))));

    let started = 0;
    let done = 0;
    let failed = 0;
    const reasons = new Map<string, number>();
    let journeyTimes: number[] = [];
    const journey = async (rep: Call) => {
      const t0 = performance.now();
      const ok = async (r: Promise<{ status: number; body: Record<string, unknown> }>, step: string) => {
        const res = await r;
        if (res.status >= 300) throw new Error(`${step} ${res.status} ${String(res.body.code ?? '')}`.trim());
        return res.body;
      };
      try {
        const { quoteId } = await ok(rep('POST', '/quotes', { accountId: 'acct-1', customerName: 'Soak GmbH', currency: 'EUR', termMonths: 24 }), 'create');
        await ok(rep('POST', `/quotes/${String(quoteId)}/lines`, { offering: 'business-internet', quantity: 1, selections: { access: 'fiber', bandwidth: 500, slaTier: 'standard' } }), 'line');
        await ok(rep('POST', `/quotes/${String(quoteId)}/commands/price`), 'price');
        await ok(rep('POST', `/quotes/${String(quoteId)}/commands/submit-for-approval`), 'submit');
        const { documentId } = await ok(rep('POST', `/quotes/${String(quoteId)}/commands/generate-document`), 'document');
        await ok(rep('POST', `/quotes/${String(quoteId)}/commands/accept`, { documentId, onBehalfOf: { evidence: 'soak', channel: 'email' } }), 'accept');
        done += 1;
        journeyTimes.push(performance.now() - t0);
      } catch (error) {
        failed += 1;
        // The step and the answer: e.g. "503 busy" (pool wait exceeded), "409 concurrent-update".
        const reason = (error as Error).message;
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      }
    };

    const t0 = performance.now();
    const end = t0 + options.minutes * 60_000;
    const running = new Set<Promise<void>>();
    let nextSample = t0 + options.sampleSeconds * 1000;
    const sample = async () => {
      const { rows } = await sql.query<{ backlog: string; oldest: number | null }>(
        `SELECT count(*) AS backlog, extract(epoch FROM now() - min(occurred_at))::float8 AS oldest FROM outbox_event WHERE published_at IS NULL`);
      const [ends, committed] = await Promise.all([
        Promise.all(topics.map((topic) => admin.fetchTopicOffsets(topic))),
        admin.fetchOffsets({ groupId: group, topics }),
      ]);
      const endOf = new Map(ends.flatMap((parts, i) => parts.map((p) => [`${topics[i]}:${p.partition}`, Number(p.high)])));
      let lag = 0;
      for (const t of committed) for (const p of t.partitions) lag += Math.max(0, (endOf.get(`${t.topic}:${p.partition}`) ?? 0) - Math.max(0, Number(p.offset)));
      const sortedJourneys = journeyTimes.sort((a, b) => a - b);
      const sortedLags = publishLags.sort((a, b) => a - b);
      samples.push({
        minute: (performance.now() - t0) / 60_000, journeysStarted: started, journeysDone: done, failed,
        journeyP50: percentile(sortedJourneys, 50), journeyP99: percentile(sortedJourneys, 99),
        engineRssMiB: treeRssMiB(engine.child.pid), relayRssMiB: treeRssMiB(relay.child.pid), loadGeneratorRssMiB: process.memoryUsage().rss / 2 ** 20,
        outboxBacklog: Number(rows[0]!.backlog), oldestUnpublishedSeconds: rows[0]!.oldest ?? 0,
        publishLagP99Ms: percentile(sortedLags, 99), consumerLagMessages: lag, load: loadavg()[0]!,
      });
      journeyTimes = [];
      publishLags = [];
      const s = samples.at(-1)!;
      console.log(`${s.minute.toFixed(1)} min: ${s.journeysDone}/${s.journeysStarted} journeys (${s.failed} failed), engine ${s.engineRssMiB.toFixed(0)} MiB, relay ${s.relayRssMiB.toFixed(0)} MiB, backlog ${s.outboxBacklog}, publish lag p99 ${s.publishLagP99Ms.toFixed(0)} ms, consumer lag ${s.consumerLagMessages}`);
    };
    // Arrivals at a fixed rate (open model): journey i starts at t0 + i / rate, whatever the others do.
    for (let i = 0; performance.now() < end; i += 1) {
      const due = t0 + (i * 1000) / options.rate;
      if (due > end) break;
      while (performance.now() < due) {
        if (performance.now() >= nextSample) {
          nextSample += options.sampleSeconds * 1000;
          await sample();
        }
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(due, nextSample) - performance.now())));
      }
      started += 1;
      const p = journey(reps[i % reps.length]!).finally(() => running.delete(p));
      running.add(p);
    }
    await Promise.all(running);
    await sample();
    failures = [...reasons].map(([reason, n]) => `${reason}: ${n}`).join(', ');
  } finally {
    await consumer.disconnect().catch(() => {});
    await admin.deleteTopics({ topics }).catch(() => {});
    await admin.disconnect().catch(() => {});
    await relay.stop();
    await sql.end();
    caller.destroy();
    await engine.stop();
    await db.drop();
  }

  const first = samples[0]!;
  const last = samples.at(-1)!;
  const mid = samples[Math.floor(samples.length / 2)]!;
  const f0 = (n: number) => n.toFixed(0);
  const every = Math.max(1, Math.round(samples.length / 12));
  const markdown = [
    '## Soak: the quote journey at a fixed arrival rate (issue 12)',
    '',
    `Machine: ${describeMachine()}; load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' / ')} (a shared machine: other sessions' work runs beside it).`,
    '',
    `Open model: ${options.rate} journeys/s arrive for ${options.minutes} min whatever the answers' speed (create, line, price, submit within`,
    'authority, document, accept: six commands, each writing its events). Engine and relay: production bundles on a cloned database,',
    `${workers} engine process${workers > 1 ? 'es' : ''}; the relay publishes to this run's own topics, read by a consumer group in the load generator.`,
    'Sampled every 10 s; RSS of each role (the engine: primary and workers together). Reproduce: `npx tsx deploy/bench/soak.bench.ts --minutes 2`',
    '(`npm run bench soak` runs 30 minutes; BENCH_SOAK_RATE sets the rate).',
    '',
    '| minute | journeys done / started | failed | journey p50 (ms) | journey p99 (ms) | engine RSS (MiB) | relay RSS (MiB) | outbox backlog | oldest unpublished (s) | publish lag p99 (ms) | consumer lag (messages) | load |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...samples.filter((_, i) => i % every === 0 || i === samples.length - 1).map((s) =>
      `| ${s.minute.toFixed(1)} | ${s.journeysDone} / ${s.journeysStarted} | ${s.failed} | ${f0(s.journeyP50)} | ${f0(s.journeyP99)} | ${f0(s.engineRssMiB)} | ${f0(s.relayRssMiB)} | ${s.outboxBacklog} | ${s.oldestUnpublishedSeconds.toFixed(1)} | ${f0(s.publishLagP99Ms)} | ${s.consumerLagMessages} | ${s.load.toFixed(1)} |`),
    '',
    `Failed journeys by the answer that ended them: ${failures || 'none'}.`,
    `Memory from the first sample to the middle and the end: engine ${f0(first.engineRssMiB)} -> ${f0(mid.engineRssMiB)} -> ${f0(last.engineRssMiB)} MiB, relay ${f0(first.relayRssMiB)} -> ${f0(mid.relayRssMiB)} -> ${f0(last.relayRssMiB)} MiB.`,
    '',
  ].join('\n');
  return { samples, markdown };
}

if (process.argv[1]?.endsWith('soak.bench.ts')) {
  const at = process.argv.indexOf('--minutes');
  const minutes = at >= 0 ? Number(process.argv[at + 1]) : Number(process.env.BENCH_SOAK_MINUTES ?? 30);
  if (!Number.isFinite(minutes) || minutes <= 0) throw new Error('--minutes must be a positive number');
  const { markdown, samples } = await benchSoak({ minutes, rate: Number(process.env.BENCH_SOAK_RATE ?? 5), sampleSeconds: 10 });
  console.log(markdown);
  if (process.env.BENCH_SOAK_JSON) writeFileSync(process.env.BENCH_SOAK_JSON, JSON.stringify(samples, null, 2));
  process.exit(0);
}
