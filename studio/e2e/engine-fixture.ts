// The engine the studio's end-to-end tests run against: its own process on its own cloned test
// database (test/services/engine-process.ts), on the port and with the signing key the
// Playwright config chose (the studio's webServer starts before the global setup), with a
// tenant whose demo release is published by two fixture admins. Started by global-setup.ts as
// a child process (tsx, the project's Node.js); prints one JSON line when ready; SIGTERM stops
// the workers, the target systems and the engine, drops its database and removes the tenant's
// deployments from Camunda.
//
// Orders are fulfilled for real, as in the engine's order integration tests (engine/test/
// order-fixture.ts): the release carries the platform's order-fulfillment process
// (bpmn/order-fulfillment.bpmn) with its topics renamed for this run (`e2e.<tenant>.order.*`,
// so a platform `workers` process on this machine never takes this run's tasks), this process
// runs the fulfillment workers (connectors/src/fulfillment) with their own service credential,
// and the target-systems role runs as its own process, calling the engine back with its own.
// A fulfilled order installs the account's assets: the installed base the change quote story
// (change-quote.spec.ts) starts from.
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createEngineClient } from '@cpq/connectors/camunda/engine-client';
import { startWorkerHost, type WorkerHost } from '@cpq/connectors/camunda/worker-host';
import { orderFulfillmentWorkers } from '@cpq/connectors/fulfillment/order-fulfillment.workers';
import { createTargetSystemAdapters } from '@cpq/connectors/fulfillment/target-system.adapter';
import type { MetadataItem } from '@cpq/metadata';
import { prepareTemplate } from '@cpq/prisma/test-database';
import { sampleCatalogWithDefaultModels, setUpTenant, startEngineProcess } from '../../test/services/engine-process';
import { startTargetSystemsProcess } from '../../test/services/target-systems';
import { testEnv } from '../../test/env';

const port = Number(process.env.E2E_ENGINE_PORT);
const authSecret = process.env.E2E_AUTH_SECRET;
const tenant = process.env.E2E_TENANT;
if (!port || !authSecret || !tenant) throw new Error('E2E_ENGINE_PORT, E2E_AUTH_SECRET and E2E_TENANT are set by studio/playwright.config.ts');
const topicPrefix = `e2e.${tenant}.`;

// The migrated template every test database is cloned from (as vitest's global setup does).
await prepareTemplate(testEnv.postgresUrl);
const systems = await startTargetSystemsProcess();
const workers = { clientId: 'studio-e2e-workers', clientSecret: randomBytes(32).toString('hex') };
const engine = await startEngineProcess('studio-e2e', {
  port, authSecret,
  serviceClients: [
    { clientId: workers.clientId, secret: workers.clientSecret, roles: ['integrator'], tenants: [tenant] },
    { clientId: systems.clientId, secret: systems.clientSecret, roles: ['integrator'], tenants: [tenant] },
  ],
}).catch(async (error: unknown) => {
  await systems.stop();
  throw error;
});
let host: WorkerHost | undefined;
let stopping = false;
const stop = async (code = 0) => {
  if (stopping) return;
  stopping = true;
  await host?.stop().catch((error: unknown) => console.error(`workers: ${String(error)}`));
  await cleanCamunda(tenant).catch((error: unknown) => console.error(`camunda cleanup: ${String(error)}`));
  await engine.stop();
  await systems.stop();
  process.exit(code);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
try {
  await setUpTenant(engine, tenant, [...sampleCatalogWithDefaultModels(), orderFulfillmentModel(topicPrefix)]);
  host = startWorkerHost({
    baseUrl: testEnv.camundaUrl, workerId: `studio-e2e-${randomUUID().slice(0, 8)}`, maxTasks: 10, asyncResponseTimeout: 1_000, stopTimeoutMs: 5_000,
    catalog: orderFulfillmentWorkers(
      createEngineClient(engine.url, workers),
      // Generous on a loaded machine: a timeout is an unknown outcome and a spent retry an incident (fallout), which no story here wants.
      createTargetSystemAdapters({ baseUrl: systems.url, callbackUrl: engine.url, timeoutMs: 10_000 }),
      { topicPrefix, retries: 5, backoffMs: 500 },
    ),
  });
} catch (error) {
  console.error(String(error));
  await stop(1);
}
console.log(JSON.stringify({ ready: true, url: engine.url, tenant, targetSystems: systems.url }));

/** The platform's order-fulfillment process with this run's topics. */
function orderFulfillmentModel(prefix: string): MetadataItem {
  const xml = readFileSync(new URL('../../bpmn/order-fulfillment.bpmn', import.meta.url), 'utf8').replace(/camunda:topic="order\./g, `camunda:topic="${prefix}order.`);
  return { kind: 'bpmn-model', key: 'order-fulfillment', content: { name: 'Order fulfillment', processKey: 'order-fulfillment', xml } };
}

async function cleanCamunda(tenantId: string): Promise<void> {
  const base = testEnv.camundaUrl;
  const deployments = (await (await fetch(`${base}/deployment?tenantIdIn=${encodeURIComponent(tenantId)}`)).json()) as { id: string }[];
  for (const d of deployments) await fetch(`${base}/deployment/${d.id}?cascade=true`, { method: 'DELETE' });
}
