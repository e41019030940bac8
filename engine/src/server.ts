import { buildEngine } from './app';
import { loadConfig } from './config';
import { startReleaseFeed } from './modules/catalog';
import { createInfrastructure } from './plugins/external/infrastructure';

// The API process role: listen, and on SIGTERM/SIGINT stop taking requests, finish the
// ones in flight, then close connections to every dependency.
const config = loadConfig();
const infrastructure = await createInfrastructure(config);
const { app, releasePointer } = await buildEngine({ config, infrastructure });
// Follow releases published by any instance; a broker outage only delays the pointer (reads
// fall back to PostgreSQL for tenants not seen yet).
const releaseFeed = await startReleaseFeed(infrastructure.kafka, releasePointer, app.log).catch((error: Error) => {
  app.log.warn({ err: error.message }, 'release feed not started; current releases are read from PostgreSQL');
  return undefined;
});

let closing = false;
async function shutdown(signal: string): Promise<void> {
  if (closing) return;
  closing = true;
  app.log.info({ signal }, 'shutting down');
  const force = setTimeout(() => process.exit(1), 15_000);
  force.unref();
  await app.close();
  await releaseFeed?.close();
  await infrastructure.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

await app.listen({ host: config.host, port: config.port });
