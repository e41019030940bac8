import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requiredNodeMajor } from '@cpq/connectors/runtime/node-runtime';
import { buildRoles, roles, type BuiltRole } from './build';

// The production bundles, built into a scratch dist folder: each loads every module it needs
// on the pinned Node.js and then stops at its configuration, before touching any service.
const distDir = `.dist-test-${process.pid}`;
let built: BuiltRole[] = [];

beforeAll(async () => {
  built = await buildRoles(distDir);
}, 120_000);
afterAll(() => {
  for (const dir of new Set(built.map((role) => dirname(role.launcher)))) rmSync(dir, { recursive: true, force: true });
});

function run(launcher: string, env: Record<string, string>, node = process.execPath) {
  // Only what is given: no secret or URL of the calling shell leaks in.
  const result = spawnSync(node, [launcher], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('npm run build', () => {
  it('bundles every process role, launcher and bundle', () => {
    expect(built.map((role) => role.name)).toEqual(roles.map((role) => role.name));
    for (const role of built) {
      expect(existsSync(role.launcher), role.launcher).toBe(true);
      expect(existsSync(role.launcher.replace(/\.js$/, '.bundle.js'))).toBe(true);
      expect(role.bundleBytes).toBeGreaterThan(10_000);
    }
  });

  it('in production, each role loads and refuses a bad setting and missing secrets by name', () => {
    const expected: Record<string, string[]> = {
      engine: ['LOG_LEVEL must be one of', 'AUTH_JWT_SECRET must be set', 'PLATFORM_ADMIN_TOKEN must be set', 'SERVICE_CLIENTS must list', 'METRICS_TOKEN must be set'],
      relay: ['LOG_LEVEL', 'METRICS_TOKEN must be set'],
      workers: ['LOG_LEVEL', 'WORKER_CLIENT_SECRET must be set', 'METRICS_TOKEN must be set'],
      notifications: ['LOG_LEVEL', 'WEBHOOK_SECRET is required', 'METRICS_TOKEN must be set'],
      projector: ['LOG_LEVEL', 'METRICS_TOKEN must be set'],
      'target-systems': ['LOG_LEVEL', 'TARGET_SYSTEMS_CLIENT_SECRET must be set'],
    };
    for (const role of built) {
      const { status, output } = run(role.launcher, { NODE_ENV: 'production', LOG_LEVEL: 'loud' });
      expect(status, `${role.name}: ${output}`).not.toBe(0);
      for (const problem of expected[role.name] ?? []) expect(output, role.name).toContain(problem);
      expect(output, role.name).not.toContain('Cannot find');
    }
  });

  // The machine's own Node.js (this kind ships Node 20) must be turned away by the launcher.
  const systemNode = '/usr/bin/node';
  const systemMajor = existsSync(systemNode) ? Number(spawnSync(systemNode, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).stdout) : requiredNodeMajor;
  it.skipIf(systemMajor === requiredNodeMajor)('on another Node.js major, each launcher stops with exit 78 and says why', () => {
    for (const role of built) {
      const { status, output } = run(role.launcher, {}, systemNode);
      expect(status, role.name).toBe(78);
      expect(output).toContain(`it needs Node.js ${requiredNodeMajor}`);
    }
  });
});
