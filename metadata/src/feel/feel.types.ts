/**
 * FEEL (the DMN expression language) as the platform uses it: rule conditions and computed
 * values in configuration, pricing and approval metadata. Expressions are compiled once per
 * published release into closures and cached; never parsed per request.
 */
export type FeelDialect = 'expression' | 'unary-tests';

/** A FEEL expression that does not parse: where (character offsets) and why. */
export type FeelSyntaxError = { message: string; from: number; to: number };

export type FeelContext = Record<string, unknown>;

/**
 * The names in scope where an expression sits (a DMN model's inputs and decisions, a release's
 * characteristics, ...), known at compile time. The parser reads a name that contains spaces,
 * keywords or operators (`Date-Time`, `values in a list`, `terms and conditions`) as one name
 * only when it is in scope, as FEEL defines. A list of names, or a context shape whose nested
 * objects name the entries of nested contexts (`{ Applicant: { 'Monthly-Income': null } }`).
 */
export type FeelNames = readonly string[] | { readonly [name: string]: unknown };

export type FeelCompileOptions = { names?: FeelNames };

export type CompiledFeel = {
  source: string;
  dialect: FeelDialect;
  /** Names of the variables the expression reads (top-level names only). */
  variables: string[];
  /**
   * Evaluates against a context. For unary tests, the input value is passed as `?` in the
   * context (key '?'), as feelin's `unaryTest(expression, context)` does.
   */
  evaluate(context: FeelContext): unknown;
};

export type FeelCompileResult = { ok: true; compiled: CompiledFeel } | { ok: false; error: FeelSyntaxError };
