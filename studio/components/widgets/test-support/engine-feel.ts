import { compileFeel } from '@cpq/metadata/feel';
import type { FeelCheckRequest, FeelEvaluate, FeelEvaluation } from '../feel-sample';

/**
 * The engine's FEEL check for component tests, on the engine's own compiler (@cpq/metadata/feel,
 * which bundles for the browser): the same compile errors and positions, the same values. The
 * real endpoint (its time bound, JSON and FEEL text of every type) is covered by the engine's
 * tests; here the value's text is JSON's, enough for the editor's behaviour. `calls` records
 * every request, so a test can tell when the editor asked.
 */
export function engineFeel(): FeelEvaluate & { calls: FeelCheckRequest[] } {
  const calls: FeelCheckRequest[] = [];
  const evaluate = async (request: FeelCheckRequest) => {
    calls.push(request);
    const { expression, dialect, context, input } = request;
    const compiled = compileFeel(expression, dialect);
    let data: FeelEvaluation;
    if (!compiled.ok) {
      data = { ok: false, dialect, variables: [], error: { phase: 'compile', ...compiled.error } };
    } else {
      try {
        const value = compiled.compiled.evaluate(dialect === 'unary-tests' ? { ...context, '?': input ?? null } : context);
        const type = value === null || value === undefined ? 'null' : typeof value === 'boolean' ? 'boolean' : typeof value === 'number' ? 'number' : typeof value === 'string' ? 'string' : Array.isArray(value) ? 'list' : 'context';
        data = { ok: true, dialect, variables: compiled.compiled.variables, value, type, display: JSON.stringify(value ?? null) };
      } catch (error) {
        data = { ok: false, dialect, variables: compiled.compiled.variables, error: { phase: 'evaluate', message: (error as Error).message } };
      }
    }
    return { ok: true as const, data };
  };
  return Object.assign(evaluate, { calls });
}
