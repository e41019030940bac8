import type { FeelDialect, FeelNames } from '../feel/feel.types';
import type { KindDefinition, MetadataItem, SemanticContext, ValidationIssue } from '../types';
import { issuesFor, type Issues } from './checks';
import { CAMUNDA_DMN_NS, elementsOf, extensionAttribute, parseDmnOf, SUPPORTED_DMN_VERSIONS, type ModdleElement } from './moddle';
import { MAX_MODEL_XML } from './bpmn-model.kind';
import { decisionOwners, decisionsOf, othersDefining } from './model-keys';
import { kindSchema, name, object, xmlId } from './schema-parts';

/**
 * A DMN decision model (DMN 1.1, 1.2 or 1.3, the versions Camunda 7 runs; 1.1 and 1.2 are read
 * as 1.3) deployed to Camunda 7 with its release (e.g. the approval level). Errors: it parses
 * (dmn-moddle), names a supported DMN version, contains the decision `decisionKey`, no
 * decision key is defined by another dmn-model of the release, and the FEEL of its decision
 * tables and literal expressions compiles (input expressions and output entries as
 * expressions, input entries as unary tests; "-" and empty entries match anything). Warnings:
 * moddle's recoverable parse warnings and a decision without historyTimeToLive (our Camunda
 * applies its global default). An issue about one element carries its id (`elementId`: the
 * decision, input clause or table entry), so the studio marks it in the decision table.
 */
export type DmnModelContent = { name: string; decisionKey: string; xml: string };

const schema = kindSchema(
  'dmn-model',
  'DMN model',
  object<DmnModelContent>(
    { name, decisionKey: xmlId, xml: { type: 'string', minLength: 1, maxLength: MAX_MODEL_XML } },
    ['name', 'decisionKey', 'xml'],
  ),
);

/** Camunda evaluates FEEL unless an element names another language (e.g. juel). */
function isFeel(language: unknown): boolean {
  return language === undefined || (typeof language === 'string' && /feel/i.test(language));
}

function textOf(element: unknown): string | undefined {
  const text = (element as { text?: unknown } | undefined)?.text;
  return typeof text === 'string' ? text : undefined;
}

function listOf(element: ModdleElement, property: string): ModdleElement[] {
  const value = element[property];
  return Array.isArray(value) ? (value as ModdleElement[]) : [];
}

/** `elementId`: the element holding the expression (entry, input clause, or the decision of a literal expression). */
function checkFeel(issues: Issues, context: SemanticContext, decision: string, where: string, source: string | undefined, dialect: FeelDialect, elementId: string | undefined): void {
  const trimmed = source?.trim();
  if (trimmed === undefined || trimmed === '' || (dialect === 'unary-tests' && trimmed === '-')) return;
  const result = context.compileFeel(trimmed, dialect);
  if (!result.ok) {
    issues.add(
      '/xml',
      'feel.syntax',
      `decision "${decision}", ${where}: ${result.error.message} at offset ${result.error.from} of ${JSON.stringify(trimmed)}`,
      elementId,
    );
  }
}

/**
 * The names a decision's FEEL may read: the model's input data, decisions, knowledge models and
 * services (name and variable name), so `Date-Time` or `Another Date and Time` parse as names.
 */
function namesInScope(definitions: ModdleElement): FeelNames {
  const names = new Set<string>();
  for (const element of elementsOf(definitions)) {
    if (!['dmn:InputData', 'dmn:Decision', 'dmn:BusinessKnowledgeModel', 'dmn:DecisionService'].includes(String(element.$type))) continue;
    for (const name of [element.name, (element.variable as ModdleElement | undefined)?.name]) if (typeof name === 'string' && name) names.add(name);
  }
  return [...names];
}

