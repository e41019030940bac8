import { describe, expect, it } from 'vitest';
import creditCheck from '../../../metadata/test-fixtures/camunda-modeler/credit-check.modeler-4.bpmn?raw';
import discountLevel from '../../../metadata/test-fixtures/camunda-modeler/discount-level.dmn11.dmn?raw';
import riskClass from '../../../metadata/test-fixtures/camunda-modeler/risk-class.dmn12.dmn?raw';
import regionRouting from '../../../metadata/test-fixtures/camunda-modeler/region-routing.dmn13.dmn?raw';
import { keyFromFileName, olderDmnVersion, readModelFile } from './model-file';
import { byGravity, cssString, dmnIssueCss, elementsAtFault, idsWithin, issuesOfItem, type ModelIssue } from './model-issues';
import { starterModel, xmlIdOf } from './model-templates';
import { topicDescription, topicOptions, type WorkerTopic } from './topic-options';

// The modelers' own logic, outside bpmn-js and dmn-js (run in the browser like the canvases).

describe('a model file chosen for import', () => {
  it('keeps a Desktop Modeler BPMN file as it is and reads its executable process, name and a key from the file name', () => {
    expect(readModelFile('bpmn-model', creditCheck, 'credit-check.modeler-4.bpmn')).toEqual({
      ok: true, xml: creditCheck, key: 'credit-check-modeler-4', processKey: 'fixture-credit-check',
    });
  });

  it('reads the first decision of DMN 1.1 to 1.3 files', () => {
    for (const [xml, decisionKey] of [[discountLevel, 'fixture-discount-level'], [riskClass, 'fixture-risk-class'], [regionRouting, 'fixture-region-routing']] as const) {
      const read = readModelFile('dmn-model', xml, 'x.dmn');
      expect(read).toMatchObject({ ok: true, xml, decisionKey });
    }
  });

  it('refuses what is not a model of the draft\'s kind, saying why', () => {
    expect(readModelFile('bpmn-model', regionRouting, 'routing.dmn')).toEqual({ ok: false, message: expect.stringMatching(/^routing\.dmn is not a BPMN 2\.0 file/) });
    expect(readModelFile('dmn-model', creditCheck, 'credit.bpmn')).toEqual({ ok: false, message: expect.stringMatching(/^credit\.bpmn is not a DMN file/) });
    expect(readModelFile('bpmn-model', '<invoice/>', 'invoice.xml')).toEqual({ ok: false, message: 'invoice.xml is not a BPMN file: its root element is not <definitions>.' });
    expect(readModelFile('bpmn-model', 'x'.repeat(1_000_001), 'big.bpmn')).toMatchObject({ ok: false, message: expect.stringContaining('larger than') });
  });

  it('makes an item key of a file name', () => {
    expect(keyFromFileName('Order Handling (v2).bpmn')).toBe('order-handling-v2');
    expect(keyFromFileName(`${'a'.repeat(70)}.dmn`)).toHaveLength(64);
    expect(keyFromFileName('---.bpmn')).toBe('');
  });

  it('tells DMN 1.1 and 1.2 (shown migrated) from 1.3', () => {
    expect([olderDmnVersion(discountLevel), olderDmnVersion(riskClass), olderDmnVersion(regionRouting)]).toEqual(['1.1', '1.2', undefined]);
  });
});

