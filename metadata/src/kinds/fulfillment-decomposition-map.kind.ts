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
  /** What an order line that adds the offering (new business) asks of the target systems. */
  steps: FulfillmentStep[];
  /**
   * What a line that modifies an installed asset of the offering asks (a change order: new
   * selections, a renewed term). Absent: the release cannot fulfil such a change (a model defect).
   */
  modifySteps?: FulfillmentStep[];
  /** What a line that disconnects an installed asset asks (reverse of the add). Absent: as above. */
  disconnectSteps?: FulfillmentStep[];
};

/** The order line actions a map decomposes, and where each one's steps are. */
export const STEP_LISTS = { add: 'steps', modify: 'modifySteps', disconnect: 'disconnectSteps' } as const;

const stepList = array(
  object<FulfillmentStep>({ key, name, targetSystem: key, action: key, dependsOn: array(key, { max: 50, unique: true }) }, [
    'key',
    'targetSystem',
    'action',
    'dependsOn',
  ]),
  { min: 1, max: 200 },
);

const schema = kindSchema(
  'fulfillment-decomposition-map',
  'Fulfillment decomposition map',
  object<FulfillmentDecompositionMapContent>(
    { offering: key, steps: stepList, modifySteps: stepList, disconnectSteps: stepList },
    ['offering', 'steps'],
  ),
);

/** Each list is its own DAG: keys unique, dependencies known and acyclic within the list. */
function validateList(issues: ReturnType<typeof issuesFor>, list: 'steps' | 'modifySteps' | 'disconnectSteps', steps: FulfillmentStep[]): void {
  reportDuplicates(issues, steps, (s) => s.key, (i) => pointer(list, i, 'key'), 'step');
  const known = new Set(steps.map((s) => s.key));
  const graph = new Map<string, string[]>();
  for (const step of steps) for (const dep of step.dependsOn) addEdge(graph, step.key, dep);
  steps.forEach((step, i) => {
    step.dependsOn.forEach((dep, j) => {
      const at = pointer(list, i, 'dependsOn', j);
      if (!known.has(dep)) {
        issues.add(at, 'step.unknown', `step "${step.key}" depends on "${dep}", which the map does not define`);
        return;
      }
      const cycle = cycleThrough(graph, step.key, dep);
      if (cycle) issues.add(at, 'cycle', `steps depend on themselves: ${cycle.join(' -> ')}`);
    });
  });
}

function validate(item: MetadataItem<FulfillmentDecompositionMapContent>): ValidationIssue[] {
  const issues = issuesFor(item);
  for (const list of Object.values(STEP_LISTS)) {
    const steps = item.content[list];
    if (steps) validateList(issues, list, steps);
  }
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
