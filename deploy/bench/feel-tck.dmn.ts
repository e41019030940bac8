// The DMN layer of the TCK runner (feel-tck.ts): reads a TCK .dmn model and evaluates its
// decisions with a FEEL engine (ours or feelin). Only the DMN semantics the TCK's FEEL cases
// need: the requirement graph, literal expressions, decision tables (all hit policies), boxed
// contexts, invocations, relations, lists, function definitions (business knowledge models),
// decision services and typeRef conformance. Every FEEL text goes to the engine; the engine
// under test is the only thing that differs between the two runs.
import { FeelFunction } from 'feelin';
import { childNamed, childrenNamed, textChild, type XmlElement } from './feel-tck.xml';

/** A FEEL engine as the runner drives it; compiling may throw (a syntax error). */
export type FeelEngine = {
  name: string;
  /** `names`: the names in scope where the expression sits (inputs, decisions, entries, parameters). */
  expression(source: string, names: readonly string[]): (context: Scope) => unknown;
  unaryTests(source: string, names: readonly string[]): (context: Scope, input: unknown) => unknown;
  /** A FEEL value from a typed XML value (`date("...")`, ...), built by the engine itself. */
  literal(source: string): unknown;
};

export type Scope = Record<string, unknown>;

/** Why an element cannot be attempted (thrown while building the plan of a decision). */
export class NotAttempted extends Error {}

/** A value the DMN layer marks as erroneous (null with an error, as DMN defines). */
export class DmnError extends Error {}

type Expression = XmlElement;

export type DmnModel = {
  name: string;
  byId: Map<string, XmlElement>;
  byName: Map<string, XmlElement>;
  itemDefinitions: Map<string, XmlElement>;
};

export function readModel(definitions: XmlElement): DmnModel {
  const byId = new Map<string, XmlElement>();
  const byName = new Map<string, XmlElement>();
  const itemDefinitions = new Map<string, XmlElement>();
  for (const element of definitions.children) {
    if (element.name === 'itemDefinition') itemDefinitions.set(element.attrs.name ?? '', element);
    if (['decision', 'inputData', 'businessKnowledgeModel', 'decisionService'].includes(element.name)) {
      if (element.attrs.id) byId.set(element.attrs.id, element);
      if (element.attrs.name) byName.set(element.attrs.name, element);
    }
  }
  if (childrenNamed(definitions, 'import').length > 0) {
    // Marked on the model: everything reading an imported name is out of reach.
    byName.set('\u0000imports', definitions);
  }
  return { name: definitions.attrs.name ?? '', byId, byName, itemDefinitions };
}

function hrefTarget(model: DmnModel, element: XmlElement | undefined): XmlElement {
  const href = element?.attrs.href ?? '';
  if (!href.startsWith('#')) throw new NotAttempted(`reference to another model: ${href}`);
  const target = model.byId.get(href.slice(1));
  if (!target) throw new NotAttempted(`unresolved reference ${href}`);
  return target;
}

function requirements(model: DmnModel, element: XmlElement): { inputs: XmlElement[]; decisions: XmlElement[]; knowledge: XmlElement[] } {
  const inputs: XmlElement[] = [];
  const decisions: XmlElement[] = [];
  const knowledge: XmlElement[] = [];
  for (const requirement of childrenNamed(element, 'informationRequirement')) {
    const input = childNamed(requirement, 'requiredInput');
    if (input) inputs.push(hrefTarget(model, input));
    const decision = childNamed(requirement, 'requiredDecision');
    if (decision) decisions.push(hrefTarget(model, decision));
  }
  for (const requirement of childrenNamed(element, 'knowledgeRequirement')) {
    knowledge.push(hrefTarget(model, childNamed(requirement, 'requiredKnowledge')));
  }
  return { inputs, decisions, knowledge };
}

