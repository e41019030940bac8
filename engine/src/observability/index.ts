// Public surface of the engine's observability: metrics of the API process role (ADR 0018).
import { createMetricsRegistry } from '@cpq/connectors/observability/metrics-registry';
import { registerPoolMetrics } from '@cpq/connectors/observability/pool-metrics';
import type { OpenApiDocument } from '@cpq/contracts/openapi';
import { poolOf, type PrismaClient } from '@cpq/prisma';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { EngineConfig } from '../config';
import { orderSignals } from '../modules/order';
import { quoteSignals } from '../modules/quote';
import { registerBusinessMetrics, type SignalSource } from './business-metrics';
import { databaseSignalSource } from './database-signals';
import { operationIndex, registerHttpMetrics } from './http-metrics';
import { registerTraceAttributes } from './trace-attributes';
import { clusterMetrics } from '../cluster/cluster-metrics';
import { metricsRoute } from './metrics.routes';

export type { SignalSource } from './business-metrics';

export type ObservabilityOptions = {
  contract: OpenApiDocument;
  prisma: PrismaClient;
  config: Pick<EngineConfig, 'metricsToken' | 'quoteStuckBeforePricingSeconds' | 'metricsSignalsMaxAgeMs' | 'tracing'>;
  /** Signals of other modules (e.g. orders: fallout cases by age) added to the quote signals. */
  signals?: SignalSource[];
};

/** The quote lifecycle's signals, from the quote module's port. */
export function quoteSignalSource(prisma: PrismaClient, stuckAfterSeconds: number): SignalSource {
  return {
    gauges: {
      cpq_quotes_awaiting_price: 'Current quote revisions in draft with lines, waiting for a price.',
      cpq_quotes_stuck_before_pricing: 'Draft quotes with lines untouched for longer than QUOTE_STUCK_BEFORE_PRICING_SECONDS.',
      cpq_quotes_oldest_awaiting_price_seconds: 'Seconds since the least recently touched draft quote with lines changed.',
      cpq_approvals_overdue: 'Submitted quote revisions whose approval is past its due time (SLA breached).',
      cpq_approvals_most_overdue_seconds: 'Seconds past due of the most overdue approval.',
    },
    async read() {
      const s = await quoteSignals(prisma, { stuckAfterSeconds });
      return {
        cpq_quotes_awaiting_price: s.awaitingPrice,
        cpq_quotes_stuck_before_pricing: s.stuckBeforePricing,
        cpq_quotes_oldest_awaiting_price_seconds: s.oldestAwaitingPriceSeconds,
        cpq_approvals_overdue: s.approvalsOverdue,
        cpq_approvals_most_overdue_seconds: s.mostOverdueApprovalSeconds,
      };
    },
  };
}

/** The order module's signals: orders in unknown outcome and fallout cases by age (ADR 0016). */
export function orderSignalSource(prisma: PrismaClient): SignalSource {
  return {
    gauges: {
      cpq_orders_unknown_outcome: 'Orders with a fulfillment step whose outcome is unknown (the target system did not answer).',
      cpq_orders_oldest_unknown_outcome_seconds: 'Seconds since the oldest step in unknown outcome last changed.',
      cpq_fallout_cases_open: 'Open fallout cases (operators decide them in the ops inbox).',
      cpq_fallout_cases_open_over_1h: 'Open fallout cases opened more than an hour ago.',
      cpq_fallout_cases_open_over_1d: 'Open fallout cases opened more than a day ago.',
      cpq_fallout_cases_breaching_sla: 'Open fallout cases past their category\'s SLA.',
      cpq_fallout_oldest_open_seconds: 'Age of the oldest open fallout case.',
    },
    async read() {
      const s = await orderSignals(prisma);
      return {
        cpq_orders_unknown_outcome: s.unknownOutcomeOrders,
        cpq_orders_oldest_unknown_outcome_seconds: s.oldestUnknownOutcomeSeconds,
        cpq_fallout_cases_open: s.falloutOpen,
        cpq_fallout_cases_open_over_1h: s.falloutOpenOver1h,
        cpq_fallout_cases_open_over_1d: s.falloutOpenOver1d,
        cpq_fallout_cases_breaching_sla: s.falloutBreachingSla,
        cpq_fallout_oldest_open_seconds: s.oldestFalloutSeconds,
      };
    },
  };
}

export { startTracing } from '@cpq/connectors/observability/tracing';

/**
 * Metrics of the API role: HTTP latency by operation, the pool, business signals, the Node.js
 * runtime; served at GET /metrics behind the scrape token. Registered before the routes (the
 * latency hook sees every route), once per app (tests build several apps in one process).
 */
export function registerObservability(app: FastifyInstance, options: ObservabilityOptions): Registry {
  const registry = createMetricsRegistry('api');
  registerHttpMetrics(app, registry, options.contract);
  registerPoolMetrics(registry, poolOf(options.prisma));
  const { config } = options;
  registerBusinessMetrics(registry, [
    quoteSignalSource(options.prisma, config.quoteStuckBeforePricingSeconds), orderSignalSource(options.prisma), databaseSignalSource(options.prisma),
    ...(options.signals ?? []),
  ], config.metricsSignalsMaxAgeMs);
  // A worker of the clustered engine labels its series and answers with every worker's (ADR 0024).
  const clustered = clusterMetrics(registry, 'api');
  metricsRoute(app, { contract: options.contract, registry, token: config.metricsToken, exposition: clustered?.text });
  // Span names and journey attributes, only when this process traces (ADR 0019).
  if (config.tracing.exporter !== 'none') {
    const operations = operationIndex(options.contract);
    registerTraceAttributes(app, (method, route) => (route === undefined ? 'unmatched' : operations.get(`${method} ${route}`) ?? route));
  }
  return registry;
}
