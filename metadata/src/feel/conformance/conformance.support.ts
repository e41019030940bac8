/**
 * Helpers for the conformance tests of this folder (not a test file itself). Each test file is
 * one part of the DMN 1.5 specification (chapter 10, FEEL), its cases taken from the
 * specification's text and examples; the DMN TCK figures are in docs/benchmarks.md.
 */
import { compileFeel } from '../feel.compiler';
import type { FeelContext, FeelNames } from '../feel.types';

/** Evaluates an expression (names in scope: the context's keys, or those given). */
export function feel(source: string, context: FeelContext = {}, names: FeelNames = Object.keys(context)): unknown {
  const result = compileFeel(source, 'expression', { names });
  if (!result.ok) throw new Error(`${source}: ${result.error.message} at ${result.error.from}`);
  return result.compiled.evaluate(context);
}

/** Evaluates unary tests against an input, as a decision table cell does. */
export function cell(source: string, input: unknown, context: FeelContext = {}): unknown {
  const result = compileFeel(source, 'unary-tests', { names: Object.keys(context) });
  if (!result.ok) throw new Error(`${source}: ${result.error.message} at ${result.error.from}`);
  return result.compiled.evaluate({ ...context, '?': input });
}

/** FEEL's string() of a value, so temporal results compare by their FEEL spelling. */
export const str = (source: string, context: FeelContext = {}): unknown => feel(`string(${source})`, context);
