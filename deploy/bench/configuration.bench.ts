// The configurator on a generated bundle: 500 options, 100 rules (FEEL conditions, derived values,
// compatibility tables, requires / excludes), a line with 150 children. CPU only, a few seconds.
// `npx tsx deploy/bench/configuration.bench.ts` prints the markdown; `benchConfiguration()`
// returns it for `npm run bench`. Target (issue 4): p95 <= 20 ms.
import { cpus } from 'node:os';
import { pathToFileURL } from 'node:url';
import {
  createReleaseView,
  type BundleContent,
  type ConfigurationRule,
  type ConfigurationRuleSetContent,
  type ProductOfferingContent,
  type ProductSpecificationContent,
  type ReleaseView,
} from '@cpq/metadata';
import { configure, type ChildInput, type ConfigurationInput } from '@cpq/engine/modules/configuration';
import { percentile } from './machine';

const OPTIONS = 500;
const OPTION_SPECS = 20;
const GROUPS = 25;
const CHILDREN = 150;
const WARM_UP = 50;
const RUNS = 200;

/** mulberry32: a seeded generator, so every run configures the same catalog and line. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, width = 3) => String(n).padStart(width, '0');
const opt = (i: number) => `opt-${pad(i)}`;
const enumOf = (key: string, prefix: string, count: number, name = key) => ({
  key,
  name,
  valueType: 'enum' as const,
  required: true,
  values: Array.from({ length: count }, (_, v) => ({ value: `${prefix}${v}`, label: `${prefix.toUpperCase()}${v}` })),
  default: `${prefix}0`,
});

type Item = { kind: string; key: string; content: unknown; contentHash: string };

/** Specs, 501 offerings, one bundle of 500 options in 25 groups, 100 rules in 11 rule sets. */
export function syntheticRelease(): { release: ReleaseView; ruleCount: number } {
  const items: Item[] = [];
  const add = (kind: string, key: string, content: unknown) => items.push({ kind, key, content, contentHash: `h-${kind}-${key}` });

  const rootSpec: ProductSpecificationContent = {
    name: 'Bench root',
    characteristics: [
      ...Array.from({ length: 8 }, (_, i) => enumOf(`e${i}`, 'v', 5)),
      ...Array.from({ length: 6 }, (_, i) => ({ key: `n${i}`, name: `N${i}`, valueType: 'integer' as const, required: true, range: { min: 0, max: 1000, step: 10 }, default: 100 })),
      { key: 'b0', name: 'B0', valueType: 'boolean', required: false, default: false },
      { key: 'b1', name: 'B1', valueType: 'boolean', required: false, default: false },
    ],
  };
  add('product-specification', 'bench-root', rootSpec);
  for (let s = 0; s < OPTION_SPECS; s++) {
    const spec: ProductSpecificationContent = {
      name: `Option spec ${s}`,
      characteristics: [
        enumOf('tier', 't', 4),
        { key: 'size', name: 'Size', valueType: 'integer', required: true, range: { min: 1, max: 100, step: 1 }, default: 10 },
        { key: 'managed', name: 'Managed', valueType: 'boolean', required: false, default: false },
      ],
    };
    add('product-specification', `opt-spec-${pad(s, 2)}`, spec);
  }
  const offering = (name: string, specification: string): ProductOfferingContent => ({
    name,
    specification,
    status: 'active',
    validFrom: '2025-01-01',
    channels: ['direct'],
    segments: ['enterprise'],
    charges: [{ key: 'monthly-fee', name: 'Monthly fee', type: 'recurring', period: 'monthly' }],
  });
  add('product-offering', 'bench-root', offering('Bench root', 'bench-root'));
  for (let i = 0; i < OPTIONS; i++) add('product-offering', opt(i), offering(`Option ${i}`, `opt-spec-${pad(i % OPTION_SPECS, 2)}`));

  // Note: the bundle schema caps options at 200; the configurator does not depend on that cap.
  const bundle: BundleContent = {
    name: 'Bench bundle',
    offering: 'bench-root',
    groups: Array.from({ length: GROUPS }, (_, g) => ({ key: `g${pad(g, 2)}`, name: `Group ${g}`, min: 0, max: 8 })),
    options: Array.from({ length: OPTIONS }, (_, i) => ({ offering: opt(i), min: 0, max: 20, defaultQuantity: i < 10 ? 1 : 0, group: `g${pad(i % GROUPS, 2)}` })),
  };
  add('bundle', 'bench-bundle', bundle);

  // 40 rules on the root line.
  const root: ConfigurationRule[] = [];
  for (let i = 0; i < 20; i++) {
    root.push({
      id: `root-limit-${i}`,
      type: 'value-constraint',
      condition: `e${i % 8} = "v${i % 5}" and n${i % 6} >= ${100 + i * 10}`,
      constraint: `n${(i + 1) % 6} <= ${500 + i * 20}`,
      message: `Limit ${i}`,
      severity: i % 5 === 4 ? 'warning' : 'error',
    });
  }
  for (let i = 0; i < 5; i++) {
    const rows: string[][] = [];
    for (let a = 0; a < 5; a++) for (let b = 0; b < 5; b++) if (!(a === 4 && b === (i % 5))) rows.push([`v${a}`, `v${b}`]);
    root.push({ id: `root-compat-${i}`, type: 'compatibility', characteristics: [`e${i}`, `e${i + 1}`], rows, message: `Combination ${i} not offered`, severity: 'error' });
  }
  root.push({ id: 'root-derive-b0', type: 'derived', characteristic: 'b0', expression: 'e0 = "v3" or n0 > 800', message: 'B0 follows E0 and N0', severity: 'info' });
  root.push({ id: 'root-derive-b1', type: 'derived', condition: 'e7 != "v0"', characteristic: 'b1', expression: 'b0 and n1 >= 200', message: 'B1 follows B0', severity: 'info' });
  for (let i = 0; i < 3; i++) {
    root.push({ id: `root-derive-n5-${i}`, type: 'derived', condition: `e6 = "v${i + 2}"`, characteristic: 'n5', expression: `n4 + ${(i + 1) * 10}`, message: `N5 follows N4 (${i})`, severity: 'info' });
  }
  for (let i = 0; i < 10; i++) {
    const requires = i % 2 === 0;
    root.push({
      id: `root-${requires ? 'requires' : 'excludes'}-${i}`,
      type: requires ? 'requires' : 'excludes',
      condition: `e${i % 8} = "v4"${requires ? '' : ` and termMonths >= 24`}`,
      offerings: [opt(400 + i)],
      message: `Option ${400 + i} ${requires ? 'is required' : 'is excluded'} here`,
      severity: 'error',
    });
  }
  const rootRules: ConfigurationRuleSetContent = { name: 'Root rules', targets: ['bench-root'], rules: root };
  add('configuration-rule-set', 'bench-root-rules', rootRules);

  // 60 rules on the options: 10 rule sets of 6 rules, each targeting 50 options.
  for (let s = 0; s < 10; s++) {
    const rules: ConfigurationRule[] = [];
    for (let j = 0; j < 3; j++) {
      rules.push({
        id: `opt-size-${s}-${j}`,
        type: 'value-constraint',
        condition: `tier = "t${(s + j) % 4}"`,
        constraint: `size <= ${60 + s * 3 + j}`,
        message: `Tier t${(s + j) % 4} allows a smaller size`,
        severity: 'error',
      });
    }
    rules.push({ id: `opt-requires-${s}`, type: 'requires', condition: 'size > 95', offerings: [opt(450 + s)], message: 'Large sizes need a companion', severity: 'error' });
    rules.push({ id: `opt-excludes-${s}`, type: 'excludes', condition: 'managed = true and tier = "t3"', offerings: [opt(470 + s)], message: 'Managed t3 excludes a companion', severity: 'error' });
    rules.push({
      id: `opt-managed-${s}`,
      type: 'value-constraint',
      condition: 'managed',
      constraint: `quantity <= ${5 + s}`,
      message: 'Managed options are limited in quantity',
      severity: 'warning',
    });
    const targets = Array.from({ length: 50 }, (_, k) => opt(s * 50 + k));
    add('configuration-rule-set', `bench-options-${pad(s, 2)}`, { name: `Option rules ${s}`, targets, rules } satisfies ConfigurationRuleSetContent);
  }
  const ruleCount = items
    .filter((i) => i.kind === 'configuration-rule-set')
    .reduce((sum, i) => sum + (i.content as ConfigurationRuleSetContent).rules.length, 0);
  return { release: createReleaseView({ releaseId: 'bench', releaseNumber: 1, contentHash: 'h-bench' }, items), ruleCount };
}

