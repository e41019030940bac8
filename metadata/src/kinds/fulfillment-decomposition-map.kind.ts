import type { KindDefinition, MetadataItem, ValidationIssue } from '../types';
import { addEdge, cycleThrough, issuesFor, pointer, reportDuplicates } from './checks';
import { array, key, kindSchema, name, object } from './schema-parts';

/**
 * How an order line of an offering decomposes into fulfillment steps: each step asks a target
 * system (e.g. "network-inventory", "billing") to perform an action, after the steps it depends
 * on. The steps form a DAG; orders interpret it (steps without dependencies start in parallel).
 */
export type FulfillmentStep = {
  key: string;
  name?: string;
  targetSystem: string;
  action: string;
  /** Keys of steps of the same map that must complete first. */
  dependsOn: string[];
};

export type FulfillmentDecompositionMapContent = {
  /** Key of the product-offering decomposed. */
  offering: string;
  steps: FulfillmentStep[];
};

const schema = kindSchema(
  'fulfillment-decomposition-map',
  'Fulfillment decomposition map',
  object<FulfillmentDecompositionMapContent>(
    {
      offering: key,
      steps: array(
        object<FulfillmentStep>({ key, name, targetSystem: key, action: key, dependsOn: array(key, { max: 50, unique: true }) }, [
          'key',
          'targetSystem',
          'action',
          'dependsOn',
        ]),
        { min: 1, max: 200 },
      ),
    },
    ['offering', 'steps'],
  ),
);

function validate(item: MetadataItem<FulfillmentDecompositionMapContent>): ValidationIssue[] {
  const issues = issuesFor(item);
  const { steps } = item.content;
  reportDuplicates(issues, steps, (s) => s.key, (i) => pointer('steps', i, 'key'), 'step');
  const known = new Set(steps.map((s) => s.key));
  const graph = new Map<string, string[]>();
  for (const step of steps) for (const dep of step.dependsOn) addEdge(graph, step.key, dep);
  steps.forEach((step, i) => {
    step.dependsOn.forEach((dep, j) => {
      const at = pointer('steps', i, 'dependsOn', j);
      if (!known.has(dep)) {
        issues.add(at, 'step.unknown', `step "${step.key}" depends on "${dep}", which the map does not define`);
        return;
      }
      const cycle = cycleThrough(graph, step.key, dep);
      if (cycle) issues.add(at, 'cycle', `steps depend on themselves: ${cycle.join(' -> ')}`);
    });
  });
  return issues.list;
}

export const fulfillmentDecompositionMapKind: KindDefinition<FulfillmentDecompositionMapContent> = {
  kind: 'fulfillment-decomposition-map',
  title: 'Fulfillment decomposition map',
  schema,
  maxBytes: 128 * 1024,
  references: (content) => [{ pointer: '/offering', target: { kind: 'product-offering', key: content.offering } }],
  expressions: () => [],
  validate,
};