describe('the engine\'s issues on a model', () => {
  const issue = (elementId: string | undefined, severity: 'error' | 'warning', message = elementId ?? 'model'): ModelIssue =>
    ({ code: 'x', message, pointer: '/xml', severity, ...(elementId ? { elementId } : {}) });

  it('keeps the item\'s issues of a candidate, with their element', () => {
    const item = (kind: string, key: string) => ({ kind, key }) as never;
    expect(issuesOfItem([
      { item: item('bpmn-model', 'a'), pointer: '/xml', code: 'bpmn.topic', message: 'm', severity: 'error', elementId: 'task' },
      { item: item('bpmn-model', 'b'), pointer: '/xml', code: 'bpmn.topic', message: 'n', severity: 'error' },
      { item: item('bpmn-model', 'a'), pointer: '/processKey', code: 'bpmn.process-key', message: 'o', severity: 'error' },
    ], 'bpmn-model', 'a')).toEqual([
      { code: 'bpmn.topic', message: 'm', severity: 'error', pointer: '/xml', elementId: 'task' },
      { code: 'bpmn.process-key', message: 'o', severity: 'error', pointer: '/processKey' },
    ]);
  });

  it('lists errors before warnings and gives each element its gravest severity', () => {
    const issues = [issue('a', 'warning'), issue('b', 'error'), issue('a', 'error', 'second'), issue(undefined, 'error')];
    expect(byGravity(issues).map((i) => i.severity)).toEqual(['error', 'error', 'error', 'warning']);
    expect([...elementsAtFault(issues)]).toEqual([['a', { severity: 'error', messages: ['a', 'second'] }], ['b', { severity: 'error', messages: ['b'] }]]);
  });

  it('marks decision table cells by a stylesheet whose selectors cannot be broken out of', () => {
    expect(cssString('a"b\\c\nd')).toBe('"a\\"b\\\\c d"');
    const css = dmnIssueCss('.cpq-dmn', [issue('rep-discount', 'error'), issue('x"]{}', 'warning')]);
    expect(css.split('\n')).toHaveLength(2);
    expect(css).toContain('.cpq-dmn [data-element-id="rep-discount"], .cpq-dmn [data-col-id="rep-discount"]:is(th) { outline: 2px solid #b3261e;');
    const style = document.createElement('style');
    style.textContent = css;
    document.head.append(style);
    expect(style.sheet!.cssRules).toHaveLength(2);
    style.remove();
  });

  it('finds the ids inside a decision, never climbing to its parent', () => {
    const definitions: Record<string, unknown> = { id: 'defs' };
    const decision = { $type: 'dmn:Decision', id: 'd', decisionLogic: { id: 't', input: [{ id: 'i1' }], rule: [{ id: 'r1', inputEntry: [{ id: 'e1' }] }] } };
    Object.defineProperty(decision, '$parent', { value: definitions, enumerable: false });
    definitions.drgElement = [decision];
    expect([...idsWithin(decision)].sort()).toEqual(['d', 'e1', 'i1', 'r1', 't']);
  });
});

describe('worker catalog topics', () => {
  const topics = [{ topic: 'platform.ping', description: 'Answers.', variables: { type: 'object', required: ['a'], properties: { a: {}, b: {} } } }] as WorkerTopic[];
  it('asks for a choice, keeps an unknown topic as the first option, and describes the chosen one', () => {
    expect(topicOptions(topics, '')).toEqual([{ value: '', label: 'Choose a topic…' }, { value: 'platform.ping', label: 'platform.ping' }]);
    expect(topicOptions(topics, 'platform.ping')).toEqual([{ value: 'platform.ping', label: 'platform.ping' }]);
    expect(topicOptions(topics, 'order.book')[0]).toEqual({ value: '', label: 'order.book (not in the catalog: keep it or choose one)' });
    expect(topicDescription(topics, 'platform.ping')).toBe('Answers. Reads: a (required), b.');
    expect(topicDescription([], '')).toBe('The engine lists no worker topics: type the topic above.');
  });
});

describe('a new model', () => {
  it('starts from a diagram whose ids are XML ids made of the item\'s key', () => {
    expect([xmlIdOf('order handling', 'p'), xmlIdOf('2fast', 'p'), xmlIdOf('', 'p')]).toEqual(['order-handling', '_2fast', 'p']);
    const bpmn = starterModel('bpmn-model', 'order-handling', 'Order <handling>');
    expect(readModelFile('bpmn-model', bpmn, 'x.bpmn')).toMatchObject({ ok: true, processKey: 'order-handling', name: 'Order &lt;handling&gt;' });
    expect(new DOMParser().parseFromString(bpmn, 'application/xml').querySelector('parsererror')).toBeNull();
    const dmn = starterModel('dmn-model', 'discount', 'Discount');
    expect(readModelFile('dmn-model', dmn, 'x.dmn')).toMatchObject({ ok: true, decisionKey: 'discount' });
    expect(new DOMParser().parseFromString(dmn, 'application/xml').querySelector('parsererror')).toBeNull();
  });
});
