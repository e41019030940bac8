import { Script, createContext } from 'node:vm';
import type { ApiSchema } from '@cpq/contracts/api-types';
import { compileFeel, type FeelContext, type FeelDialect } from '@cpq/metadata/feel';

/**
 * The studio's FEEL editor asks the engine, as the admin types, whether an expression compiles
 * and what it gives on sample values: the same compiler that validates candidates and runs
 * published rules answers, so the editor never disagrees with publish.
 */
export type FeelCheckInput = { expression: string; dialect?: FeelDialect; context?: FeelContext; input?: unknown };
export type FeelEvaluation = ApiSchema<'FeelEvaluation'>;
type FeelType = NonNullable<FeelEvaluation['type']>;

/**
 * Evaluation is bounded in time as well as in the compiler's iteration steps: an expression the
 * compiler hands to feelin (its fallback) has no iteration budget, and feelin 8.2 never ends
 * iterating some ranges (metadata/src/feel/README.md, difference 3). A check runs on every
 * pause in typing, so no expression may hold the event loop, whatever the compiler does.
 */
export const EVALUATION_TIMEOUT_MS = 1000;
/** A value whose JSON is larger than this is not sent back (`for i in 1..999999 return i`). */
export const MAX_VALUE_CHARS = 100_000;
const MAX_DISPLAY_CHARS = 2000;

// One V8 context reused by every check: vm's timeout interrupts whatever runs inside
// runInContext, including the compiled closures made outside it.
const sandbox = createContext({ run: (): unknown => undefined });
const runScript = new Script('run()');

/** Runs `run` and stops it after `timeoutMs` (throws, code ERR_SCRIPT_EXECUTION_TIMEOUT). */
export function evaluateBounded(run: () => unknown, timeoutMs = EVALUATION_TIMEOUT_MS): unknown {
  sandbox.run = run;
  try {
    return runScript.runInContext(sandbox, { timeout: timeoutMs });
  } finally {
    sandbox.run = () => undefined;
  }
}

export function checkFeel({ expression, dialect = 'expression', context = {}, input = null }: FeelCheckInput): FeelEvaluation {
  const compiled = compileFeel(expression, dialect);
  if (!compiled.ok) {
    const { message, from, to } = compiled.error;
    return { ok: false, dialect, variables: [], error: { phase: 'compile', message, from, to } };
  }
  const { variables } = compiled.compiled;
  const scope = dialect === 'unary-tests' ? { ...context, '?': input } : context;
  let value: unknown;
  try {
    value = evaluateBounded(() => compiled.compiled.evaluate(scope));
  } catch (error) {
    const timedOut = (error as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
    const message = timedOut ? `the evaluation ran longer than ${EVALUATION_TIMEOUT_MS} ms and was stopped` : (error as Error).message;
    return { ok: false, dialect, variables, error: { phase: 'evaluate', message } };
  }
  const json = toJson(value);
  const size = JSON.stringify(json)?.length ?? 0;
  if (size > MAX_VALUE_CHARS) {
    return { ok: false, dialect, variables, error: { phase: 'evaluate', message: `the value is too large to show (${size} characters as JSON, at most ${MAX_VALUE_CHARS})` } };
  }
  const display = feelText(value);
  return { ok: true, dialect, variables, value: json, type: feelType(value), display: display.length > MAX_DISPLAY_CHARS ? `${display.slice(0, MAX_DISPLAY_CHARS - 1)}…` : display };
}

/** feelin's value classes, by constructor name: they are not exported as types we can test with instanceof. */
const TEMPORAL: Record<string, FeelType> = { FeelDate: 'date', FeelTime: 'time', FeelDateTime: 'date and time', FeelDuration: 'duration' };

const RANGE_KEYS = ['start', 'end', 'start included', 'end included'];
const className = (value: object): string => (value.constructor as { name?: string } | undefined)?.name ?? '';
const isPlain = (value: object): boolean => {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
};

function feelType(value: unknown): FeelType {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'function') return 'function';
  if (Array.isArray(value)) return 'list';
  const name = className(value);
  if (TEMPORAL[name]) return TEMPORAL[name];
  // A range by its shape (feelin's FeelRange and the compiler's own range class alike); a
  // context literal with the same keys is still a context.
  if (!isPlain(value) && RANGE_KEYS.every((key) => key in (value as object))) return 'range';
  if (name === 'FeelFunction') return 'function';
  return 'context';
}

type Range = { start: unknown; end: unknown; 'start included': boolean; 'end included': boolean };

function toJson(value: unknown): unknown {
  const type = feelType(value);
  switch (type) {
    case 'null':
    case 'function':
      return null;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'boolean':
    case 'string':
      return value;
    case 'list':
      return (value as unknown[]).map(toJson);
    case 'range': {
      const r = value as Range;
      return { start: toJson(r.start), end: toJson(r.end), 'start included': r['start included'], 'end included': r['end included'] };
    }
    case 'context':
      return isPlain(value as object) ? Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, toJson(v)])) : String(value);
    default:
      return String(value);
  }
}

/** The value as FEEL would write it, for the admin to read. */
function feelText(value: unknown): string {
  const type = feelType(value);
  switch (type) {
    case 'null':
      return 'null';
    case 'string':
      return JSON.stringify(value);
    case 'number':
    case 'boolean':
      return String(value);
    case 'function':
      return 'function';
    case 'list':
      return `[${(value as unknown[]).map(feelText).join(', ')}]`;
    case 'range': {
      const r = value as Range;
      return `${r['start included'] ? '[' : '('}${feelText(r.start)}..${feelText(r.end)}${r['end included'] ? ']' : ')'}`;
    }
    case 'context':
      return isPlain(value as object)
        ? `{${Object.entries(value as object).map(([k, v]) => `${/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : JSON.stringify(k)}: ${feelText(v)}`).join(', ')}}`
        : String(value);
    default:
      // date, time, date and time, duration: the function that makes the value.
      return `${type}(${JSON.stringify(String(value))})`;
  }
}
