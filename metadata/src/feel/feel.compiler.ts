/**
 * FEEL compiler: walks feelin's Lezer parse tree once and builds plain JS closures, so an
 * evaluation is only closure calls (feelin re-parses and rebuilds its interpreter on every
 * `evaluate`). The reference semantics is feelin 8.2's interpreter (`evalNode` in
 * `node_modules/feelin/dist/index.js`): every case below names the node it mirrors, and the
 * property tests in `feel.compiler.test.ts` compare both on generated expressions.
 *
 * What the compiler does not know (`instance of`, external functions, ...) makes THAT
 * expression fall back to feelin's own `evaluate` / `unaryTest` of the source (see README).
 */
import { evaluate as feelinEvaluate, unaryTest as feelinUnaryTest, FeelDuration, FeelFunction, FeelRange } from 'feelin';
import type { CompiledFeel, FeelCompileOptions, FeelCompileResult, FeelContext, FeelDialect } from './feel.types';
import { parseFeel, type FeelNode } from './feel.tree';
import {
  betweenOrdered, betweenPrimitives, budget, compareIn, compareValue, createRange, equals, getBuiltin, getType, invoke, isRange, isTruthy,
  iterationElements, lookup, MAX_ITERATIONS, nameRef, normalizeContextKey, parseParameterNames, parseString, rangeElements, rangeMatcher, spend, wrapFunction,
  type Dict, type FeelType, type JsFunction,
} from './feel.runtime';
import { setRangeParser } from './feel.builtins';
import { comparisonRange, compareValues, intervalRange, type RangeOp } from './feel.ranges';
import { compileType } from './feel.instance-of';
import { compareTemporal, isTemporalValue, negateDuration, temporalAdd, temporalDivide, temporalMultiply, temporalSubtract } from './feel.temporal';

type Scope = Dict;
type Eval = (scope: Scope) => unknown;
/**
 * A compiled node. `type` is feelin's static tag for the same node (it decides how a filter
 * `list[...]` reads its argument and whether a unary test compares booleans strictly);
 * `constant` marks values known at compile time.
 */
type Compiled = { fn: Eval; type: string | undefined; constant?: { value: unknown } };

/** Thrown while compiling a node we do not compile natively: the expression falls back. */
class Unsupported extends Error {}

const fallbacks = new WeakMap<CompiledFeel, string>();

/** Why the expression runs on feelin's interpreter instead of compiled closures (else undefined). */
export function fallbackReason(compiled: CompiledFeel): string | undefined {
  return fallbacks.get(compiled);
}

export function usesFallback(compiled: CompiledFeel): boolean {
  return fallbacks.has(compiled);
}

/**
 * Compiles once; `options.names` are the names in scope (see FeelNames): pass them wherever
 * they are known, so names with spaces, keywords or operators parse as names.
 */
export function compileFeel(source: string, dialect: FeelDialect, options: FeelCompileOptions = {}): FeelCompileResult {
  const parsed = parseFeel(source, dialect, options.names);
  if (!parsed.ok) return { ok: false, error: parsed.error };
  const variables = spelledAsInScope(collectVariables(parsed.root), options.names);
  let root: (context: FeelContext) => unknown;
  try {
    root = dialect === 'unary-tests' ? compileUnaryTestsRoot(parsed.root) : compileExpressionRoot(parsed.root);
  } catch (err) {
    // Unsupported node, or a compiler defect: either way feelin (the reference) runs it. The
    // source parsed above, so syntax errors are already ours; feelin re-parses per call here.
    const fallback: CompiledFeel = dialect === 'unary-tests'
      ? { source, dialect, variables, evaluate: (context) => feelinUnaryTest(source, context).value }
      : { source, dialect, variables, evaluate: (context) => feelinEvaluate(source, context).value };
    fallbacks.set(fallback, err instanceof Unsupported ? `not compiled: ${err.message}` : `compiler error: ${String(err)}`);
    return { ok: true, compiled: fallback };
  }
  const evaluate = (context: FeelContext): unknown => {
    budget.remaining = MAX_ITERATIONS;
    return root(context);
  };
  return { ok: true, compiled: { source, dialect, variables, evaluate } };
}

function compileExpressionRoot(root: FeelNode): (context: FeelContext) => unknown {
  if (root.name !== 'Expression' || root.children.length !== 1) throw new Unsupported(root.name);
  return compile(root.children[0]!).fn;
}

// --- helpers ----------------------------------------------------------------------------------

function tagged(fn: Eval, type: string | undefined): Compiled {
  return { fn, type };
}

function constant(value: unknown, type: string): Compiled {
  return { fn: () => value, type, constant: { value } };
}

/** feelin `coalecenseTypes`. */
function coalesce(a: Compiled, b: Compiled): string | undefined {
  return a.type === b.type ? a.type : 'any';
}

function child(node: FeelNode, index: number): FeelNode {
  const found = node.children[index];
  if (!found) throw new Unsupported(`${node.name} without child ${index}`);
  return found;
}

function expectShape(node: FeelNode, names: (string | null)[]): void {
  if (node.children.length !== names.length) throw new Unsupported(`${node.name} with ${node.children.length} children`);
  names.forEach((name, index) => {
    if (name !== null && node.children[index]!.name !== name) throw new Unsupported(`${node.name} with ${node.children[index]!.name}`);
  });
}

