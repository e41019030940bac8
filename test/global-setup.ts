import { connect } from 'node:net';
import { prepareTemplate } from '@cpq/prisma/test-database';
import type { TestProject } from 'vitest/node';
import { testEnv } from './env';
import { startTargetSystemsProcess, type TargetSystemsHandle } from './services/target-systems';

declare module 'vitest' {
  // Declaration merging with vitest's own interface needs an interface.
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  export interface ProvidedContext {
    /** The simulated target systems of the run (order fulfillment), with their service credential. */
    targetSystems: TargetSystemsHandle;
  }
}

/**
 * Once per run of the integration project (unit tests have no global setup): every service
 * must answer, or the run stops at once naming the ones that do not, instead of each file
 * timing out on its own; then the migrated template database that each test file clones.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const services = [
    ['PostgreSQL', testEnv.postgresUrl],
    ['Redis', testEnv.redisUrl],
    ...testEnv.kafkaBrokers.map((broker) => ['Kafka', `kafka://${broker}`]),
    ['Camunda', testEnv.camundaUrl],
  ] as const;
  const down = (await Promise.all(services.map(async ([name, url]) => ((await reachable(url)) ? undefined : `${name} at ${new URL(url).host}`)))).filter(Boolean);
  if (down.length > 0) {
    throw new Error(
      `integration tests need the real services; not reachable: ${down.join(', ')}. ` +
        'Start them with `bash deploy/platform.sh infra`, or run `npm run test:unit` for the tests that need none.',
    );
  }
  await prepareTemplate(testEnv.postgresUrl);
  // One target-systems process for the run (a real HTTP service, like the platform's role):
  // order tests key their failure modes by their own order ids.
  const targetSystems = await startTargetSystemsProcess();
  project.provide('targetSystems', { url: targetSystems.url, clientId: targetSystems.clientId, clientSecret: targetSystems.clientSecret });
  return () => targetSystems.stop();
}

function reachable(url: string, timeoutMs = 3000): Promise<boolean> {
  const { hostname, port, protocol } = new URL(url);
  const defaultPort = { 'postgresql:': 5432, 'redis:': 6379, 'http:': 80, 'https:': 443 }[protocol] ?? 0;
  return new Promise((resolve) => {
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port) || defaultPort, timeout: timeoutMs });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}
