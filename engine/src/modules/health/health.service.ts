export type CheckResult = { status: 'up' | 'down'; latencyMs: number; error?: string; details?: Record<string, unknown> };
export type DependencyCheck = () => Promise<Record<string, unknown> | void>;
export type Readiness = { status: 'up' | 'down'; checks: Record<string, CheckResult> };

async function runCheck(check: DependencyCheck, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const details = await Promise.race([
      check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    const latencyMs = Math.round((performance.now() - started) * 10) / 10;
    return { status: 'up', latencyMs, ...(details ? { details } : {}) };
  } catch (error) {
    const latencyMs = Math.round((performance.now() - started) * 10) / 10;
    return { status: 'down', latencyMs, error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every check at once, each bounded by the timeout, so one dead dependency cannot hide the others. */
export async function checkReadiness(checks: Record<string, DependencyCheck>, timeoutMs: number): Promise<Readiness> {
  const names = Object.keys(checks);
  const results = await Promise.all(names.map((name) => runCheck(checks[name]!, timeoutMs)));
  const byName = Object.fromEntries(names.map((name, i) => [name, results[i]!]));
  return { status: results.every((r) => r.status === 'up') ? 'up' : 'down', checks: byName };
}
