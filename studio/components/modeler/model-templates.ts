import type { ModelKind } from './model-file';

/** An XML id (NCName) from a key or name: letters, digits, `-`, `_`, `.`; starting with a letter or `_`. */
export function xmlIdOf(text: string, fallback: string): string {
  const id = text.trim().replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '');
  return /^[A-Za-z_]/.test(id) ? id : id ? `_${id}` : fallback;
}

const escapeXml = (text: string) => text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

/**
 * The diagram a new model starts from: for BPMN an executable process (with a history time to
 * live, as our validators advise) holding a start event; for DMN 1.3 one decision table with
 * one input and one output. Ids from the item's process or decision key.
 */
export function starterModel(kind: ModelKind, id: string, name: string): string {
  const label = escapeXml(name || id);
  if (kind === 'bpmn-model') {
    return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="${id}-definitions" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="${id}" name="${label}" isExecutable="true" camunda:historyTimeToLive="P180D">
    <bpmn:startEvent id="start" name="Start" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="${id}-diagram">
    <bpmndi:BPMNPlane id="${id}-plane" bpmnElement="${id}">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start">
        <dc:Bounds x="152" y="102" width="36" height="36" />
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
`;
  }
  return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" xmlns:camunda="http://camunda.org/schema/1.0/dmn" id="${id}-definitions" name="${label}" namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="${id}" name="${label}" camunda:historyTimeToLive="P180D">
    <decisionTable id="${id}-table" hitPolicy="FIRST">
      <input id="${id}-input" label="Input">
        <inputExpression id="${id}-input-expression" typeRef="string"><text></text></inputExpression>
      </input>
      <output id="${id}-output" label="Output" name="result" typeRef="string" />
    </decisionTable>
  </decision>
</definitions>
`;
}