function variableOf(element: XmlElement): { name: string; typeRef: string | undefined } {
  const variable = childNamed(element, 'variable');
  return { name: variable?.attrs.name ?? element.attrs.name ?? '', typeRef: variable?.attrs.typeRef ?? typeRefOf(variable) };
}

function typeRefOf(element: XmlElement | undefined): string | undefined {
  if (!element) return undefined;
  return element.attrs.typeRef ?? childNamed(element, 'typeRef')?.text.trim();
}

const EXPRESSION_KINDS = new Set([
  'literalExpression', 'decisionTable', 'context', 'invocation', 'relation', 'list', 'functionDefinition',
  'conditional', 'filter', 'for', 'some', 'every',
]);

function expressionOf(element: XmlElement): Expression | undefined {
  return element.children.find((c) => EXPRESSION_KINDS.has(c.name));
}

// --- the evaluator ---------------------------------------------------------------------------

/** One test case's evaluation: input values, memoised decision results. */
export class Evaluation {
  private readonly results = new Map<XmlElement, unknown>();

  constructor(
    readonly model: DmnModel,
    readonly engine: FeelEngine,
    private readonly inputs: ReadonlyMap<string, unknown>,
    private readonly overrides: ReadonlyMap<XmlElement, unknown> = new Map(),
  ) {}

  /** Throws NotAttempted when the decision (or what it requires) uses what the runner does not evaluate. */
  static check(model: DmnModel, element: XmlElement, seen = new Set<XmlElement>()): void {
    if (seen.has(element)) return;
    seen.add(element);
    if (model.byName.has('\u0000imports')) throw new NotAttempted('model imports other models');
    const { decisions, knowledge } = requirements(model, element);
    [...decisions, ...knowledge].forEach((required) => Evaluation.check(model, required, seen));
    if (element.name === 'decisionService') {
      for (const part of ['outputDecision', 'encapsulatedDecision']) {
        for (const ref of childrenNamed(element, part)) Evaluation.check(model, hrefTarget(model, ref), seen);
      }
      return;
    }
    if (element.name === 'inputData') return;
    const logic = element.name === 'businessKnowledgeModel' ? childNamed(element, 'encapsulatedLogic') : expressionOf(element);
    if (!logic) {
      if (element.name === 'decision') throw new NotAttempted('decision without logic');
      return;
    }
    checkExpression(logic);
  }

  decision(element: XmlElement): unknown {
    if (this.overrides.has(element)) return this.overrides.get(element);
    if (this.results.has(element)) return this.results.get(element);
    let value: unknown;
    try {
      if (element.name === 'decisionService') value = this.serviceFunction(element);
      else if (element.name === 'businessKnowledgeModel') value = this.bkmFunction(element);
      else if (element.name === 'inputData') value = this.input(element);
      else {
        const { typeRef } = variableOf(element);
        const logic = expressionOf(element);
        if (!logic) throw new DmnError('decision without logic');
        value = this.coerce(this.expression(logic, this.scopeOf(element)), typeRef);
      }
    } catch (err) {
      if (err instanceof NotAttempted) throw err;
      value = null;
    }
    this.results.set(element, value);
    return value;
  }

  private input(element: XmlElement): unknown {
    const { name, typeRef } = variableOf(element);
    if (!this.inputs.has(name)) return null;
    try {
      return this.coerce(this.inputs.get(name), typeRef);
    } catch {
      return null;
    }
  }

  private scopeOf(element: XmlElement): Scope {
    const { inputs, decisions, knowledge } = requirements(this.model, element);
    const scope: Scope = {};
    for (const required of [...inputs, ...decisions, ...knowledge]) scope[variableOf(required).name] = this.decision(required);
    return scope;
  }

  private bkmFunction(element: XmlElement): FeelFunction {
    const logic = childNamed(element, 'encapsulatedLogic');
    if (!logic) throw new DmnError('business knowledge model without logic');
    const scope = this.scopeOf(element);
    const { typeRef } = variableOf(element);
    const fn = this.functionDefinition(logic, scope);
    if (!typeRef) return fn;
    return new FeelFunction((...args: unknown[]) => this.coerce(fn.invoke(args), typeRef), fn.parameterNames);
  }

