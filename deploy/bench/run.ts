// `npm run bench`: every benchmark of the platform against the real services, written to
// docs/benchmarks.md with the machine's description. Figures, not assertions.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { describeMachine } from './machine';
import { benchOutbox } from './outbox.bench';

const only = process.argv[2];
const sections: string[] = [];
const f = (n: number, digits = 1) => n.toFixed(digits);

if (!only || only === 'outbox') {
  const rows = [];
  for (const client of ['kafkajs', 'platformatic'] as const) {
    console.log(`outbox benchmark with ${client} ...`);
    rows.push(await benchOutbox(client));
  }
  const load = loadavg().map((l) => l.toFixed(1)).join(' / ');
  sections.push(
    [
      '## Outbox: commit-to-consumer lag and backlog drain',
      '',
      `Machine: ${describeMachine()}; load average at the end ${load} (the machine is shared: other sessions' work runs beside it).`,
      '',
      'The relay is the production bundle in its own process with its defaults (batch 500, idle poll up to 50 ms, claims at least 25 ms apart',
      'while events flow and at once after a full batch, the next round claimed while one is with the broker; one produce request per batch,',
      'ADR 0004 and its addendum). Steady phase: single-event transactions at a fixed rate (open loop, 200 aggregates); lag is measured',
      'from the commit returning to a consumer (kafkajs, batches) receiving the event. Backlog phase: the relay is stopped while the events',
      'are committed (1,000 aggregates), then started; drain rate = events / seconds until none is unpublished (every one acknowledged by',
      'the broker, acks=all, and marked). Relay CPU: what the relay process used per 1,000 events drained (its capacity per core).',
      'Targets (issue 12): lag p99 <= 100 ms at 1,000 events/s; drain >= 10,000 events/s.',
      '',
      '| Kafka client | write rate (events/s) | achieved | events | lag p50 (ms) | lag p99 (ms) | lag max (ms) | backlog | drain (s) | drain rate (events/s) | relay CPU per 1,000 events (ms) |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
      ...rows.map((r) => `| ${r.client} | ${r.rate} | ${f(r.achievedRate, 0)} | ${r.events} | ${f(r.lagP50)} | ${f(r.lagP99)} | ${f(r.lagMax)} | ${r.backlog} | ${f(r.drainSeconds, 2)} | ${f(r.drainRate, 0)} | ${f(r.relayCpuPerThousand, 0)} |`),
      '',
    ].join('\n'),
  );
}

// Engine cores: FEEL, configuration, pricing; and the commands through HTTP against pgbench
// (each returns its own markdown section).
const cores: [string, () => Promise<string>][] = [
  ['commands', async () => (await import('./commands.bench')).benchCommands().then((r) => r.markdown)],
  ['feel', async () => (await import('./feel.bench')).benchFeel()],
  ['configuration', async () => (await import('./configuration.bench')).benchConfiguration()],
  ['pricing', async () => (await import('./pricing.bench')).benchPricing()],
  ['journey', async () => (await import('./journey.bench')).benchJourney().then((r) => r.markdown)],
  ['approval', async () => (await import('./approval.bench')).benchApproval().then((r) => r.markdown)],
  // 30 minutes (BENCH_SOAK_MINUTES to shorten it); never in CI.
  ['soak', async () => (await import('./soak.bench')).benchSoak().then((r) => r.markdown)],
];
for (const [name, run] of cores) {
  if (only && only !== name) continue;
  console.log(`${name} benchmark ...`);
  // Each section starts with its own '## ' title and machine line.
  sections.push(`${(await run()).trim()}\n`);
}

if (!only || only === 'kafka-clients') {
  console.log('Kafka client benchmark ...');
  const result = spawnSync('node', ['--import', 'tsx', 'deploy/bench/kafka-clients.bench.ts'], { stdio: 'inherit' });
  if (result.status !== 0) console.error('the Kafka client benchmark failed');
}

const header = '# Benchmarks\n\nProduced by `npm run bench` (figures from one run on a shared, noisy machine: read ratios, not absolutes).\nThe Kafka client comparison is in [benchmarks/kafka-clients.md](benchmarks/kafka-clients.md).\n\n';
const file = 'docs/benchmarks.md';
let existing = existsSync(file) ? readFileSync(file, 'utf8') : header;
if (!existing.startsWith('# Benchmarks')) existing = header + existing;
for (const section of sections) {
  const title = section.split('\n')[0]!;
  const start = existing.indexOf(title);
  if (start >= 0) {
    const next = existing.indexOf('\n## ', start + title.length);
    // A generated section owns everything up to the next title (write commentary in a section of its own).
    existing = existing.slice(0, start) + section.trimEnd() + '\n' + (next >= 0 ? `\n${existing.slice(next + 1)}` : '');
  } else {
    existing = `${existing.trimEnd()}\n\n${section}`;
  }
}
writeFileSync(file, existing.endsWith('\n') ? existing : `${existing}\n`);
console.log(`wrote ${file}`);
process.exit(0);