/** The text a name part contributes (feelin: Identifier, Name, BacktickIdentifier nodes). */
function namePart(node: FeelNode): string {
  switch (node.name) {
    case 'Identifier': return node.text;
    case 'Name': return node.text.replace(/\s{2,}/g, ' ');
    case 'BacktickIdentifier': return node.text.replace(/`/g, '');
    default: throw new Unsupported(`name part ${node.name}`);
  }
}

/** VariableName / PathName / ParameterName: the parts joined by one space. */
function joinedName(node: FeelNode): string {
  return node.children.map(namePart).join(' ');
}

function isPrimitiveValue(value: unknown): value is number | string | boolean {
  const kind = typeof value;
  return kind === 'string' || kind === 'boolean' || (kind === 'number' && value === value);
}

// --- expressions ------------------------------------------------------------------------------

function compile(node: FeelNode): Compiled {
  switch (node.name) {
    case 'NumericLiteral': {
      // feelin parses the token text, which includes a leading `-` child ("-1", "- 1" -> NaN).
      const text = node.text;
      return constant(text.includes('.') ? parseFloat(text) : parseInt(text), 'number');
    }
    case 'StringLiteral':
      return constant(parseString(node.text), 'string');
    case 'BooleanLiteral':
      return constant(node.text === 'true', 'boolean');
    case 'null':
      return constant(null, 'nil');
    case 'ParenthesizedExpression':
      expectShape(node, ['(', null, ')']);
      return compile(child(node, 1));
    case 'VariableName':
      return compileVariable(node);
    case 'PathExpression':
      return compilePath(node);
    case 'FilterExpression':
      return compileFilter(node);
    case 'FunctionInvocation':
      return compileInvocation(node);
    case 'ArithmeticExpression':
      return compileArithmetic(node);
    case 'Comparison':
      return compileComparison(node);
    case 'Conjunction':
    case 'Disjunction':
      return compileLogic(node);
    case 'IfExpression':
      return compileIf(node);
    case 'QuantifiedExpression':
      return compileQuantified(node);
    case 'ForExpression':
      return compileFor(node);
    case 'List':
      return compileList(node);
    case 'Context':
      return compileContext(node);
    case 'FunctionDefinition':
      return compileFunctionDefinition(node);
    case 'DateTimeLiteral':
      return compileDateTimeLiteral(node);
    case 'SimplePositiveUnaryTest':
      return compileSimpleTest(node);
    case 'Interval':
      return compileInterval(node);
    case 'InstanceOfExpression':
      return compileInstanceOf(node);
    case '?': {
      // feelin: `getFromContext('?', context)` — undefined, not null, when absent.
      const ref = nameRef('?');
      return tagged((scope) => lookup(ref, scope), undefined);
    }
    case 'SpecialFunctionName': {
      const builtin = getBuiltin(node.text.replace(/\s+/g, ' '));
      return tagged(() => builtin, undefined);
    }
    default:
      throw new Unsupported(node.name);
  }
}

/** `value instance of T`: T compiled once (feel.instance-of.ts). */
function compileInstanceOf(node: FeelNode): Compiled {
  expectShape(node, [null, 'instance', 'of', 'Type']);
  const value = compile(child(node, 0)).fn;
  let test: ReturnType<typeof compileType>;
  try {
    test = compileType(child(node, 3), joinedName);
  } catch (err) {
    throw new Unsupported(`instance of: ${err instanceof Error ? err.message : String(err)}`);
  }
  return tagged((scope) => test(value(scope), scope), 'test');
}

/** VariableName: the context first, then a built-in function of that name, else null. */
function compileVariable(node: FeelNode): Compiled {
  const ref = nameRef(joinedName(node));
  const builtin = getBuiltin(ref.name);
  if (builtin) {
    return tagged((scope) => {
      const value = lookup(ref, scope);
      return value !== undefined ? value : builtin;
    }, 'any');
  }
  return tagged((scope) => {
    const value = lookup(ref, scope);
    return value !== undefined ? value : null;
  }, 'any');
}

/** PathExpression `a.b`: maps over lists; a missing key is null. */
function compilePath(node: FeelNode): Compiled {
  expectShape(node, [null, '.', 'PathName']);
  const target = compile(child(node, 0)).fn;
  const ref = nameRef(joinedName(child(node, 2)));
  const property = (value: unknown): unknown => {
    const found = lookup(ref, value);
    return found !== undefined ? found : null;
  };
  return tagged((scope) => {
    const value = target(scope);
    return Array.isArray(value) ? value.map(property) : property(value);
  }, 'any');
}

/** FilterExpression `list[...]`: index, equality or predicate, chosen by the filter's tag. */
function compileFilter(node: FeelNode): Compiled {
  expectShape(node, [null, '[', null, ']']);
  const target = compile(child(node, 0)).fn;
  const filter = compile(child(node, 2));
  const test = filter.fn;
  switch (filter.type) {
    case 'number':
    case 'boolean':
    case 'any':
      return tagged((scope) => {
        const value = target(scope);
        if (value === null) return null;
        const index = test(scope);
        // DMN 1.5: a non-list filtered is a singleton list (`1[true]` is [1]; feelin: 1).
        if (typeof index === 'boolean') return index ? (Array.isArray(value) ? value : [value]) : [];
        if (typeof index !== 'number') return [];
        const list = Array.isArray(value) ? value : [value];
        const found: unknown = list[index < 0 ? list.length + index : index - 1];
        return found === undefined ? null : found;
      }, 'any');
    case 'string':
      return tagged((scope) => {
        const value = target(scope);
        if (value === null) return null;
        const wanted = test(scope);
        return (Array.isArray(value) ? value : [value]).filter((element) => element === wanted);
      }, 'any');
    case 'test': {
      // feelin's iteration context: the scope, `item`, then the element's own entries. A test
      // that reads nothing but `item` sees the same `item` without the copy of the scope.
      const itemOnly = readsOnly(child(node, 2), new Set(['item']));
      return tagged((scope) => {
        const value = target(scope);
        if (value === null) return null;
        const list: unknown[] = Array.isArray(value) ? value : [value];
        spend(list.length);
        return list
          .map((element) => {
            const iteration = (itemOnly
              ? { item: ownItem(element) }
              : Object.assign(Object.assign(Object.assign({}, scope), { item: element }), element)) as Scope;
            let result = test(iteration);
            if (typeof result === 'function') result = (result as JsFunction)(element);
            if (isRange(result)) result = result.includes(element);
            return result === true ? element : result;
          })
          .filter(isTruthy);
      }, 'any');
    }
    default:
      // feelin: `a[null]`, `a[[1]]`, `a[{...}]` are null (after evaluating the target).
      return tagged((scope) => {
        target(scope);
        return null;
      }, 'any');
  }
}

/** `item` in feelin's filter context: the element, unless it has an own enumerable `item`. */
function ownItem(element: unknown): unknown {
  const kind = typeof element;
  if (element !== null && (kind === 'object' || kind === 'function') && Object.prototype.propertyIsEnumerable.call(element, 'item')) {
    return (element as Dict).item;
  }
  return element;
}

/** FunctionInvocation: positional or named arguments; a failed invocation is null. */
function compileInvocation(node: FeelNode): Compiled {
  if (node.children.length !== 4 || node.children[1]!.name !== '(' || node.children[3]!.name !== ')') {
    throw new Unsupported(`FunctionInvocation with ${node.children.length} children`);
  }
  const targetNode = child(node, 0);
  const args = compileParameters(child(node, 2));
  if (targetNode.name === 'VariableName') {
    // Resolve the built-in once; the context may still shadow it, as in feelin.
    const ref = nameRef(joinedName(targetNode));
    const builtin = getBuiltin(ref.name);
    const builtinFn = builtin ? new FeelFunction(builtin, parseParameterNames(builtin)) : null;
    return tagged((scope) => {
      const value = lookup(ref, scope);
      const fn = value !== undefined ? wrapFunction(value) : builtinFn;
      if (!fn) return null;
      return invoke(fn, args(scope));
    }, 'any');
  }
  const target = compile(targetNode).fn;
  return tagged((scope) => {
    const fn = wrapFunction(target(scope));
    if (!fn) return null;
    return invoke(fn, args(scope));
  }, 'any');
}

function compileParameters(node: FeelNode): Eval {
  if (node.name === 'PositionalParameters') {
    const items = node.children.map(compile);
    if (items.every((item) => item.constant)) {
      const values = items.map((item) => item.constant!.value);
      return () => values;
    }
    const fns = items.map((item) => item.fn);
    return (scope) => fns.map((fn) => fn(scope));
  }
  if (node.name === 'NamedParameters') {
    const entries = node.children.map((parameter) => {
      expectShape(parameter, ['ParameterName', null]);
      return { name: joinedName(child(parameter, 0)), value: compile(child(parameter, 1)).fn };
    });
    return (scope) => {
      const named: Dict = {};
      for (const entry of entries) named[entry.name] = entry.value(scope);
      return named;
    };
  }
  throw new Unsupported(`parameters ${node.name}`);
}

const ARITHMETIC_TYPES: Record<string, readonly FeelType[]> = {
  '+': ['string', 'number', 'date', 'time', 'duration', 'date time'],
  '-': ['number', 'date', 'time', 'duration', 'date time'],
  '*': ['number'],
  '/': ['number'],
  '**': ['number'],
  '^': ['number'],
};

function applyNumeric(op: string, a: number, b: number): unknown {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return !b ? null : a / b;
    default: return Math.pow(a, b);
  }
}

/** Temporal operands: DMN 1.5's tables (feel.temporal.ts); anything else with them is null. */
function temporalArithmetic(op: string, left: unknown, right: unknown): unknown {
  switch (op) {
    case '+': return temporalAdd(left, right);
    case '-': return temporalSubtract(left, right);
    case '*': return temporalMultiply(left, right);
    case '/': return temporalDivide(left, right);
    default: return null;
  }
}

/** feelin ArithOp `nullable(...)`: only same-typed operands of an accepted type. */
function arithmetic(op: string, types: readonly FeelType[], left: unknown, right: unknown): unknown {
  if (Array.isArray(left) || Array.isArray(right)) return null;
  if (isTemporalValue(left) || isTemporalValue(right)) return temporalArithmetic(op, left, right);
  const leftType = getType(left);
  const rightType = getType(right);
  if (leftType !== rightType || !types.includes(leftType)) return null;
  if (leftType === 'string') return (left as string) + (right as string);
  return applyNumeric(op, left as number, right as number);
}

/** ArithmeticExpression: binary `a op b` or unary `-b` (feelin computes `0 - b`). */
function compileArithmetic(node: FeelNode): Compiled {
  if (node.children.length === 2 && node.children[0]!.name === 'ArithOp') {
    const op = node.children[0]!.text;
    if (!ARITHMETIC_TYPES[op]) throw new Unsupported(`operator ${op}`);
    const operand = compile(child(node, 1));
    const value = operand.fn;
    return tagged((scope) => {
      const right = value(scope);
      if (typeof right === 'number') return applyNumeric(op, 0, right);
      // DMN 1.5: `-duration` negates it (feelin: null).
      return op === '-' && right instanceof FeelDuration ? negateDuration(right) : null;
    }, operand.type);
  }
  expectShape(node, [null, 'ArithOp', null]);
  const op = node.children[1]!.text;
  const types = ARITHMETIC_TYPES[op];
  if (!types) throw new Unsupported(`operator ${op}`);
  const a = compile(child(node, 0));
  const b = compile(child(node, 2));
  const left = a.fn;
  const right = b.fn;
  const allowsStrings = op === '+';
  return tagged((scope) => {
    const l = left(scope);
    const r = right(scope);
    if (typeof l === 'number' && typeof r === 'number') return applyNumeric(op, l, r);
    if (allowsStrings && typeof l === 'string' && typeof r === 'string') return l + r;
    return arithmetic(op, types, l, r);
  }, coalesce(a, b));
}

/**
 * `<`, `<=`, `>`, `>=`: feelin builds a half-open range from the right operand and asks whether
 * it includes the left one. For a number or string bound and a primitive probe that reduces to
 * JS relational operators on the raw values (feelin's `cmp`), which is the fast path here.
 */
function relational(op: string, left: unknown, right: unknown): unknown {
  const rightKind = typeof right;
  const leftKind = typeof left;
  if ((rightKind === 'number' || rightKind === 'string') && (leftKind === 'number' || leftKind === 'string' || leftKind === 'boolean')) {
    const l = left as number;
    const r = right as number;
    switch (op) {
      case '<': return l < r;
      case '<=': return !(l > r);
      case '>': return l > r;
      default: return !(l < r);
    }
  }
  if (isTemporalValue(left) || isTemporalValue(right)) {
    if (left === null || left === undefined || right === null || right === undefined) return null;
    const order = compareTemporal(left, right);
    if (order === null) return null;
    switch (op) {
      case '<': return order < 0;
      case '<=': return order <= 0;
      case '>': return order > 0;
      default: return order >= 0;
    }
  }
  return rangeFor(op, right).includes(left);
}

/** feelin's range for `<` etc. against a non-temporal bound (it throws for booleans, lists). */
function rangeFor(op: string, bound: unknown) {
  switch (op) {
    case '<': return createRange(null, bound, false, false);
    case '<=': return createRange(null, bound, false, true);
    case '>': return createRange(bound, null, false, false);
    default: return createRange(bound, null, true, false);
  }
}

function equalsFast(left: unknown, right: unknown): boolean | null {
  const kind = typeof left;
  if (kind === typeof right && (kind === 'number' || kind === 'string' || kind === 'boolean')) return left === right;
  return equals(left, right);
}

function notEquals(left: unknown, right: unknown): boolean | null {
  const result = equalsFast(left, right);
  return result === null ? null : !result;
}

/** Comparison: `a op b`, `a between x and y`, `a in test`, `a in (tests)`. */
function compileComparison(node: FeelNode): Compiled {
  const operator = child(node, 1);
  if (operator.name === 'CompareOp') {
    expectShape(node, [null, 'CompareOp', null]);
    const left = compile(child(node, 0)).fn;
    const right = compile(child(node, 2)).fn;
    switch (operator.text) {
      case '=': return tagged((scope) => equalsFast(left(scope), right(scope)), 'test');
      case '!=': return tagged((scope) => notEquals(left(scope), right(scope)), 'test');
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const op = operator.text;
        return tagged((scope) => {
          const l = left(scope);
          return relational(op, l, right(scope));
        }, 'test');
      }
      default: throw new Unsupported(`comparison ${operator.text}`);
    }
  }
  if (operator.name === 'between') {
    expectShape(node, [null, 'between', null, 'and', null]);
    const value = compile(child(node, 0)).fn;
    const low = compile(child(node, 2)).fn;
    const high = compile(child(node, 4)).fn;
    return tagged((scope) => {
      const start = low(scope);
      const end = high(scope);
      if (start === null || end === null) return null;
      const kind = typeof start;
      if ((kind === 'number' || kind === 'string') && typeof end === kind) return betweenPrimitives(value(scope), start as number, end as number);
      if (isTemporalValue(start) || isTemporalValue(end)) return betweenOrdered(value(scope), start, end);
      // feelin creates the range before evaluating the probe (the order decides which error wins).
      const range = createRange(start, end);
      return range.includes(value(scope));
    }, 'test');
  }
  if (operator.name === 'in') {
    const value = compile(child(node, 0)).fn;
    const testsNode = node.children.length === 3 ? child(node, 2) : child(node, 3);
    if (node.children.length === 3) expectShape(node, [null, 'in', 'PositiveUnaryTest']);
    else expectShape(node, [null, 'in', '(', 'PositiveUnaryTests', ')']);
    const constantSet = constantMembers(testsNode);
    if (constantSet) {
      const { set, values } = constantSet;
      return tagged((scope) => {
        const probe = value(scope);
        if (isPrimitiveValue(probe)) return set.has(probe);
        return compareIn(probe, values);
      }, 'test');
    }
    const matchers = constantMatchers(testsNode);
    if (matchers) {
      return tagged((scope) => {
        const probe = value(scope);
        let unknown = false;
        for (const { match, nullable } of matchers) {
          let result = match(probe);
          if (result === null && !nullable) result = false;
          if (result === true) return true;
          if (result === null) unknown = true;
        }
        return unknown ? null : false;
      }, 'test');
    }
    const tests = testsNode.name === 'PositiveUnaryTest' ? compilePositiveUnaryTest(testsNode) : compilePositiveUnaryTests(testsNode);
    return tagged((scope) => {
      const probe = value(scope);
      return compareIn(probe, tests(scope));
    }, 'test');
  }
  throw new Unsupported(`comparison ${operator.name}`);
}

/**
 * `x in [1, 2]`, `x in (1, 2)`, unary tests `1, "a"`: when every test is a number or string
 * literal, membership of a primitive probe is a Set lookup (feelin's `equals` of two primitives
 * is `===` for the same type and not-equal otherwise). Boolean literals are excluded: a unary test
 * compares them strictly against `?`.
 */
function constantMembers(node: FeelNode): { set: Set<unknown>; values: unknown[] } | null {
  let literals: FeelNode[];
  if (node.name === 'PositiveUnaryTest') {
    const inner = child(node, 0);
    if (inner.name !== 'List') return null;
    literals = inner.children.slice(1, -1);
  } else if (node.name === 'PositiveUnaryTests') {
    literals = node.children.map((test) => (test.name === 'PositiveUnaryTest' && test.children.length === 1 ? test.children[0]! : test));
  } else {
    return null;
  }
  const values: unknown[] = [];
  for (const literal of literals) {
    const compiled = literal.name === 'NumericLiteral' || literal.name === 'StringLiteral' ? compile(literal) : null;
    if (!compiled?.constant || !isPrimitiveValue(compiled.constant.value)) return null;
    values.push(compiled.constant.value);
  }
  return { set: new Set(values), values };
}

type Matcher = { match: (probe: unknown) => unknown; nullable: boolean };

/**
 * Unary tests that are all known at compile time (`< 10`, `[1..5]`, `"a"`, `= 3`), as matchers
 * giving what feelin's `compareValue` gives. `nullable`: a null result stays unknown (ranges,
 * test functions) instead of meaning "not equal" (values) in `compareIn`. Boolean and null tests
 * are left to the general path (booleans compare strictly with `?`).
 */
function constantMatchers(node: FeelNode): Matcher[] | null {
  const tests = node.name === 'PositiveUnaryTests' ? node.children : [node];
  const matchers: Matcher[] = [];
  for (const test of tests) {
    if (test.name !== 'PositiveUnaryTest' || test.children.length !== 1) return null;
    const compiled = compile(test.children[0]!);
    if (!compiled.constant || compiled.type === 'boolean') return null;
    const value = compiled.constant.value;
    if (isRange(value)) matchers.push({ match: rangeMatcher(value), nullable: true });
    else if (typeof value === 'function') matchers.push({ match: (probe) => (value as JsFunction)(probe), nullable: true });
    else if (typeof value === 'number' || typeof value === 'string') matchers.push({ match: (probe) => equalsFast(value, probe), nullable: false });
    else return null;
  }
  return matchers;
}

/** PositiveUnaryTest: a boolean-tagged test is compared strictly with `?` when one is given. */
function mentionsInput(node: FeelNode): boolean {
  return node.name === '?' || node.children.some(mentionsInput);
}

/**
 * PositiveUnaryTest. In a unary-tests cell (`forInput`), a test that does not mention `?` is a
 * value the input must equal (DMN 1.5 unary test semantics: `e` means `? = e`), so a boolean it yields is
 * compared with the input (`flag` matches when the input equals flag); one that mentions `?`
 * (`? > 3`) is the outcome itself. feelin compares only boolean literals (also in `x in (...)`
 * when the scope has a `?`, kept) and takes any other boolean as the outcome.
 */
function compilePositiveUnaryTest(node: FeelNode, forInput = false): Eval {
  expectShape(node, [null]);
  const inner = compile(child(node, 0));
  const test = inner.fn;
  if (inner.type === 'boolean' || (forInput && !mentionsInput(node))) {
    return (scope) => {
      const result = test(scope);
      if (typeof result !== 'boolean' || scope === null || scope === undefined || !Object.prototype.hasOwnProperty.call(scope, '?')) return result;
      return result === scope['?'];
    };
  }
  return test;
}

function compilePositiveUnaryTests(node: FeelNode, forInput = false): Eval {
  const tests = node.children.map((test) => {
    if (test.name !== 'PositiveUnaryTest') throw new Unsupported(`unary tests with ${test.name}`);
    return compilePositiveUnaryTest(test, forInput);
  });
  return (scope) => tests.map((test) => test(scope));
}

/** SimplePositiveUnaryTest: an interval, or `op value` giving a range or an equality test. */
function compileSimpleTest(node: FeelNode): Compiled {
  if (node.children.length === 1) {
    expectShape(node, ['Interval']);
    return { ...compileInterval(child(node, 0)), type: 'test' };
  }
  expectShape(node, ['CompareOp', null]);
  const op = child(node, 0).text;
  const operand = compile(child(node, 1));
  const value = operand.fn;
  if (!['<', '<=', '>', '>=', '=', '!='].includes(op)) throw new Unsupported(`unary test ${op}`);
  // DMN 1.5: a unary comparison is a range value of its own kind (`(< 10).end` is 10, `(= 10)`
  // is not `[10..10]`); `< true` keeps feelin's error ("unsupported range").
  const build = (bound: unknown): unknown => {
    if (op !== '=' && op !== '!=' && bound !== null && !isOrderable(bound)) return rangeFor(op, bound);
    return comparisonRange(op as RangeOp, bound);
  };
  const folded = operand.constant ? tryFold(() => build(operand.constant!.value)) : undefined;
  if (folded) return { fn: () => folded.value, type: 'test', constant: folded };
  return tagged((scope) => build(value(scope)), 'test');
}

/** A value computed at compile time, unless computing it throws (then it throws per call). */
function tryFold(compute: () => unknown): { value: unknown } | undefined {
  try {
    return { value: compute() };
  } catch {
    return undefined;
  }
}

function isOrderable(value: unknown): boolean {
  return typeof value === 'number' || typeof value === 'string' || isTemporalValue(value);
}

/**
 * Interval `[a..b]`, `(a..b]`, `]a..b[`. DMN 1.5: an endpoint that is null is unknown (membership
 * is null), not open as in feelin; open ends are written `< b` / `> a`.
 */
function compileInterval(node: FeelNode): Compiled {
  expectShape(node, [null, null, '..', null, null]);
  const startBracket = child(node, 0).name === '[';
  const endBracket = child(node, 4).name === ']';
  const startNode = compile(child(node, 1));
  const endNode = compile(child(node, 3));
  const build = (start: unknown, end: unknown) => intervalRange(start, end, startBracket, endBracket);
  if (startNode.constant && endNode.constant) {
    const folded = tryFold(() => build(startNode.constant!.value, endNode.constant!.value));
    if (folded) return { fn: () => folded.value, type: 'test', constant: folded };
  }
  const start = startNode.fn;
  const end = endNode.fn;
  return tagged((scope) => {
    const low = start(scope);
    return build(low, end(scope));
  }, 'test');
}

/** Conjunction / Disjunction: FEEL three-valued logic; feelin evaluates both operands. */
function compileLogic(node: FeelNode): Compiled {
  const isAnd = node.name === 'Conjunction';
  expectShape(node, [null, isAnd ? 'and' : 'or', null]);
  const left = compile(child(node, 0)).fn;
  const right = compile(child(node, 2)).fn;
  if (isAnd) {
    return tagged((scope) => {
      const l = left(scope);
      const r = right(scope);
      if (l === false || r === false) return false;
      if (l === true && r === true) return true;
      return null;
    }, 'test');
  }
  return tagged((scope) => {
    const l = left(scope);
    const r = right(scope);
    if (l === true || r === true) return true;
    if (l === false && r === false) return false;
    return null;
  }, 'test');
}

/** IfExpression: anything but false and null selects `then` (feelin `isTruthy`). */
function compileIf(node: FeelNode): Compiled {
  expectShape(node, ['if', null, 'then', null, 'else', null]);
  const condition = compile(child(node, 1)).fn;
  const thenBranch = compile(child(node, 3));
  const elseBranch = compile(child(node, 5));
  const whenTrue = thenBranch.fn;
  const whenFalse = elseBranch.fn;
  return tagged((scope) => (isTruthy(condition(scope)) ? whenTrue(scope) : whenFalse(scope)), coalesce(thenBranch, elseBranch));
}

/**
 * InExpressions: the cartesian product of the iteration contexts, left to right, each later
 * source seeing the earlier bindings; null when any source is not a list or range. Each
 * resulting context is a fresh copy of the scope plus the bindings (as in feelin).
 */
function compileInExpressions(node: FeelNode, bindingsOnly: boolean): (scope: Scope) => Scope[] | null {
  const producers = node.children.map((inExpression) => {
    expectShape(inExpression, ['Name', 'in', 'IterationContext']);
    const name = child(inExpression, 0).text.replace(/\s{2,}/g, ' ');
    const source = compileIterationContext(child(inExpression, 2));
    return (scope: Scope): Dict[] | null => {
      const target = source(scope);
      let values: unknown[] | null;
      if (Array.isArray(target)) values = target;
      else if (isRange(target)) values = rangeElements(target);
      else if (target instanceof IterationSpan) values = iterationElements(target.start, target.end);
      else return null;
      if (values === null) return null;
      spend(values.length);
      return values.map((value) => ({ [name]: value }));
    };
  });
  if (producers.length === 0) throw new Unsupported('InExpressions without InExpression');
  const valid = (contexts: Dict[] | null): contexts is Dict[] => contexts !== null && !contexts.some((c) => c === null || c === undefined);
  return (scope) => {
    let contexts = producers[0]!(scope);
    for (let index = 1; index < producers.length; index++) {
      if (!valid(contexts)) return null;
      const joined: Dict[] = [];
      for (const outer of contexts) {
        const inner = producers[index]!(Object.assign(Object.assign({}, scope), outer) as Scope);
        if (!valid(inner)) {
          contexts = null;
          break;
        }
        spend(inner.length);
        for (const binding of inner) joined.push(Object.assign(Object.assign({}, outer), binding));
      }
      if (contexts === null) return null;
      contexts = joined;
    }
    if (!valid(contexts)) return null;
    // A body that reads only the bound names sees the same values in the bare bindings.
    if (bindingsOnly) return contexts as Scope[];
    return contexts.map((binding) => Object.assign(Object.assign({}, scope), binding) as Scope);
  };
}

/** The names an InExpressions binds (`for x in a, y in b` binds x and y). */
function boundNames(node: FeelNode): string[] {
  return node.children.map((inExpression) => child(inExpression, 0).text.replace(/\s{2,}/g, ' '));
}

// Nodes that neither read the scope nor copy it: their value depends on their children only.
const SCOPE_FREE = new Set([
  'NumericLiteral', 'StringLiteral', 'BooleanLiteral', 'null', 'ParenthesizedExpression', 'ArithmeticExpression', 'ArithOp',
  'Conjunction', 'Disjunction', 'IfExpression', 'List', 'PathExpression', 'PathName', 'Identifier', 'Name', 'CompareOp',
  'SimplePositiveUnaryTest', 'Interval', 'DateTimeLiteral', 'DateTimeConstructor', 'AtLiteral', 'PositionalParameters',
  'and', 'or', 'if', 'then', 'else', 'between', '[', ']', '(', ')', '.', '..', 'date', 'time', 'duration',
]);

/**
 * Whether evaluating `node` looks up nothing in its scope but the `allowed` names — then it may
 * run against a small object holding just those. Conservative: function calls (the name is
 * looked up), nested iterations and context literals (they copy the scope), `?`, and `in` with
 * a boolean test (it inspects `?`) all count as reading the scope.
 */
function readsOnly(node: FeelNode, allowed: ReadonlySet<string>): boolean {
  if (node.name === 'VariableName') return allowed.has(safeJoinedName(node) ?? '');
  if (node.name === 'Comparison' && node.children[1]?.name === 'in') {
    const [value, , ...tests] = node.children;
    const hasBoolean = (n: FeelNode): boolean => n.name === 'BooleanLiteral' || n.children.some(hasBoolean);
    return !!value && readsOnly(value, allowed) && tests.every((test) => !hasBoolean(test) && readsOnly(test, allowed));
  }
  if (node.name === 'Comparison' || node.name === 'PositiveUnaryTests' || node.name === 'PositiveUnaryTest' || node.name === 'in') {
    return node.children.every((part) => readsOnly(part, allowed));
  }
  return SCOPE_FREE.has(node.name) && node.children.every((part) => readsOnly(part, allowed));
}

/** `for i in a..b`: the two ends, stepped through by `iterationElements`. */
class IterationSpan {
  constructor(readonly start: unknown, readonly end: unknown) {}
}

/**
 * IterationContext: a list, a range value, or `a..b` — numbers in unit steps up or down, dates
 * day by day (DMN 1.5 iteration contexts); anything else (`"a".."z"`) is null.
 */
function compileIterationContext(node: FeelNode): Eval {
  if (node.children.length === 1) return compile(child(node, 0)).fn;
  expectShape(node, [null, '..', null]);
  const start = compile(child(node, 0)).fn;
  const end = compile(child(node, 2)).fn;
  return (scope) => new IterationSpan(start(scope), end(scope));
}

/** `some` / `every x in list satisfies condition`. */
function compileQuantified(node: FeelNode): Compiled {
  expectShape(node, [null, 'InExpressions', 'satisfies', null]);
  const kind = child(node, 0).name;
  if (kind !== 'some' && kind !== 'every') throw new Unsupported(`quantifier ${kind}`);
  const bindingsOnly = readsOnly(child(node, 3), new Set(boundNames(child(node, 1))));
  const contexts = compileInExpressions(child(node, 1), bindingsOnly);
  const condition = compile(child(node, 3)).fn;
  const holds = (scope: Scope) => isTruthy(condition(scope));
  return tagged((scope) => {
    const iterations = contexts(scope);
    if (iterations === null) return null;
    return kind === 'some' ? iterations.some(holds) : iterations.every(holds);
  }, 'test');
}

/** `for x in list return expr`, with `partial` bound to the results so far. */
function compileFor(node: FeelNode): Compiled {
  if (node.children.length !== 4 || child(node, 0).name !== 'for' || child(node, 1).name !== 'InExpressions' || child(node, 2).name !== 'return') {
    throw new Unsupported('ForExpression shape');
  }
  const bindingsOnly = readsOnly(child(node, 3), new Set([...boundNames(child(node, 1)), 'partial']));
  const contexts = compileInExpressions(child(node, 1), bindingsOnly);
  const body = compile(child(node, 3)).fn;
  return tagged((scope) => {
    const iterations = contexts(scope);
    if (iterations === null) return null;
    const partial: unknown[] = [];
    for (const iteration of iterations) {
      iteration.partial = partial;
      partial.push(body(iteration));
    }
    return partial;
  }, undefined);
}

function compileList(node: FeelNode): Compiled {
  if (child(node, 0).name !== '[' || node.children[node.children.length - 1]!.name !== ']') throw new Unsupported('List shape');
  const items = node.children.slice(1, -1).map((item) => compile(item).fn);
  return tagged((scope) => items.map((item) => item(scope)), undefined);
}

/** Context literal: each entry sees the scope plus the entries before it. */
function compileContext(node: FeelNode): Compiled {
  if (child(node, 0).name !== '{' || node.children[node.children.length - 1]!.name !== '}') throw new Unsupported('Context shape');
  const entries = node.children.slice(1, -1).map((entry) => {
    expectShape(entry, ['Key', null]);
    const keyNode = child(entry, 0);
    expectShape(keyNode, [null]);
    const keyPart = child(keyNode, 0);
    let key: string;
    if (keyPart.name === 'Name') key = keyPart.text.replace(/\s{2,}/g, ' ');
    else if (keyPart.name === 'StringLiteral') key = parseString(keyPart.text);
    else throw new Unsupported(`context key ${keyPart.name}`);
    return { key, value: compile(child(entry, 1)).fn };
  });
  // DMN 1.5 10.3.2.6: the keys of a context are distinct; `{a: 1, a: 2}` is an error, null.
  if (new Set(entries.map((entry) => entry.key)).size !== entries.length) return tagged(() => null, undefined);
  return tagged((scope) => {
    const merged = Object.assign({}, scope) as Scope;
    const result: Dict = {};
    for (const entry of entries) {
      const value = entry.value(merged);
      merged[entry.key] = value;
      result[entry.key] = value;
    }
    return result;
  }, undefined);
}

/**
 * `function(a, b) body`, `function(a: number) body`: a closure over the defining scope (external
 * functions fall back). DMN 1.5: an argument that is not an instance of its parameter's type
 * makes the invocation an error, null (feelin ignores the types).
 */
function compileFunctionDefinition(node: FeelNode): Compiled {
  expectShape(node, ['function', '(', 'FormalParameters', ')', 'FunctionBody']);
  const parameters = child(node, 2).children.map((parameter) => {
    if (parameter.name !== 'FormalParameter') throw new Unsupported(`parameter ${parameter.name}`);
    const parameterName = child(parameter, 0);
    if (parameterName.name !== 'ParameterName') throw new Unsupported(`parameter ${parameterName.name}`);
    const typeNode = parameter.children.find((part) => part.name === 'Type');
    let type: ReturnType<typeof compileType> | null = null;
    if (typeNode) {
      try {
        type = compileType(typeNode, joinedName);
      } catch (err) {
        throw new Unsupported(`parameter type: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return { name: joinedName(parameterName), type };
  });
  const names = parameters.map((parameter) => parameter.name);
  const typed = parameters.some((parameter) => parameter.type !== null);
  const bodyNode = child(node, 4);
  expectShape(bodyNode, [null]);
  const body = compile(child(bodyNode, 0)).fn;
  return tagged((scope) => wrapFunction((...args: unknown[]) => {
    const local = Object.assign({}, scope) as Scope;
    for (let index = 0; index < parameters.length; index++) {
      const { name, type } = parameters[index]!;
      const arg = args[index];
      if (typed && type && arg !== null && arg !== undefined && !type(arg, scope)) return null;
      local[name] = arg;
    }
    return body(local);
  }, names), undefined);
}

