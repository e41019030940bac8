export type PollingLoopOptions = {
  /** One round; returns how many items it handled. */
  round: () => Promise<number>;
  /** A round that handled this many (a full batch) runs again at once. */
  batchSize: number;
  /** Sleep after a round that found nothing. */
  pollIntervalMs: number;
  /**
   * Sleep after a round that handled some but less than a batch (work is arriving: look again
   * soon, so a steady stream waits this long rather than a whole idle interval). Default: pollIntervalMs.
   */
  busyPollIntervalMs?: number;
  maxBackoffMs: number;
  onFailure?: (error: Error, failures: number, backoffMs: number) => void;
  onRecovery?: (failures: number) => void;
};

/**
 * The loop of the relay and the dispatcher: run rounds while started, sleep when idle, back off
 * exponentially while rounds fail, and stop promptly (a sleeping loop is woken; a round in
 * flight finishes first).
 */
export function createPollingLoop(options: PollingLoopOptions) {
  let running = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  async function run(): Promise<void> {
    let failures = 0;
    while (running) {
      try {
        const handled = await options.round();
        if (failures > 0) options.onRecovery?.(failures);
        failures = 0;
        if (handled === 0) await sleep(options.pollIntervalMs);
        else if (handled < options.batchSize) await sleep(options.busyPollIntervalMs ?? options.pollIntervalMs);
      } catch (error) {
        failures += 1;
        const backoff = Math.min(options.pollIntervalMs * 2 ** failures, options.maxBackoffMs);
        options.onFailure?.(error as Error, failures, backoff);
        await sleep(backoff);
      }
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
    },
  };
}
