/**
 * Minimal types for camunda-external-task-client-js 3.x (ESM, ships no types; `@types/...`
 * describes the 1.x API). Only what worker-host.ts uses; checked against the 3.1.0 sources
 * (lib/Client.js, lib/TaskService.js, lib/Variables.js).
 */
declare module 'camunda-external-task-client-js' {
  import type { EventEmitter } from 'node:events';

  /** Camunda's wire format; the client lower-cases `type` and JSON-encodes `json` values. */
  export type TypedValue = { type: string; value: unknown; valueInfo?: Record<string, unknown> };

  export class Variables {
    constructor(initial?: Record<string, TypedValue>, options?: { readOnly?: boolean });
    /** Deserialised values: `json` parsed, `date` as Date; a missing variable is undefined. */
    get(name: string): unknown;
    getAll(): Record<string, unknown>;
    getTyped(name: string): TypedValue | null;
    setTyped(name: string, typed: TypedValue): this;
  }

  /** A fetched and locked external task (`POST /external-task/fetchAndLock` answer). */
  export type Task = {
    id: string;
    topicName: string;
    workerId: string;
    activityId: string;
    activityInstanceId: string;
    processInstanceId: string;
    processDefinitionId: string;
    processDefinitionKey: string;
    businessKey: string | null;
    tenantId: string | null;
    /** Null on the first fetch; afterwards what the last handleFailure set. */
    retries: number | null;
    errorMessage: string | null;
    lockExpirationTime: string;
    priority: number;
    variables: Variables;
  };

  export type FailureOptions = { errorMessage: string; errorDetails?: string; retries: number; retryTimeout: number };

  export type TaskService = {
    complete(task: Task, variables?: Variables, localVariables?: Variables): Promise<void>;
    handleFailure(task: Task, options: FailureOptions): Promise<void>;
    handleBpmnError(task: Task, errorCode: string, errorMessage?: string, variables?: Variables): Promise<void>;
    extendLock(task: Task, newDurationMs: number): Promise<void>;
    unlock(task: Task): Promise<void>;
  };

  export type Handler = (args: { task: Task; taskService: TaskService }) => Promise<void>;

  export type SubscribeOptions = {
    lockDuration?: number;
    /** Names of the variables to fetch; omitted = all. */
    variables?: string[];
    localVariables?: boolean;
    tenantIdIn?: string[];
    withoutTenantId?: boolean;
    processDefinitionKey?: string;
    businessKey?: string;
  };

  export type TopicSubscription = { unsubscribe(): void; lockDuration: number };

  export type ClientOptions = {
    baseUrl: string;
    workerId?: string;
    /** Tasks per fetchAndLock request. */
    maxTasks?: number;
    /** Caps running handlers; without it every poll fetches maxTasks more. */
    maxParallelExecutions?: number;
    /** Pause between two polls, ms (default 300). */
    interval?: number;
    /** Default lock, ms (default 50 000). */
    lockDuration?: number;
    /** Long polling: the engine holds fetchAndLock up to this many ms. */
    asyncResponseTimeout?: number;
    /** Default true: start polling in the constructor. */
    autoPoll?: boolean;
    usePriority?: boolean;
    interceptors?: ((config: Record<string, unknown>) => Record<string, unknown>) | ((config: Record<string, unknown>) => Record<string, unknown>)[];
    use?: ((client: Client) => void) | ((client: Client) => void)[];
  };

  export class Client extends EventEmitter {
    constructor(options: ClientOptions);
    subscribe(topic: string, options: SubscribeOptions, handler: Handler): TopicSubscription;
    start(): void;
    /** Only clears a flag: an open fetchAndLock goes on and its tasks are still executed. */
    stop(): void;
    /**
     * One poll; reschedules itself through `this.poll`, so replacing the property observes every
     * poll (worker-host.ts relies on this to await the open long poll on stop).
     */
    poll: () => Promise<unknown>;
  }
}
