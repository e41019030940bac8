import type { ApiSchema } from '@cpq/contracts/api-types';

/** One topic of the engine's worker catalog (GET /metadata/worker-topics). */
export type WorkerTopic = ApiSchema<'WorkerTopic'>;

/**
 * The choices of the topic select: the catalog's topics, and the task's own topic when the
 * catalog lacks it (kept, and said so, never silently replaced).
 */
export function topicOptions(topics: readonly WorkerTopic[], current: string): { value: string; label: string }[] {
  const known = topics.some((t) => t.topic === current);
  const head = !current ? [{ value: '', label: 'Choose a topic…' }] : known ? [] : [{ value: '', label: `${current} (not in the catalog: keep it or choose one)` }];
  return [...head, ...topics.map((t) => ({ value: t.topic, label: t.topic }))];
}

/** What the chosen topic's worker does and which process variables it reads (required ones marked). */
export function topicDescription(topics: readonly WorkerTopic[], current: string): string {
  if (topics.length === 0) return 'The engine lists no worker topics: type the topic above.';
  const topic = topics.find((t) => t.topic === current);
  if (!topic) return `${topics.length} topics the platform's workers subscribe.`;
  const variables = topic.variables as { properties?: Record<string, unknown>; required?: string[] };
  const names = Object.keys(variables.properties ?? {}).map((n) => (variables.required?.includes(n) ? `${n} (required)` : n));
  return `${topic.description}${names.length ? ` Reads: ${names.join(', ')}.` : ''}`;
}
