import type { Logger } from 'pino';

/**
 * The declarative catalog of Camunda external-task workers (STYLE habits 7 and 8): one typed
 * entry per topic holds the topic, the JSON Schema of its input variables, the lock, the
 * retry policy and the handler, so a missing piece fails to compile. worker-host.ts runs a
 * catalog; it owns fetching, validation, completion and every failure path.
 *
 * Workers are a thin shell: a handler reads the reference variables (ids, revisions, never
 * domain truth), calls an engine command (later over HTTP / a port) and returns references.
 * Workers never write domain tables and never import a module's internals: the engine module
 * that owns the data does the write, so its rules, events and outbox apply.
 */

/** The JSON Schema subset understood by {@link FromSchema}; any other keyword is validated by Ajv but not typed. */
export type SchemaType = 'string' | 'number' | 'integer' | 'boolean' | 'null' | 'array' | 'object';

export type JsonSchema = {
  readonly type?: SchemaType | readonly SchemaType[];
  readonly properties?: { readonly [name: string]: JsonSchema };
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly items?: JsonSchema;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly [keyword: string]: unknown;
};

/** The schema of an entry's input: an object whose properties are the process variables to fetch. */
export type VariablesSchema = JsonSchema & {
  readonly type: 'object';
  readonly properties: { readonly [variable: string]: JsonSchema };
};

/** The TypeScript type of a value valid against `S` (written with `as const` or through `defineWorker`). */
export type FromSchema<S> = S extends { readonly const: infer C }
  ? C
  : S extends { readonly enum: readonly (infer E)[] }
    ? E
    : S extends { readonly type: readonly (infer T)[] }
      ? T extends SchemaType
        ? FromType<T, S>
        : never
      : S extends { readonly type: infer T extends SchemaType }
        ? FromType<T, S>
        : unknown;

type FromType<T extends SchemaType, S> = T extends 'string'
  ? string
  : T extends 'number' | 'integer'
    ? number
    : T extends 'boolean'
      ? boolean
      : T extends 'null'
        ? null
        : T extends 'array'
          ? S extends { readonly items: infer I }
            ? FromSchema<I>[]
            : unknown[]
          : S extends { readonly properties: infer P }
            ? FromProperties<P, S extends { readonly required: readonly (infer R)[] } ? R : never>
            : Record<string, unknown>;

type FromProperties<P, R> = Expand<
  { -readonly [K in keyof P as K extends R ? K : never]: FromSchema<P[K]> } & {
    -readonly [K in keyof P as K extends R ? never : K]?: FromSchema<P[K]>;
  }
>;
type Expand<T> = { [K in keyof T]: T[K] } & {};

export type WorkerInput<V> = {
  /** The entry's variables, already validated against its schema. */
  variables: V;
  businessKey: string | null;
  processInstanceId: string;
  taskId: string;
  activityId: string;
};

export type WorkerContext = {
  /**
   * Aborted when the task's lock expires (the result could no longer be reported) or when
   * the host gives up waiting at shutdown (the task is then unlocked, keeping its retries).
   * Pass it to every outgoing call.
   */
  signal: AbortSignal;
  /** Bound to topic, task, process instance and business key. */
  logger: Logger;
};

export type BpmnErrorResult = { bpmnError: { code: string; message: string } };
export type WorkerResult = { variables?: Record<string, unknown> } | BpmnErrorResult;

export type Backoff = {
  /** Wait before the 2nd attempt, ms. */
  initialMs: number;
  /** Multiplier per further attempt. */
  factor: number;
  maxMs: number;
};

export type WorkerEntry<S extends VariablesSchema = VariablesSchema> = {
  /** The external-task topic: an exported constant, the id of the process step. */
  topic: string;
  description: string;
  /** JSON Schema (Ajv 8, strict) of the input; its property names are the variables fetched. */
  variables: S;
  lockDurationMs: number;
  /** Maximum attempts, >= 1; the last failed attempt raises an incident. */
  retries: number;
  backoff: Backoff;
  /**
   * Returns output variables to complete the task, or a BPMN error for a business outcome
   * modelled in the process (a boundary error event). Throw for technical failures: the
   * host retries with backoff and raises an incident after the last attempt.
   */
  // A method signature (bivariant) so that entries with different schemas fit in one catalog.
  handler(input: WorkerInput<FromSchema<S>>, context: WorkerContext): Promise<WorkerResult>;
};

export type WorkerCatalog = readonly WorkerEntry[];

/** Declares an entry, inferring the handler's variable type from the literal schema. */
export function defineWorker<const S extends VariablesSchema>(entry: WorkerEntry<S>): WorkerEntry<S> {
  return entry;
}

export const isBpmnError = (result: WorkerResult): result is BpmnErrorResult =>
  typeof result === 'object' && result !== null && 'bpmnError' in result;

/**
 * Settings a catalog must satisfy beyond its types; the host refuses to start otherwise.
 * Returns every problem, not the first.
 */
export function catalogProblems(catalog: WorkerCatalog): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const entry of catalog) {
    const at = `topic "${entry.topic}"`;
    if (!entry.topic.trim()) problems.push('an entry has an empty topic');
    if (seen.has(entry.topic)) problems.push(`${at} is declared twice`);
    seen.add(entry.topic);
    if (!Number.isInteger(entry.retries) || entry.retries < 1) problems.push(`${at}: retries must be an integer >= 1`);
    if (!Number.isInteger(entry.lockDurationMs) || entry.lockDurationMs < 1000) problems.push(`${at}: lockDurationMs must be an integer >= 1000`);
    const { initialMs, factor, maxMs } = entry.backoff;
    if (!(initialMs >= 0) || !(factor >= 1) || !(maxMs >= initialMs)) {
      problems.push(`${at}: backoff needs initialMs >= 0, factor >= 1 and maxMs >= initialMs`);
    }
  }
  return problems;
}

/** Wait before the attempt after `failedAttempt` (1-based): initial * factor^(n-1), capped. */
export function retryDelayMs(backoff: Backoff, failedAttempt: number): number {
  const n = Math.max(1, failedAttempt);
  return Math.round(Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** (n - 1)));
}
