import { describe, expect, it } from 'vitest';
import { catalogProblems } from './worker-catalog';
import { workersCatalog, workerTopics } from './worker-topics';

describe('worker topics: the catalog the workers role runs, as modellers may name it', () => {
  it('lists every topic the workers subscribe, with its description and input schema, in the catalog\'s order', () => {
    expect(workerTopics().map((t) => t.topic)).toEqual([
      'platform.ping', 'quote.record-approval-decision', 'quote.escalate-approval',
      'order.execute-step', 'order.compensate-step', 'order.complete-fulfillment', 'order.finish-cancellation',
    ]);
    for (const topic of workerTopics()) {
      expect(topic.description.length).toBeGreaterThan(10);
      expect(topic.variables.type).toBe('object');
      expect(Object.keys(topic)).toEqual(['topic', 'description', 'variables']);
    }
  });

  it('is the same catalog main.ts starts (valid for the host), without handlers', () => {
    const catalog = workersCatalog({ get: async () => ({}) as never, command: async () => ({ status: 200, body: {} as never }) }, 'http://camunda');
    expect(catalogProblems(catalog)).toEqual([]);
    expect(catalog.map((e) => e.topic)).toEqual(workerTopics().map((t) => t.topic));
  });
});
