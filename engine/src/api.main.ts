// First: a wrong Node.js major stops here, before anything else loads (ADR 0010).
import '@cpq/connectors/runtime/check-node-runtime';
import { buildEngine } from './app';
import { loadConfig } from './config';
import { startReleaseFeed } from './modules/catalog';
import { consumerContext, createOrderConsumer } from './modules/order';
import { startTracing } from './observability';
import { createInfrastructure } from './plugins/external/infrastructure';

// The API process role, or one worker of the clustered role (server.ts, ADR 0024): listen, and
// on SIGTERM/SIGINT stop taking requests, finish the ones in flight, then close connections to
// every dependency.
const config = loadConfig();
// Before any client is created (OTEL_TRACES_EXPORTER; none by default, ADR 0019).
const tracing = startTracing(config.tracing);
const infrastructure = await createInfrastructure(config);
const { app, releasePointer, quotes, workItems, releases, orders } = await buildEngine({ config, infrastructure });
// Follow releases published by any instance; a broker outage only delays the pointer (reads
// fall back to PostgreSQL for tenants not seen yet).
const releaseFeed = await startReleaseFeed(infrastructure.kafka, releasePointer, app.log).catch((error: Error) => {
  app.log.warn({ err: error.message }, 'release feed not started; current releases are read from PostgreSQL');
  return undefined;
});

// The expiry timer, the reconciler of approval tasks whose completion failed after the
// decision, the reconciler of approval workflows left between steps (submit, revise), and the
// reconciler of publishes a crash left between steps. Safe on every instance at once: each locks
// or claims rows and re-checks state.
const sweep = config.sweepIntervalMs > 0
  ? setInterval(() => {
      void quotes.expireDue().catch((error: Error) => app.log.warn({ err: error.message }, 'expiry sweep failed'));
      void workItems.reconcile().catch((error: Error) => app.log.warn({ err: error.message }, 'approval reconciler failed'));
      void quotes.recoverWorkflows().catch((error: Error) => app.log.warn({ err: error.message }, 'approval workflow reconciler failed'));
      void releases.reconcilePublishing().catch((error: Error) => app.log.warn({ err: error.message }, 'publish reconciler failed'));
    }, config.sweepIntervalMs)
  : undefined;
sweep?.unref();

// The order reconciler (Camunda effects an outage left after a commit, incidents -> fallout
// cases), more often than the sweep: a callback's message waits on it when it raced its process.
const orderSweep = config.orderReconcileIntervalMs > 0
  ? setInterval(() => void orders.reconcile().catch((error: Error) => app.log.warn({ err: error.message }, 'order reconciler failed')), config.orderReconcileIntervalMs)
  : undefined;
orderSweep?.unref();

// Orders from QuoteAccepted (idempotent consumer, group `orders`): Kafka shares the partitions
// between API instances; the fulfillment starts after each order's commit.
const orderConsumer = config.orderConsumer
  ? createOrderConsumer({
      prisma: infrastructure.prisma, kafka: infrastructure.kafka, logger: app.log,
      onOrderCreated: async (orderId, event) => void (await orders.startFulfillment(orderId, consumerContext(event))),
    })
  : undefined;
void orderConsumer?.run().catch((error: Error) => app.log.warn({ err: error.message }, 'order consumer stopped; orders from QuoteAccepted wait for it'));

let closing = false;
async function shutdown(signal: string): Promise<void> {
  if (closing) return;
  closing = true;
  app.log.info({ signal }, 'shutting down');
  const force = setTimeout(() => process.exit(1), 15_000);
  force.unref();
  clearInterval(sweep);
  clearInterval(orderSweep);
  await orderConsumer?.stop().catch(() => {});
  await app.close();
  await releaseFeed?.close();
  await infrastructure.close();
  await tracing?.shutdown();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

await app.listen({ host: config.host, port: config.port });
app.log.info({ node: process.version, environment: config.environment, validateResponses: config.validateResponses }, 'engine running');
