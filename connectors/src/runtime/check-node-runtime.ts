// Imported first by every process role's entry point: ES modules evaluate their imports in
// order, so a wrong runtime stops here with a clear message, before any other module loads.
import { nodeRuntimeProblem } from './node-runtime';

const problem = nodeRuntimeProblem();
if (problem !== undefined) {
  process.stderr.write(`${problem}\n`);
  process.exit(78); // EX_CONFIG: the environment, not the code, is wrong.
}
