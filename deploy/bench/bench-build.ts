import { buildRoles } from '../build/build';

/**
 * The benchmarks' own build of the process roles: `<workspace>/.dist-test-bench/` (git-ignored),
 * not dist/, which a running platform was started from. Built once per benchmark process.
 */
export const BENCH_DIST = '.dist-test-bench';
let built: Promise<unknown> | undefined;

export function buildForBench(): Promise<unknown> {
  return (built ??= buildRoles(BENCH_DIST));
}
