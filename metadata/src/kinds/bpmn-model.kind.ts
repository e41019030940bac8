import type { KindDefinition, MetadataItem, SemanticContext, ValidationIssue } from '../types';
import { issuesFor, type Issues } from './checks';
import { CAMUNDA_BPMN_NS, elementsOf, extensionAttribute, lintBpmn, parseBpmnOf, type ModdleElement } from './moddle';
import { decisionOwners, isExpression, othersDefining, processOwners } from './model-keys';
import { kindSchema, name, object, xmlId } from './schema-parts';

/**
 * A BPMN 2.0 process model deployed to Camunda 7 when its release is published. Blocking
 * (errors) is what Camunda 7 refuses or cannot run, plus the platform's rules: it parses
 * (bpmn-moddle), contains the executable process `processKey`, service, send and business rule
 * tasks have an implementation, timers a definition (and literal durations and dates that
 * parse), external tasks a topic; across the release, no process key is defined twice and call
 * activities and business rule tasks name processes and decisions the release has. Advice
 * (warnings, never blocking): bpmnlint's recommended rules (labels, implicit ends...), moddle's
 * recoverable parse warnings, a process without historyTimeToLive (our Camunda applies its
 * global default, so it deploys). The engine also runs Camunda's own parser on the candidate.
 * An issue about one element carries its id (`elementId`), so the studio marks it on the canvas.
 */
export type BpmnModelContent = { name: string; processKey: string; xml: string };

export const MAX_MODEL_XML = 1_000_000;

const schema = kindSchema(
  'bpmn-model',
  'BPMN model',
  object<BpmnModelContent>(
    { name, processKey: xmlId, xml: { type: 'string', minLength: 1, maxLength: MAX_MODEL_XML } },
    ['name', 'processKey', 'xml'],
  ),
);

type Attribute = (element: ModdleElement, name: string) => string | undefined;

const IMPLEMENTATIONS = ['class', 'delegateExpression', 'expression', 'type'];
const DURATION = /^P(?=\d|T\d)(\d+(?:[.,]\d+)?Y)?(\d+(?:[.,]\d+)?M)?(\d+(?:[.,]\d+)?W)?(\d+(?:[.,]\d+)?D)?(T(?=\d)(\d+(?:[.,]\d+)?H)?(\d+(?:[.,]\d+)?M)?(\d+(?:[.,]\d+)?S)?)?$/;

const label = (element: ModdleElement) => `"${element.id ?? element.$type}"`;
const bodyOf = (expression: unknown) => (expression as { body?: unknown } | undefined)?.body;

function hasConnector(element: ModdleElement): boolean {
  const values = (element.extensionElements as { values?: ModdleElement[] } | undefined)?.values ?? [];
  return values.some((v) => /(^|:)connector$/.test(v.$type));
}

/** What Camunda's parser demands of tasks and timers (its messages, with the element named). */
function checkExecutable(issues: Issues, elements: ModdleElement[], camunda: Attribute): void {
  for (const element of elements) {
    const type = element.$type;
    if (type === 'bpmn:ServiceTask' || type === 'bpmn:SendTask' || type === 'bpmn:BusinessRuleTask') {
      const attributes = type === 'bpmn:BusinessRuleTask' ? [...IMPLEMENTATIONS, 'decisionRef'] : IMPLEMENTATIONS;
      if (!attributes.some((a) => camunda(element, a)?.trim()) && !hasConnector(element)) {
        issues.add('/xml', 'bpmn.implementation', `${type.slice(5)} ${label(element)} has no implementation: Camunda needs one of camunda:${attributes.join(', camunda:')}${type === 'bpmn:BusinessRuleTask' ? '' : ' or a connector'}`, element.id);
      }
    }
    if (camunda(element, 'type') === 'external' && !camunda(element, 'topic')?.trim()) {
      issues.add('/xml', 'bpmn.topic', `external task ${label(element)} has no camunda:topic`, element.id);
    }
    if (type === 'bpmn:TimerEventDefinition') checkTimer(issues, element);
  }
}

function checkTimer(issues: Issues, timer: ModdleElement): void {
  const owner = (timer.$parent as ModdleElement | undefined) ?? timer;
  const [date, duration, cycle] = [bodyOf(timer.timeDate), bodyOf(timer.timeDuration), bodyOf(timer.timeCycle)].map((b) => (typeof b === 'string' ? b.trim() : ''));
  if (!date && !duration && !cycle) {
    issues.add('/xml', 'bpmn.timer', `timer of ${label(owner)} has no definition: Camunda needs a timeDate, timeDuration or timeCycle`, owner.id);
  } else if (duration && !isExpression(duration) && !DURATION.test(duration)) {
    issues.add('/xml', 'bpmn.timer', `timer of ${label(owner)}: timeDuration "${duration}" is not an ISO 8601 duration (e.g. PT15M, P2D)`, owner.id);
  } else if (date && !isExpression(date) && Number.isNaN(Date.parse(date))) {
    issues.add('/xml', 'bpmn.timer', `timer of ${label(owner)}: timeDate "${date}" is not an ISO 8601 date-time (e.g. 2027-01-31T09:00:00Z)`, owner.id);
  }
}

