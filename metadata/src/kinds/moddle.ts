import { createRequire } from 'node:module';
import { BpmnModdle } from 'bpmn-moddle';
import { DmnModdle } from 'dmn-moddle';
import type { ModdleElement, ModdleParseResult } from 'moddle-parse-result';

/**
 * Parsing BPMN and DMN XML (bpmn-moddle / dmn-moddle; DMN 1.1 and 1.2 read as 1.3) and linting
 * BPMN with bpmnlint's recommended rules, for the bpmn-model and dmn-model kinds.
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

// DMN versions ///////////////////////////////////////////////////////////////////////////////

/** The DMN MODEL namespaces by version (the date in the URI names the version). */
const DMN_VERSIONS: Record<string, string> = { '20151101': '1.1', '20180521': '1.2', '20191111': '1.3', '20211108': '1.4', '20230324': '1.5' };
/** What Camunda 7 runs, and so what the dmn-model kind accepts. */
export const SUPPORTED_DMN_VERSIONS = ['1.1', '1.2', '1.3'] as const;
const DMN13_MODEL = 'https://www.omg.org/spec/DMN/20191111/MODEL/';
const DMN13_DMNDI = 'https://www.omg.org/spec/DMN/20191111/DMNDI/';
const DMN_NS = /^https?:\/\/www\.omg\.org\/spec\/DMN\/(\d{8})\/(?:MODEL\/?|dmn\.xsd)$/;
const XMLNS = /(\sxmlns(?::[\w.-]+)?\s*=\s*)(["'])([^"']*)\2/g;

export type DmnVersion = { version: string; namespace: string };

/** The DMN version a document declares (by its MODEL namespace), if it declares one. */
export function dmnVersionOf(xml: string): DmnVersion | undefined {
  for (const [, , , uri] of xml.matchAll(XMLNS)) {
    const date = uri ? DMN_NS.exec(uri)?.[1] : undefined;
    if (date) return { version: DMN_VERSIONS[date] ?? `of ${date}`, namespace: uri! };
  }
  return undefined;
}

/**
 * DMN 1.1 and 1.2 as DMN 1.3 for dmn-moddle (which reads 1.3 only): the MODEL and DMNDI
 * namespaces are rebound; the elements Camunda reads (decisions, tables, inputs, outputs,
 * rules, literal expressions, requirements) are the same in the three versions. Only the copy
 * given to dmn-moddle is converted: Camunda is sent the file as written (it reads all three).
 */
export function asDmn13(xml: string): string {
  return xml.replace(XMLNS, (whole, head: string, quote: string, uri: string) => {
    if (DMN_NS.test(uri)) return `${head}${quote}${DMN13_MODEL}${quote}`;
    if (uri === 'http://www.omg.org/spec/DMN/20180521/DMNDI/') return `${head}${quote}${DMN13_DMNDI}${quote}`;
    return whole;
  });
}

export type ParsedDmn = Parsed & { version?: string };

/** Parses DMN 1.1, 1.2 or 1.3 (converted to 1.3 first); another DMN version is not parsed (`unsupported`). */
export async function parseDmn(xml: string): Promise<ParsedDmn | { ok: false; unsupported: DmnVersion; message: string }> {
  const declared = dmnVersionOf(xml);
  if (declared && !(SUPPORTED_DMN_VERSIONS as readonly string[]).includes(declared.version)) {
    return {
      ok: false, unsupported: declared,
      message: `DMN ${declared.version} (namespace ${declared.namespace}) is not supported: Camunda 7 runs DMN ${SUPPORTED_DMN_VERSIONS.join(', ')}`,
    };
  }
  const parsed = await parse(new DmnModdle(), declared && declared.version !== '1.3' ? asDmn13(xml) : xml);
  return declared ? { ...parsed, version: declared.version } : parsed;
}

/**
 * Parses of one content object, remembered for the life of the object: cross-model checks read
 * every other model of the set, and each model is parsed once per validation, not once per reader.
 */
const parsedBpmn = new WeakMap<object, Promise<Parsed>>();
const parsedDmn = new WeakMap<object, ReturnType<typeof parseDmn>>();
export function parseBpmnOf(content: { xml: string }): Promise<Parsed> {
  let parsed = parsedBpmn.get(content);
  if (!parsed) parsedBpmn.set(content, (parsed = parseBpmn(content.xml)));
  return parsed;
}
export function parseDmnOf(content: { xml: string }): ReturnType<typeof parseDmn> {
  let parsed = parsedDmn.get(content);
  if (!parsed) parsedDmn.set(content, (parsed = parseDmn(content.xml)));
  return parsed;
}

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
 * Every report of `bpmnlint:recommended` (its error and its warn rules alike): these are style
 * rules (labels, implicit ends, disconnected elements) that Camunda 7 does not enforce, so the
 * bpmn-model kind reports them as warnings. A new Linter per call: bpmnlint instantiates each
 * rule once per Linter and some rules keep state between runs (no-duplicate-sequence-flows
 * remembers flows it saw), so a shared Linter reports phantom duplicates from earlier models.
 */
export async function lintBpmn(definitions: ModdleElement): Promise<LintProblem[]> {
  const linter = new Linter({ config: { extends: 'bpmnlint:recommended' }, resolver: new StaticResolver(ruleCache) });
  const reports = await linter.lint(definitions);
  return Object.entries(reports).flatMap(([rule, list]) =>
    list
      .filter((r) => r.category === 'error' || r.category === 'warn' || r.category === 'rule-error')
      .map((r) => ({ rule, message: r.message, ...(r.id === undefined ? {} : { elementId: r.id }) })),
  );
}
