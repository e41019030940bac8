/**
 * Commands that reach outside the database run as steps (ARCHITECTURE section 7; Medusa's
 * core-flows `createStep(invoke, compensate)`): a transaction records the intent (state,
 * correlation, outbox), a remote call idempotent by business key follows, and a second
 * transaction records the outcome. No step holds a transaction while another one runs.
 *
 * When a step fails, the steps before it are compensated in reverse order and the failure is
 * rethrown. A compensation that fails itself is logged and left to the module's reconciler,
 * which must be able to finish or undo the flow from what the first step recorded: so every
 * compensation and every remote call must be idempotent (it may run twice).
 */
export type Step<S extends object> = {
  /** Stable name, logged with the flow's name when the step or its compensation fails. */
  name: string;
  /** The step's work; what it returns is merged into the state that later steps see. */
  invoke: (state: Readonly<S>) => Promise<Partial<S> | void>;
  /** Undoes this step after a later step failed (idempotent; may also run from a reconciler). */
  compensate?: (state: Readonly<S>, failure: unknown) => Promise<void>;
};

export type StepLog = {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
};

export type Flow<S extends object> = {
  name: string;
  steps: readonly Step<S>[];
  /**
   * Runs every step in order; on a failure compensates the completed ones and rethrows.
   * `haltAfter` names a step after which the flow stops dead, compensating nothing: what a
   * crash of the process right after that step committed leaves behind (failure drills).
   */
  run(initial: S, log: StepLog, options?: { haltAfter?: string }): Promise<S>;
};

/** Thrown by a flow halted on purpose after a step (a simulated crash: nothing compensated). */
export class FlowHalted extends Error {
  constructor(readonly flow: string, readonly step: string) {
    super(`flow ${flow} halted after step ${step}`);
    this.name = 'FlowHalted';
  }
}

export function defineStep<S extends object>(step: Step<S>): Step<S> {
  return step;
}

export function defineFlow<S extends object>(name: string, steps: readonly Step<S>[]): Flow<S> {
  return {
    name,
    steps,
    async run(initial, log, options = {}) {
      let state = { ...initial };
      const completed: Step<S>[] = [];
      for (const step of steps) {
        try {
          const added = await step.invoke(state);
          if (added) state = { ...state, ...added };
          completed.push(step);
        } catch (failure) {
          await compensate(name, step.name, completed, state, failure, log);
          throw failure;
        }
        if (options.haltAfter === step.name) throw new FlowHalted(name, step.name);
      }
      return state;
    },
  };
}

async function compensate<S extends object>(flow: string, failedStep: string, completed: Step<S>[], state: S, failure: unknown, log: StepLog) {
  for (const step of [...completed].reverse()) {
    if (!step.compensate) continue;
    try {
      await step.compensate(state, failure);
    } catch (error) {
      // Left half done on purpose: the reconciler finishes or undoes it from the recorded intent.
      log.error({ flow, step: step.name, failedStep, err: (error as Error).message }, 'compensation failed; the reconciler will finish it');
    }
  }
  log.warn({ flow, failedStep, err: (failure as Error)?.message }, 'flow step failed; completed steps compensated');
}