/** Process keys defined twice in the release; call activities and business rule tasks resolving nothing in it. */
async function checkAcrossModels(issues: Issues, item: MetadataItem, elements: ModdleElement[], camunda: Attribute, context: SemanticContext): Promise<void> {
  const processes = await processOwners(context);
  for (const process of elements.filter((e) => e.$type === 'bpmn:Process' && e.isExecutable === true)) {
    const others = othersDefining(processes, String(process.id), item);
    if (others.length > 0) {
      issues.add('/xml', 'bpmn.duplicate-process', `process "${process.id}" is also defined by ${others.join(', ')}: a release deploys as one Camunda deployment, which refuses two processes with one key`, process.id);
    }
  }
  const calls = elements.filter((e) => e.$type === 'bpmn:CallActivity');
  for (const call of calls) {
    const called = typeof call.calledElement === 'string' ? call.calledElement.trim() : '';
    if (!called || isExpression(called) || camunda(call, 'calledElementTenantId')) continue;
    if (!processes.has(called)) {
      issues.add('/xml', 'bpmn.called-element', `call activity ${label(call)} calls process "${called}", which no bpmn-model of the release defines (as an executable process)`, call.id);
    }
  }
  const ruleTasks = elements.filter((e) => e.$type === 'bpmn:BusinessRuleTask' && camunda(e, 'decisionRef')?.trim());
  if (ruleTasks.length === 0) return;
  const decisions = await decisionOwners(context);
  for (const task of ruleTasks) {
    const ref = camunda(task, 'decisionRef')!.trim();
    if (isExpression(ref) || camunda(task, 'decisionRefTenantId')) continue;
    if (!decisions.has(ref)) {
      issues.add('/xml', 'bpmn.decision-ref', `business rule task ${label(task)} evaluates decision "${ref}", which no dmn-model of the release defines`, task.id);
    }
  }
}

async function validate(item: MetadataItem<BpmnModelContent>, context: SemanticContext): Promise<ValidationIssue[]> {
  const issues = issuesFor(item);
  const parsed = await parseBpmnOf(item.content);
  if (!parsed.ok) {
    issues.add('/xml', 'bpmn.parse', `the XML does not parse as BPMN: ${parsed.message}`);
    return issues.list;
  }
  const { rootElement: definitions, warnings } = parsed.result;
  for (const warning of warnings) issues.warn('/xml', 'bpmn.parse', warning.message, warning.element?.id);

  const camunda = extensionAttribute(definitions, CAMUNDA_BPMN_NS);
  const elements = elementsOf(definitions);
  const processes = elements.filter((e) => e.$type === 'bpmn:Process');
  const main = processes.find((p) => p.id === item.content.processKey);
  if (!main) {
    issues.add('/processKey', 'bpmn.process-key', `the XML has no process "${item.content.processKey}" (it has: ${processes.map((p) => p.id).join(', ') || 'none'})`);
  } else if (main.isExecutable !== true) {
    issues.add('/processKey', 'bpmn.not-executable', `process "${main.id}" is not executable (isExecutable="true"), so Camunda would not deploy it`, main.id);
  }
  // Camunda parses executable processes only: the rest of the document is documentation.
  const runnable = [...new Set(processes.filter((p) => p.isExecutable === true).flatMap((p) => elementsOf(p)))];
  checkExecutable(issues, runnable, camunda);
  await checkAcrossModels(issues, item, runnable, camunda, context);
  for (const process of processes) {
    if (process.isExecutable === true && !camunda(process, 'historyTimeToLive')?.trim()) {
      issues.warn('/xml', 'bpmn.history-ttl', `process "${process.id}" has no camunda:historyTimeToLive: Camunda keeps its history for the engine's global default; set one to choose how long`, process.id);
    }
  }
  for (const problem of await lintBpmn(definitions)) {
    issues.warn('/xml', 'bpmn.lint', `${problem.rule}: ${problem.elementId ? `element "${problem.elementId}": ` : ''}${problem.message}`, problem.elementId);
  }
  return issues.list;
}

export const bpmnModelKind: KindDefinition<BpmnModelContent> = {
  kind: 'bpmn-model',
  title: 'BPMN model',
  schema,
  maxBytes: 2 * MAX_MODEL_XML,
  references: () => [],
  expressions: () => [],
  validate,
};
