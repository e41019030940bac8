/**
 * The configurator's pure core (STYLE.md habit 2): (published release, input) -> result with
 * explanation. No I/O, no clock, no randomness, inputs never mutated; the same release and input
 * give the same result byte for byte. Semantics, fix rules and limits: README.md.
 *
 * Per (release, offering) the rule plan is built once — rule sets sorted by key, FEEL compiled
 * through the release's cache, derived rules in dependency order, "which rules can a change of
 * this characteristic affect" — and cached in a WeakMap keyed by the ReleaseView, so a request
 * only evaluates closures (STYLE.md habit 5).
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import {
  CONFIGURATION_CONTEXT,
  domainProblem,
  type BundleContent,
  type BundleOption,
  type Characteristic,
  type CompatibilityRule,
  type CompiledFeel,
  type ConfigurationRule,
  type OptionGroup,
  type ReleaseView,
  type ReleaseViewItem,
  type RuleSeverity,
} from '@cpq/metadata';
import {
  ConfigurationInputError,
  type CharacteristicDomain,
  type ChildInput,
  type ConfigurationInput,
  type ConfigurationIssue,
  type ConfigurationResult,
  type Derivation,
  type DisabledValue,
  type Fix,
  type FixChange,
  type IssueSource,
  type NormalizedChild,
} from './configuration.types';

/** Grid points a numeric search visits at most (allowed interval, nearest fixing value). */
const MAX_SCAN = 2001;
/** Verified fixes kept per issue. */
const MAX_FIXES = 10;
/** Bundle levels configured below the line (publish allows 3). */
const MAX_DEPTH = 4;
/** Bounds on untrusted input. */
const MAX_SELECTIONS = 500;
const MAX_CHILDREN = 2000;
const MAX_QUOTE_OFFERINGS = 5000;
const MAX_VALUE_DEPTH = 8;

type Scope = Record<string, unknown>;
type CompatibilityValue = CompatibilityRule['rows'][number][number];

const hasOwn = (target: object, key: string): boolean => Object.prototype.hasOwnProperty.call(target, key);
const CONTEXT_NAMES: ReadonlySet<string> = new Set(CONFIGURATION_CONTEXT);

// --- the rule plan, built once per (release, offering) ----------------------------------------

/** Where a rule comes from, as issues and disabled values name it. */
type Ref = { ruleId: string; ruleSetKey: string; ruleVersion: string; source: IssueSource; severity: RuleSeverity; message: string };

type Check = Ref & {
  type: 'value-constraint' | 'requires' | 'excludes' | 'compatibility';
  condition?: CompiledFeel;
  constraint?: CompiledFeel;
  offerings: string[];
  columns: string[];
  rows: CompatibilityValue[][];
  rowKeys: Set<string>;
  /** Names that must have a value for the rule to be evaluated (characteristics and context). */
  needs: string[];
  /** The line's characteristics the rule involves (reads, or compatibility columns). */
  characteristics: string[];
  /** Numeric literals of its expressions: candidate values for continuous numbers. */
  literals: number[];
  /** Why it cannot be evaluated (an expression that does not compile: refused at publish). */
  broken?: string;
};

type Derive = Ref & {
  target: string;
  condition?: CompiledFeel;
  expression?: CompiledFeel;
  needs: string[];
  characteristics: string[];
  literals: number[];
  broken?: string;
};

type BundlePlan = {
  key: string;
  version: string;
  options: Map<string, BundleOption>;
  /** Options sorted by offering. */
  sorted: BundleOption[];
  /** Options present without being listed (default quantity > 0) or checked anyway (min > 0). */
  implicit: BundleOption[];
  groups: OptionGroup[];
  members: Map<string, BundleOption[]>;
};

type Plan = {
  offering: string;
  offeringItem: ReleaseViewItem<'product-offering'>;
  specKey: string;
  specVersion: string;
  characteristics: Map<string, Characteristic>;
  /** Characteristic keys, sorted. */
  keys: string[];
  /** Derived rules in dependency order (declaration order among independent ones). */
  derived: Derive[];
  checks: Check[];
  /** Characteristic -> checks whose outcome a change of it can alter (directly or through derived values). */
  affects: Map<string, Check[]>;
  /** Characteristic -> derived rules whose value a change of it can alter. */
  derives: Map<string, Derive[]>;
  /** Offerings its requires / excludes rules look for: the only presence its issues depend on. */
  mentions: Set<string>;
  bundle?: BundlePlan;
};

type ReleaseIndex = {
  ruleSets: Map<string, ReleaseViewItem<'configuration-rule-set'>[]>;
  bundles: Map<string, ReleaseViewItem<'bundle'>>;
  plans: Map<string, Plan | null>;
};

const indexes = new WeakMap<ReleaseView, ReleaseIndex>();

function indexOf(release: ReleaseView): ReleaseIndex {
  let index = indexes.get(release);
  if (index) return index;
  const ruleSets = new Map<string, ReleaseViewItem<'configuration-rule-set'>[]>();
  for (const set of [...release.list('configuration-rule-set')].sort((a, b) => compare(a.key, b.key))) {
    for (const target of new Set(set.content.targets)) push(ruleSets, target, set);
  }
  const bundles = new Map<string, ReleaseViewItem<'bundle'>>();
  for (const bundle of [...release.list('bundle')].sort((a, b) => compare(a.key, b.key))) {
    if (!bundles.has(bundle.content.offering)) bundles.set(bundle.content.offering, bundle);
  }
  index = { ruleSets, bundles, plans: new Map() };
  indexes.set(release, index);
  return index;
}

function planFor(release: ReleaseView, index: ReleaseIndex, offering: string): Plan | undefined {
  let plan = index.plans.get(offering);
  if (plan === undefined) {
    plan = buildPlan(release, index, offering) ?? null;
    index.plans.set(offering, plan);
  }
  return plan ?? undefined;
}

function buildPlan(release: ReleaseView, index: ReleaseIndex, offering: string): Plan | undefined {
  const offeringItem = release.get('product-offering', offering);
  if (!offeringItem) return undefined;
  const spec = release.get('product-specification', offeringItem.content.specification);
  // A published release resolves every reference; a missing one is a bug, not bad input.
  if (!spec) throw new Error(`release ${release.releaseId}: "${offering}" refers to the missing specification "${offeringItem.content.specification}"`);
  const characteristics = new Map(spec.content.characteristics.map((c) => [c.key, c]));
  const known = (name: string) => characteristics.has(name) || CONTEXT_NAMES.has(name);
  // The names in scope, so a name with spaces, keywords or operators parses as one name.
  const names = [...characteristics.keys(), ...CONTEXT_NAMES];

  const compile = (source: string | undefined): { compiled?: CompiledFeel; error?: string; reads: string[] } => {
    if (source === undefined) return { reads: [] };
    const result = release.feel.compile(source, 'expression', { names });
    if (!result.ok) return { error: `"${source}" does not compile: ${result.error.message}`, reads: [] };
    return { compiled: result.compiled, reads: result.compiled.variables.filter(known) };
  };

  const derived: Derive[] = [];
  const checks: Check[] = [];
  for (const set of index.ruleSets.get(offering) ?? []) {
    for (const rule of set.content.rules) {
      const ref: Ref = { ruleId: rule.id, ruleSetKey: set.key, ruleVersion: set.contentHash, source: 'configuration-rule-set', severity: rule.severity, message: rule.message };
      const condition = compile(conditionOf(rule));
      const main = compile(mainExpression(rule));
      const needs = unique([...condition.reads, ...main.reads]);
      const broken = condition.error ?? main.error;
      const literals = literalsOf(rule);
      if (rule.type === 'derived') {
        derived.push({
          ...ref,
          target: rule.characteristic,
          condition: condition.compiled,
          expression: main.compiled,
          needs,
          characteristics: needs.filter((n) => characteristics.has(n)),
          literals,
          ...(broken ? { broken } : {}),
        });
        continue;
      }
      const columns = rule.type === 'compatibility' ? rule.characteristics : [];
      const rows = rule.type === 'compatibility' ? rule.rows : [];
      checks.push({
        ...ref,
        type: rule.type,
        condition: condition.compiled,
        constraint: main.compiled,
        offerings: rule.type === 'requires' || rule.type === 'excludes' ? rule.offerings : [],
        columns,
        rows,
        rowKeys: new Set(rows.map((row) => JSON.stringify(row))),
        needs,
        characteristics: unique([...needs.filter((n) => characteristics.has(n)), ...columns]),
        literals,
        ...(broken ? { broken } : {}),
      });
    }
  }

  const ordered = orderDerived(derived);
  // Characteristic -> what its value can change: a derived value reading it (transitively), and
  // every check reading it or such a derived value.
  const dependsOn = new Map<string, Set<string>>();
  for (const step of ordered) {
    const deps = dependsOn.get(step.target) ?? new Set<string>();
    for (const name of step.needs) {
      deps.add(name);
      for (const inner of dependsOn.get(name) ?? []) deps.add(inner);
    }
    dependsOn.set(step.target, deps);
  }
  const reach = (key: string): Set<string> => {
    const names = new Set([key]);
    for (const [target, deps] of dependsOn) if (deps.has(key)) names.add(target);
    return names;
  };
  const affects = new Map<string, Check[]>();
  const derives = new Map<string, Derive[]>();
  for (const key of characteristics.keys()) {
    const names = reach(key);
    affects.set(key, checks.filter((check) => check.needs.some((n) => names.has(n)) || check.columns.some((c) => names.has(c))));
    derives.set(key, ordered.filter((step) => step.target !== key && step.needs.some((n) => names.has(n))));
  }

  const bundleItem = index.bundles.get(offering);
  const bundle = bundleItem ? bundlePlan(bundleItem) : undefined;
  return {
    offering,
    offeringItem,
    specKey: spec.key,
    specVersion: spec.contentHash,
    characteristics,
    keys: [...characteristics.keys()].sort(compare),
    derived: ordered,
    checks,
    affects,
    derives,
    mentions: new Set(checks.flatMap((check) => check.offerings)),
    ...(bundle ? { bundle } : {}),
  };
}

