import type { PrismaClient } from '@cpq/prisma';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { cachedReading } from '../observability/metrics-registry';

export type OutboxReading = { backlog: number; oldestAgeSeconds: number; failing: number };

/**
 * The outbox's unpublished part, through the partial index on unpublished rows
 * (ix_outbox_unpublished): how many events wait, how old the oldest is, and how many of them
 * already failed a publish attempt.
 */
export async function readOutbox(prisma: PrismaClient): Promise<OutboxReading> {
  const [row] = await prisma.$queryRaw<{ backlog: bigint; oldest: number | null; failing: bigint }[]>`
    SELECT count(*) AS backlog,
           extract(epoch FROM now() - min(occurred_at))::float8 AS oldest,
           count(*) FILTER (WHERE last_error IS NOT NULL) AS failing
      FROM outbox_event
     WHERE published_at IS NULL`;
  return { backlog: Number(row?.backlog ?? 0), oldestAgeSeconds: Math.max(0, row?.oldest ?? 0), failing: Number(row?.failing ?? 0) };
}

/**
 * Outbox metrics of the relay role: backlog and age of the oldest unpublished event (read at
 * scrape time, at most once per `maxAgeMs`), and per published event the lag from its commit
 * to the broker's acknowledgement (observed by the relay: `observePublished`).
 */
export function registerOutboxMetrics(registry: Registry, prisma: PrismaClient, maxAgeMs = 2_000) {
  const errors = new Counter({ name: 'cpq_outbox_metrics_errors_total', help: 'Failed readings of the outbox backlog.', registers: [registry], async collect() {
    await reading();
  } });
  const reading = cachedReading(() => readOutbox(prisma), maxAgeMs, () => errors.inc());
  const gauge = (name: string, help: string, pick: (r: OutboxReading) => number) => new Gauge({ name, help, registers: [registry], async collect() {
    const value = await reading();
    if (value) this.set(pick(value));
  } });
  gauge('cpq_outbox_backlog_events', 'Committed events not yet published to Kafka.', (r) => r.backlog);
  gauge('cpq_outbox_oldest_unpublished_age_seconds', 'Age of the oldest unpublished event (0 when none waits).', (r) => r.oldestAgeSeconds);
  gauge('cpq_outbox_failing_events', 'Unpublished events whose last publish attempt failed.', (r) => r.failing);
  const published = new Counter({ name: 'cpq_outbox_published_events_total', help: 'Events the relay published and marked.', registers: [registry] });
  const lag = new Histogram({
    name: 'cpq_outbox_publish_lag_seconds', help: 'From an event\'s commit (occurred_at) to its publication being recorded.',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300], registers: [registry],
  });
  return {
    observePublished(occurredAt: Date[]): void {
      const now = Date.now();
      published.inc(occurredAt.length);
      for (const at of occurredAt) lag.observe(Math.max(0, (now - at.getTime()) / 1000));
    },
  };
}