/** A line of the bundle: root selections and 150 children, valid; `broken` injects violations. */
function line(broken: boolean): ConfigurationInput {
  const next = random(7);
  const pick = (n: number) => Math.floor(next() * n);
  const selections: Record<string, unknown> = {};
  for (let i = 0; i < 8; i++) selections[`e${i}`] = `v${pick(4)}`;
  for (let i = 0; i < 6; i++) selections[`n${i}`] = 10 * (10 + pick(40));
  // At most 7 selected options per group (the first 10 options are selected by default).
  const perGroup = Array.from({ length: GROUPS }, (_, g) => (g < 10 ? 1 : 0));
  const chosen = new Set<number>();
  while (chosen.size < CHILDREN) {
    const i = 10 + pick(390);
    if (chosen.has(i) || perGroup[i % GROUPS]! >= 7) continue;
    chosen.add(i);
    perGroup[i % GROUPS]!++;
  }
  const children: ChildInput[] = [...chosen].map((i) => ({
    offering: opt(i),
    quantity: 1 + pick(3),
    selections: { tier: `t${pick(4)}`, size: 1 + pick(55), managed: pick(4) === 0 },
  }));
  if (broken) {
    selections.e0 = 'v4'; // requires opt-400
    selections.n1 = 990; // above several root limits
    children[0]!.selections = { tier: 't0', size: 99 }; // a size limit, and requires a companion
    children[1]!.quantity = 25; // above the option's maximum
    children.push({ offering: 'not-an-option', quantity: 1 });
    for (let i = 0; i < 3; i++) if (!chosen.has(3 + i * GROUPS)) children.push({ offering: opt(3 + i * GROUPS), quantity: 1 }); // crowds group g03
  }
  return { offering: 'bench-root', selections, children, context: { quantity: 1, termMonths: 36, quoteOfferings: ['opt-470'] } };
}

