import { defineWorker, type WorkerCatalog } from './worker-catalog';

/** Liveness of the worker role end to end: a process with a `platform.ping` service task. */
export const PLATFORM_PING = 'platform.ping';

export const pingWorker = defineWorker({
  topic: PLATFORM_PING,
  description: 'Answers { pong: true, at } so a process (or an operator) can check that the workers role runs.',
  variables: {
    type: 'object',
    properties: { requestedBy: { type: 'string', maxLength: 200 } },
  },
  lockDurationMs: 10_000,
  retries: 3,
  backoff: { initialMs: 1_000, factor: 2, maxMs: 30_000 },
  async handler({ variables }, { logger }) {
    logger.debug({ requestedBy: variables.requestedBy }, 'ping');
    return { variables: { pong: true, at: new Date().toISOString() } };
  },
});

/**
 * Every external-task worker of the platform, run by the `workers` role (main.ts). Quote and
 * order steps join here as entries, each with its topic constant beside it.
 */
export const platformCatalog: WorkerCatalog = [pingWorker];
