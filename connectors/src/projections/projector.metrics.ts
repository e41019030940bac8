import type { EventEnvelope } from '@cpq/contracts/event-envelope';
import { Gauge, Histogram, type Registry } from 'prom-client';

/**
 * Each projection's freshness: how old each event is when its read model applies it (commit to
 * read model, the lag a reader feels), the time of the last one applied, and its live generation.
 * Its offset lag comes from registerKafkaMetrics with the current generations' groups (the group
 * names the projection: `projector-<projection>-g<N>`).
 */
export function registerProjectorMetrics(registry: Registry, generation: (projection: string) => number | undefined, projections: readonly string[] = ['quotes']) {
  const age = new Histogram({
    name: 'cpq_projection_event_age_seconds', help: 'From an event\'s commit (occurredAt) to the read model applying it.',
    labelNames: ['projection'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600], registers: [registry],
  });
  const last = new Gauge({ name: 'cpq_projection_last_applied_timestamp_seconds', help: 'When the read model last applied an event (unix time).', labelNames: ['projection'], registers: [registry] });
  new Gauge({ name: 'cpq_projection_generation', help: 'The live generation of the projection (each rebuild adds one).', labelNames: ['projection'], registers: [registry], collect() {
    for (const projection of projections) {
      const live = generation(projection);
      if (live !== undefined) this.set({ projection }, live);
    }
  } });
  return {
    observe(event: EventEnvelope, projection = 'quotes'): void {
      const now = Date.now();
      age.observe({ projection }, Math.max(0, (now - Date.parse(event.occurredAt)) / 1000));
      last.set({ projection }, now / 1000);
    },
  };
}