function measure(release: ReleaseView, input: ConfigurationInput): { p50: number; p95: number; max: number; violations: number; warnings: number; fixes: number } {
  let last = configure(release, input);
  for (let i = 0; i < WARM_UP; i++) last = configure(release, input);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    last = configure(release, input);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return {
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    max: times[times.length - 1]!,
    violations: last.violations.length,
    warnings: last.warnings.length,
    fixes: [...last.violations, ...last.warnings].reduce((n, i) => n + i.fixes.length, 0),
  };
}

export async function benchConfiguration(): Promise<string> {
  const { release, ruleCount } = syntheticRelease();
  const coldStart = performance.now();
  configure(release, line(false)); // builds and caches the rule plans, compiles the FEEL
  const coldMs = performance.now() - coldStart;
  const valid = measure(release, line(false));
  // The first row must measure what it says: a valid configuration.
  if (valid.violations > 0) throw new Error(`the generated valid line has ${valid.violations} violation(s)`);
  const rows = [
    { what: 'valid line', ...valid },
    { what: 'line with injected violations (fixes computed and verified)', ...measure(release, line(true)) },
  ];
  const f = (ms: number) => ms.toFixed(2);
  const verdict = (p95: number) => (p95 <= 20 ? 'met' : 'missed');
  return [
    '## Configuration: a bundle with 500 options and 100 rules',
    '',
    `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`,
    '',
    `Generated release (deploy/bench/configuration.bench.ts): one bundle of ${OPTIONS} options in ${GROUPS} groups, ${ruleCount} configuration rules`,
    '(value constraints with FEEL conditions, compatibility tables, derived values, requires / excludes) on the root and the options;',
    `the configured line has 16 root characteristics and ${CHILDREN} children with their own selections. configure() returns the full result:`,
    'normalized configuration, allowed values of every root characteristic with the disabling rules, explanations, verified fixes and both hashes.',
    `${RUNS} timed runs after ${WARM_UP} warm-up runs. The first call (rule plans built and cached, FEEL compiled) took ${f(coldMs)} ms.`,
    '',
    '| line | violations | warnings | fixes | p50 (ms) | p95 (ms) | max (ms) | target p95 <= 20 ms |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.what} | ${r.violations} | ${r.warnings} | ${r.fixes} | ${f(r.p50)} | ${f(r.p95)} | ${f(r.max)} | ${verdict(r.p95)} |`),
    '',
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchConfiguration().then(
    (markdown) => console.log(markdown),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
