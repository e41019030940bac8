// FEEL rule conditions: feelin's parse-and-interpret per evaluation against our compiled closures
// (metadata/src/feel). CPU only, about 10 s. `npx tsx deploy/bench/feel.bench.ts` prints the
// markdown; `benchFeel()` returns it for `npm run bench`.
import { cpus } from 'node:os';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { compileFeel, createFeelCache, type CompiledFeel, type FeelContext, type FeelDialect } from '@cpq/metadata/feel';
import { evaluate, parseExpression, parseUnaryTests, unaryTest } from 'feelin';

/** A priced line as pricing and approval rules see it. */
const LINE: FeelContext = {
  offering: 'internet-pro', charge: 'recurring', quantity: 12, termMonths: 36, segment: 'enterprise', channel: 'partner',
  bandwidth: 1000, access: 'fiber', 'discount percent': 12.5, 'static ip count': 4, region: 'EU', country: 'DE',
  listPrice: 199, unitPrice: 179.1, currency: 'EUR', addons: ['sla-gold', 'backup'], contractValue: 64_476, sites: 3,
  'customer tier': 'gold', customer: { tier: 'gold', since: 2015 },
};

/** Fifty conditions of the kind configuration, pricing and approval rules hold. */
export const RULES: readonly string[] = [
  'bandwidth >= 1000 and access = "fiber"',
  'quantity > 10 and termMonths in [24, 36]',
  'discount percent > 10',
  'segment = "enterprise"',
  'channel = "partner" and discount percent > 15',
  'access in ("fiber", "copper")',
  'bandwidth between 100 and 1000',
  'static ip count > 3',
  'termMonths >= 24 and charge = "installation"',
  'country in ["DE", "AT", "CH"]',
  'listPrice * quantity > 2000',
  'unitPrice < listPrice * 0.9',
  'not(segment = "consumer")',
  'if termMonths >= 36 then discount percent <= 20 else discount percent <= 10',
  'list contains(addons, "sla-gold")',
  'count(addons) >= 2',
  'customer tier = "gold" or contractValue > 50000',
  'sites > 1 and access != "5g"',
  'bandwidth in [100..1000]',
  'quantity in (> 100, [1..5])',
  'string length(offering) > 3',
  'starts with(offering, "internet")',
  'upper case(currency) = "EUR"',
  'round half up(unitPrice * quantity, 2) > 1000',
  'sum([listPrice, 10]) > 200',
  'some a in addons satisfies a = "backup"',
  'every a in addons satisfies starts with(a, "sla")',
  'region = "EU" and country != "GB"',
  'contractValue >= 10000 and contractValue < 100000',
  'discount percent > 10 and approval level = null',
  'termMonths / 12 >= 2',
  'floor(quantity / 10) >= 1',
  'abs(unitPrice - listPrice) > 5',
  'max([bandwidth, 500]) = 1000',
  'min([quantity, 10]) = 10',
  'access = "fiber" and bandwidth >= 500 and sites >= 2',
  'segment in ["enterprise", "wholesale"] and termMonths > 12',
  '(quantity > 10 or sites > 2) and channel = "direct"',
  'addons[1] = "sla-gold"',
  'count(addons[item != "backup"]) > 0',
  'mean([unitPrice, listPrice]) > 150',
  'contains(offering, "pro")',
  'decimal(discount percent, 0) >= 12',
  'discount percent between 5 and 25 and segment = "enterprise"',
  'quantity * unitPrice >= 2000 and termMonths >= 24',
  'if access = "fiber" then bandwidth >= 1000 else bandwidth >= 100',
  'ends with(offering, "-pro")',
  'static ip count in [1..8]',
  'bandwidth > 100 and bandwidth <= 10000 and access in ("fiber", "copper", "5g")',
  'customer.tier = "gold" and customer.since < 2020',
];

/** Decision-table cells (unary tests) with the input they test. */
export const CELLS: readonly [string, unknown][] = [
  ['< 100', 42], ['[1..5]', 3], ['"fiber", "copper"', 'fiber'], ['not("5g")', 'fiber'], ['>= 24', 36],
  ['-', 'x'], ['(10..100]', 100], ['"enterprise"', 'enterprise'], ['> 1000, < 10', 5], ['null', null],
];

type Case = { source: string; dialect: FeelDialect; context: FeelContext };

const REQUEST_EVALUATIONS = 500 * 50;

/** Median over rounds of the mean time per call, in microseconds. */
function measure(cases: Case[], call: (c: Case) => unknown, minMillis: number): number {
  const rounds: number[] = [];
  let iterations = 1;
  // Calibrate: enough iterations of the whole set to last about a tenth of the budget.
  for (;;) {
    const start = performance.now();
    for (let i = 0; i < iterations; i++) for (const c of cases) call(c);
    const elapsed = performance.now() - start;
    if (elapsed > minMillis / 10) break;
    iterations *= 2;
  }
  const deadline = performance.now() + minMillis;
  while (rounds.length < 5 || performance.now() < deadline) {
    const start = performance.now();
    for (let i = 0; i < iterations; i++) for (const c of cases) call(c);
    rounds.push(((performance.now() - start) * 1000) / (iterations * cases.length));
    if (rounds.length >= 50) break;
  }
  rounds.sort((a, b) => a - b);
  return rounds[Math.floor(rounds.length / 2)]!;
}