  /** A decision service as a function of its input data, then its input decisions. */
  private serviceFunction(element: XmlElement): FeelFunction {
    const parameters = [...childrenNamed(element, 'inputData'), ...childrenNamed(element, 'inputDecision')].map((ref) => hrefTarget(this.model, ref));
    const outputs = childrenNamed(element, 'outputDecision').map((ref) => hrefTarget(this.model, ref));
    const names = parameters.map((p) => variableOf(p).name);
    return new FeelFunction((...args: unknown[]) => {
      const values = new Map<string, unknown>();
      const overrides = new Map<XmlElement, unknown>();
      parameters.forEach((parameter, index) => {
        const value = this.coerce(args[index] ?? null, variableOf(parameter).typeRef);
        if (parameter.name === 'inputData') values.set(variableOf(parameter).name, value);
        else overrides.set(parameter, value);
      });
      return invokeService(new Evaluation(this.model, this.engine, values, overrides), outputs);
    }, names);
  }

  /** Evaluates a boxed expression in a scope; its own typeRef, if any, applies to the result. */
  expression(expression: Expression, scope: Scope): unknown {
    const value = this.untypedExpression(expression, scope);
    return expression.attrs.typeRef ? this.coerce(value, expression.attrs.typeRef) : value;
  }

  private untypedExpression(expression: Expression, scope: Scope): unknown {
    switch (expression.name) {
      case 'literalExpression': {
        const text = textChild(expression) ?? '';
        if (text.trim() === '') return null;
        return this.engine.expression(text, Object.keys(scope))(scope);
      }
      case 'decisionTable':
        return this.decisionTable(expression, scope);
      case 'context':
        return this.context(expression, scope);
      case 'invocation':
        return this.invocation(expression, scope);
      case 'relation':
        return this.relation(expression, scope);
      case 'list':
        return expression.children.filter((c) => EXPRESSION_KINDS.has(c.name)).map((item) => this.expression(item, scope));
      case 'functionDefinition':
        return this.functionDefinition(expression, scope);
      default:
        throw new NotAttempted(`boxed ${expression.name}`);
    }
  }

  private functionDefinition(definition: XmlElement, scope: Scope): FeelFunction {
    const kind = definition.attrs.kind;
    if (kind && kind !== 'FEEL') throw new NotAttempted(`function kind ${kind}`);
    const parameters = childrenNamed(definition, 'formalParameter').map((p) => ({ name: p.attrs.name ?? '', typeRef: typeRefOf(p) }));
    const body = expressionOf(definition);
    return new FeelFunction((...args: unknown[]) => {
      const local: Scope = { ...scope };
      parameters.forEach((parameter, index) => {
        local[parameter.name] = this.coerce(args[index] ?? null, parameter.typeRef);
      });
      return body ? this.expression(body, local) : null;
    }, parameters.map((p) => p.name));
  }

  private context(context: XmlElement, scope: Scope): unknown {
    const local: Scope = { ...scope };
    const result: Scope = {};
    for (const entry of childrenNamed(context, 'contextEntry')) {
      const variable = childNamed(entry, 'variable');
      const value = expressionOrNull(entry, (e) => this.expression(e, local));
      if (!variable) return value; // the final result box
      const coerced = this.coerce(value, typeRefOf(variable));
      local[variable.attrs.name ?? ''] = coerced;
      result[variable.attrs.name ?? ''] = coerced;
    }
    return result;
  }

