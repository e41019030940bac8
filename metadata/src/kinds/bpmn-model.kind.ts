import type { KindDefinition, MetadataItem, ValidationIssue } from '../types';
import { issuesFor } from './checks';
import { CAMUNDA_BPMN_NS, elementsOf, extensionAttribute, lintBpmn, parseBpmn } from './moddle';
import { kindSchema, name, object, xmlId } from './schema-parts';

/**
 * A BPMN 2.0 process model deployed to Camunda 7 when its release is published. Checked before
 * publish the way Camunda and the modeler would: it parses (bpmn-moddle; recoverable problems
 * are warnings, reported too), passes bpmnlint's recommended rules, contains the executable
 * process `processKey`, every executable process has a historyTimeToLive (Camunda 7.20+ refuses
 * deployments without one), and every external task has a topic.
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

async function validate(item: MetadataItem<BpmnModelContent>): Promise<ValidationIssue[]> {
  const issues = issuesFor(item);
  const parsed = await parseBpmn(item.content.xml);
  if (!parsed.ok) {
    issues.add('/xml', 'bpmn.parse', `the XML does not parse as BPMN: ${parsed.message}`);
    return issues.list;
  }
  const { rootElement: definitions, warnings } = parsed.result;
  for (const warning of warnings) issues.add('/xml', 'bpmn.parse', warning.message);

  const camunda = extensionAttribute(definitions, CAMUNDA_BPMN_NS);
  const elements = elementsOf(definitions);
  const processes = elements.filter((e) => e.$type === 'bpmn:Process');
  const main = processes.find((p) => p.id === item.content.processKey);
  if (!main) {
    issues.add('/processKey', 'bpmn.process-key', `the XML has no process "${item.content.processKey}" (it has: ${processes.map((p) => p.id).join(', ') || 'none'})`);
  } else if (main.isExecutable !== true) {
    issues.add('/processKey', 'bpmn.not-executable', `process "${main.id}" is not executable (isExecutable="true"), so Camunda would not deploy it`);
  }
  for (const process of processes) {
    if (process.isExecutable === true && !camunda(process, 'historyTimeToLive')?.trim()) {
      issues.add('/xml', 'bpmn.history-ttl', `process "${process.id}" has no camunda:historyTimeToLive (Camunda 7.20+ requires it)`);
    }
  }
  for (const element of elements) {
    if (camunda(element, 'type') === 'external' && !camunda(element, 'topic')?.trim()) {
      issues.add('/xml', 'bpmn.topic', `external task "${element.id ?? element.$type}" has no camunda:topic`);
    }
  }
  for (const problem of await lintBpmn(definitions)) {
    issues.add('/xml', 'bpmn.lint', `${problem.rule}: ${problem.elementId ? `element "${problem.elementId}": ` : ''}${problem.message}`);
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
