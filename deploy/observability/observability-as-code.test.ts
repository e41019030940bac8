import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The alert rules and dashboards are code: promtool checks and unit-tests the rules, and every
// metric they read must be one the platform exposes, so a renamed metric fails here instead of
// silently blanking a panel or disarming an alert.
const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(HERE, '../..');

function promtool(): string {
  const local = join(ROOT, '.run/tools/prometheus/usr/bin/promtool');
  if (existsSync(local)) return local;
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
    return 'promtool';
  } catch {
    throw new Error('promtool is missing: `bash deploy/platform.sh infra` unpacks it from Debian\'s prometheus package into .run/tools');
  }
}

/** Metric names the code registers (name: 'cpq_...' in our sources) plus the runtime's defaults. */
function exposedMetrics(): Set<string> {
  const names = new Set<string>(['up']);
  const scan = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) scan(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        for (const m of readFileSync(path, 'utf8').matchAll(/\b(cpq_[a-z0-9_]+)\b/g)) names.add(m[1]!);
      }
    }
  };
  for (const dir of ['engine/src/observability', 'connectors/src/observability', 'connectors/src/outbox-relay', 'connectors/src/projections']) {
    if (existsSync(join(ROOT, dir))) scan(join(ROOT, dir));
  }
  // prom-client's collectDefaultMetrics (every role registers them).
  for (const name of ['nodejs_eventloop_lag_p99_seconds', 'process_resident_memory_bytes', 'process_cpu_seconds_total', 'nodejs_heap_size_used_bytes']) names.add(name);
  return names;
}

/** Series names read by a PromQL expression (words followed by `{`, `[` or an operator, not functions or labels). */
function metricsIn(expr: string): string[] {
  const withoutLabels = expr.replace(/\{[^}]*\}/g, '{}').replace(/"[^"]*"/g, '""');
  const words = [...withoutLabels.matchAll(/\b([a-z_:][a-z0-9_:]*)\b(?!\s*\()/g)].map((m) => m[1]!);
  const keywords = new Set(['by', 'without', 'and', 'or', 'unless', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'le', 'operation', 'group', 'topic', 'instance', 'role', 'type', 'status', 'method']);
  return words.filter((w) => !keywords.has(w) && !w.includes(':') && /_/.test(w) || w === 'up');
}
const histogramBase = (name: string) => name.replace(/_(bucket|count|sum)$/, '');

describe('alert rules and dashboards as code', () => {
  it('promtool accepts the rules and their unit tests pass (each alert fires on what it protects, silent otherwise)', () => {
    const bin = promtool();
    expect(execFileSync(bin, ['check', 'rules', 'alerts.rules.yaml'], { cwd: HERE, encoding: 'utf8' })).toContain('SUCCESS');
    expect(execFileSync(bin, ['test', 'rules', 'alerts.rules.test.yaml'], { cwd: HERE, encoding: 'utf8' })).toContain('SUCCESS');
  });

  it('every alert names its severity and a runbook section that exists in docs/observability.md', () => {
    const rules = readFileSync(join(HERE, 'alerts.rules.yaml'), 'utf8');
    const guide = readFileSync(join(ROOT, 'docs/observability.md'), 'utf8').toLowerCase();
    const alerts = [...rules.matchAll(/- alert: (\w+)/g)].map((m) => m[1]!);
    expect(alerts.length).toBeGreaterThanOrEqual(10);
    for (const alert of alerts) {
      const block = rules.slice(rules.indexOf(`- alert: ${alert}`)).split(/\n\s+- (?:alert|record):/)[0]!;
      expect(block, alert).toMatch(/severity: (page|ticket)/);
      expect(block, alert).toContain(`runbook: docs/observability.md#${alert.toLowerCase()}`);
      expect(guide, `docs/observability.md has no section for ${alert}`).toContain(`### ${alert.toLowerCase()}`);
    }
  });

  it('every metric read by a rule or a dashboard panel is one the platform exposes', () => {
    const exposed = exposedMetrics();
    const rules = readFileSync(join(HERE, 'alerts.rules.yaml'), 'utf8');
    const exprs = [...rules.matchAll(/expr: (\|\n(?:\s{10}.*\n)+|.*)/g)].map((m) => m[1]!);
    for (const file of readdirSync(join(HERE, 'grafana'))) {
      const dashboard = JSON.parse(readFileSync(join(HERE, 'grafana', file), 'utf8')) as { uid: string; panels: { title: string; targets: { expr: string }[] }[] };
      expect(dashboard.uid).toMatch(/^cpq-/);
      for (const panel of dashboard.panels) {
        expect(panel.targets.length, `${file}: ${panel.title}`).toBeGreaterThan(0);
        exprs.push(...panel.targets.map((t) => t.expr));
      }
    }
    const unknown = new Set<string>();
    for (const expr of exprs) for (const name of metricsIn(expr)) if (!exposed.has(histogramBase(name)) && !exposed.has(name)) unknown.add(name);
    expect([...unknown]).toEqual([]);
  });
});