  private invocation(invocation: XmlElement, scope: Scope): unknown {
    const target = expressionOf(invocation);
    if (target?.name !== 'literalExpression') throw new NotAttempted('invocation of a non-literal target');
    const fn = this.expression(target, scope);
    const args: Scope = {};
    for (const binding of childrenNamed(invocation, 'binding')) {
      args[childNamed(binding, 'parameter')?.attrs.name ?? ''] = expressionOrNull(binding, (e) => this.expression(e, scope));
    }
    if (!(fn instanceof FeelFunction)) throw new DmnError('invocation target is not a function');
    const result: unknown = fn.invoke(args);
    // feelin's InvocationFailure (a wrong parameter name) is an error, not a value.
    if (result !== null && typeof result === 'object' && 'warning' in result && 'template' in result) throw new DmnError('invocation failed');
    return result;
  }

  private relation(relation: XmlElement, scope: Scope): unknown[] {
    const columns = childrenNamed(relation, 'column').map((c) => c.attrs.name ?? '');
    return childrenNamed(relation, 'row').map((row) => {
      const cells = row.children.filter((c) => EXPRESSION_KINDS.has(c.name));
      return Object.fromEntries(columns.map((column, index) => [column, cells[index] ? this.expression(cells[index]!, scope) : null]));
    });
  }