function conditionOf(rule: ConfigurationRule): string | undefined {
  return rule.type === 'compatibility' ? undefined : rule.condition;
}

function mainExpression(rule: ConfigurationRule): string | undefined {
  if (rule.type === 'value-constraint') return rule.constraint;
  if (rule.type === 'derived') return rule.expression;
  return undefined;
}

function literalsOf(rule: ConfigurationRule): number[] {
  const text = [conditionOf(rule) ?? '', mainExpression(rule) ?? ''].join(' ');
  return unique((text.match(/-?\d+(?:\.\d+)?/g) ?? []).map(Number).filter(Number.isFinite));
}

/** Kahn's order over "reads a characteristic another derived rule computes"; ties by declaration. */
function orderDerived(steps: Derive[]): Derive[] {
  const producers = new Map<string, number[]>();
  steps.forEach((step, i) => push(producers, step.target, i));
  const deps = steps.map((step, i) => unique(step.needs.flatMap((n) => producers.get(n) ?? []).filter((j) => j !== i)));
  const done = new Set<number>();
  const ordered: Derive[] = [];
  while (ordered.length < steps.length) {
    let pick = steps.findIndex((_, i) => !done.has(i) && deps[i]!.every((j) => done.has(j)));
    // A cycle is refused at publish; should one slip through, fall back to declaration order.
    if (pick < 0) pick = steps.findIndex((_, i) => !done.has(i));
    done.add(pick);
    ordered.push(steps[pick]!);
  }
  return ordered;
}

function bundlePlan(item: ReleaseViewItem<'bundle'>): BundlePlan {
  const content: BundleContent = item.content;
  const sorted = [...content.options].sort((a, b) => compare(a.offering, b.offering));
  return {
    key: item.key,
    version: item.contentHash,
    options: new Map(sorted.map((o) => [o.offering, o])),
    sorted,
    implicit: sorted.filter((o) => o.defaultQuantity > 0 || o.min > 0),
    groups: [...content.groups].sort((a, b) => compare(a.key, b.key)),
    members: new Map(content.groups.map((g) => [g.key, sorted.filter((o) => o.group === g.key)])),
  };
}

// --- input: checked, order-normalized ----------------------------------------------------------

type Clean = {
  offering: string;
  selections: Record<string, unknown>;
  children: { offering: string; quantity: number; selections: Record<string, unknown> }[];
  context: { quantity?: number; segment?: string; channel?: string; termMonths?: number; quoteOfferings: string[] };
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isJsonValue(value: unknown, depth: number): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (depth >= MAX_VALUE_DEPTH) return false;
  if (Array.isArray(value)) return value.every((v) => isJsonValue(v, depth + 1));
  if (isPlainObject(value)) return Object.values(value).every((v) => v === undefined || isJsonValue(v, depth + 1));
  return false;
}

/** Own entries sorted by key; undefined and null mean "no selection" and are dropped. */
function cleanSelections(value: unknown, field: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw new ConfigurationInputError('invalid-input', field, `${field} must be an object of characteristic values`);
  const entries = Object.entries(value).filter(([, v]) => v !== undefined && v !== null);
  if (entries.length > MAX_SELECTIONS) throw new ConfigurationInputError('invalid-input', field, `${field} holds more than ${MAX_SELECTIONS} values`);
  for (const [key, v] of entries) {
    if (!isJsonValue(v, 0)) throw new ConfigurationInputError('invalid-input', `${field}.${key}`, `${field}.${key} is not a JSON value (finite numbers, strings, booleans, lists, objects)`);
  }
  return Object.fromEntries(entries.sort(([a], [b]) => compare(a, b)));
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ConfigurationInputError('invalid-input', field, `${field} must be a string`);
  return value;
}

function optionalCount(value: unknown, field: string, code: 'invalid-input' | 'invalid-quantity'): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new ConfigurationInputError(code, field, `${field} must be a whole number of at least 1`);
  return value;
}

function cleanInput(input: ConfigurationInput): Clean {
  if (!isPlainObject(input)) throw new ConfigurationInputError('invalid-input', '', 'the input must be an object');
  if (typeof input.offering !== 'string' || input.offering === '') throw new ConfigurationInputError('invalid-input', 'offering', 'offering must name a product offering');
  if (input.selections === undefined || input.selections === null) throw new ConfigurationInputError('invalid-input', 'selections', 'selections is required (may be empty)');
  const selections = cleanSelections(input.selections, 'selections');

  const rawChildren: unknown = input.children ?? [];
  if (!Array.isArray(rawChildren)) throw new ConfigurationInputError('invalid-input', 'children', 'children must be a list');
  if (rawChildren.length > MAX_CHILDREN) throw new ConfigurationInputError('invalid-input', 'children', `at most ${MAX_CHILDREN} children`);
  const seen = new Set<string>();
  const children = rawChildren.map((child: unknown, i) => {
    const field = `children[${i}]`;
    if (!isPlainObject(child)) throw new ConfigurationInputError('invalid-input', field, `${field} must be an object`);
    if (typeof child.offering !== 'string' || child.offering === '') throw new ConfigurationInputError('invalid-input', `${field}.offering`, `${field}.offering must name a product offering`);
    const quantity = child.quantity;
    if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 0) {
      throw new ConfigurationInputError('invalid-quantity', `${field}.quantity`, `${field}.quantity must be a whole number of at least 0 (0 removes the option)`);
    }
    if (seen.has(child.offering)) throw new ConfigurationInputError('duplicate-child', `${field}.offering`, `"${child.offering}" is listed twice among the children`);
    seen.add(child.offering);
    return { offering: child.offering, quantity, selections: cleanSelections(child.selections, `${field}.selections`) };
  });
  children.sort((a, b) => compare(a.offering, b.offering));

  const rawContext: unknown = input.context ?? {};
  if (!isPlainObject(rawContext)) throw new ConfigurationInputError('invalid-input', 'context', 'context must be an object');
  const quote: unknown = rawContext.quoteOfferings ?? [];
  if (!Array.isArray(quote) || quote.length > MAX_QUOTE_OFFERINGS || !quote.every((o): o is string => typeof o === 'string')) {
    throw new ConfigurationInputError('invalid-input', 'context.quoteOfferings', `context.quoteOfferings must be a list of at most ${MAX_QUOTE_OFFERINGS} offering keys`);
  }
  const quantity = optionalCount(rawContext.quantity, 'context.quantity', 'invalid-quantity');
  const termMonths = optionalCount(rawContext.termMonths, 'context.termMonths', 'invalid-input');
  const segment = optionalString(rawContext.segment, 'context.segment');
  const channel = optionalString(rawContext.channel, 'context.channel');
  return {
    offering: input.offering,
    selections,
    children,
    context: {
      ...(quantity !== undefined ? { quantity } : {}),
      ...(segment !== undefined ? { segment } : {}),
      ...(channel !== undefined ? { channel } : {}),
      ...(termMonths !== undefined ? { termMonths } : {}),
      quoteOfferings: unique(quote).sort(compare),
    },
  };
}