/**
 * DateTimeLiteral `date("2024-01-01")`, `@"P1D"`: constant ones are computed once, by our
 * constructors (feel.builtins.ts); others call the constructor per evaluation.
 */
function compileDateTimeLiteral(node: FeelNode): Compiled {
  const first = child(node, 0);
  if (first.name !== 'AtLiteral') expectShape(node, ['DateTimeConstructor', '(', null, ')']);
  const params = first.name === 'AtLiteral' ? null : child(node, 2);
  if (params === null) {
    // AtLiteral `@"..."`: a string literal, folded once.
    const literal = compile(child(first, 0));
    const at = wrapFunction(getBuiltin('@'));
    if (literal.constant && at) {
      const value = invoke(at, [literal.constant.value]);
      return { fn: () => value, type: 'date', constant: { value } };
    }
    const text = literal.fn;
    return tagged((scope) => (at ? invoke(at, [text(scope)]) : null), 'date');
  }
  // `date and\n time(...)`: the constructor's words may be split over lines.
  const builtin = getBuiltin(first.text.replace(/\s+/g, ' '));
  if (params.name === 'PositionalParameters' && params.children.every((arg) => compile(arg).constant) && builtin) {
    const value = invoke(wrapFunction(builtin)!, params.children.map((arg) => compile(arg).constant!.value));
    return { fn: () => value, type: 'date', constant: { value } };
  }
  const fn = builtin ? wrapFunction(builtin) : null;
  const args = compileParameters(child(node, 2));
  return tagged((scope) => (fn ? invoke(fn, args(scope)) : null), 'date');
}

