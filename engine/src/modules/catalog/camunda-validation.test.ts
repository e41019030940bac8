import { describe, expect, it } from 'vitest';
import { CamundaError } from '../workflow';
import { isRefusal, refusalIssues } from './camunda-validation.service';

const models = [
  { kind: 'bpmn-model', key: 'order', content: { xml: '<x/>' } },
  { kind: 'dmn-model', key: 'order', content: { xml: '<y/>' } },
  { kind: 'dmn-model', key: 'risk', content: { xml: '<z/>' } },
];
const refusal = (status: number, message: string, details?: unknown) => {
  const error = new CamundaError(status, 'ParseException', `Camunda POST /deployment/create answered ${status}: ${message}`);
  if (details !== undefined) error.details = details;
  return error;
};

describe('Camunda\'s refusal of a validation deployment as issues', () => {
  it('maps its per-resource details to the items, element (elementId, for the studio\'s canvas) and line named; warnings stay warnings', () => {
    const error = refusal(400, 'ENGINE-09005 Could not parse BPMN process.', {
      'order.bpmn': {
        errors: [{ message: 'Event based gateway can only be connected to elements of type intermediateCatchEvent', line: 6, column: 37, mainElementId: 'g' }],
        warnings: [{ message: 'a warning', line: 2, column: 1 }],
      },
    });
    expect(refusalIssues(error, models)).toEqual([
      { item: { kind: 'bpmn-model', key: 'order' }, pointer: '/xml', code: 'camunda.parse', message: 'Camunda: element "g": Event based gateway can only be connected to elements of type intermediateCatchEvent (line 6, column 37)', elementId: 'g' },
      { item: { kind: 'bpmn-model', key: 'order' }, pointer: '/xml', code: 'camunda.parse', message: 'Camunda: a warning (line 2, column 1)', severity: 'warning' },
    ]);
  });

  it('without details, puts the refusal on the file its message names (DMN transform errors)', () => {
    const error = refusal(500, 'ENGINE-22004 Unable to transform DMN resource \'risk.dmn\'.');
    expect(refusalIssues(error, models)).toEqual([
      { item: { kind: 'dmn-model', key: 'risk' }, pointer: '/xml', code: 'camunda.parse', message: 'Camunda refused the model: ENGINE-22004 Unable to transform DMN resource \'risk.dmn\'.' },
    ]);
  });

  it('a refusal naming no file of the deployment is put on every model (none is known to deploy)', () => {
    const issues = refusalIssues(refusal(500, 'ENGINE-01009 Error while parsing process. Error parsing \'${a ==}\''), models);
    expect(issues.map((i) => `${i.item.kind}/${i.item.key}`)).toEqual(['bpmn-model/order', 'dmn-model/order', 'dmn-model/risk']);
  });

  it('4xx and 500 are Camunda\'s verdict; 502-504 and network failures are not', () => {
    expect([400, 404, 500, 502, 503, 504].map((s) => isRefusal(refusal(s, 'x')))).toEqual([true, true, true, false, false, false]);
    expect(isRefusal(new TypeError('fetch failed'))).toBe(false);
  });
});
