import { cachedReading } from '@cpq/connectors/observability/metrics-registry';
import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * A module's business signals as gauge values: `{ name: value }`, each name declared with its
 * help text. Modules own the queries (their tables); this file only exposes the numbers.
 */
export type SignalSource = {
  gauges: Record<string, string>;
  read(): Promise<Record<string, number>>;
};

/**
 * The seed's business signals (section 12) as gauges, read at scrape time at most once per
 * `maxAgeMs` per source (one scan each, however often or by how many scrapers). A failing
 * source keeps its last values and counts `cpq_business_metrics_errors_total`.
 */
export function registerBusinessMetrics(registry: Registry, sources: SignalSource[], maxAgeMs: number): void {
  // Each scrape reads every source before the error count is reported, so a failure shows at once.
  const errors: Counter<'source'> = new Counter({
    name: 'cpq_business_metrics_errors_total', help: 'Failed readings of business signals.', labelNames: ['source'], registers: [registry],
    async collect() {
      await Promise.all(readings.map((read) => read()));
    },
  });
  const readings = sources.map((source, index) => cachedReading(() => source.read(), maxAgeMs, () => errors.inc({ source: String(index) })));
  sources.forEach((source, index) => {
    const reading = readings[index]!;
    for (const [name, help] of Object.entries(source.gauges)) {
      new Gauge({ name, help, registers: [registry], async collect() {
        const value = (await reading())?.[name];
        if (value !== undefined) this.set(value);
      } });
    }
  });
}
