import type { ExpressionSite, KindDefinition, MetadataItem, SemanticContext, ValidationIssue } from '../types';
import { addEdge, cycleThrough, issuesFor, pointer, reportDuplicates, type Issues } from './checks';
import { characteristicsOf, domainProblem, type Characteristic } from './product-specification.kind';
import { array, characteristicKey, characteristicValue, feel, key, kindSchema, name, object, tagged } from './schema-parts';

/**
 * Rules that keep a configuration of the target offerings consistent. Conditions and
 * computations are FEEL expressions over the configured line: its characteristic values by key,
 * plus the names in CONFIGURATION_CONTEXT.
 *
 * - requires / excludes: when the condition holds (always, without one), the quote must (must
 *   not) also contain each of `offerings`;
 * - value-constraint: when `condition` holds, `constraint` must be true
 *   (e.g. `access = "copper"` -> `bandwidth <= 100`);
 * - derived: when `condition` holds, `characteristic` takes the value of `expression`;
 * - compatibility: the combinations of `characteristics` listed in `rows` are the only allowed ones.
 *
 * `message` is shown when the rule fails (or, for derived rules, explains the value); `severity`
 * says whether a failure blocks the quote (error) or only informs.
 */
export const CONFIGURATION_CONTEXT = ['quantity', 'segment', 'channel', 'termMonths'] as const;

export type RuleSeverity = 'error' | 'warning' | 'info';

type RuleBase = { id: string; message: string; severity: RuleSeverity };

export type RequiresRule = RuleBase & { type: 'requires'; condition?: string; offerings: string[] };
export type ExcludesRule = RuleBase & { type: 'excludes'; condition?: string; offerings: string[] };
export type ValueConstraintRule = RuleBase & { type: 'value-constraint'; condition?: string; constraint: string };
export type DerivedRule = RuleBase & { type: 'derived'; condition?: string; characteristic: string; expression: string };
export type CompatibilityValue = string | number | boolean;
export type CompatibilityRule = RuleBase & { type: 'compatibility'; characteristics: string[]; rows: CompatibilityValue[][] };

export type ConfigurationRule = RequiresRule | ExcludesRule | ValueConstraintRule | DerivedRule | CompatibilityRule;
export type ConfigurationRuleType = ConfigurationRule['type'];

export type ConfigurationRuleSetContent = {
  name: string;
  /** Keys of the product-offerings whose configurations these rules govern. */
  targets: string[];
  rules: ConfigurationRule[];
};

const base = {
  id: key,
  message: { type: 'string', minLength: 1, maxLength: 500 },
  severity: { type: 'string', enum: ['error', 'warning', 'info'] },
};
const baseRequired = ['id', 'type', 'message', 'severity'] as const;
const offerings = array(key, { min: 1, max: 50, unique: true });

const schema = kindSchema(
  'configuration-rule-set',
  'Configuration rule set',
  object<ConfigurationRuleSetContent>(
    {
      name,
      targets: array(key, { min: 1, max: 50, unique: true }),
      rules: array(
        tagged(
          ['requires', 'excludes', 'value-constraint', 'derived', 'compatibility'],
          [
            object<RequiresRule>({ ...base, type: { const: 'requires' }, condition: feel, offerings }, [...baseRequired, 'offerings']),
            object<ExcludesRule>({ ...base, type: { const: 'excludes' }, condition: feel, offerings }, [...baseRequired, 'offerings']),
            object<ValueConstraintRule>({ ...base, type: { const: 'value-constraint' }, condition: feel, constraint: feel }, [
              ...baseRequired,
              'constraint',
            ]),
            object<DerivedRule>({ ...base, type: { const: 'derived' }, condition: feel, characteristic: characteristicKey, expression: feel }, [
              ...baseRequired,
              'characteristic',
              'expression',
            ]),
            object<CompatibilityRule>(
              {
                ...base,
                type: { const: 'compatibility' },
                characteristics: array(characteristicKey, { min: 2, max: 8 }),
                rows: array(array(characteristicValue, { min: 2, max: 8 }), { min: 1, max: 2000 }),
              },
              [...baseRequired, 'characteristics', 'rows'],
            ),
          ],
        ),
        { min: 1, max: 500 },
      ),
    },
    ['name', 'targets', 'rules'],
  ),
);