// --- unary tests ------------------------------------------------------------------------------

/**
 * UnaryTests: `-`, `< 10, [1..5]`, `not("a", "b")`. The input is `?` in the context. Every test
 * is evaluated, then any `true` wins (so, like feelin, the result is never null).
 */
function compileUnaryTestsRoot(root: FeelNode): (context: FeelContext) => unknown {
  if (root.name !== 'UnaryTests') throw new Unsupported(root.name);
  const negate = root.children[0]?.name === 'not';
  if (negate) expectShape(root, ['not', '(', 'PositiveUnaryTests', ')']);
  else expectShape(root, [null]);
  const testsNode = negate ? child(root, 2) : child(root, 0);
  if (testsNode.name === 'Wildcard') return () => true;
  if (testsNode.name !== 'PositiveUnaryTests') throw new Unsupported(`unary tests ${testsNode.name}`);
  const constantSet = constantMembers(testsNode);
  const matchers = constantSet ? null : constantMatchers(testsNode);
  const tests = compilePositiveUnaryTests(testsNode, true);
  const probeOf = (context: FeelContext) => (context['?'] !== undefined ? context['?'] : null);
  const general = (context: FeelContext, value: unknown): boolean => {
    const results = tests(context) as unknown[];
    let matches = false;
    // feelin flattens [PositiveUnaryTests result] one level: the tests themselves, lists kept whole.
    for (const entry of results) {
      let result: unknown;
      if (Array.isArray(entry)) result = entry.includes(value);
      else if (typeof entry === 'boolean') result = entry;
      else result = compareValue(entry, value);
      if (result === true) matches = true;
    }
    return negate ? !matches : matches;
  };
  if (constantSet) {
    const { set } = constantSet;
    return (context) => {
      const value = probeOf(context);
      if (isPrimitiveValue(value)) return negate ? !set.has(value) : set.has(value);
      return general(context, value);
    };
  }
  if (matchers) {
    return (context) => {
      const value = probeOf(context);
      let matches = false;
      // Every test is compared, as in feelin (none is skipped after a match).
      for (const { match } of matchers) if (match(value) === true) matches = true;
      return negate ? !matches : matches;
    };
  }
  return (context) => general(context, probeOf(context));
}

