// The DMN TCK (github.com/dmn-tck/tck) against our FEEL compiler and against feelin: every
// result value of the compliance-level-2 and -3 test cases whose decision logic the runner can
// evaluate, with each engine, compared with the expected value. Prints the totals, the figures
// per test case and per TCK label, and (with --failures) each value an engine got wrong.
//
//   npm run feel:tck -- /tmp/dmn-tck [--failures] [--only <case substring>] [--markdown]
//
// The path is a checkout of the TCK (its TestCases/ folder is read); keep it outside the repo:
//   mkdir -p /tmp/dmn-tck && git -C <tck clone> archive HEAD TestCases | tar -x -C /tmp/dmn-tck
//
// What "attempted" means: a result value is attempted when the decision (or decision service)
// it names, and everything it requires, is made of what the runner's DMN layer evaluates
// (feel-tck.dmn.ts): FEEL literal expressions, decision tables, boxed contexts, invocations,
// relations, lists, FEEL function definitions (business knowledge models) and decision
// services. Not attempted: models importing other models, Java/PMML functions, the DMN 1.5
// boxed conditional / filter / for / some / every, and expression languages other than FEEL.
// Both engines run the same DMN layer; only the FEEL engine differs. An evaluation that throws
// counts as the value null (DMN: an error yields null). Comparison rules: feel-tck.values.ts.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compileFeel } from '@cpq/metadata/feel';
import { evaluate as feelinEvaluate, unaryTest as feelinUnaryTest } from 'feelin';
import { Evaluation, evaluateService, NotAttempted, readModel, type DmnModel, type FeelEngine } from './feel-tck.dmn';
import { matchesExpected, toFeelValue } from './feel-tck.values';
import { childNamed, childrenNamed, parseXml, type XmlElement } from './feel-tck.xml';

export const LEVELS = ['compliance-level-2', 'compliance-level-3'] as const;

// --- the two engines --------------------------------------------------------------------------

function ours(): FeelEngine {
  const cache = new Map<string, ReturnType<typeof compileFeel>>();
  const compile = (source: string, dialect: 'expression' | 'unary-tests', names: readonly string[]) => {
    const key = `${dialect}\u0000${names.join('\u0001')}\u0000${source}`;
    let result = cache.get(key);
    if (!result) cache.set(key, (result = compileFeel(source, dialect, { names })));
    if (!result.ok) throw new Error(`syntax: ${result.error.message}`);
    return result.compiled;
  };
  return {
    name: 'ours',
    expression: (source, names) => {
      const compiled = compile(source, 'expression', names);
      return (context) => compiled.evaluate(context);
    },
    unaryTests: (source, names) => {
      const compiled = compile(source, 'unary-tests', names);
      return (context, input) => compiled.evaluate({ ...context, '?': input });
    },
    literal: (source) => compile(source, 'expression', []).evaluate({}),
  };
}

function feelin(): FeelEngine {
  return {
    name: 'feelin',
    expression: (source) => (context) => feelinEvaluate(source, context).value,
    unaryTests: (source) => (context, input) => feelinUnaryTest(source, { ...context, '?': input }).value,
    literal: (source) => feelinEvaluate(source, {}).value,
  };
}

// --- running the cases ------------------------------------------------------------------------

export type ValueResult = {
  level: string;
  folder: string;
  testCase: string;
  node: string;
  labels: string[];
  attempted: boolean;
  reason?: string;
  expected?: string;
  ours?: { pass: boolean; value: unknown };
  feelin?: { pass: boolean; value: unknown };
};

function safe(fn: () => unknown): unknown {
  try {
    return fn();
  } catch {
    return null;
  }
}

function runEngine(engine: FeelEngine, model: DmnModel, testCase: XmlElement, node: XmlElement): { pass: boolean; value: unknown } {
  const inputs = new Map<string, unknown>();
  for (const input of childrenNamed(testCase, 'inputNode')) inputs.set(input.attrs.name ?? '', safe(() => toFeelValue(input, engine)));
  const target = model.byName.get(node.attrs.name ?? '')!;
  const service = testCase.attrs.type === 'decisionService' ? model.byName.get(testCase.attrs.invocableName ?? '') : undefined;
  let value: unknown;
  let threw = false;
  try {
    const evaluation = service ? evaluateService(model, engine, service, inputs) : new Evaluation(model, engine, inputs);
    value = evaluation.decision(target);
  } catch (err) {
    if (err instanceof NotAttempted) throw err;
    threw = true;
    value = null;
  }
  const expected = childNamed(node, 'expected');
  const pass = expected ? matchesExpected(value, expected) : threw || value === null;
  return { pass, value };
}

