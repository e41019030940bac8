import { createRequire } from 'node:module';
import { BpmnModdle } from 'bpmn-moddle';
import { DmnModdle } from 'dmn-moddle';
import type { ModdleElement, ModdleParseResult } from 'moddle-parse-result';

/**
 * Parsing BPMN and DMN XML (bpmn-moddle / dmn-moddle) and linting BPMN with bpmnlint's
 * recommended rules, for the bpmn-model and dmn-model kinds.
 */
export type { ModdleElement } from 'moddle-parse-result';

export type Parsed = { ok: true; result: ModdleParseResult } | { ok: false; message: string };

export const CAMUNDA_BPMN_NS = 'http://camunda.org/schema/1.0/bpmn';
export const CAMUNDA_DMN_NS = 'http://camunda.org/schema/1.0/dmn';

async function parse(moddle: { fromXML(xml: string): Promise<ModdleParseResult> }, xml: string): Promise<Parsed> {
  try {
    return { ok: true, result: await moddle.fromXML(xml) };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

export const parseBpmn = (xml: string): Promise<Parsed> => parse(new BpmnModdle(), xml);
export const parseDmn = (xml: string): Promise<Parsed> => parse(new DmnModdle(), xml);

/** Every element of the tree below (and including) the root, each once. */
export function elementsOf(root: ModdleElement): ModdleElement[] {
  const seen = new Set<ModdleElement>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      stack.push(...value);
    } else if (isElement(value) && !seen.has(value)) {
      seen.add(value);
      for (const [property, child] of Object.entries(value)) if (!property.startsWith('$')) stack.push(child);
    }
  }
  return [...seen];
}

function isElement(value: unknown): value is ModdleElement {
  return typeof value === 'object' && value !== null && typeof (value as { $type?: unknown }).$type === 'string';
}

/**
 * Reads an extension attribute (e.g. camunda:topic) whatever prefix the document bound its
 * namespace to; moddle keeps unknown attributes as written ("camunda:topic").
 */
export function extensionAttribute(definitions: ModdleElement, namespace: string): (element: ModdleElement, name: string) => string | undefined {
  const prefixes = Object.entries(definitions.$attrs)
    .filter(([attribute, uri]) => attribute.startsWith('xmlns:') && uri === namespace)
    .map(([attribute]) => attribute.slice('xmlns:'.length));
  return (element, name) => {
    for (const prefix of prefixes) {
      const value = element.$attrs?.[`${prefix}:${name}`];
      if (value !== undefined) return value;
    }
    return undefined;
  };
}

// bpmnlint //////////////////////////////////////////////////////////////////////////////////

type LintReport = { id?: string; message: string; category: string };
type RuleFactory = (config?: unknown) => unknown;
type LinterInstance = { lint(root: ModdleElement): Promise<Record<string, LintReport[]>> };
type LinterConstructor = new (options: { config: { extends: string }; resolver: unknown }) => LinterInstance;
type StaticResolverConstructor = new (cache: Record<string, unknown>) => unknown;

// bpmnlint is CommonJS and resolves rules through a resolver; the static resolver is given the
// recommended config and its rules up front, so linting needs neither a .bpmnlintrc nor
// filesystem lookups at run time.
const requireCjs = createRequire(import.meta.url);
const { Linter } = requireCjs('bpmnlint') as { Linter: LinterConstructor };
const StaticResolver = requireCjs('bpmnlint/lib/resolver/static-resolver') as StaticResolverConstructor;
const recommended = requireCjs('bpmnlint/config/recommended') as { rules: Record<string, string> };
const ruleCache: Record<string, unknown> = { 'config:bpmnlint/recommended': recommended };
for (const rule of Object.keys(recommended.rules)) {
  ruleCache[`rule:bpmnlint/${rule}`] = requireCjs(`bpmnlint/rules/${rule}`) as RuleFactory;
}

export type LintProblem = { rule: string; elementId?: string; message: string };

/**
 * Errors of `bpmnlint:recommended` (its warn-level rules, e.g. superfluous-gateway, are advice,
 * not publish blockers). A new Linter per call: bpmnlint instantiates each rule once per Linter
 * and some rules keep state between runs (no-duplicate-sequence-flows remembers flows it saw),
 * so a shared Linter reports phantom duplicates from earlier models.
 */
export async function lintBpmn(definitions: ModdleElement): Promise<LintProblem[]> {
  const linter = new Linter({ config: { extends: 'bpmnlint:recommended' }, resolver: new StaticResolver(ruleCache) });
  const reports = await linter.lint(definitions);
  return Object.entries(reports).flatMap(([rule, list]) =>
    list
      .filter((r) => r.category === 'error' || r.category === 'rule-error')
      .map((r) => ({ rule, message: r.message, ...(r.id === undefined ? {} : { elementId: r.id }) })),
  );
}