  private decisionTable(table: XmlElement, scope: Scope): unknown {
    const names = Object.keys(scope);
    const inputs = childrenNamed(table, 'input').map((input) => {
      const text = textChild(childNamed(input, 'inputExpression')) ?? '';
      return this.engine.expression(text, names)(scope);
    });
    const outputs = childrenNamed(table, 'output').map((output) => ({
      name: output.attrs.name ?? '',
      typeRef: output.attrs.typeRef,
      priorities: this.outputValues(output),
      default: textChild(childNamed(output, 'defaultOutputEntry')),
    }));
    const matched: unknown[][] = [];
    for (const rule of childrenNamed(table, 'rule')) {
      const entries = childrenNamed(rule, 'inputEntry');
      const matches = entries.every((entry, index) => {
        const text = (textChild(entry) ?? '').trim();
        if (text === '' || text === '-') return true;
        return this.engine.unaryTests(text, names)(scope, inputs[index] ?? null) === true;
      });
      if (!matches) continue;
      matched.push(childrenNamed(rule, 'outputEntry').map((entry, index) => {
        const text = (textChild(entry) ?? '').trim();
        const value = text === '' ? null : this.engine.expression(text, names)(scope);
        return this.coerce(value, outputs[index]?.typeRef);
      }));
    }
    const shape = (row: unknown[]): unknown => (outputs.length === 1 ? row[0] : Object.fromEntries(outputs.map((o, i) => [o.name, row[i]])));
    const hitPolicy = table.attrs.hitPolicy ?? 'UNIQUE';
    if (matched.length === 0) {
      if (outputs.some((o) => o.default !== undefined)) {
        return shape(outputs.map((o) => (o.default === undefined ? null : this.engine.expression(o.default, names)(scope))));
      }
      return hitPolicy === 'COLLECT' && table.attrs.aggregation === 'COUNT' ? 0 : hitPolicy === 'COLLECT' || hitPolicy === 'RULE ORDER' || hitPolicy === 'OUTPUT ORDER' ? (table.attrs.aggregation ? null : []) : null;
    }
    const rank = (row: unknown[]): number[] => outputs.map((o, i) => {
      const position = o.priorities.findIndex((p) => sameValue(p, row[i]));
      return position < 0 ? o.priorities.length : position;
    });
    const byPriority = (a: unknown[], b: unknown[]): number => {
      const ra = rank(a);
      const rb = rank(b);
      for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i]! - rb[i]!;
      return 0;
    };
    switch (hitPolicy) {
      case 'UNIQUE':
        if (matched.length > 1) throw new DmnError('UNIQUE table with several matching rules');
        return shape(matched[0]!);
      case 'ANY':
        if (matched.some((row) => !row.every((v, i) => sameValue(v, matched[0]![i])))) throw new DmnError('ANY table with differing outputs');
        return shape(matched[0]!);
      case 'FIRST':
        return shape(matched[0]!);
      case 'PRIORITY':
        return shape([...matched].sort(byPriority)[0]!);
      case 'RULE ORDER':
        return matched.map(shape);
      case 'OUTPUT ORDER':
        return [...matched].sort(byPriority).map(shape);
      case 'COLLECT': {
        const values = matched.map(shape);
        switch (table.attrs.aggregation) {
          case undefined: return values;
          case 'COUNT': return values.length;
          case 'SUM': return values.every((v) => typeof v === 'number') ? values.reduce((a, b) => (a as number) + (b as number), 0) : null;
          case 'MIN': return values.every((v) => typeof v === 'number') ? Math.min(...(values as number[])) : null;
          case 'MAX': return values.every((v) => typeof v === 'number') ? Math.max(...(values as number[])) : null;
          default: throw new NotAttempted(`aggregation ${table.attrs.aggregation}`);
        }
      }
      default:
        throw new NotAttempted(`hit policy ${hitPolicy}`);
    }
  }

  /** An output's `outputValues`: its priority order, as the engine reads the list. */
  private outputValues(output: XmlElement): unknown[] {
    const text = textChild(childNamed(output, 'outputValues'));
    if (!text?.trim()) return [];
    const value = this.engine.expression(`[${text}]`, [])({});
    return Array.isArray(value) ? value : [];
  }

  /**
   * DMN typeRef conformance (DMN 1.5 10.3.2.9): a conforming value as is, a singleton list
   * unwrapped for a non-list type, an element wrapped for a collection type, else an error
   * (DmnError: the decision, or the invocation taking the argument, is null).
   */
  coerce(value: unknown, typeRef: string | undefined): unknown {
    if (value === null || value === undefined || !typeRef) return value ?? null;
    if (this.conforms(value, typeRef)) return value;
    if (Array.isArray(value) && value.length === 1 && this.conforms(value[0], typeRef)) return value[0];
    const definition = this.model.itemDefinitions.get(stripPrefix(typeRef));
    if (definition && definition.attrs.isCollection === 'true' && !Array.isArray(value) && this.conforms([value], typeRef)) return [value];
    throw new DmnError(`value does not conform to ${typeRef}`);
  }

  private conforms(value: unknown, typeRef: string, depth = 0): boolean {
    if (depth > 20) return true;
    const name = stripPrefix(typeRef);
    const definition = this.model.itemDefinitions.get(name);
    if (!definition) return conformsToBuiltin(value, name);
    if (definition.attrs.isCollection === 'true') {
      if (!Array.isArray(value)) return false;
      return value.every((element) => element === null || this.conformsToItem(element, definition, depth));
    }
    return this.conformsToItem(value, definition, depth);
  }

  private conformsToItem(value: unknown, definition: XmlElement, depth: number): boolean {
    const base = typeRefOf(definition);
    const components = childrenNamed(definition, 'itemComponent');
    if (components.length > 0) {
      if (!isContext(value)) return false;
      return components.every((component) => {
        // Every component must be present (extra entries are allowed); its value may be null.
        if (!Object.prototype.hasOwnProperty.call(value, component.attrs.name ?? '')) return false;
        const entry = value[component.attrs.name ?? ''];
        if (entry === null || entry === undefined) return true;
        const ref = typeRefOf(component);
        if (ref && component.attrs.isCollection !== 'true') return this.conforms(entry, ref, depth + 1);
        if (component.attrs.isCollection === 'true') return Array.isArray(entry) && (!ref || entry.every((e) => e === null || this.conforms(e, ref, depth + 1)));
        return this.conformsToItem(entry, component, depth + 1);
      });
    }
    if (childNamed(definition, 'functionItem')) return value instanceof FeelFunction || typeof value === 'function';
    if (base && !this.conforms(value, base, depth + 1)) return false;
    const allowed = textChild(childNamed(definition, 'allowedValues'));
    if (allowed?.trim()) return this.engine.unaryTests(allowed, [])({}, value) === true;
    return true;
  }
}