// --- variables --------------------------------------------------------------------------------

/**
 * The top-level names an expression reads: free VariableNames, minus names bound by `for` /
 * `some` / `every`, function parameters, earlier context entries and `item` in filters, and
 * minus built-in functions that are called. Names inside a filter may also be the elements'
 * own entries; they are listed (an over-approximation, never a miss).
 */
/**
 * A variable read through a name in scope is listed as the scope spells it (`Date-Time`, not
 * the parse's `Date - Time`): callers match variables against their names.
 */
function spelledAsInScope(variables: string[], names: FeelCompileOptions['names']): string[] {
  if (!names) return variables;
  const keys = Array.isArray(names) ? (names as readonly string[]) : Object.keys(names);
  const byNormalForm = new Map(keys.map((key) => [normalizeContextKey(key), key]));
  return variables.map((variable) => byNormalForm.get(normalizeContextKey(variable)) ?? variable);
}

function collectVariables(root: FeelNode): string[] {
  const found = new Set<string>();
  const visit = (node: FeelNode, bound: ReadonlySet<string>): void => {
    switch (node.name) {
      case 'VariableName': {
        const name = safeJoinedName(node);
        if (name !== null && !bound.has(name)) found.add(name);
        return;
      }
      case 'FunctionInvocation': {
        const [target, ...rest] = node.children;
        if (target?.name === 'VariableName') {
          const name = safeJoinedName(target);
          if (name !== null && !bound.has(name) && !getBuiltin(name)) found.add(name);
        } else if (target) {
          visit(target, bound);
        }
        rest.forEach((part) => visit(part, bound));
        return;
      }
      case 'PathExpression':
        if (node.children[0]) visit(node.children[0], bound);
        return;
      case 'FilterExpression': {
        const [target, ...rest] = node.children;
        if (target) visit(target, bound);
        const inner = new Set(bound).add('item');
        rest.forEach((part) => visit(part, inner));
        return;
      }
      case 'ForExpression':
      case 'QuantifiedExpression': {
        const inner = new Set(bound);
        for (const part of node.children) {
          if (part.name === 'InExpressions') {
            for (const inExpression of part.children) {
              inExpression.children.slice(1).forEach((source) => visit(source, inner));
              const name = inExpression.children[0];
              if (name) inner.add(name.text.replace(/\s{2,}/g, ' '));
            }
          } else {
            if (node.name === 'ForExpression') inner.add('partial');
            visit(part, inner);
          }
        }
        return;
      }
      case 'FunctionDefinition': {
        const inner = new Set(bound);
        for (const part of node.children) {
          if (part.name === 'FormalParameters') {
            for (const parameter of part.children) {
              const name = parameter.children[0] && safeJoinedName(parameter.children[0]);
              if (name) inner.add(name);
            }
          }
        }
        node.children.filter((part) => part.name === 'FunctionBody').forEach((part) => visit(part, inner));
        return;
      }
      case 'Context': {
        const inner = new Set(bound);
        for (const entry of node.children) {
          if (entry.name !== 'ContextEntry') continue;
          entry.children.slice(1).forEach((part) => visit(part, inner));
          const key = entry.children[0]?.children[0];
          if (key?.name === 'Name') inner.add(key.text.replace(/\s{2,}/g, ' '));
          else if (key?.name === 'StringLiteral') inner.add(parseString(key.text));
        }
        return;
      }
      case 'InstanceOfExpression':
        // `x instance of number`: the type is not a variable.
        if (node.children[0]) visit(node.children[0], bound);
        return;
      default:
        node.children.forEach((part) => visit(part, bound));
    }
  };
  visit(root, new Set());
  return [...found];
}