function expressions(content: ConfigurationRuleSetContent): ExpressionSite[] {
  const sites: ExpressionSite[] = [];
  const add = (source: string | undefined, ...at: (string | number)[]) => {
    if (source !== undefined) sites.push({ pointer: pointer(...at), source, dialect: 'expression' });
  };
  content.rules.forEach((rule, i) => {
    if (rule.type === 'compatibility') return;
    add(rule.condition, 'rules', i, 'condition');
    if (rule.type === 'value-constraint') add(rule.constraint, 'rules', i, 'constraint');
    if (rule.type === 'derived') add(rule.expression, 'rules', i, 'expression');
  });
  return sites;
}

/** The specifications' characteristics of each target that resolves. */
type TargetSpecs = { offering: string; characteristics: Map<string, Characteristic> }[];

function checkCharacteristic(issues: Issues, targets: TargetSpecs, characteristic: string, at: string): Characteristic[] {
  const found: Characteristic[] = [];
  for (const target of targets) {
    const c = target.characteristics.get(characteristic);
    if (c) found.push(c);
    else issues.add(at, 'characteristic.unknown', `"${characteristic}" is not a characteristic of "${target.offering}"'s specification`);
  }
  return found;
}

/** Variables the expression reads (undefined if it does not compile: reported as feel.syntax). */
function variablesOf(context: SemanticContext, source: string, names?: string[]): string[] | undefined {
  const result = context.compileFeel(source, 'expression', names ? { names } : undefined);
  return result.ok ? result.compiled.variables : undefined;
}

function checkExpressionNames(issues: Issues, context: SemanticContext, targets: TargetSpecs, sites: ExpressionSite[]): void {
  const reserved = new Set<string>(CONFIGURATION_CONTEXT);
  // The names in scope: the targets' characteristics and the configuration context.
  const names = [...new Set([...reserved, ...targets.flatMap((t) => [...t.characteristics.keys()])])];
  for (const site of sites) {
    for (const variable of variablesOf(context, site.source, names) ?? []) {
      if (!reserved.has(variable)) checkCharacteristic(issues, targets, variable, site.pointer);
    }
  }
}

function checkCompatibility(issues: Issues, rule: CompatibilityRule, i: number, targets: TargetSpecs): void {
  reportDuplicates(issues, rule.characteristics, (c) => c, (j) => pointer('rules', i, 'characteristics', j), 'characteristic');
  const columns = rule.characteristics.map((c, j) => checkCharacteristic(issues, targets, c, pointer('rules', i, 'characteristics', j)));
  reportDuplicates(issues, rule.rows, (row) => JSON.stringify(row), (r) => pointer('rules', i, 'rows', r), 'row');
  rule.rows.forEach((row, r) => {
    if (row.length !== rule.characteristics.length) {
      issues.add(pointer('rules', i, 'rows', r), 'compatibility.row-length', `row has ${row.length} values for ${rule.characteristics.length} characteristics`);
      return;
    }
    row.forEach((value, col) => {
      const problem = (columns[col] ?? []).map((c) => domainProblem(c, value)).find((p) => p !== undefined);
      if (problem) issues.add(pointer('rules', i, 'rows', r, col), 'characteristic.domain', problem);
    });
  });
}

