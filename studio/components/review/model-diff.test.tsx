import { describe, expect, it } from 'vitest';
import { render } from 'vitest-browser-react';
import BpmnDiff from './bpmn-diff';
import DmnDiff from './dmn-diff';

/** A process start -> "Check" -> end, with its diagram; `extra` adds a second task after "Check". */
function process({ checkName = 'Check', extra = false } = {}) {
  const flows = extra
    ? `<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check" /><bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="notify" /><bpmn:sequenceFlow id="f3" sourceRef="notify" targetRef="end" />`
    : `<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check" /><bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="end" />`;
  const notify = extra ? '<bpmn:serviceTask id="notify" name="Notify sales" />' : '';
  const notifyShape = extra ? '<bpmndi:BPMNShape id="notify_di" bpmnElement="notify"><dc:Bounds x="400" y="80" width="100" height="80" /></bpmndi:BPMNShape>' : '';
  const edges = extra
    ? `<bpmndi:BPMNEdge id="f1_di" bpmnElement="f1"><di:waypoint x="136" y="120" /><di:waypoint x="200" y="120" /></bpmndi:BPMNEdge>
       <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2"><di:waypoint x="300" y="120" /><di:waypoint x="400" y="120" /></bpmndi:BPMNEdge>
       <bpmndi:BPMNEdge id="f3_di" bpmnElement="f3"><di:waypoint x="500" y="120" /><di:waypoint x="600" y="120" /></bpmndi:BPMNEdge>`
    : `<bpmndi:BPMNEdge id="f1_di" bpmnElement="f1"><di:waypoint x="136" y="120" /><di:waypoint x="200" y="120" /></bpmndi:BPMNEdge>
       <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2"><di:waypoint x="300" y="120" /><di:waypoint x="600" y="120" /></bpmndi:BPMNEdge>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="review" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:serviceTask id="check" name="${checkName}" />
    ${notify}
    <bpmn:endEvent id="end" />
    ${flows}
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram"><bpmndi:BPMNPlane id="plane" bpmnElement="review">
    <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="100" y="102" width="36" height="36" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="check_di" bpmnElement="check"><dc:Bounds x="200" y="80" width="100" height="80" /></bpmndi:BPMNShape>
    ${notifyShape}
    <bpmndi:BPMNShape id="end_di" bpmnElement="end"><dc:Bounds x="600" y="102" width="36" height="36" /></bpmndi:BPMNShape>
    ${edges}
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>`;
}

/** A decision table of two rules; `edit` changes the second rule's output and adds a third rule. */
function decision(edit = false) {
  const third = edit ? '<rule id="r3"><inputEntry id="r3-in"><text>&gt; 50</text></inputEntry><outputEntry id="r3-out"><text>"board"</text></outputEntry></rule>' : '';
  return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="Levels" namespace="https://cpq.example/dmn">
  <decision id="level" name="Approval level">
    <decisionTable id="table" hitPolicy="FIRST">
      <input id="discount" label="Discount"><inputExpression id="discount-expr" typeRef="number"><text>discount</text></inputExpression></input>
      <output id="out" label="Level" name="level" typeRef="string" />
      <rule id="r1"><inputEntry id="r1-in"><text>&lt;= 10</text></inputEntry><outputEntry id="r1-out"><text>"rep"</text></outputEntry></rule>
      <rule id="r2"><inputEntry id="r2-in"><text>-</text></inputEntry><outputEntry id="r2-out"><text>${edit ? '"finance"' : '"sales-manager"'}</text></outputEntry></rule>
      ${third}
    </decisionTable>
  </decision>
</definitions>`;
}

/** The text of the list of changes under the diagrams, once it is there. */
const changesText = (kind: 'BPMN' | 'DMN') => () => document.querySelector(`[aria-label="${kind} changes"]`)?.textContent ?? '';

const props = { beforeLabel: 'Current release (1)', afterLabel: 'This candidate' };

describe('BpmnDiff', () => {
  it('renders both diagrams read-only and marks the added task on the candidate\'s side and the renamed one on both', async () => {
    const screen = await render(<BpmnDiff before={process()} after={process({ checkName: 'Check credit', extra: true })} {...props} />);
    await expect.element(screen.getByRole('list', { name: 'BPMN changes' })).toBeVisible();
    await expect.poll(changesText('BPMN')).toContain('Added: Service task “Notify sales” notify');
    await expect.poll(changesText('BPMN')).toContain('Changed: Service task “Check credit” check (name: Check → Check credit)');
    const [left, right] = [...document.querySelectorAll<HTMLElement>('.model-diff-canvas')];
    expect(right!.querySelector('.djs-element.diff-added[data-element-id="notify"]')).not.toBeNull();
    expect(right!.querySelector('.djs-element.diff-changed[data-element-id="check"]')).not.toBeNull();
    expect(left!.querySelector('.djs-element.diff-changed[data-element-id="check"]')).not.toBeNull();
    expect(left!.querySelector('[data-element-id="notify"]')).toBeNull();
    // Read-only: a viewer, no palette or context pad to edit with.
    expect(document.querySelector('.djs-palette')).toBeNull();
  });

  it('an added model shows alone, its side saying so for the release', async () => {
    const screen = await render(<BpmnDiff before={null} after={process()} {...props} />);
    await expect.element(screen.getByText('Not in the current release.')).toBeVisible();
    await expect.poll(() => document.querySelectorAll('.djs-element[data-element-id="check"]').length).toBe(1);
  });
});

describe('DmnDiff', () => {
  it('opens both decision tables and marks the changed entry and the added rule', async () => {
    const screen = await render(<DmnDiff before={decision()} after={decision(true)} {...props} />);
    await expect.element(screen.getByRole('list', { name: 'DMN changes' })).toBeVisible();
    await expect.poll(changesText('DMN')).toContain('Added: Rule 3 r3');
    await expect.poll(changesText('DMN')).toContain('Changed: Rule 2, column 2 r2-out ("sales-manager" → "finance")');
    const [left, right] = [...document.querySelectorAll<HTMLElement>('.model-diff-canvas')];
    await expect.poll(() => right!.querySelector('td.diff-changed[data-element-id="r2-out"]') !== null).toBe(true);
    expect(right!.querySelectorAll('td.diff-added[data-row-id="r3"]').length).toBeGreaterThan(0);
    expect(left!.querySelector('td.diff-changed[data-element-id="r2-out"]')).not.toBeNull();
    expect(left!.textContent).toContain('"sales-manager"');
    expect(right!.textContent).toContain('"finance"');
  });
});