/** The names in scope, as the engine passes them (the line's characteristics and context). */
const NAMES: readonly string[] = Object.keys(LINE);

function compileOrThrow(source: string, dialect: FeelDialect): CompiledFeel {
  const result = compileFeel(source, dialect, { names: NAMES });
  if (!result.ok) throw new Error(`${source}: ${result.error.message}`);
  return result.compiled;
}

export async function benchFeel(): Promise<string> {
  const cases: Case[] = [
    ...RULES.map((source) => ({ source, dialect: 'expression' as const, context: LINE })),
    ...CELLS.map(([source, input]) => ({ source, dialect: 'unary-tests' as const, context: { ...LINE, '?': input } })),
  ];

  // Compile time: the first compile in the process also resolves the built-ins once.
  const coldStart = performance.now();
  const compiled = new Map(cases.map((c) => [c, compileOrThrow(c.source, c.dialect)]));
  const coldMicros = ((performance.now() - coldStart) * 1000) / cases.length;
  const warmMicros = measure(cases, (c) => compileFeel(c.source, c.dialect, { names: NAMES }), 1000);
  const cache = createFeelCache();
  for (const c of cases) cache.compile(c.source, c.dialect, { names: NAMES });
  const cachedMicros = measure(cases, (c) => cache.compile(c.source, c.dialect, { names: NAMES }), 300);

  // The compiled closures must answer what feelin answers, or the figures mean nothing.
  for (const c of cases) {
    const reference = c.dialect === 'expression' ? evaluate(c.source, c.context).value : unaryTest(c.source, c.context).value;
    const mine = compiled.get(c)!.evaluate(c.context);
    if (!isDeepStrictEqual(mine, reference)) throw new Error(`${c.source}: compiled ${String(mine)}, feelin ${String(reference)}`);
  }

  const rules = cases.filter((c) => c.dialect === 'expression');
  const cells = cases.filter((c) => c.dialect === 'unary-tests');
  const rows = [
    { what: 'rule conditions (expressions)', set: rules },
    { what: 'decision-table cells (unary tests)', set: cells },
  ].map(({ what, set }) => {
    const interpreted = measure(set, (c) => (c.dialect === 'expression' ? evaluate(c.source, c.context) : unaryTest(c.source, c.context)), 2500);
    const parseOnly = measure(set, (c) => (c.dialect === 'expression' ? parseExpression(c.source, c.context, undefined) : parseUnaryTests(c.source, c.context, undefined)), 1500);
    const closures = measure(set, (c) => compiled.get(c)!.evaluate(c.context), 1500);
    return { what, count: set.length, interpreted, parseOnly, closures };
  });

  const f = (micros: number) => (micros >= 10 ? micros.toFixed(0) : micros >= 1 ? micros.toFixed(1) : micros.toFixed(3));
  const ms = (micros: number) => ((micros * REQUEST_EVALUATIONS) / 1000).toFixed(micros * REQUEST_EVALUATIONS >= 10_000 ? 0 : 1);
  return [
    '## FEEL: compiled closures against feelin',
    '',
    `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, feelin 8.2.0, ${new Date().toISOString().slice(0, 10)}.`,
    '',
    `${RULES.length} pricing / configuration / approval conditions and ${CELLS.length} decision-table cells over one priced line (deploy/bench/feel.bench.ts);`,
    'figures are the median over rounds of the mean time per evaluation. feelin 8 cannot evaluate a pre-parsed tree (its interpreter is',
    'not exported and `evaluate` takes a string), so its column is parse + build + evaluate; the parse alone is shown for scale.',
    `"Per request" is ${REQUEST_EVALUATIONS.toLocaleString('en')} evaluations (500 lines x 50 rules). Every compiled result is checked against feelin first.`,
    '',
    '| expressions | count | feelin evaluate (µs) | feelin parse only (µs) | compiled (µs) | speed-up | per request: feelin (ms) | per request: compiled (ms) |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.what} | ${r.count} | ${f(r.interpreted)} | ${f(r.parseOnly)} | ${f(r.closures)} | ${Math.round(r.interpreted / r.closures)}x | ${ms(r.interpreted)} | ${ms(r.closures)} |`),
    '',
    `Compile once per release (per expression, with the ${NAMES.length} names in scope): ${f(coldMicros)} µs for the first compile in a process (resolves the built-in functions),`,
    `${f(warmMicros)} µs afterwards; a cache hit (\`createFeelCache\`) costs ${f(cachedMicros)} µs.`,
    '',
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchFeel().then(
    (markdown) => console.log(markdown),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
