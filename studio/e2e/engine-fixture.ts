// The engine the studio's end-to-end tests run against: its own process on its own cloned test
// database (test/services/engine-process.ts), on the port and with the signing key the
// Playwright config chose (the studio's webServer starts before the global setup), with a
// tenant whose demo release is published by two fixture admins. Started by global-setup.ts as
// a child process (tsx, the project's Node.js); prints one JSON line when ready; SIGTERM stops
// the engine, drops its database and removes the tenant's deployments from Camunda.
import { sampleCatalogWithDefaultModels, setUpTenant, startEngineProcess } from '../../test/services/engine-process';
import { prepareTemplate } from '@cpq/prisma/test-database';
import { testEnv } from '../../test/env';

const port = Number(process.env.E2E_ENGINE_PORT);
const authSecret = process.env.E2E_AUTH_SECRET;
const tenant = process.env.E2E_TENANT;
if (!port || !authSecret || !tenant) throw new Error('E2E_ENGINE_PORT, E2E_AUTH_SECRET and E2E_TENANT are set by studio/playwright.config.ts');

// The migrated template every test database is cloned from (as vitest's global setup does).
await prepareTemplate(testEnv.postgresUrl);
const engine = await startEngineProcess('studio-e2e', { port, authSecret });
let stopping = false;
const stop = async (code = 0) => {
  if (stopping) return;
  stopping = true;
  await cleanCamunda(tenant).catch((error: unknown) => console.error(`camunda cleanup: ${String(error)}`));
  await engine.stop();
  process.exit(code);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
try {
  await setUpTenant(engine, tenant, sampleCatalogWithDefaultModels());
} catch (error) {
  console.error(String(error));
  await stop(1);
}
console.log(JSON.stringify({ ready: true, url: engine.url, tenant }));

async function cleanCamunda(tenantId: string): Promise<void> {
  const base = testEnv.camundaUrl;
  const deployments = (await (await fetch(`${base}/deployment?tenantIdIn=${encodeURIComponent(tenantId)}`)).json()) as { id: string }[];
  for (const d of deployments) await fetch(`${base}/deployment/${d.id}?cascade=true`, { method: 'DELETE' });
}
