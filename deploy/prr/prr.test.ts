import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DRILLS } from './drills.catalog';
import { GENERATED_DIR, renderAll, ROOT } from './generate';

// The readiness packet (issue 12, item 7): its generated parts match the code and contracts they
// are made from, every drill's evidence still exists, and every item of seed section 14 has its file.
describe('production readiness packet (docs/prr)', () => {
  it('the generated parts are what deploy/prr/generate.ts renders from the code and contracts today', () => {
    for (const [name, content] of Object.entries(renderAll())) {
      const path = join(GENERATED_DIR, name);
      const committed = existsSync(path) ? readFileSync(path, 'utf8') : '(missing)';
      expect(committed, `docs/prr/${name.replace(/^\.\.\//, '').replace(/^(?!drills)/, 'generated/')} is stale: run \`npx tsx deploy/prr/generate.ts\` and commit the result`).toBe(content);
    }
  });

  it('every drill names a test that exists in its file, and only automated or partial drills name one', () => {
    for (const drill of DRILLS) {
      if (drill.status === 'not yet') expect(drill.evidence, drill.drill).toEqual([]);
      else expect(drill.evidence.length, drill.drill).toBeGreaterThan(0);
      for (const evidence of drill.evidence) {
        const file = join(ROOT, evidence.file);
        expect(existsSync(file), `${drill.drill}: ${evidence.file} does not exist`).toBe(true);
        expect(readFileSync(file, 'utf8').includes(evidence.test), `${drill.drill}: no test "${evidence.test}" in ${evidence.file}`).toBe(true);
      }
    }
  });

  it('has a file for every item of the seed\'s readiness packet (section 14), each linked from docs/prr/README.md', () => {
    const index = readFileSync(join(ROOT, 'docs/prr/README.md'), 'utf8');
    const links = [...index.matchAll(/\]\(([^)#]+)\)/g)].map((m) => m[1]!).filter((l) => !l.startsWith('http'));
    for (const link of links) expect(existsSync(join(ROOT, 'docs/prr', link)), `docs/prr/README.md links ${link}, which does not exist`).toBe(true);
    const items = ['system context diagram', 'service ownership map', 'API contract versions', 'event contract versions', 'database migration plan',
      'rollback/roll-forward plan', 'Camunda process definition inventory', 'workflow variable contracts', 'worker topic contracts', 'DMN decision inventory',
      'security threat model', 'authorization matrix', 'audit evidence matrix', 'observability dashboards', 'SLO and alert policy', 'failure drill results',
      'performance test report', 'data recovery drill result', 'incident runbooks', 'support ownership and escalation path', 'known risks and accepted ADRs', 'launch decision'];
    for (const item of items) expect(index.toLowerCase(), `docs/prr/README.md has no row for "${item}"`).toContain(`| ${item.toLowerCase()} |`);
  });
});
