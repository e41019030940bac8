import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * A registry per process role (never prom-client's global one, so tests can build several apps
 * in one process), labelled with the role so one Prometheus job can scrape them all, with the
 * Node.js runtime metrics (event loop delay, heap, GC, CPU, file descriptors).
 */
export function createMetricsRegistry(role: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ role });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * An async reading taken at most once per `maxAgeMs` and shared by every gauge that shows a part
 * of it: a scrape (or several Prometheus replicas) must not turn into a query storm. A failed
 * reading is remembered for the same time and reported through `onError`; gauges then keep their
 * last values and `cpq_metrics_collect_errors_total` says so.
 */
export function cachedReading<T>(read: () => Promise<T>, maxAgeMs: number, onError?: (error: Error) => void): () => Promise<T | undefined> {
  let at = -Infinity;
  let pending: Promise<T | undefined> | undefined;
  let last: T | undefined;
  return () => {
    if (pending && performance.now() - at < maxAgeMs) return pending;
    at = performance.now();
    pending = read().then(
      (value) => (last = value),
      (error: Error) => {
        onError?.(error);
        return last;
      },
    );
    return pending;
  };
}