export function runCase(level: string, folder: string, dir: string): ValueResult[] {
  const results: ValueResult[] = [];
  const tests = readdirSync(dir).filter((f) => /-test-\d+\.xml$/.test(f)).sort();
  for (const file of tests) {
    const testCases = parseXml(readFileSync(join(dir, file), 'utf8'));
    const labels = childrenNamed(childNamed(testCases, 'labels') ?? testCases, 'label').map((l) => l.text.trim());
    const modelFile = childNamed(testCases, 'modelName')?.text.trim() ?? `${folder}.dmn`;
    const model = existsSync(join(dir, modelFile)) ? readModel(parseXml(readFileSync(join(dir, modelFile), 'utf8'))) : null;
    for (const testCase of childrenNamed(testCases, 'testCase')) {
      for (const node of childrenNamed(testCase, 'resultNode')) {
        const base = { level, folder, testCase: testCase.attrs.id ?? '?', node: node.attrs.name ?? '?', labels };
        let reason: string | undefined;
        const target = model?.byName.get(node.attrs.name ?? '');
        if (!model) reason = `model ${modelFile} not found`;
        else if (!target) reason = `no element named ${node.attrs.name}`;
        else {
          try {
            Evaluation.check(model, target);
            const service = testCase.attrs.type === 'decisionService' ? model.byName.get(testCase.attrs.invocableName ?? '') : undefined;
            if (service) Evaluation.check(model, service);
          } catch (err) {
            if (!(err instanceof NotAttempted)) throw err;
            reason = err.message;
          }
        }
        if (reason !== undefined || !model) {
          results.push({ ...base, attempted: false, reason: reason ?? 'no model' });
          continue;
        }
        try {
          const expected = childNamed(node, 'expected');
          results.push({
            ...base,
            attempted: true,
            expected: `${node.attrs.errorResult === 'true' ? 'error ' : ''}${expected ? showExpected(expected) : 'null'}`,
            ours: runEngine(ours(), model, testCase, node),
            feelin: runEngine(feelin(), model, testCase, node),
          });
        } catch (err) {
          if (!(err instanceof NotAttempted)) throw err;
          results.push({ ...base, attempted: false, reason: err.message });
        }
      }
    }
  }
  return results;
}

export function runTck(root: string, only?: string): ValueResult[] {
  const results: ValueResult[] = [];
  for (const level of LEVELS) {
    const levelDir = join(root, 'TestCases', level);
    if (!existsSync(levelDir)) throw new Error(`${levelDir} not found: pass the path of a TCK checkout (the folder holding TestCases/)`);
    for (const folder of readdirSync(levelDir).sort()) {
      if (only && !folder.includes(only)) continue;
      const dir = join(levelDir, folder);
      if (!existsSync(join(dir))) continue;
      try {
        if (readdirSync(dir).length === 0) continue;
      } catch {
        continue; // a file, not a case folder
      }
      results.push(...runCase(level, folder, dir));
    }
  }
  return results;
}

// --- reporting --------------------------------------------------------------------------------

const pct = (n: number, d: number) => (d === 0 ? '-' : `${((100 * n) / d).toFixed(1)} %`);

const cut = (text: string) => (text.length > 160 ? `${text.slice(0, 157)}...` : text);

/** An expected value (`<expected>`, `<item>`, `<component>`) in FEEL-like notation. */
function showExpected(holder: XmlElement): string {
  const value = childNamed(holder, 'value');
  if (value) {
    if (value.attrs['xsi:nil'] === 'true') return 'null';
    const type = value.attrs['xsi:type']?.replace(/^.*:/, '');
    return type === 'string' ? JSON.stringify(value.text) : type === 'decimal' || type === 'double' || type === 'boolean' ? value.text.trim() : `${type}(${value.text.trim()})`;
  }
  const list = childNamed(holder, 'list');
  if (list) return `[${childrenNamed(list, 'item').map(showExpected).join(', ')}]`;
  const components = childrenNamed(holder, 'component');
  if (components.length) return `{${components.map((c) => `${c.attrs.name}: ${c.attrs['xsi:nil'] === 'true' ? 'null' : showExpected(c)}`).join(', ')}}`;
  return 'null';
}