function invokeService(evaluation: Evaluation, outputs: XmlElement[]): unknown {
  if (outputs.length === 1) return evaluation.decision(outputs[0]!);
  return Object.fromEntries(outputs.map((output) => [variableOf(output).name, evaluation.decision(output)]));
}

/** A decision service called directly by a test case: its inputs by name, as given. */
export function evaluateService(model: DmnModel, engine: FeelEngine, service: XmlElement, inputs: ReadonlyMap<string, unknown>): Evaluation {
  const overrides = new Map<XmlElement, unknown>();
  for (const ref of childrenNamed(service, 'inputDecision')) {
    const decision = hrefTarget(model, ref);
    const name = variableOf(decision).name;
    overrides.set(decision, inputs.has(name) ? inputs.get(name) : null);
  }
  return new Evaluation(model, engine, inputs, overrides);
}

function expressionOrNull(parent: XmlElement, evaluate: (e: Expression) => unknown): unknown {
  const expression = expressionOf(parent);
  return expression ? evaluate(expression) : null;
}

function checkExpression(expression: XmlElement): void {
  switch (expression.name) {
    case 'literalExpression': {
      const language = expression.attrs.expressionLanguage;
      if (language && !/FEEL/i.test(language)) throw new NotAttempted(`expression language ${language}`);
      return;
    }
    case 'decisionTable':
    case 'relation':
      return;
    case 'encapsulatedLogic':
    case 'functionDefinition': {
      const kind = expression.attrs.kind;
      if (kind && kind !== 'FEEL') throw new NotAttempted(`function kind ${kind}`);
      const body = expressionOf(expression);
      if (body) checkExpression(body);
      return;
    }
    case 'context':
      for (const entry of childrenNamed(expression, 'contextEntry')) {
        const inner = expressionOf(entry);
        if (inner) checkExpression(inner);
      }
      return;
    case 'invocation':
    case 'list':
      expression.children.forEach((c) => {
        if (EXPRESSION_KINDS.has(c.name)) checkExpression(c);
        if (c.name === 'binding') {
          const inner = expressionOf(c);
          if (inner) checkExpression(inner);
        }
      });
      return;
    default:
      throw new NotAttempted(`boxed ${expression.name} (DMN 1.5 boxed expression, not FEEL)`);
  }
}

function stripPrefix(typeRef: string): string {
  const trimmed = typeRef.trim();
  const colon = trimmed.indexOf(':');
  return colon < 0 ? trimmed : trimmed.slice(colon + 1);
}

function isContext(value: unknown): value is Scope {
  return value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype;
}

/** The FEEL built-in types a typeRef may name (DMN 1.1's xsd-like names included). */
function conformsToBuiltin(value: unknown, name: string): boolean {
  const kind = value === null || value === undefined ? 'null' : (value as object).constructor?.name;
  switch (name) {
    case 'Any': case 'any': return true;
    case 'number': case 'decimal': case 'integer': case 'double': return typeof value === 'number';
    case 'string': return typeof value === 'string';
    case 'boolean': return typeof value === 'boolean';
    case 'date': return kind === 'FeelDate';
    case 'time': return kind === 'FeelTime';
    case 'dateTime': case 'date and time': return kind === 'FeelDateTime';
    case 'dayTimeDuration': case 'days and time duration': return kind === 'FeelDuration' && !(value as { yearsMonths: boolean }).yearsMonths;
    case 'yearMonthDuration': case 'years and months duration': return kind === 'FeelDuration' && (value as { yearsMonths: boolean }).yearsMonths;
    case 'duration': return kind === 'FeelDuration';
    case 'context': return isContext(value);
    case 'list': return Array.isArray(value);
    case 'function': return value instanceof FeelFunction || typeof value === 'function';
    default: return true; // an unknown type name constrains nothing here
  }
}

/** Loose equality for hit policies (ANY, PRIORITY): same JSON form. */
function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
