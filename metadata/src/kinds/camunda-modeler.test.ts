import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isBlocking, type MetadataItem, type ValidationIssue } from '../types';
import { validateWithFeelin } from './test-support';

/**
 * The bpmn-model and dmn-model validators on files in the shape Camunda Modeler writes
 * (metadata/test-fixtures/camunda-modeler): what Camunda 7 runs validates with warnings at
 * most (style is advice), what it cannot run is an error naming the element, and the models of
 * a release are checked against each other (keys, call activities, business rule tasks).
 */
const fixture = (file: string) => readFileSync(new URL(`../../test-fixtures/camunda-modeler/${file}`, import.meta.url), 'utf8');
const bpmn = (key: string, processKey: string, xml: string): MetadataItem => ({ kind: 'bpmn-model', key, content: { name: key, processKey, xml } });
const dmn = (key: string, decisionKey: string, xml: string): MetadataItem => ({ kind: 'dmn-model', key, content: { name: key, decisionKey, xml } });

const modelerModels = (): MetadataItem[] => [
  bpmn('order-handling', 'fixture-order-handling', fixture('order-handling.modeler-5.bpmn')),
  bpmn('credit-check', 'fixture-credit-check', fixture('credit-check.modeler-4.bpmn')),
  bpmn('reminder', 'fixture-reminder', fixture('reminder.modeler-3.bpmn')),
  dmn('discount-level', 'fixture-discount-level', fixture('discount-level.dmn11.dmn')),
  dmn('risk-class', 'fixture-risk-class', fixture('risk-class.dmn12.dmn')),
  dmn('region-routing', 'fixture-region-routing', fixture('region-routing.dmn13.dmn')),
];

const errors = (issues: ValidationIssue[]) => issues.filter(isBlocking).map(({ item, code, message }) => ({ key: item.key, code, message }));
const warnings = (issues: ValidationIssue[]) => issues.filter((i) => !isBlocking(i)).map(({ item, code }) => `${item.key} ${code}`);

