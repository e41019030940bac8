/**
 * Camunda answers a command that lost an optimistic-locking race with 500 and the type
 * OptimisticLockingException; its transaction rolled back, so the same command may simply run
 * again (Camunda's own advice). Seen on external-task completions of parallel fulfillment steps
 * under load: counted as a failed attempt, each such conflict cost a retry with backoff, and two
 * in a row an incident.
 */
export function isOptimisticLockingConflict(error: unknown): boolean {
  const e = error as { type?: unknown; message?: unknown } | null;
  return e?.type === 'OptimisticLockingException' || (typeof e?.message === 'string' && e.message.includes('OptimisticLockingException'));
}

/** Runs `call`, again after a short jittered pause while it loses optimistic-locking races (at most `attempts` runs). */
export async function retryOnConflict<T>(call: () => Promise<T>, attempts = 4, pauseMs = (attempt: number) => 20 * 2 ** attempt + Math.random() * 20): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= attempts || !isOptimisticLockingConflict(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, pauseMs(attempt)));
    }
  }
}
