import type { KindDefinition, MetadataItem, SemanticContext, ValidationIssue } from '../types';
import { addEdge, cycleThrough, issuesFor, pointer, reportDuplicates, type Issues } from './checks';
import { array, count, key, kindSchema, name, object } from './schema-parts';

/**
 * A bundle sells a root offering together with child options (each an offering, with a
 * cardinality and a default quantity), optionally grouped with a min/max number of selections
 * per group. A child whose offering is itself the root of a bundle nests that bundle: nesting is
 * bounded (MAX_BUNDLE_DEPTH levels) and may not loop back.
 */
export const MAX_BUNDLE_DEPTH = 3;

export type BundleOption = {
  /** Key of a product-offering (the root offering of another bundle nests that bundle). */
  offering: string;
  min: number;
  max: number;
  defaultQuantity: number;
  /** Key of one of the bundle's groups. */
  group?: string;
};

/** How many distinct options of the group may be selected (quantity > 0). */
export type OptionGroup = { key: string; name: string; min: number; max: number };

export type BundleContent = {
  name: string;
  /** Key of the product-offering that is sold as this bundle. */
  offering: string;
  groups: OptionGroup[];
  options: BundleOption[];
};

const schema = kindSchema(
  'bundle',
  'Bundle',
  object<BundleContent>(
    {
      name,
      offering: key,
      groups: array(object<OptionGroup>({ key, name, min: count, max: count }, ['key', 'name', 'min', 'max']), { max: 50 }),
      options: array(
        object<BundleOption>({ offering: key, min: count, max: count, defaultQuantity: count, group: key }, [
          'offering',
          'min',
          'max',
          'defaultQuantity',
        ]),
        { min: 1, max: 200 },
      ),
    },
    ['name', 'offering', 'groups', 'options'],
  ),
);

function checkOptions(issues: Issues, content: BundleContent): void {
  const groups = new Set(content.groups.map((g) => g.key));
  content.options.forEach((option, i) => {
    if (option.min > option.max) {
      issues.add(pointer('options', i), 'range.invalid', `option "${option.offering}": min ${option.min} is above max ${option.max}`);
    } else if (option.defaultQuantity < option.min || option.defaultQuantity > option.max) {
      issues.add(
        pointer('options', i, 'defaultQuantity'),
        'default.domain',
        `option "${option.offering}": default quantity ${option.defaultQuantity} is outside ${option.min}..${option.max}`,
      );
    }
    if (option.group !== undefined && !groups.has(option.group)) {
      issues.add(pointer('options', i, 'group'), 'group.unknown', `option "${option.offering}" is in group "${option.group}", which the bundle does not define`);
    }
  });
}

function checkGroups(issues: Issues, content: BundleContent): void {
  reportDuplicates(issues, content.groups, (g) => g.key, (i) => pointer('groups', i, 'key'), 'group');
  content.groups.forEach((group, i) => {
    const members = content.options.filter((o) => o.group === group.key);
    const mandatory = members.filter((o) => o.min > 0).length;
    const defaults = members.filter((o) => o.defaultQuantity > 0).length;
    if (group.min > group.max) {
      issues.add(pointer('groups', i), 'range.invalid', `group "${group.key}": min ${group.min} is above max ${group.max}`);
      return;
    }
    if (group.min > members.length) {
      issues.add(pointer('groups', i, 'min'), 'group.unsatisfiable', `group "${group.key}" needs ${group.min} selections but has ${members.length} option(s)`);
    }
    if (mandatory > group.max) {
      issues.add(pointer('groups', i, 'max'), 'group.unsatisfiable', `group "${group.key}" allows ${group.max} selection(s) but ${mandatory} of its options are mandatory`);
    }
    if (defaults < group.min || defaults > group.max) {
      issues.add(pointer('groups', i), 'group.defaults', `the defaults select ${defaults} option(s) of group "${group.key}", outside ${group.min}..${group.max}`);
    }
  });
}

/** Offering -> child offerings, over every bundle of the set and the base. */
function nestingGraph(context: SemanticContext): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const bundle of context.items('bundle') as MetadataItem<BundleContent>[]) {
    for (const option of bundle.content.options) addEdge(graph, bundle.content.offering, option.offering);
  }
  return graph;
}

/** Bundle levels below (and including) an offering: 0 for a plain offering. Cycles count as 0. */
function depthOf(graph: Map<string, string[]>, offering: string, memo: Map<string, number>, path: Set<string>): number {
  const known = memo.get(offering);
  if (known !== undefined) return known;
  const children = graph.get(offering);
  if (!children || path.has(offering)) return 0;
  path.add(offering);
  const depth = 1 + Math.max(0, ...children.map((child) => depthOf(graph, child, memo, path)));
  path.delete(offering);
  memo.set(offering, depth);
  return depth;
}

function checkNesting(issues: Issues, content: BundleContent, context: SemanticContext): void {
  const graph = nestingGraph(context);
  const memo = new Map<string, number>();
  content.options.forEach((option, i) => {
    const cycle = cycleThrough(graph, content.offering, option.offering);
    if (cycle) {
      issues.add(pointer('options', i, 'offering'), 'cycle', `the bundle includes itself: ${cycle.join(' -> ')}`);
      return;
    }
    const depth = 1 + depthOf(graph, option.offering, memo, new Set());
    if (depth > MAX_BUNDLE_DEPTH) {
      issues.add(
        pointer('options', i, 'offering'),
        'bundle.depth',
        `through "${option.offering}" the bundle nests ${depth} levels deep; at most ${MAX_BUNDLE_DEPTH} are allowed`,
      );
    }
  });
}

function validate(item: MetadataItem<BundleContent>, context: SemanticContext): ValidationIssue[] {
  const issues = issuesFor(item);
  reportDuplicates(issues, item.content.options, (o) => o.offering, (i) => pointer('options', i, 'offering'), 'option offering');
  checkOptions(issues, item.content);
  checkGroups(issues, item.content);
  checkNesting(issues, item.content, context);
  return issues.list;
}

export const bundleKind: KindDefinition<BundleContent> = {
  kind: 'bundle',
  title: 'Bundle',
  schema,
  maxBytes: 128 * 1024,
  references: (content) => [
    { pointer: '/offering', target: { kind: 'product-offering', key: content.offering } },
    ...content.options.map((o, i) => ({ pointer: pointer('options', i, 'offering'), target: { kind: 'product-offering' as const, key: o.offering } })),
  ],
  expressions: () => [],
  validate,
};