/** A one-process BPMN model around `body` (labelled start and end, so only `body` can be wrong). */
const processWith = (id: string, body: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D_${id}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="${id}" isExecutable="true" camunda:historyTimeToLive="180">
    <bpmn:startEvent id="start" name="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    ${body}
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
    <bpmn:endEvent id="end" name="End" />
  </bpmn:process>
</bpmn:definitions>`;

describe('models made in Camunda Modeler', () => {
  it('validate with no error: Modeler 3, 4 and 5 BPMN, DMN 1.1, 1.2 and 1.3', async () => {
    const issues = await validateWithFeelin(modelerModels());
    expect(errors(issues)).toEqual([]);
  });

  it('report style and a missing history time to live as warnings, never as blockers', async () => {
    const issues = await validateWithFeelin(modelerModels());
    expect(new Set(warnings(issues))).toEqual(new Set(['credit-check bpmn.history-ttl', 'credit-check bpmn.lint', 'reminder bpmn.lint', 'discount-level dmn.history-ttl']));
    const lint = issues.filter((i) => i.code === 'bpmn.lint').map((i) => i.message.split(':')[0]);
    expect(lint).toEqual(expect.arrayContaining(['label-required', 'end-event-required', 'no-disconnected', 'no-implicit-end', 'fake-join']));
    for (const issue of issues.filter((i) => i.code.endsWith('history-ttl'))) {
      expect(issue.severity).toBe('warning');
      expect(issue.message).not.toMatch(/requires|required/);
      expect(issue.message).toMatch(/global default/);
    }
  });

  it('refuse a DMN version Camunda 7 does not run, naming it', async () => {
    const issues = await validateWithFeelin([dmn('approval', 'fixture-approval-14', fixture('approval.dmn14.dmn'))]);
    expect(errors(issues)).toEqual([{ key: 'approval', code: 'dmn.version', message: expect.stringMatching(/^DMN 1\.4 \(namespace https:\/\/www\.omg\.org\/spec\/DMN\/20211108\/MODEL\/\) is not supported: Camunda 7 runs DMN 1\.1, 1\.2, 1\.3$/) }]);
  });

  it('check the FEEL of DMN 1.1 and 1.2 tables like 1.3 ones', async () => {
    const broken = fixture('discount-level.dmn11.dmn').replace('<text>&gt;= 100000</text>', '<text>&gt;= </text>');
    const issues = await validateWithFeelin([dmn('discount-level', 'fixture-discount-level', broken)]);
    expect(errors(issues)).toEqual([{ key: 'discount-level', code: 'feel.syntax', message: expect.stringContaining('rule "DecisionRule_big" input entry "UnaryTests_2"') }]);
  });
});

describe('what Camunda cannot run is an error naming the element', () => {
  it.each([
    ['a service task without implementation', '<bpmn:serviceTask id="work" name="Work" />', 'bpmn.implementation', /ServiceTask "work" has no implementation/],
    ['a send task without implementation', '<bpmn:sendTask id="work" name="Work" />', 'bpmn.implementation', /SendTask "work" has no implementation/],
    ['a business rule task without decision or implementation', '<bpmn:businessRuleTask id="work" name="Work" />', 'bpmn.implementation', /camunda:decisionRef/],
    ['a timer without definition', '<bpmn:intermediateCatchEvent id="work" name="Wait"><bpmn:timerEventDefinition id="t" /></bpmn:intermediateCatchEvent>', 'bpmn.timer', /timer of "work" has no definition/],
    ['a timer with a duration that is not ISO 8601', '<bpmn:intermediateCatchEvent id="work" name="Wait"><bpmn:timerEventDefinition id="t"><bpmn:timeDuration>2 hours</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>', 'bpmn.timer', /"2 hours" is not an ISO 8601 duration/],
    ['a timer with a date that is not a date', '<bpmn:intermediateCatchEvent id="work" name="Wait"><bpmn:timerEventDefinition id="t"><bpmn:timeDate>tomorrow</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>', 'bpmn.timer', /"tomorrow" is not an ISO 8601 date-time/],
    ['an external task without topic', '<bpmn:serviceTask id="work" name="Work" camunda:type="external" />', 'bpmn.topic', /external task "work"/],
  ])('%s', async (_name, body, code, message) => {
    const issues = await validateWithFeelin([bpmn('p', 'p', processWith('p', body))]);
    expect(errors(issues)).toEqual([{ key: 'p', code, message: expect.stringMatching(message) }]);
    // The element at fault, for the studio's canvas (a timer's issue is on its event).
    expect(issues.filter(isBlocking).map((i) => i.elementId)).toEqual(['work']);
  });

  it.each([
    ['a connector', '<bpmn:serviceTask id="work" name="Work"><bpmn:extensionElements><camunda:connector><camunda:connectorId>http-connector</camunda:connectorId></camunda:connector></bpmn:extensionElements></bpmn:serviceTask>'],
    ['a delegate expression', '<bpmn:serviceTask id="work" name="Work" camunda:delegateExpression="${worker}" />'],
    ['a timer duration from an expression', '<bpmn:intermediateCatchEvent id="work" name="Wait"><bpmn:timerEventDefinition id="t"><bpmn:timeDuration>${wait}</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'],
    ['a timer date with an offset', '<bpmn:intermediateCatchEvent id="work" name="Wait"><bpmn:timerEventDefinition id="t"><bpmn:timeDate>2027-01-31T09:00:00+01:00</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'],
  ])('accepts %s', async (_name, body) => {
    expect(errors(await validateWithFeelin([bpmn('p', 'p', processWith('p', body))]))).toEqual([]);
  });

  it('does not judge processes Camunda does not deploy (not executable)', async () => {
    const xml = processWith('p', '<bpmn:serviceTask id="work" name="Work" />').replace('</bpmn:definitions>', '<bpmn:process id="doc" isExecutable="false"><bpmn:serviceTask id="sketch" /></bpmn:process></bpmn:definitions>')
      .replace('<bpmn:serviceTask id="work" name="Work" />', '<bpmn:serviceTask id="work" name="Work" camunda:expression="${1}" />');
    expect(errors(await validateWithFeelin([bpmn('p', 'p', xml)]))).toEqual([]);
  });
});

describe('models of a release are checked against each other', () => {
  const caller = (id: string, body: string) => bpmn(id, id, processWith(id, body));

  it('a process key defined by two items: an error on each, naming the other', async () => {
    const [orders] = modelerModels();
    const copy = bpmn('order-handling-copy', 'fixture-order-handling', (orders!.content as { xml: string }).xml);
    const issues = await validateWithFeelin([...modelerModels(), copy]);
    expect(errors(issues)).toEqual([
      { key: 'order-handling', code: 'bpmn.duplicate-process', message: expect.stringMatching(/^process "fixture-order-handling" is also defined by bpmn-model\/order-handling-copy/) },
      { key: 'order-handling-copy', code: 'bpmn.duplicate-process', message: expect.stringMatching(/^process "fixture-order-handling" is also defined by bpmn-model\/order-handling:/) },
    ]);
  });

  it('a decision key defined by two items, one of them in the current release', async () => {
    const routing = modelerModels().find((i) => i.key === 'region-routing')!;
    const other = dmn('country-region', 'fixture-region-of-country', (routing.content as { xml: string }).xml);
    const issues = await validateWithFeelin([other], modelerModels());
    expect(errors(issues).map((i) => [i.key, i.code])).toEqual([
      ['country-region', 'dmn.duplicate-decision'], ['country-region', 'dmn.duplicate-decision'],
    ]);
    expect(issues.filter(isBlocking).map((i) => i.elementId).sort()).toEqual(['fixture-region-of-country', 'fixture-region-routing']);
    expect(errors(issues).map((i) => i.message.split(':')[0]).sort()).toEqual([
      'decision "fixture-region-of-country" is also defined by dmn-model/region-routing',
      'decision "fixture-region-routing" is also defined by dmn-model/region-routing',
    ]);
  });

  it('call activities and business rule tasks must name definitions of the release', async () => {
    const issues = await validateWithFeelin([
      caller('calls-missing', '<bpmn:callActivity id="work" name="Call" calledElement="nowhere" />'),
      caller('decides-missing', '<bpmn:businessRuleTask id="work" name="Decide" camunda:decisionRef="no-such-decision" />'),
    ]);
    expect(errors(issues)).toEqual([
      { key: 'calls-missing', code: 'bpmn.called-element', message: 'call activity "work" calls process "nowhere", which no bpmn-model of the release defines (as an executable process)' },
      { key: 'decides-missing', code: 'bpmn.decision-ref', message: 'business rule task "work" evaluates decision "no-such-decision", which no dmn-model of the release defines' },
    ]);
    expect(issues.filter(isBlocking).map((i) => i.elementId)).toEqual(['work', 'work']);
  });

  it('resolves them in the set and in the current release; expressions and other tenants are not checked', async () => {
    const issues = await validateWithFeelin([
      caller('calls-base', '<bpmn:callActivity id="work" name="Call" calledElement="fixture-credit-check" />'),
      caller('decides-base', '<bpmn:businessRuleTask id="work" name="Decide" camunda:decisionRef="fixture-risk-class" />'),
      caller('calls-expression', '<bpmn:callActivity id="work" name="Call" calledElement="${target}" />'),
      caller('calls-tenant', '<bpmn:callActivity id="work" name="Call" calledElement="elsewhere" camunda:calledElementTenantId="shared" />'),
    ], modelerModels());
    expect(errors(issues)).toEqual([]);
  });

  it('the order-handling model without its called process and decision in the release: both named', async () => {
    const [orders] = modelerModels();
    const issues = await validateWithFeelin([orders!]);
    expect(errors(issues).map((i) => [i.code, i.message.split(' calls')[0]!.split(' evaluates')[0]])).toEqual([
      ['bpmn.called-element', 'call activity "Activity_credit"'],
      ['bpmn.decision-ref', 'business rule task "Activity_discount"'],
    ]);
  });
});
