import { describe, expect, it } from 'vitest';
import { CamundaError } from '../workflow';
import { outcomeUnknown, workflowUnavailable } from './quote.workflow';

// Whether a failed Camunda start may still have happened decides whether compensation may call
// the submission failed at once or must leave it to the reconciler (submit-for-approval).
describe('outcomeUnknown', () => {
  const refused = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
  const reset = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
  const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');

  it('known: Camunda answered with an error, or the connection was refused (nothing was sent)', () => {
    expect(outcomeUnknown(workflowUnavailable(new CamundaError(500, 'ProcessEngineException', 'boom'), 'start'))).toBe(false);
    expect(outcomeUnknown(workflowUnavailable(new CamundaError(503, undefined, 'down'), 'start'))).toBe(false);
    expect(outcomeUnknown(workflowUnavailable(refused, 'start'))).toBe(false);
  });

  it('unknown: no answer (a timeout, a reset connection) or a gateway that cannot say what Camunda did', () => {
    expect(outcomeUnknown(workflowUnavailable(timeout, 'start'))).toBe(true);
    expect(outcomeUnknown(workflowUnavailable(reset, 'start'))).toBe(true);
    expect(outcomeUnknown(workflowUnavailable(new CamundaError(502, undefined, 'bad gateway'), 'start'))).toBe(true);
    expect(outcomeUnknown(workflowUnavailable(new CamundaError(504, undefined, 'gateway timeout'), 'start'))).toBe(true);
  });
});
