import { describe, expect, it } from 'vitest';
import type { BpmnModelContent } from './bpmn-model.kind';
import { RECORD_APPROVAL_DECISION } from './samples';
import { catalogWith, kindCases, ref, validateWithFeelin, type InvalidCase } from './test-support';

const model = ref('bpmn-model', 'quote-approval');
const edit = (from: string | RegExp, to: string) => (c: BpmnModelContent) => {
  const xml = c.xml.replace(from, to);
  if (xml === c.xml) throw new Error(`the sample BPMN has no ${String(from)}`);
  c.xml = xml;
};

const cases: InvalidCase<BpmnModelContent>[] = [
  { name: 'a process key that is not an XML id', change: (c) => (c.processKey = 'quote approval'), code: 'schema.pattern', pointer: '/processKey' },
  { name: 'empty XML', change: (c) => (c.xml = ''), code: 'schema.minLength', pointer: '/xml' },
  { name: 'XML that does not parse', change: (c) => (c.xml = '<bpmn:definitions'), code: 'bpmn.parse', pointer: '/xml' },
  { name: 'XML that is not BPMN', change: (c) => (c.xml = '<invoice xmlns="urn:x"/>'), code: 'bpmn.parse', pointer: '/xml' },
  { name: 'an unknown BPMN element (parse warning)', change: edit('<bpmn:sequenceFlow id="toApprove"', '<bpmn:fooTask id="foo" /><bpmn:sequenceFlow id="toApprove"'), code: 'bpmn.parse', pointer: '/xml' },
  { name: 'no process with the process key', change: (c) => (c.processKey = 'order-fulfillment'), code: 'bpmn.process-key', pointer: '/processKey' },
  { name: 'a process that is not executable', change: edit('isExecutable="true"', 'isExecutable="false"'), code: 'bpmn.not-executable', pointer: '/processKey' },
  { name: 'no historyTimeToLive', change: edit(' camunda:historyTimeToLive="P180D"', ''), code: 'bpmn.history-ttl', pointer: '/xml' },
  { name: 'an external task with an empty topic', change: edit(`camunda:topic="${RECORD_APPROVAL_DECISION}"`, 'camunda:topic=" "'), code: 'bpmn.topic', pointer: '/xml' },
  { name: 'an external task without topic', change: edit(` camunda:topic="${RECORD_APPROVAL_DECISION}"`, ''), code: 'bpmn.topic', pointer: '/xml' },
  { name: 'an unlabelled start event (bpmnlint)', change: edit(' name="Quote submitted"', ''), code: 'bpmn.lint', pointer: '/xml' },
  { name: 'a task without outgoing flow (bpmnlint)', change: edit('<bpmn:sequenceFlow id="toDecided" sourceRef="record" targetRef="decided" />', ''), code: 'bpmn.lint', pointer: '/xml' },
];

describe('bpmn-model', () => {
  kindCases(model, cases);

  it('names the rule and the element of a lint issue', async () => {
    const issues = await validateWithFeelin(catalogWith(model, edit(' name="Quote submitted"', '')));
    expect(issues.filter((i) => i.code === 'bpmn.lint').map((i) => i.message)).toEqual(['label-required: element "submitted": Element is missing label/name']);
  });

  it('reports style (bpmnlint), parse warnings and a missing history time to live as warnings, which do not block', async () => {
    for (const change of [edit(' name="Quote submitted"', ''), edit(' camunda:historyTimeToLive="P180D"', ''), edit('<bpmn:sequenceFlow id="toApprove"', '<bpmn:fooTask id="foo" /><bpmn:sequenceFlow id="toApprove"')]) {
      const issues = await validateWithFeelin(catalogWith(model, change));
      expect(issues.length).toBeGreaterThan(0);
      expect(issues.map((i) => i.severity)).toEqual(issues.map(() => 'warning'));
    }
  });

  it('lints each model afresh (bpmnlint rules keep state between runs)', async () => {
    const first = await validateWithFeelin(catalogWith(model, () => undefined));
    const second = await validateWithFeelin(catalogWith(model, () => undefined));
    expect([first, second]).toEqual([[], []]);
  });

  it('carries the id of the element at fault, so the studio can mark it on the canvas', async () => {
    const at = async (...changes: ((c: BpmnModelContent) => void)[]) => {
      const issues = await validateWithFeelin(catalogWith<BpmnModelContent>(model, (c) => changes.forEach((change) => change(c))));
      return issues.map((i) => [i.code, i.elementId]);
    };
    expect(await at(edit(` camunda:topic="${RECORD_APPROVAL_DECISION}"`, ''))).toEqual([['bpmn.topic', 'record']]);
    expect(await at(edit(` camunda:type="external" camunda:topic="${RECORD_APPROVAL_DECISION}"`, ''))).toEqual([['bpmn.implementation', 'record']]);
    expect(await at(edit(' name="Quote submitted"', ''))).toEqual([['bpmn.lint', 'submitted']]);
    expect(await at(edit(' camunda:historyTimeToLive="P180D"', ''))).toEqual([['bpmn.history-ttl', 'quote-approval']]);
    expect(await at(edit('isExecutable="true"', 'isExecutable="false"'))).toEqual([['bpmn.not-executable', 'quote-approval']]);
    expect(await at(edit('sourceRef="record"', 'sourceRef="nowhere"'))).toEqual(expect.arrayContaining([['bpmn.parse', 'toDecided']]));
  });

  it('has no element id when the issue is about the document (it does not parse)', async () => {
    const issues = await validateWithFeelin(catalogWith<BpmnModelContent>(model, (c) => (c.xml = '<bpmn:definitions')));
    expect(issues.map((i) => [i.code, 'elementId' in i])).toEqual([['bpmn.parse', false]]);
  });

  it('reads Camunda attributes under whatever prefix the document binds', async () => {
    const issues = await validateWithFeelin(catalogWith<BpmnModelContent>(model, (c) => (c.xml = c.xml.replaceAll('camunda:', 'c7:').replace('xmlns:camunda=', 'xmlns:c7='))));
    expect(issues).toEqual([]);
  });
});
