import type { OpenApiDocument } from '@cpq/contracts/openapi';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

/** Latency buckets (s): the commands' p50 is a few ms, pricing large quotes reaches 100s of ms. */
const BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;
/** Bounds the label sets one process can create (routes x methods x statuses stay far below). */
const MAX_SERIES = 2_000;
const NAME = 'cpq_http_request_duration_seconds';

type Series = { labels: { operation: string; method: string; status: string }; counts: Float64Array; sum: number; count: number };

/** `GET /quotes/:quoteId` -> `getQuote`, from the contract (the routes are registered from it). */
export function operationIndex(contract: OpenApiDocument): Map<string, string> {
  const index = new Map<string, string>();
  for (const [path, item] of Object.entries(contract.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (operation.operationId) index.set(`${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`, operation.operationId);
    }
  }
  return index;
}

/**
 * A histogram made for the request path: a series is found by three Map lookups (route, method,
 * status; no string built per request) and observed with a few additions into a typed array.
 * prom-client's Histogram validates and hashes its labels on every observation (about 3 us per
 * request measured on our machine, deploy/bench/metrics-overhead.bench.ts); this is a few tens of
 * ns. It implements prom-client's metric interface (`get()`), so the registry renders it.
 */
class RequestHistogram {
  readonly name = NAME;
  readonly help = 'HTTP request latency by operation (contract operationId), method and status code.';
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series: Series[] = [];
  private readonly index = new Map<string, Map<string, Map<number, Series>>>();

  constructor(private readonly operationOf: (method: string, route: string | undefined) => string) {}

  observe(route: string | undefined, method: string, status: number, seconds: number): void {
    const key = route ?? '';
    let byMethod = this.index.get(key);
    if (byMethod === undefined) this.index.set(key, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (byStatus === undefined) byMethod.set(method, (byStatus = new Map()));
    let series = byStatus.get(status);
    if (series === undefined) {
      if (this.series.length >= MAX_SERIES) return;
      series = { labels: { operation: this.operationOf(method, route), method, status: String(status) }, counts: new Float64Array(BUCKETS.length), sum: 0, count: 0 };
      byStatus.set(status, series);
      this.series.push(series);
    }
    series.sum += seconds;
    series.count += 1;
    for (let i = 0; i < BUCKETS.length; i++) {
      if (seconds <= BUCKETS[i]!) {
        series.counts[i]! += 1;
        break;
      }
    }
  }

  /** prom-client's metric interface: cumulative buckets, +Inf, sum and count per series. */
  get() {
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    for (const s of this.series) {
      let cumulative = 0;
      BUCKETS.forEach((le, i) => {
        cumulative += s.counts[i]!;
        values.push({ labels: { ...s.labels, le }, value: cumulative, metricName: `${NAME}_bucket` });
      });
      values.push({ labels: { ...s.labels, le: '+Inf' }, value: s.count, metricName: `${NAME}_bucket` });
      values.push({ labels: s.labels, value: s.sum, metricName: `${NAME}_sum` });
      values.push({ labels: s.labels, value: s.count, metricName: `${NAME}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    this.series.length = 0;
    this.index.clear();
  }
}

/**
 * HTTP latency by operation (the contract's operationId, never the raw URL, so quote ids do
 * not become label values), method and status, from Fastify's own measurement
 * (`reply.elapsedTime`). Unknown paths count as operation `unmatched`.
 */
export function registerHttpMetrics(app: FastifyInstance, registry: Registry, contract: OpenApiDocument): void {
  const operations = operationIndex(contract);
  const histogram = new RequestHistogram((method, route) => (route === undefined ? 'unmatched' : operations.get(`${method} ${route}`) ?? route));
  registry.registerMetric(histogram as unknown as Parameters<Registry['registerMetric']>[0]);
  app.addHook('onResponse', (request, reply, done) => {
    histogram.observe(request.routeOptions.url, request.method, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}
