import cluster, { type Worker } from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { AggregatorRegistry, type Registry } from 'prom-client';

type MetricJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

// /metrics of a clustered engine (ADR 0024): a scrape reaches one worker through the shared
// port, yet must see every worker. The worker that got it asks the primary; the primary asks
// every worker for its registry (as JSON) and merges them; each worker's series carry its
// `worker` label, so nothing is summed away and a dead worker's series simply end.

type Message =
  | { type: 'cpq:metrics-request'; id: string }
  | { type: 'cpq:metrics-collect'; id: string }
  | { type: 'cpq:metrics-part'; id: string; metrics: MetricJson | null }
  | { type: 'cpq:metrics-result'; id: string; text: string | null };

const isMessage = (value: unknown): value is Message =>
  typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string' && (value as { type: string }).type.startsWith('cpq:metrics-');

/** How long the primary waits for the workers' parts (a worker that does not answer is left out). */
const COLLECT_TIMEOUT_MS = 3_000;

/**
 * In a worker: label the registry with the worker's id, answer the primary's collection
 * requests, and return the exposition of the whole cluster (this worker's alone when the
 * primary does not answer in time).
 */
export function clusterMetrics(registry: Registry, role: string): { text(): Promise<string> } | undefined {
  if (!cluster.isWorker || !cluster.worker || !process.send) return undefined;
  registry.setDefaultLabels({ role, worker: String(cluster.worker.id) });
  const waiting = new Map<string, (text: string | null) => void>();
  process.on('message', (message: unknown) => {
    if (!isMessage(message)) return;
    if (message.type === 'cpq:metrics-collect') {
      void registry.getMetricsAsJSON().then(
        (metrics) => process.send?.({ type: 'cpq:metrics-part', id: message.id, metrics } satisfies Message),
        () => process.send?.({ type: 'cpq:metrics-part', id: message.id, metrics: null } satisfies Message),
      );
    } else if (message.type === 'cpq:metrics-result') {
      waiting.get(message.id)?.(message.text);
    }
  });
  return {
    async text() {
      const id = randomUUID();
      const text = await new Promise<string | null>((resolve) => {
        const timer = setTimeout(() => resolve(null), COLLECT_TIMEOUT_MS + 1_000);
        waiting.set(id, (result) => {
          clearTimeout(timer);
          resolve(result);
        });
        process.send?.({ type: 'cpq:metrics-request', id } satisfies Message);
      }).finally(() => waiting.delete(id));
      return text ?? registry.metrics();
    },
  };
}

/** In the primary: serve the workers' requests for the cluster's metrics. */
export function serveClusterMetrics(): void {
  const parts = new Map<string, { expected: number; received: MetricJson[]; done: () => void }>();
  const onMessage = (worker: Worker, message: unknown) => {
    if (!isMessage(message)) return;
    if (message.type === 'cpq:metrics-part') {
      const collection = parts.get(message.id);
      if (!collection) return;
      if (message.metrics) collection.received.push(message.metrics);
      collection.expected -= 1;
      if (collection.expected <= 0) collection.done();
      return;
    }
    if (message.type !== 'cpq:metrics-request') return;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && w.isConnected());
    void new Promise<MetricJson[]>((resolve) => {
      const received: MetricJson[] = [];
      const timer = setTimeout(() => done(), COLLECT_TIMEOUT_MS);
      const done = () => {
        clearTimeout(timer);
        parts.delete(message.id);
        resolve(received);
      };
      parts.set(message.id, { expected: workers.length, received, done });
      for (const w of workers) w.send({ type: 'cpq:metrics-collect', id: message.id } satisfies Message);
    })
      .then((collected) => (collected.length > 0 ? AggregatorRegistry.aggregate(collected).metrics() : null))
      .catch(() => null)
      .then((text) => {
        if (worker.isConnected()) worker.send({ type: 'cpq:metrics-result', id: message.id, text } satisfies Message);
      });
  };
  cluster.on('message', onMessage);
}