function show(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function' || (typeof value === 'object' && value.constructor?.name === 'FeelFunction')) return 'function';
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return `{${Object.entries(value).map(([k, v]) => `${k}: ${show(v)}`).join(', ')}}`;
  }
  return String(value);
}

export type Totals = { values: number; attempted: number; ours: number; feelin: number; onlyOurs: number; onlyFeelin: number };

export function totals(results: ValueResult[]): Totals {
  const attempted = results.filter((r) => r.attempted);
  return {
    values: results.length,
    attempted: attempted.length,
    ours: attempted.filter((r) => r.ours?.pass).length,
    feelin: attempted.filter((r) => r.feelin?.pass).length,
    onlyOurs: attempted.filter((r) => r.ours?.pass && !r.feelin?.pass).length,
    onlyFeelin: attempted.filter((r) => !r.ours?.pass && r.feelin?.pass).length,
  };
}

function group(results: ValueResult[], keyOf: (r: ValueResult) => string[]): Map<string, ValueResult[]> {
  const groups = new Map<string, ValueResult[]>();
  for (const result of results) {
    for (const key of keyOf(result)) {
      let list = groups.get(key);
      if (!list) groups.set(key, (list = []));
      list.push(result);
    }
  }
  return groups;
}

export function report(results: ValueResult[], options: { failures: boolean }): string {
  const t = totals(results);
  const lines: string[] = [];
  lines.push(`DMN TCK (compliance levels 2 and 3): ${t.values} result values, ${t.attempted} attempted, ${t.values - t.attempted} not attempted`);
  lines.push(`  ours:   ${t.ours} / ${t.attempted} passed (${pct(t.ours, t.attempted)})`);
  lines.push(`  feelin: ${t.feelin} / ${t.attempted} passed (${pct(t.feelin, t.attempted)})`);
  lines.push(`  passed by ours only: ${t.onlyOurs}; by feelin only: ${t.onlyFeelin}`);
  lines.push('');
  lines.push('Not attempted, by reason:');
  for (const [reason, list] of group(results.filter((r) => !r.attempted), (r) => [r.reason ?? '?'])) {
    lines.push(`  ${list.length} ${reason} (${[...new Set(list.map((r) => r.folder))].join(', ')})`);
  }
  lines.push('');
  lines.push('Per test case (attempted: ours / feelin; only cases where an engine fails a value):');
  for (const [folder, list] of group(results, (r) => [`${r.level}/${r.folder}`])) {
    const a = totals(list);
    if (a.ours === a.attempted && a.feelin === a.attempted) continue;
    lines.push(`  ${folder}: ${a.attempted} attempted, ours ${a.ours}, feelin ${a.feelin}`);
    if (!options.failures) continue;
    for (const r of list.filter((x) => x.attempted && (!x.ours?.pass || !x.feelin?.pass))) {
      lines.push(`    ${r.testCase}/${r.node}: expected ${cut(r.expected ?? '')} | ours ${r.ours!.pass ? 'ok' : 'FAIL'} ${cut(show(r.ours!.value))} | feelin ${r.feelin!.pass ? 'ok' : 'FAIL'} ${cut(show(r.feelin!.value))}`);
    }
  }
  lines.push('');
  lines.push('Per TCK label (attempted: ours / feelin):');
  for (const [label, list] of [...group(results.filter((r) => r.attempted), (r) => r.labels)].sort(([a], [b]) => a.localeCompare(b))) {
    const a = totals(list);
    lines.push(`  ${label}: ${a.attempted}, ours ${a.ours} (${pct(a.ours, a.attempted)}), feelin ${a.feelin} (${pct(a.feelin, a.attempted)})`);
  }
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const root = args.find((a) => !a.startsWith('--') && args[args.indexOf(a) - 1] !== '--only');
  const onlyAt = args.indexOf('--only');
  if (!root) {
    console.error('usage: npm run feel:tck -- <path of a DMN TCK checkout> [--failures] [--only <case>]');
    process.exit(2);
  }
  const results = runTck(root, onlyAt >= 0 ? args[onlyAt + 1] : undefined);
  console.log(report(results, { failures: args.includes('--failures') }));
}