function checkDecisionFeel(issues: Issues, context: SemanticContext, decision: ModdleElement, defaultLanguage: unknown): void {
  const logic = decision.decisionLogic as ModdleElement | undefined;
  const id = decision.id ?? '?';
  if (!logic) return;
  const language = (e: ModdleElement | undefined) => e?.expressionLanguage ?? defaultLanguage;
  if (logic.$type === 'dmn:LiteralExpression') {
    if (isFeel(language(logic))) checkFeel(issues, context, id, 'literal expression', textOf(logic), 'expression', decision.id);
    return;
  }
  if (logic.$type !== 'dmn:DecisionTable') return;
  for (const input of listOf(logic, 'input')) {
    const expression = input.inputExpression as ModdleElement | undefined;
    if (isFeel(language(expression))) checkFeel(issues, context, id, `input "${input.id ?? input.label ?? '?'}"`, textOf(expression), 'expression', input.id);
  }
  for (const rule of listOf(logic, 'rule')) {
    for (const entry of listOf(rule, 'inputEntry')) {
      if (isFeel(language(entry))) checkFeel(issues, context, id, `rule "${rule.id ?? '?'}" input entry "${entry.id ?? '?'}"`, textOf(entry), 'unary-tests', entry.id ?? rule.id);
    }
    for (const entry of listOf(rule, 'outputEntry')) {
      if (isFeel(language(entry))) checkFeel(issues, context, id, `rule "${rule.id ?? '?'}" output entry "${entry.id ?? '?'}"`, textOf(entry), 'expression', entry.id ?? rule.id);
    }
  }
}

async function validate(item: MetadataItem<DmnModelContent>, context: SemanticContext): Promise<ValidationIssue[]> {
  const issues = issuesFor(item);
  const parsed = await parseDmnOf(item.content);
  if (!parsed.ok) {
    if ('unsupported' in parsed) issues.add('/xml', 'dmn.version', parsed.message);
    else issues.add('/xml', 'dmn.parse', `the XML does not parse as DMN ${SUPPORTED_DMN_VERSIONS.join(', ')}: ${parsed.message}`);
    return issues.list;
  }
  const { rootElement: definitions, warnings } = parsed.result;
  const version = parsed.version ? `DMN ${parsed.version}: ` : '';
  for (const warning of warnings) issues.warn('/xml', 'dmn.parse', `${version}${warning.message}`, warning.element?.id);

  const camunda = extensionAttribute(definitions, CAMUNDA_DMN_NS);
  const decisions = decisionsOf(definitions);
  if (!decisions.some((d) => d.id === item.content.decisionKey)) {
    issues.add('/decisionKey', 'dmn.decision-key', `the XML has no decision "${item.content.decisionKey}" (it has: ${decisions.map((d) => d.id).join(', ') || 'none'})`);
  }
  const owners = await decisionOwners(context);
  const names = namesInScope(definitions);
  const scoped: SemanticContext = { ...context, compileFeel: (source, dialect, options) => context.compileFeel(source, dialect, options ?? { names }) };
  for (const decision of decisions) {
    const others = othersDefining(owners, String(decision.id), item);
    if (others.length > 0) {
      issues.add('/xml', 'dmn.duplicate-decision', `decision "${decision.id}" is also defined by ${others.join(', ')}: a release deploys as one Camunda deployment, which refuses two decisions with one key`, decision.id);
    }
    if (!camunda(decision, 'historyTimeToLive')?.trim()) {
      issues.warn('/xml', 'dmn.history-ttl', `decision "${decision.id}" has no camunda:historyTimeToLive: Camunda keeps its history for the engine's global default; set one to choose how long`, decision.id);
    }
    checkDecisionFeel(issues, scoped, decision, definitions.expressionLanguage);
  }
  return issues.list;
}

export const dmnModelKind: KindDefinition<DmnModelContent> = {
  kind: 'dmn-model',
  title: 'DMN model',
  schema,
  maxBytes: 2 * MAX_MODEL_XML,
  references: () => [],
  expressions: () => [],
  validate,
};
