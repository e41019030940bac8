import { createTargetSystemAdapters } from '../fulfillment/target-system.adapter';
import { orderFulfillmentWorkers } from '../fulfillment/order-fulfillment.workers';
import type { EngineClient } from './engine-client';
import { platformCatalog } from './platform-catalog';
import { quoteApprovalWorkers } from './quote-approval.workers';
import type { VariablesSchema, WorkerCatalog } from './worker-catalog';

/**
 * The catalog the `workers` role runs (main.ts), in one place, so that what the workers
 * subscribe and what the engine tells modellers they may name (GET /metadata/worker-topics)
 * cannot drift apart.
 */
export function workersCatalog(engine: EngineClient, camundaUrl: string, fulfillment: { targetSystemsUrl: string; callbackUrl: string; timeoutMs?: number } = DECLARATIONS_ONLY): WorkerCatalog {
  return [...platformCatalog, ...quoteApprovalWorkers(engine, camundaUrl), ...orderFulfillmentWorkers(engine, createTargetSystemAdapters({ baseUrl: fulfillment.targetSystemsUrl, callbackUrl: fulfillment.callbackUrl, ...(fulfillment.timeoutMs ? { timeoutMs: fulfillment.timeoutMs } : {}) }))];
}

/** Where the fulfillment workers' target systems are when only the declarations are read. */
const DECLARATIONS_ONLY = { targetSystemsUrl: 'http://127.0.0.1:4100', callbackUrl: 'http://127.0.0.1:4000' };

/** A topic of the catalog as a modeller sees it: what a BPMN external task may name in camunda:topic. */
export type WorkerTopic = { topic: string; description: string; variables: VariablesSchema };

/** Handlers close over the engine client; reading the declarations never calls one. */
const NOT_FOR_HANDLERS: EngineClient = {
  get: () => Promise.reject(new Error('worker topics are declarations only: no handler runs here')),
  command: () => Promise.reject(new Error('worker topics are declarations only: no handler runs here')),
};

/** The catalog's topics without their handlers, in its order. */
export function workerTopics(): WorkerTopic[] {
  return workersCatalog(NOT_FOR_HANDLERS, '').map(({ topic, description, variables }) => ({ topic, description, variables }));
}