// --- evaluation ---------------------------------------------------------------------------------

type LineContext = { quantity?: number; segment?: string; channel?: string; termMonths?: number };

/** Why an issue arose: what its fixes are computed from. */
type Meta =
  | { kind: 'unknown'; characteristic: string; value: unknown }
  | { kind: 'value'; characteristic: string; value?: unknown }
  | { kind: 'derived-conflict'; step: Derive; selected: unknown; value: unknown }
  | { kind: 'derived-domain'; step: Derive }
  | { kind: 'check'; check: Check; offerings: string[] }
  | { kind: 'none' }
  | { kind: 'child-quantity'; offering: string; quantity: number; to: number }
  | { kind: 'group'; group: OptionGroup; selected: BundleOption[]; unselected: BundleOption[] };

type Raw = {
  /** Identity of the issue across re-evaluations: child path, rule set, rule id. */
  key: string;
  issue: Omit<ConfigurationIssue, 'fixes'>;
  meta: Meta;
  /** The line the issue is about (for characteristic fixes). */
  line: Line;
};

type Line = {
  plan: Plan;
  path: string | undefined;
  context: LineContext;
  present: (offering: string) => boolean;
  /** The selections as given (sorted, nulls dropped). */
  explicit: Record<string, unknown>;
  /** Context names and the valid selected or default values, before derivation. */
  base: Scope;
  /** base with derived values: what the rules read. */
  scope: Scope;
  derivedBy: Map<string, { step: Derive; value: unknown }>;
  normalized: Record<string, unknown>;
  issues: Raw[];
};

type EffectiveChild = {
  offering: string;
  quantity: number;
  selections: Record<string, unknown>;
  given: boolean;
  option?: BundleOption;
  evaluation?: Evaluation;
};

type Evaluation = { line: Line; children: EffectiveChild[]; issues: Raw[] };

type Env = { context: LineContext; outside: (offering: string) => boolean };

function touches(plan: Plan, changed: Set<string>): boolean {
  for (const offering of changed) if (plan.mentions.has(offering)) return true;
  return false;
}

function issueKey(path: string | undefined, ruleSetKey: string, ruleId: string): string {
  return `${path ?? ''}\u0000${ruleSetKey}\u0000${ruleId}`;
}

function makeRaw(line: Line, ref: Omit<Ref, 'message' | 'severity'> & { severity?: RuleSeverity }, characteristics: string[], message: string, meta: Meta, offerings?: string[]): Raw {
  const issue: Omit<ConfigurationIssue, 'fixes'> = {
    ruleId: ref.ruleId,
    ruleSetKey: ref.ruleSetKey,
    ruleVersion: ref.ruleVersion,
    source: ref.source,
    severity: ref.severity ?? 'error',
    characteristics,
    ...(offerings && offerings.length > 0 ? { offerings } : {}),
    ...(line.path !== undefined ? { child: line.path } : {}),
    message,
  };
  return { key: issueKey(line.path, ref.ruleSetKey, ref.ruleId), issue, meta, line };
}

function specRef(plan: Plan, ruleId: string): Omit<Ref, 'message'> {
  return { ruleId, ruleSetKey: plan.specKey, ruleVersion: plan.specVersion, source: 'product-specification', severity: 'error' };
}

function offeringRef(plan: Plan, ruleId: string): Omit<Ref, 'message'> {
  return { ruleId, ruleSetKey: plan.offering, ruleVersion: plan.offeringItem.contentHash, source: 'product-offering', severity: 'error' };
}

function typeMatches(c: Characteristic, value: unknown): boolean {
  switch (c.valueType) {
    case 'enum':
    case 'string':
    case 'date':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'number':
    case 'integer':
      return typeof value === 'number';
  }
}

type DeriveOutcome = { applies: false } | { applies: true; value: unknown } | { applies: true; error: string };