function safeJoinedName(node: FeelNode): string | null {
  try {
    return joinedName(node);
  } catch {
    return null;
  }
}

// --- range(from) --------------------------------------------------------------------------------

const LITERAL_ENDPOINTS = new Set(['NumericLiteral', 'StringLiteral', 'DateTimeLiteral']);

/** An endpoint of `range("...")`: a literal, `-` a number, or a temporal constructor of a string literal. */
function isLiteralEndpoint(node: FeelNode): boolean {
  if (node.name === 'ArithmeticExpression') return node.children.length === 2 && node.children[1]!.name === 'NumericLiteral';
  if (!LITERAL_ENDPOINTS.has(node.name)) return false;
  if (node.name !== 'DateTimeLiteral') return true;
  const args = node.children[0]?.name === 'AtLiteral' ? node.children[0].children : node.children[2]?.children;
  return !!args && args.length === 1 && args[0]!.name === 'StringLiteral';
}

/**
 * range(from) (DMN 1.5 10.3.4.1): the range a literal's text denotes, with literal endpoints of
 * one type in ascending order; anything else (a unary test, a name, null endpoints) is null.
 */
function rangeFromText(text: string): FeelRange | null {
  const parsed = parseFeel(text.trim(), 'expression');
  if (!parsed.ok || parsed.root.name !== 'Expression') return null;
  let interval = parsed.root.children[0];
  if (interval?.name === 'SimplePositiveUnaryTest' && interval.children.length === 1) interval = interval.children[0];
  if (interval?.name !== 'Interval' || interval.children.length !== 5) return null;
  const [, start, , end] = interval.children;
  if (!isLiteralEndpoint(start!) || !isLiteralEndpoint(end!)) return null;
  try {
    const range = compileInterval(interval).fn({}) as FeelRange;
    const order = compareValues(range.start, range.end);
    return order === null || order > 0 ? null : range;
  } catch {
    return null;
  }
}

setRangeParser(rangeFromText);