/** Derived characteristics may not depend on themselves, directly or through other derivations. */
function checkDerivedCycles(issues: Issues, context: SemanticContext, rules: ConfigurationRule[]): void {
  const graph = new Map<string, string[]>();
  const derived = rules.flatMap((rule, i) => (rule.type === 'derived' ? [{ rule, i, reads: readsOf(context, rule) }] : []));
  for (const { rule, reads } of derived) for (const v of reads) addEdge(graph, rule.characteristic, v);
  for (const { rule, i, reads } of derived) {
    const cycle = reads.map((v) => cycleThrough(graph, rule.characteristic, v)).find((c) => c !== undefined);
    if (cycle) issues.add(pointer('rules', i, 'expression'), 'cycle', `derived characteristics depend on themselves: ${cycle.join(' -> ')}`);
  }
}

function readsOf(context: SemanticContext, rule: DerivedRule): string[] {
  return [...(variablesOf(context, rule.expression) ?? []), ...(rule.condition ? (variablesOf(context, rule.condition) ?? []) : [])];
}

/** Offering -> offerings it requires, over every rule set of the set and the base. */
function requiresGraph(context: SemanticContext): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const set of context.items('configuration-rule-set') as MetadataItem<ConfigurationRuleSetContent>[]) {
    for (const rule of set.content.rules) {
      if (rule.type !== 'requires') continue;
      for (const target of set.content.targets) for (const required of rule.offerings) addEdge(graph, target, required);
    }
  }
  return graph;
}

function checkOfferingRules(issues: Issues, context: SemanticContext, content: ConfigurationRuleSetContent): void {
  const graph = requiresGraph(context);
  const alwaysRequired = new Set(content.rules.flatMap((r) => (r.type === 'requires' && !r.condition ? r.offerings : [])));
  content.rules.forEach((rule, i) => {
    if (rule.type === 'requires') {
      rule.offerings.forEach((required, j) => {
        const cycle = content.targets.map((t) => cycleThrough(graph, t, required)).find((c) => c !== undefined);
        if (cycle) issues.add(pointer('rules', i, 'offerings', j), 'cycle', `offerings require themselves: ${cycle.join(' -> ')}`);
      });
    }
    if (rule.type === 'excludes' && !rule.condition) {
      rule.offerings.forEach((excluded, j) => {
        if (alwaysRequired.has(excluded)) {
          issues.add(pointer('rules', i, 'offerings', j), 'rule.contradiction', `"${excluded}" is both always required and always excluded`);
        }
      });
    }
  });
}

function validate(item: MetadataItem<ConfigurationRuleSetContent>, context: SemanticContext): ValidationIssue[] {
  const issues = issuesFor(item);
  const { content } = item;
  const targets: TargetSpecs = content.targets.flatMap((offering) => {
    const characteristics = characteristicsOf(context, offering);
    return characteristics ? [{ offering, characteristics }] : [];
  });
  reportDuplicates(issues, content.rules, (r) => r.id, (i) => pointer('rules', i, 'id'), 'rule id');
  checkExpressionNames(issues, context, targets, expressions(content));
  content.rules.forEach((rule, i) => {
    if (rule.type === 'derived') checkCharacteristic(issues, targets, rule.characteristic, pointer('rules', i, 'characteristic'));
    if (rule.type === 'compatibility') checkCompatibility(issues, rule, i, targets);
  });
  checkDerivedCycles(issues, context, content.rules);
  checkOfferingRules(issues, context, content);
  return issues.list;
}

export const configurationRuleSetKind: KindDefinition<ConfigurationRuleSetContent> = {
  kind: 'configuration-rule-set',
  title: 'Configuration rule set',
  schema,
  maxBytes: 512 * 1024,
  references: (content) => [
    ...content.targets.map((key, i) => ({ pointer: pointer('targets', i), target: { kind: 'product-offering' as const, key } })),
    ...content.rules.flatMap((rule, i) =>
      rule.type === 'requires' || rule.type === 'excludes'
        ? rule.offerings.map((key, j) => ({ pointer: pointer('rules', i, 'offerings', j), target: { kind: 'product-offering' as const, key } }))
        : [],
    ),
  ],
  expressions,
  validate,
};