function runDerive(step: Derive, scope: Scope): DeriveOutcome {
  if (step.broken) return { applies: true, error: step.broken };
  for (const name of step.needs) if (!hasOwn(scope, name)) return { applies: false };
  try {
    if (step.condition && step.condition.evaluate(scope) !== true) return { applies: false };
    const value = step.expression?.evaluate(scope);
    return value === null || value === undefined ? { applies: false } : { applies: true, value };
  } catch (err) {
    return { applies: true, error: `could not be evaluated: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/**
 * Applies the derived rules to the scope in dependency order (the first applicable rule of a
 * characteristic wins). Reports each applied value and each problem through the callbacks.
 */
function deriveInto(
  plan: Plan,
  scope: Scope,
  onValue?: (step: Derive, value: unknown) => void,
  onProblem?: (step: Derive, problem: string) => void,
): void {
  const done = new Set<string>();
  for (const step of plan.derived) {
    if (done.has(step.target)) continue;
    const outcome = runDerive(step, scope);
    if (!outcome.applies) continue;
    done.add(step.target);
    if ('error' in outcome) {
      onProblem?.(step, outcome.error);
      continue;
    }
    const c = plan.characteristics.get(step.target);
    const problem = c ? domainProblem(c, outcome.value) : `"${step.target}" is not a characteristic of the specification`;
    if (problem) {
      delete scope[step.target];
      onProblem?.(step, `computes ${display(outcome.value)}: ${problem}`);
      continue;
    }
    scope[step.target] = outcome.value;
    onValue?.(step, outcome.value);
  }
}

/** True only if the expression evaluates to true (an evaluation error is not true). */
function holds(compiled: CompiledFeel, scope: Scope): boolean {
  try {
    return compiled.evaluate(scope) === true;
  } catch {
    return false;
  }
}

/** A failed check: the offerings it names (missing or present), or why it could not be evaluated. */
type Failure = { offerings: string[]; error?: string };

function runCheck(check: Check, scope: Scope, present: (offering: string) => boolean): Failure | undefined {
  if (check.broken) return { offerings: [], error: check.broken };
  if (check.type === 'compatibility') return compatible(check, scope) ? undefined : { offerings: [] };
  for (const name of check.needs) if (!hasOwn(scope, name)) return undefined;
  try {
    if (check.condition && check.condition.evaluate(scope) !== true) return undefined;
    switch (check.type) {
      case 'value-constraint':
        return check.constraint!.evaluate(scope) === true ? undefined : { offerings: [] };
      case 'requires': {
        const missing = check.offerings.filter((o) => !present(o));
        return missing.length > 0 ? { offerings: missing } : undefined;
      }
      case 'excludes': {
        const found = check.offerings.filter((o) => present(o));
        return found.length > 0 ? { offerings: found } : undefined;
      }
    }
  } catch (err) {
    return { offerings: [], error: `could not be evaluated: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** A combination passes if a row matches it on every column that has a value. */
function compatible(check: Check, scope: Scope): boolean {
  const values = check.columns.map((c) => (hasOwn(scope, c) ? scope[c] : undefined));
  const given = values.filter((v) => v !== undefined).length;
  if (given === 0) return true;
  if (given === values.length) return check.rowKeys.has(JSON.stringify(values));
  return check.rows.some((row) => values.every((v, i) => v === undefined || row[i] === v));
}

function evaluateLine(plan: Plan, explicit: Record<string, unknown>, context: LineContext, present: (o: string) => boolean, path: string | undefined): Line {
  const base: Scope = {};
  for (const name of CONFIGURATION_CONTEXT) {
    const value = context[name];
    if (value !== undefined) base[name] = value;
  }
  const line: Line = { plan, path, context, present, explicit, base, scope: base, derivedBy: new Map(), normalized: {}, issues: [] };
  const issues = line.issues;

  const status = plan.offeringItem.content.status;
  if (status !== 'active') {
    issues.push(makeRaw(line, offeringRef(plan, 'offering.status'), [], `"${plan.offering}" is ${status}: it cannot be sold`, { kind: 'none' }));
  }
  if (context.channel !== undefined && !plan.offeringItem.content.channels.includes(context.channel)) {
    issues.push(makeRaw(line, offeringRef(plan, 'offering.channel'), [], `"${plan.offering}" is not sold in the channel "${context.channel}"`, { kind: 'none' }));
  }
  if (context.segment !== undefined && !plan.offeringItem.content.segments.includes(context.segment)) {
    issues.push(makeRaw(line, offeringRef(plan, 'offering.segment'), [], `"${plan.offering}" is not sold to the segment "${context.segment}"`, { kind: 'none' }));
  }

  for (const [key, value] of Object.entries(explicit)) {
    const c = plan.characteristics.get(key);
    if (!c) {
      issues.push(
        makeRaw(line, specRef(plan, `characteristic.unknown.${key}`), [key], `"${key}" is not a characteristic of "${plan.offering}"`, {
          kind: 'unknown',
          characteristic: key,
          value,
        }),
      );
      continue;
    }
    if (!typeMatches(c, value)) {
      issues.push(makeRaw(line, specRef(plan, `type.${key}`), [key], domainProblem(c, value) ?? `"${key}" has the wrong type`, { kind: 'value', characteristic: key, value }));
      continue;
    }
    const problem = domainProblem(c, value);
    if (problem) {
      issues.push(makeRaw(line, specRef(plan, `domain.${key}`), [key], problem, { kind: 'value', characteristic: key, value }));
      continue;
    }
    base[key] = value;
  }
  for (const key of plan.keys) {
    const c = plan.characteristics.get(key)!;
    if (!hasOwn(explicit, key) && c.default !== undefined && domainProblem(c, c.default) === undefined) base[key] = c.default;
  }

  const scope: Scope = { ...base };
  line.scope = scope;
  deriveInto(
    plan,
    scope,
    (step, value) => {
      line.derivedBy.set(step.target, { step, value });
      if (hasOwn(explicit, step.target) && explicit[step.target] !== value) {
        const selected = explicit[step.target];
        issues.push(
          makeRaw(line, step, [step.target], `${step.message} (selected ${display(selected)}, the rule sets ${display(value)})`, {
            kind: 'derived-conflict',
            step,
            selected,
            value,
          }),
        );
      }
    },
    (step, problem) => {
      issues.push(makeRaw(line, { ...step, severity: 'error' }, [step.target, ...step.characteristics.filter((c) => c !== step.target)], `${step.message}: ${problem}`, { kind: 'derived-domain', step }));
    },
  );

  for (const key of plan.keys) {
    const c = plan.characteristics.get(key)!;
    if (c.required && !hasOwn(scope, key) && !hasOwn(explicit, key)) {
      issues.push(makeRaw(line, specRef(plan, `required.${key}`), [key], `"${key}" (${c.name}) is required`, { kind: 'value', characteristic: key }));
    }
  }

  for (const check of plan.checks) {
    const failure = runCheck(check, scope, present);
    if (!failure) continue;
    if (failure.error) {
      issues.push(makeRaw(line, { ...check, severity: 'error' }, check.characteristics, `${check.message} (${failure.error})`, { kind: 'none' }));
      continue;
    }
    issues.push(makeRaw(line, check, check.characteristics, check.message, { kind: 'check', check, offerings: failure.offerings }, failure.offerings));
  }

  const normalized = new Map<string, unknown>(Object.entries(explicit));
  for (const key of plan.keys) {
    const c = plan.characteristics.get(key)!;
    if (!normalized.has(key) && c.default !== undefined) normalized.set(key, c.default);
  }
  for (const [key, { value }] of line.derivedBy) normalized.set(key, value);
  line.normalized = Object.fromEntries([...normalized].sort(([a], [b]) => compare(a, b)));
  return line;
}

function effectiveChildren(plan: Plan, given: Clean['children']): EffectiveChild[] {
  const bundle = plan.bundle;
  if (!bundle) return given.map((c) => ({ offering: c.offering, quantity: c.quantity, selections: c.selections, given: true }));
  // Options neither listed nor in `implicit` have quantity 0: nothing to check or configure.
  const listed = new Set(given.map((c) => c.offering));
  const children: EffectiveChild[] = given.map((child) => {
    const option = bundle.options.get(child.offering);
    const effective: EffectiveChild = { offering: child.offering, quantity: child.quantity, selections: child.selections, given: true };
    if (option) effective.option = option;
    return effective;
  });
  for (const option of bundle.implicit) {
    if (!listed.has(option.offering)) children.push({ offering: option.offering, quantity: option.defaultQuantity, selections: {}, given: false, option });
  }
  return children.sort((a, b) => compare(a.offering, b.offering));
}

function bundleIssues(line: Line, children: EffectiveChild[]): Raw[] {
  const { plan } = line;
  const bundle = plan.bundle;
  const issues: Raw[] = [];
  const bundleRef = (ruleId: string): Omit<Ref, 'message'> =>
    bundle
      ? { ruleId, ruleSetKey: bundle.key, ruleVersion: bundle.version, source: 'bundle', severity: 'error' }
      : offeringRef(plan, ruleId);
  for (const child of children) {
    if (child.option || child.quantity === 0) continue;
    const message = bundle ? `"${child.offering}" is not an option of the bundle "${bundle.key}"` : `"${plan.offering}" is not a bundle: it takes no children`;
    issues.push(makeRaw(line, bundleRef(`bundle.child.${child.offering}`), [], message, { kind: 'child-quantity', offering: child.offering, quantity: child.quantity, to: 0 }, [child.offering]));
  }
  if (!bundle) return issues;
  for (const child of children) {
    const option = child.option;
    if (!option || (child.quantity >= option.min && child.quantity <= option.max)) continue;
    const to = child.quantity < option.min ? option.min : option.max;
    issues.push(
      makeRaw(
        line,
        bundleRef(`bundle.cardinality.${option.offering}`),
        [],
        `"${option.offering}" takes a quantity from ${option.min} to ${option.max}, not ${child.quantity}`,
        { kind: 'child-quantity', offering: option.offering, quantity: child.quantity, to },
        [option.offering],
      ),
    );
  }
  const counts = new Map<string, number>();
  for (const child of children) {
    const group = child.option?.group;
    if (group !== undefined && child.quantity > 0) counts.set(group, (counts.get(group) ?? 0) + 1);
  }
  const quantities = new Map(children.map((c) => [c.offering, c.quantity]));
  for (const group of bundle.groups) {
    const count = counts.get(group.key) ?? 0;
    if (count >= group.min && count <= group.max) continue;
    const members = bundle.members.get(group.key) ?? [];
    const selected = members.filter((o) => (quantities.get(o.offering) ?? 0) > 0);
    const unselected = members.filter((o) => (quantities.get(o.offering) ?? 0) === 0);
    issues.push(
      makeRaw(
        line,
        bundleRef(`bundle.group.${group.key}`),
        [],
        `group "${group.key}" (${group.name}) takes ${group.min === group.max ? group.min : `${group.min} to ${group.max}`} option(s), ${selected.length} selected`,
        { kind: 'group', group, selected, unselected },
        selected.map((o) => o.offering),
      ),
    );
  }
  return issues;
}

function evaluate(release: ReleaseView, index: ReleaseIndex, plan: Plan, selections: Record<string, unknown>, given: Clean['children'], env: Env, path: string | undefined, depth: number): Evaluation {
  const children = effectiveChildren(plan, given);
  const own = new Set<string>();
  for (const child of children) if (child.quantity > 0) own.add(child.offering);
  const present = (o: string) => own.has(o) || env.outside(o);
  const line = evaluateLine(plan, selections, env.context, present, path);
  const issues = [...line.issues, ...bundleIssues(line, children)];
  if (depth < MAX_DEPTH) {
    for (const child of children) {
      const evaluation = evaluateChild(release, index, plan, child, env, (o) => own.has(o), path, depth);
      if (evaluation) issues.push(...evaluation.issues);
    }
  }
  return { line, children, issues };
}

/** Configures a bundle child (an option with quantity > 0) against its own plan. */
function evaluateChild(
  release: ReleaseView,
  index: ReleaseIndex,
  plan: Plan,
  child: EffectiveChild,
  env: Env,
  ownHas: (offering: string) => boolean,
  path: string | undefined,
  depth: number,
): Evaluation | undefined {
  if (!child.option || child.quantity === 0) return undefined;
  const childPlan = planFor(release, index, child.offering);
  if (!childPlan) return undefined;
  const offering = child.offering;
  const childEnv: Env = {
    context: { ...env.context, quantity: child.quantity },
    // The child's rules see the quote, the bundle's root and its siblings.
    outside: (o) => o !== offering && (o === plan.offering || ownHas(o) || env.outside(o)),
  };
  child.evaluation = evaluate(release, index, childPlan, child.selections, [], childEnv, path === undefined ? offering : `${path}/${offering}`, depth + 1);
  return child.evaluation;
}

function evaluateClean(release: ReleaseView, index: ReleaseIndex, plan: Plan, clean: Clean): Evaluation {
  const quote = new Set(clean.context.quoteOfferings);
  const { quoteOfferings: _quote, ...context } = clean.context;
  return evaluate(release, index, plan, clean.selections, clean.children, { context, outside: (o) => quote.has(o) }, undefined, 0);
}

/**
 * A fix's changes against the evaluated configuration: new root selections, new child
 * selections and quantities, the new quote, and the offerings whose presence may change.
 */
type Patch = {
  root?: Record<string, unknown>;
  selections: Map<string, Record<string, unknown>>;
  quantities: Map<string, number>;
  quote: Set<string>;
  changed: Set<string>;
};

function patchOf(clean: Clean, evaluation: Evaluation, changes: FixChange[]): Patch {
  const patch: Patch = { selections: new Map(), quantities: new Map(), quote: new Set(clean.context.quoteOfferings), changed: new Set() };
  const childrenBy = new Map(evaluation.children.map((c) => [c.offering, c]));
  for (const change of changes) {
    if (change.scope === 'line') {
      patch.root ??= Object.fromEntries(Object.entries(clean.selections));
      setOrDelete(patch.root, change.characteristic, change.to);
    } else if (change.scope === 'child' && change.characteristic !== undefined) {
      const own = patch.selections.get(change.offering) ?? Object.fromEntries(Object.entries(childrenBy.get(change.offering)?.selections ?? {}));
      setOrDelete(own, change.characteristic, change.to);
      patch.selections.set(change.offering, own);
    } else if (change.scope === 'child') {
      patch.quantities.set(change.offering, typeof change.to === 'number' ? change.to : 0);
      patch.changed.add(change.offering);
    } else {
      if (change.to > 0) patch.quote.add(change.offering);
      else patch.quote.delete(change.offering);
      patch.changed.add(change.offering);
    }
  }
  return patch;
}

/**
 * The configuration's issues after a patch, re-evaluating only what the patch can change: the
 * bundle checks, lines whose selections or quantity changed, and lines whose requires /
 * excludes rules look for an offering whose presence changed. The other lines keep their
 * issues (they depend on nothing else). Same semantics as evaluateClean(applyFix(...)).
 */
function evaluatePatched(release: ReleaseView, index: ReleaseIndex, plan: Plan, previous: Evaluation, patch: Patch): Raw[] {
  const before = new Map(previous.children.map((c) => [c.offering, c]));
  const children = previous.children.slice();
  let added = false;
  for (const offering of new Set([...patch.quantities.keys(), ...patch.selections.keys()])) {
    const old = before.get(offering);
    const option = plan.bundle?.options.get(offering);
    const child: EffectiveChild = {
      offering,
      quantity: patch.quantities.get(offering) ?? old?.quantity ?? option?.defaultQuantity ?? 0,
      selections: patch.selections.get(offering) ?? old?.selections ?? {},
      given: true,
      ...(option ? { option } : {}),
    };
    const at = old ? children.indexOf(old) : -1;
    if (at >= 0) children[at] = child;
    else {
      children.push(child);
      added = true;
    }
  }
  if (added) children.sort((a, b) => compare(a.offering, b.offering));
  const quantityOf = (o: string) => (patch.quantities.has(o) ? patch.quantities.get(o)! : (before.get(o)?.quantity ?? 0));
  const ownHas = (o: string) => quantityOf(o) > 0;
  const outside = (o: string) => patch.quote.has(o);
  const env: Env = { context: previous.line.context, outside };
  const line =
    patch.root || touches(plan, patch.changed)
      ? evaluateLine(plan, patch.root ? cleanSelections(patch.root, 'selections') : previous.line.explicit, previous.line.context, (o) => ownHas(o) || outside(o), undefined)
      : previous.line;
  const issues = [...line.issues, ...bundleIssues(line, children)];
  for (const child of children) {
    const old = before.get(child.offering);
    const childPlan = child.option && child.quantity > 0 ? planFor(release, index, child.offering) : undefined;
    if (!childPlan) continue;
    const unchanged = old === child && old.evaluation && !childPlan.bundle && !touches(childPlan, patch.changed);
    const evaluation = unchanged ? old.evaluation : evaluateChild(release, index, plan, { ...child }, env, ownHas, undefined, 0);
    if (evaluation) issues.push(...evaluation.issues);
  }
  return issues;
}

// --- what-if: the same line with one characteristic changed -----------------------------------

function whatIf(line: Line, key: string, value: unknown): Scope {
  const scope: Scope = { ...line.base };
  scope[key] = value;
  deriveInto(line.plan, scope);
  return scope;
}

/** The first error rule that fails if `key` takes `value`, the other selections unchanged. */
function disablingRule(line: Line, key: string, value: unknown): Ref | undefined {
  const { plan } = line;
  const scope: Scope = { ...line.base };
  scope[key] = value;
  const affected = new Set(plan.derives.get(key) ?? []);
  let failing: Ref | undefined;
  deriveInto(plan, scope, undefined, (step) => {
    if (!failing && affected.has(step)) failing = step;
  });
  if (failing) return failing;
  for (const check of plan.affects.get(key) ?? []) {
    if (check.severity !== 'error' || check.broken) continue;
    if (runCheck(check, scope, line.present)) return check;
  }
  return undefined;
}

// --- numbers: grids and searches ---------------------------------------------------------------

const round12 = (n: number) => Number(n.toPrecision(12));

type Grid = { at: (k: number) => number; kMin: number; kMax: number; index: (v: number) => number };

/** The values a number can take as k = kMin..kMax (integers or a step), around `near` when unbounded. */
function gridOf(c: Characteristic, near?: number): Grid | undefined {
  const range = c.range ?? {};
  const step = range.step ?? (c.valueType === 'integer' ? 1 : undefined);
  if (step === undefined) return undefined;
  const origin = range.min ?? 0;
  const index = (v: number) => Math.round((v - origin) / step);
  const at = (k: number) => round12(origin + k * step);
  const center = index(near ?? origin);
  const kMin = range.min !== undefined ? 0 : center - MAX_SCAN;
  const kMax = range.max !== undefined ? Math.floor((range.max - origin) / step + 1e-9) : center + MAX_SCAN;
  return { at, kMin, kMax, index };
}

/**
 * The value nearest to `from` (the lower one on a tie) that passes, other than `skip` (the
 * current value). Grids are walked outward from `from`; continuous numbers try the bounds and
 * the rule's own constants.
 */
function nearest(c: Characteristic, from: number | undefined, passes: (v: number) => boolean, literals: number[], skip?: number): number | undefined {
  const grid = gridOf(c, from);
  if (grid) {
    const origin = grid.at(0);
    const step = grid.at(1) - origin;
    const target = from ?? grid.at(grid.kMin);
    // Two pointers: lo walks down from the grid point at or below the target, hi walks up.
    let lo = Math.min(grid.kMax, Math.floor(round12((target - origin) / step)));
    let hi = lo + 1;
    if (lo < grid.kMin) {
      lo = grid.kMin - 1;
      hi = grid.kMin;
    }
    for (let visited = 0; visited < 2 * MAX_SCAN; visited++) {
      const loOk = lo >= grid.kMin;
      const hiOk = hi <= grid.kMax;
      if (!loOk && !hiOk) return undefined;
      const takeLo = loOk && (!hiOk || target - grid.at(lo) <= grid.at(hi) - target);
      const v = grid.at(takeLo ? lo : hi);
      if (takeLo) lo--;
      else hi++;
      if (v !== skip && passes(v)) return v;
    }
    return undefined;
  }
  const { min, max } = c.range ?? {};
  const clamp = (v: number) => Math.min(max ?? v, Math.max(min ?? v, v));
  const origin = from ?? min ?? max ?? 0;
  const candidates = unique([...literals, ...(min !== undefined ? [min] : []), ...(max !== undefined ? [max] : []), clamp(origin)].map(clamp))
    .filter((v) => v !== skip && domainProblem(c, v) === undefined)
    .sort((a, b) => Math.abs(a - origin) - Math.abs(b - origin) || a - b);
  return candidates.find(passes);
}

// --- domains: what a screen may still offer -----------------------------------------------------

function refOf(ref: Ref): Omit<DisabledValue, 'value'> {
  return { ruleId: ref.ruleId, ruleSetKey: ref.ruleSetKey, ruleVersion: ref.ruleVersion, message: ref.message };
}

function domainOf(line: Line, c: Characteristic): CharacteristicDomain | undefined {
  const derived = line.derivedBy.get(c.key);
  if (c.valueType === 'enum' || c.valueType === 'boolean') {
    const values: unknown[] = c.valueType === 'enum' ? (c.values ?? []).map((v) => v.value) : [false, true];
    if (derived) {
      return {
        allowed: values.filter((v) => v === derived.value),
        disabled: values.filter((v) => v !== derived.value).map((value) => ({ value, ...refOf(derived.step) })),
      };
    }
    const allowed: unknown[] = [];
    const disabled: DisabledValue[] = [];
    for (const value of values) {
      const rule = disablingRule(line, c.key, value);
      if (rule) disabled.push({ value, ...refOf(rule) });
      else allowed.push(value);
    }
    return { allowed, disabled };
  }
  if (c.valueType === 'number' || c.valueType === 'integer') return numericDomain(line, c, derived);
  return undefined;
}

function numericDomain(line: Line, c: Characteristic, derived: { step: Derive; value: unknown } | undefined): CharacteristicDomain {
  const range = c.range ?? {};
  const stepPart = range.step !== undefined ? { step: range.step } : {};
  const spec = { min: range.min ?? null, max: range.max ?? null, ...stepPart };
  if (derived && typeof derived.value === 'number') {
    const v = derived.value;
    const disabled: DisabledValue[] = [];
    if (range.min === undefined || range.min < v) disabled.push({ value: { below: v }, ...refOf(derived.step) });
    if (range.max === undefined || range.max > v) disabled.push({ value: { above: v }, ...refOf(derived.step) });
    return { allowed: { min: v, max: v, ...stepPart }, disabled };
  }
  const relevant = (line.plan.affects.get(c.key) ?? []).some((check) => check.severity === 'error' && !check.broken) || (line.plan.derives.get(c.key) ?? []).length > 0;
  if (!relevant) return { allowed: spec, disabled: [] };

  const grid = gridOf(c);
  if (grid && range.min !== undefined && range.max !== undefined && grid.kMax - grid.kMin < MAX_SCAN) {
    // Scan from each end to the first allowed value: exact bounds whatever the rules' shape.
    let lo: number | undefined;
    let first: Ref | undefined;
    for (let k = grid.kMin; k <= grid.kMax; k++) {
      const rule = disablingRule(line, c.key, grid.at(k));
      if (!rule) {
        lo = k;
        break;
      }
      first ??= rule;
    }
    if (lo === undefined) return { allowed: [], disabled: first ? [{ value: { min: range.min, max: range.max }, ...refOf(first) }] : [] };
    let hi = lo;
    for (let k = grid.kMax; k > lo; k--) {
      if (!disablingRule(line, c.key, grid.at(k))) {
        hi = k;
        break;
      }
    }
    const disabled: DisabledValue[] = [];
    const below = lo > grid.kMin ? disablingRule(line, c.key, grid.at(lo - 1)) : undefined;
    if (below) disabled.push({ value: { below: grid.at(lo) }, ...refOf(below) });
    const above = hi < grid.kMax ? disablingRule(line, c.key, grid.at(hi + 1)) : undefined;
    if (above) disabled.push({ value: { above: grid.at(hi) }, ...refOf(above) });
    return { allowed: { min: grid.at(lo), max: grid.at(hi), ...stepPart }, disabled };
  }
  return hintedDomain(line, c, spec);
}

const NUMBER = String.raw`-?\d+(?:\.\d+)?`;
const FLIP: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=' };

/** Bounds a constraint states on one variable: `x <= 100`, `50 < x and x <= 100`, `x between 1 and 5`. */
function statedBounds(source: string, key: string): { op: string; n: number }[] {
  if (!/^[\w\s.<>=-]+$/.test(source) || /\bor\b|\bnot\b/.test(source)) return [];
  const between = new RegExp(String.raw`^\s*${key}\s+between\s+(${NUMBER})\s+and\s+(${NUMBER})\s*$`).exec(source);
  if (between) return [{ op: '>=', n: Number(between[1]) }, { op: '<=', n: Number(between[2]) }];
  const bounds: { op: string; n: number }[] = [];
  for (const part of source.split(/\s+and\s+/)) {
    const direct = new RegExp(String.raw`^\s*(\w+)\s*(<=|>=|<|>|=)\s*(${NUMBER})\s*$`).exec(part);
    if (direct && direct[1] === key) bounds.push({ op: direct[2]!, n: Number(direct[3]) });
    const reversed = new RegExp(String.raw`^\s*(${NUMBER})\s*(<=|>=|<|>|=)\s*(\w+)\s*$`).exec(part);
    if (reversed && reversed[3] === key) bounds.push({ op: FLIP[reversed[2]!]!, n: Number(reversed[1]) });
  }
  return bounds;
}

/**
 * Continuous or very wide numbers: tighten the spec range with the bounds applicable error
 * value-constraints on this characteristic alone state, each verified by evaluating the rule at
 * the new bound. Other rules only show as violations.
 */
function hintedDomain(line: Line, c: Characteristic, spec: { min: number | null; max: number | null; step?: number }): CharacteristicDomain {
  let { min, max } = spec;
  let minRule: Check | undefined;
  let maxRule: Check | undefined;
  const grid = gridOf(c);
  for (const check of line.plan.affects.get(c.key) ?? []) {
    if (check.type !== 'value-constraint' || check.severity !== 'error' || check.broken || !check.constraint) continue;
    if (check.constraint.variables.length !== 1 || check.constraint.variables[0] !== c.key) continue;
    if (check.condition) {
      if (check.condition.variables.includes(c.key)) continue;
      if (check.needs.some((n) => n !== c.key && !hasOwn(line.scope, n))) continue;
      if (!holds(check.condition, line.scope)) continue;
    }
    for (const { op, n } of statedBounds(check.constraint.source, c.key)) {
      const upper = op === '<' || op === '<=' || op === '=';
      const lower = op === '>' || op === '>=' || op === '=';
      const strict = op === '<' || op === '>';
      const candidate = (toward: 'up' | 'down'): number | undefined => {
        if (!grid) return strict ? undefined : n;
        const k = toward === 'down' ? Math.floor(round12((n - grid.at(0)) / (grid.at(1) - grid.at(0)))) : Math.ceil(round12((n - grid.at(0)) / (grid.at(1) - grid.at(0))));
        const v = grid.at(k);
        if (!strict || v !== n) return v;
        return grid.at(toward === 'down' ? k - 1 : k + 1);
      };
      const passes = (v: number) => domainProblem(c, v) === undefined && !runCheck(check, { ...line.scope, [c.key]: v }, line.present);
      if (upper) {
        const v = candidate('down');
        if (v !== undefined && (max === null || v < max) && (min === null || v >= min) && passes(v)) {
          max = v;
          maxRule = check;
        }
      }
      if (lower) {
        const v = candidate('up');
        if (v !== undefined && (min === null || v > min) && (max === null || v <= max) && passes(v)) {
          min = v;
          minRule = check;
        }
      }
    }
  }
  const disabled: DisabledValue[] = [];
  if (minRule && min !== null) disabled.push({ value: { below: min }, ...refOf(minRule) });
  if (maxRule && max !== null) disabled.push({ value: { above: max }, ...refOf(maxRule) });
  return { allowed: { min, max, ...(spec.step !== undefined ? { step: spec.step } : {}) }, disabled };
}

// --- fixes ---------------------------------------------------------------------------------------

type Candidate = FixChange[];

function describe(change: FixChange): string {
  switch (change.scope) {
    case 'line':
      return change.to === undefined ? `remove ${change.characteristic}` : `set ${change.characteristic} to ${display(change.to)}`;
    case 'child':
      if (change.characteristic !== undefined) {
        return change.to === undefined ? `remove ${change.characteristic} of ${change.offering}` : `set ${change.characteristic} of ${change.offering} to ${display(change.to)}`;
      }
      if (change.to === 0) return `remove ${change.offering}`;
      return change.from === 0 || change.from === undefined ? `add ${change.offering} (quantity ${display(change.to)})` : `set the quantity of ${change.offering} to ${display(change.to)}`;
    case 'quote':
      return change.to > 0 ? `add ${change.offering} to the quote` : `remove ${change.offering} from the quote`;
  }
}

function toFix(changes: FixChange[]): Fix {
  const text = changes.map(describe).join('; ');
  return { description: text.charAt(0).toUpperCase() + text.slice(1), changes };
}

/** A characteristic change on the issue's line, as a change of the input. */
function lineChange(line: Line, key: string, to: unknown, withTo = true): FixChange | undefined {
  const from = hasOwn(line.explicit, key) ? line.explicit[key] : hasOwn(line.base, key) ? line.base[key] : undefined;
  const fromPart = from !== undefined ? { from } : {};
  const toPart = withTo ? { to } : {};
  if (line.path === undefined) return { scope: 'line', characteristic: key, ...fromPart, ...toPart };
  // Grandchildren cannot be addressed by the input: no fix.
  if (line.path.includes('/')) return undefined;
  return { scope: 'child', offering: line.path, characteristic: key, ...fromPart, ...toPart };
}

/** Values of one characteristic worth proposing, the rules' allowed ones first. */
function valueCandidates(line: Line, key: string, current: unknown): unknown[] {
  const c = line.plan.characteristics.get(key);
  if (!c) return [];
  const allowed = (v: unknown) => !disablingRule(line, key, v);
  switch (c.valueType) {
    case 'enum':
    case 'boolean': {
      const values: unknown[] = c.valueType === 'enum' ? (c.values ?? []).map((v) => v.value) : [false, true];
      const parsed = c.valueType === 'boolean' && (current === 'true' || current === 'false') ? [current === 'true'] : [];
      const rest = values.filter((v) => v !== current);
      return unique([...parsed, ...rest.filter(allowed), ...rest.filter((v) => !allowed(v))]);
    }
    case 'number':
    case 'integer': {
      const from = typeof current === 'number' ? current : typeof current === 'string' && current.trim() !== '' && Number.isFinite(Number(current)) ? Number(current) : undefined;
      const inDomain = (v: number) => domainProblem(c, v) === undefined;
      const found = nearest(c, from, (v) => inDomain(v) && allowed(v), []) ?? nearest(c, from, inDomain, []);
      return found !== undefined ? [found] : [];
    }
    case 'string': {
      const out: unknown[] = [];
      if (typeof current === 'number' || typeof current === 'boolean') out.push(String(current));
      if (typeof current === 'string' && c.maxLength !== undefined) out.push(current.slice(0, c.maxLength));
      if (c.default !== undefined) out.push(c.default);
      return unique(out);
    }
    case 'date':
      return c.default !== undefined ? [c.default] : [];
  }
}

/** Single-characteristic changes on the line that make `fails` false, from a what-if. */
function characteristicCandidates(line: Line, keys: string[], fails: (scope: Scope) => boolean, literals: number[]): Candidate[] {
  const out: Candidate[] = [];
  for (const key of keys) {
    const c = line.plan.characteristics.get(key);
    if (!c || line.derivedBy.has(key)) continue;
    const current = hasOwn(line.base, key) ? line.base[key] : undefined;
    const passes = (v: unknown) => !fails(whatIf(line, key, v));
    let values: unknown[] = [];
    if (c.valueType === 'enum') values = (c.values ?? []).map((v) => v.value).filter((v) => v !== current && passes(v));
    else if (c.valueType === 'boolean') values = [false, true].filter((v) => v !== current && passes(v));
    else if (c.valueType === 'number' || c.valueType === 'integer') {
      const allowedToo = (v: number) => passes(v) && !disablingRule(line, key, v);
      const from = typeof current === 'number' ? current : undefined;
      const found = nearest(c, from, allowedToo, literals, from) ?? nearest(c, from, passes, literals, from);
      if (found !== undefined) values = [found];
    }
    for (const v of values) {
      const change = lineChange(line, key, v);
      if (change) out.push([change]);
    }
  }
  return out;
}

/** Whom a quantity change of `offering` addresses: the root bundle's child, or the quote. */
type Offerings = {
  rootPlan: Plan;
  quantityOf: (offering: string) => number;
  onQuote: (offering: string) => boolean;
};

function addOffering(offerings: Offerings, offering: string): FixChange {
  const option = offerings.rootPlan.bundle?.options.get(offering);
  if (option) return { scope: 'child', offering, from: offerings.quantityOf(offering), to: Math.max(1, option.min) };
  return { scope: 'quote', offering, from: 0, to: 1 };
}

function removeOffering(offerings: Offerings, offering: string): FixChange[] {
  const changes: FixChange[] = [];
  const quantity = offerings.quantityOf(offering);
  if (quantity > 0) changes.push({ scope: 'child', offering, from: quantity, to: 0 });
  if (offerings.onQuote(offering)) changes.push({ scope: 'quote', offering, from: 1, to: 0 });
  return changes;
}

function candidatesFor(raw: Raw, offerings: Offerings): Candidate[] {
  const { meta, line } = raw;
  const nested = line.path !== undefined && line.path.includes('/');
  switch (meta.kind) {
    case 'none':
      return [];
    case 'unknown': {
      const change = lineChange(line, meta.characteristic, undefined, false);
      return change ? [[change]] : [];
    }
    case 'value':
      return valueCandidates(line, meta.characteristic, meta.value).flatMap((v) => {
        const change = lineChange(line, meta.characteristic, v);
        return change ? [[change]] : [];
      });
    case 'derived-conflict': {
      const set = lineChange(line, meta.step.target, meta.value);
      const drop = lineChange(line, meta.step.target, undefined, false);
      return [set, drop].flatMap((c) => (c ? [[c]] : []));
    }
    case 'derived-domain': {
      const step = meta.step;
      const fails = (scope: Scope) => {
        let failed = false;
        deriveInto(line.plan, { ...scope }, undefined, (s) => {
          if (s === step) failed = true;
        });
        return failed;
      };
      // whatIf already derived; re-derive from the pre-derivation values to see this rule's outcome.
      return characteristicCandidates(line, step.characteristics, (scope) => fails(scope), step.literals);
    }
    case 'check': {
      const { check } = meta;
      const out: Candidate[] = [];
      if (!nested && check.type === 'requires') out.push(meta.offerings.map((o) => addOffering(offerings, o)));
      if (!nested && check.type === 'excludes') {
        const changes = meta.offerings.flatMap((o) => removeOffering(offerings, o));
        if (changes.length > 0) out.push(changes);
      }
      const literals = check.type === 'compatibility' ? check.rows.flat().filter((v): v is number => typeof v === 'number') : check.literals;
      out.push(...characteristicCandidates(line, check.characteristics, (scope) => runCheck(check, scope, line.present) !== undefined, literals));
      return out;
    }
    case 'child-quantity':
      if (line.path !== undefined) return [];
      return [[{ scope: 'child', offering: meta.offering, from: meta.quantity, to: meta.to }]];
    case 'group': {
      if (line.path !== undefined) return [];
      const { group, selected, unselected } = meta;
      const removable = selected.filter((o) => o.min === 0);
      if (selected.length > group.max) {
        const excess = selected.length - group.max;
        const remove = (o: BundleOption): FixChange => ({ scope: 'child', offering: o.offering, from: offerings.quantityOf(o.offering), to: 0 });
        if (excess === 1) return removable.map((o) => [remove(o)]);
        return removable.length >= excess ? [removable.slice(-excess).map(remove)] : [];
      }
      const deficit = group.min - selected.length;
      const add = (o: BundleOption): FixChange => ({ scope: 'child', offering: o.offering, from: 0, to: Math.max(1, o.min) });
      if (deficit === 1) return unselected.map((o) => [add(o)]);
      return unselected.length >= deficit ? [unselected.slice(0, deficit).map(add)] : [];
    }
  }
}

/**
 * Re-runs the part the changes touch: whether the issue is gone, and whether an error appears
 * that was not there before (a fix that only trades one error for another).
 */
function tryFix(release: ReleaseView, index: ReleaseIndex, plan: Plan, clean: Clean, evaluation: Evaluation, raw: Raw, changes: FixChange[]): { removed: boolean; clean: boolean } {
  const line = raw.line;
  const keyOnLine = (c: FixChange): string | undefined => {
    if (c.scope === 'line') return line.path === undefined ? c.characteristic : undefined;
    if (c.scope === 'child' && c.offering === line.path) return c.characteristic;
    return undefined;
  };
  let before: Raw[];
  let after: Raw[];
  if (changes.every((c) => keyOnLine(c) !== undefined)) {
    // A line's characteristics only change that line's own issues.
    const selections: Record<string, unknown> = Object.fromEntries(Object.entries(line.explicit));
    for (const change of changes) setOrDelete(selections, keyOnLine(change)!, change.to);
    before = line.issues;
    after = evaluateLine(line.plan, cleanSelections(selections, 'selections'), line.context, line.present, line.path).issues;
  } else {
    before = evaluation.issues;
    after = evaluatePatched(release, index, plan, evaluation, patchOf(clean, evaluation, changes));
  }
  const known = new Set(before.map((i) => i.key));
  return {
    removed: !after.some((i) => i.key === raw.key),
    clean: !after.some((i) => i.issue.severity === 'error' && !known.has(i.key)),
  };
}

/**
 * Candidate fixes, each verified by re-running the check. Fixes that bring no new error are
 * kept; only when there is none are the others (which remove this issue but raise another) kept.
 */
function fixesFor(release: ReleaseView, index: ReleaseIndex, plan: Plan, clean: Clean, evaluation: Evaluation, raw: Raw): Fix[] {
  const quantities = new Map(evaluation.children.map((c) => [c.offering, c.quantity]));
  const quote = new Set(clean.context.quoteOfferings);
  const offerings: Offerings = { rootPlan: plan, quantityOf: (o) => quantities.get(o) ?? 0, onQuote: (o) => quote.has(o) };
  const seen = new Set<string>();
  const good: Fix[] = [];
  const trading: Fix[] = [];
  const candidates = candidatesFor(raw, offerings)
    .filter((changes) => changes.length > 0)
    .map((changes, order) => ({ changes, order }))
    .sort((a, b) => a.changes.length - b.changes.length || a.order - b.order);
  for (const { changes } of candidates) {
    if (good.length >= MAX_FIXES) break;
    const id = JSON.stringify(changes);
    if (seen.has(id)) continue;
    seen.add(id);
    const outcome = tryFix(release, index, plan, clean, evaluation, raw, changes);
    if (!outcome.removed) continue;
    (outcome.clean ? good : trading).push(toFix(changes));
  }
  return good.length > 0 ? good : trading.slice(0, MAX_FIXES);
}

// --- public -------------------------------------------------------------------------------------

/**
 * Configures one line of the release: checks the selections and children, applies defaults and
 * derived values, evaluates the rules, and explains every issue with the rule that raised it
 * and the verified smallest fixes. Throws ConfigurationInputError when the input cannot be
 * configured at all (malformed, or an unknown offering).
 */
export function configure(release: ReleaseView, input: ConfigurationInput): ConfigurationResult {
  const clean = cleanInput(input);
  const index = indexOf(release);
  const plan = planFor(release, index, clean.offering);
  if (!plan) throw new ConfigurationInputError('unknown-offering', 'offering', `"${clean.offering}" is not a product offering of release ${release.releaseId}`);
  const inputHash = sha256(canonicalJson({ releaseId: release.releaseId, input: clean })); // = configurationInputHash

  const evaluation = evaluateClean(release, index, plan, clean);
  const issues: ConfigurationIssue[] = evaluation.issues.map((raw) => ({ ...raw.issue, fixes: fixesFor(release, index, plan, clean, evaluation, raw) }));
  const line = evaluation.line;

  const domains: Record<string, CharacteristicDomain> = {};
  for (const key of plan.keys) {
    const domain = domainOf(line, plan.characteristics.get(key)!);
    if (domain) domains[key] = domain;
  }
  const derivations: Derivation[] = [...line.derivedBy]
    .sort(([a], [b]) => compare(a, b))
    .map(([characteristic, { step, value }]) => ({ characteristic, value, ruleId: step.ruleId, ruleSetKey: step.ruleSetKey, ruleVersion: step.ruleVersion, message: step.message }));

  const violations = issues.filter((i) => i.severity === 'error');
  const result: Omit<ConfigurationResult, 'resultHash'> = {
    valid: violations.length === 0,
    releaseId: release.releaseId,
    offering: plan.offering,
    normalized: { selections: line.normalized, children: normalizedChildren(evaluation) },
    domains,
    derivations,
    violations,
    warnings: issues.filter((i) => i.severity !== 'error'),
    inputHash,
  };
  return { ...result, resultHash: sha256(canonicalJson(result)) };
}

/**
 * The inputHash configure() would return, without configuring: sha256 of canonical JSON of
 * (release id, order-normalized input). A cache key that shuffled selections still hit.
 * Throws ConfigurationInputError for malformed input (not for an unknown offering).
 */
export function configurationInputHash(release: ReleaseView, input: ConfigurationInput): string {
  return sha256(canonicalJson({ releaseId: release.releaseId, input: cleanInput(input) }));
}

function normalizedChildren(evaluation: Evaluation): NormalizedChild[] {
  return evaluation.children
    .filter((c) => c.quantity > 0 || (c.given && (c.option?.defaultQuantity ?? 0) > 0))
    .map((c) => ({ offering: c.offering, quantity: c.quantity, selections: c.evaluation?.line.normalized ?? c.selections }));
}

/**
 * The input with a fix's changes applied (see FixChange). Pure: the input is not modified. A
 * child not listed in the input is added at its current (default) quantity before a change of
 * its characteristics.
 */
export function applyFix(release: ReleaseView, input: ConfigurationInput, fix: Fix): ConfigurationInput {
  const selections: Record<string, unknown> = Object.fromEntries(Object.entries(input.selections ?? {}));
  // Children are copied only when a change touches them.
  let children = input.children ? [...input.children] : undefined;
  let quote = input.context?.quoteOfferings ? [...input.context.quoteOfferings] : undefined;
  const bundle = indexOf(release).bundles.get(input.offering);
  for (const change of fix.changes) {
    switch (change.scope) {
      case 'line':
        setOrDelete(selections, change.characteristic, change.to);
        break;
      case 'child': {
        const list = (children ??= []);
        const at = list.findIndex((c) => c.offering === change.offering);
        const existing = at >= 0 ? list[at]! : undefined;
        const option = bundle?.content.options.find((o) => o.offering === change.offering);
        const child: ChildInput = existing
          ? { ...existing, ...(existing.selections ? { selections: Object.fromEntries(Object.entries(existing.selections)) } : {}) }
          : { offering: change.offering, quantity: option?.defaultQuantity ?? 0 };
        if (change.characteristic !== undefined) {
          const own: Record<string, unknown> = child.selections ?? {};
          setOrDelete(own, change.characteristic, change.to);
          child.selections = own;
        } else {
          child.quantity = typeof change.to === 'number' ? change.to : 0;
        }
        if (at >= 0) list[at] = child;
        else list.push(child);
        break;
      }
      case 'quote': {
        const list = quote ?? [];
        quote = change.to > 0 ? (list.includes(change.offering) ? list : [...list, change.offering]) : list.filter((o) => o !== change.offering);
        break;
      }
    }
  }
  const context = input.context || quote ? { ...input.context, ...(quote ? { quoteOfferings: quote } : {}) } : undefined;
  return { ...input, selections, ...(children ? { children } : {}), ...(context ? { context } : {}) };
}

// --- helpers ------------------------------------------------------------------------------------

function setOrDelete(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value === undefined) delete target[key];
  else Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('value cannot be serialised canonically');
  return text;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function display(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value) ?? String(value);
}

/** Code-unit order: the same everywhere, unlike localeCompare. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
