import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { Client, Variables, type Task, type TaskService, type TypedValue } from 'camunda-external-task-client-js';
import { pino, type Logger } from 'pino';
import { retryOnConflict } from './camunda-conflict';
import { catalogProblems, isBpmnError, retryDelayMs, type WorkerCatalog, type WorkerEntry } from './worker-catalog';

/**
 * Runs a worker catalog on camunda-external-task-client-js. The host, not the handlers, owns
 * every answer to the engine: the client only emits `handler:error` when a handler throws and
 * reports nothing (the task would sit locked until its lock expires, retries untouched), so
 * each execution here ends in exactly one of complete / handleBpmnError / handleFailure /
 * unlock, and never throws into the client.
 */
export type WorkerHostOptions = {
  /** Camunda REST root, e.g. http://127.0.0.1:8080/engine-rest */
  baseUrl: string;
  catalog: WorkerCatalog;
  workerId: string;
  /** Tasks fetched per poll and running at once (default 10). */
  maxTasks?: number;
  /** Long polling: how long the engine may hold a fetchAndLock, ms (default 10 000); stop() waits for it. */
  asyncResponseTimeout?: number;
  /** Pause between two polls, ms (default 300). */
  pollIntervalMs?: number;
  /** On stop, how long running handlers may finish before they are aborted, ms (default 10 000). */
  stopTimeoutMs?: number;
  logger?: Logger;
};

export type WorkerHost = { stop(): Promise<void> };

/** Abort reason when the host stops: the task is unlocked, not failed, so it keeps its retries. */
const SHUTDOWN = 'worker host stopping';
/** Camunda keeps 666 characters of an error message (ExternalTaskEntity); longer ones are cut there anyway. */
const MAX_ERROR_MESSAGE = 600;

export class WorkerCatalogError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid worker catalog:\n- ${problems.join('\n- ')}`);
    this.name = 'WorkerCatalogError';
  }
}

type Compiled = { entry: WorkerEntry; validate: ValidateFunction; variableNames: string[] };

/** Compiles every schema once and refuses a catalog with any problem (all reported at once). */
function compileCatalog(catalog: WorkerCatalog): Compiled[] {
  const problems = catalogProblems(catalog);
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  const compiled: Compiled[] = [];
  for (const entry of catalog) {
    try {
      compiled.push({ entry, validate: ajv.compile(entry.variables), variableNames: Object.keys(entry.variables.properties) });
    } catch (error) {
      problems.push(`topic "${entry.topic}": schema does not compile: ${errorText(error)}`);
    }
  }
  if (problems.length > 0) throw new WorkerCatalogError(problems);
  return compiled;
}

export function startWorkerHost(options: WorkerHostOptions): WorkerHost {
  const compiled = compileCatalog(options.catalog);
  const logger = (options.logger ?? pino({ level: 'silent' })).child({ component: 'worker-host', workerId: options.workerId });
  const tracer = trace.getTracer('cpq-workers');
  const maxTasks = options.maxTasks ?? 10;
  const asyncResponseTimeout = options.asyncResponseTimeout ?? 10_000;
  const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;

  const client = new Client({
    baseUrl: options.baseUrl,
    workerId: options.workerId,
    maxTasks,
    // Without it the client fetches maxTasks more on every poll while handlers still run.
    maxParallelExecutions: maxTasks,
    asyncResponseTimeout,
    interval: options.pollIntervalMs ?? 300,
    autoPoll: false,
    // got has no default timeout: bound every call so a hung connection cannot block stop().
    interceptors: (config) => ({ ...config, timeout: { request: asyncResponseTimeout + 10_000 } }),
  });

  let stopping = false;
  const running = new Set<Promise<void>>();
  const controllers = new Set<AbortController>();

  // client.stop() only clears a flag: an open long poll goes on and its tasks are still
  // dispatched. Observe each poll (it reschedules itself through `this.poll`) so stop() can
  // wait for the last one instead of leaving a request and its tasks behind.
  let currentPoll: Promise<unknown> = Promise.resolve();
  const poll = client.poll;
  client.poll = () => (currentPoll = poll());

  let pollFailing = false;
  client.on('poll:success', (tasks: unknown[]) => {
    if (pollFailing) logger.info('polling Camunda again');
    pollFailing = false;
    if (tasks.length > 0) logger.debug({ count: tasks.length }, 'fetched tasks');
  });
  client.on('poll:error', (error: unknown) => {
    // Once per outage, not once per poll interval.
    if (!pollFailing) logger.warn({ err: error }, 'polling Camunda failed; retrying');
    pollFailing = true;
  });
  client.on('handler:error', (error: unknown) => logger.error({ err: error }, 'BUG: a task execution escaped the worker host'));

  /**
   * One span per external task handled (ADR 0019): a CONSUMER span named after the topic, active
   * while the handler runs, so its calls to the engine and to Camunda (fetch, traced by the
   * undici instrumentation) are its children. Without tracing the API's no-op tracer costs nothing.
   */
  function traced(entry: WorkerEntry, task: Task, run: (span: Span) => Promise<void>): Promise<void> {
    const attributes = {
      'messaging.system': 'camunda', 'messaging.operation': 'process', 'messaging.destination.name': entry.topic,
      'cpq.topic': entry.topic, 'camunda.external_task_id': task.id, 'camunda.process_instance_id': task.processInstanceId ?? '',
      'camunda.business_key': task.businessKey ?? '', 'camunda.activity_id': task.activityId ?? '', 'camunda.retries_left': task.retries ?? entry.retries,
      // Business keys are `<process>:<tenant>:<id>...` (quote-approval, order-fulfillment): the tenant is the second part.
      ...(task.businessKey?.split(':')[1] ? { 'cpq.tenant_id': task.businessKey.split(':')[1]! } : {}),
    };
    return tracer.startActiveSpan(`external-task ${entry.topic}`, { kind: SpanKind.CONSUMER, attributes }, async (span) => {
      try {
        await run(span);
      } finally {
        span.end();
      }
    });
  }

  async function execute(compiledEntry: Compiled, task: Task, taskService: TaskService): Promise<void> {
    return traced(compiledEntry.entry, task, (span) => executeIn(span, compiledEntry, task, taskService));
  }

  async function executeIn(span: Span, { entry, validate, variableNames }: Compiled, task: Task, taskService: TaskService): Promise<void> {
    const log = logger.child({ topic: entry.topic, taskId: task.id, processInstanceId: task.processInstanceId, businessKey: task.businessKey });
    const report = async (what: string, call: () => Promise<void>) => {
      try {
        await call();
      } catch (error) {
        // Lost lock, deleted instance or Camunda down: the engine re-offers the task once the lock expires.
        log.error({ err: error }, `could not ${what}`);
      }
    };

    if (stopping) {
      // Fetched by the last poll after stop(): give it back at once rather than run it.
      await report('unlock the task', () => taskService.unlock(task));
      return;
    }

    // Retrying cannot fix invalid input: fail with 0 retries, i.e. an incident now.
    const input = readInput(task, variableNames);
    const invalid = input.problems.length > 0 ? input.problems : validate(input.values) ? [] : describeErrors(validate.errors ?? []);
    if (invalid.length > 0) {
      const errorMessage = truncate(`Invalid input variables for topic "${entry.topic}": ${invalid.join('; ')}`);
      log.error({ problems: invalid }, 'invalid input variables; raising an incident');
      span.setAttribute('cpq.outcome', 'invalid-input');
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage });
      await report('report invalid input', () =>
        taskService.handleFailure(task, { errorMessage, errorDetails: invalid.join('\n'), retries: 0, retryTimeout: 0 }),
      );
      return;
    }

    const remaining = task.retries ?? entry.retries;
    const attempt = Math.max(1, entry.retries - remaining + 1);
    const controller = new AbortController();
    controllers.add(controller);
    const lockTimer = setTimeout(() => controller.abort(new Error(`lock of ${entry.lockDurationMs} ms expired`)), entry.lockDurationMs);
    lockTimer.unref();
    let phase = 'handler';
    try {
      const result = await entry.handler(
        { variables: input.values, businessKey: task.businessKey, processInstanceId: task.processInstanceId, taskId: task.id, activityId: task.activityId },
        { signal: controller.signal, logger: log },
      );
      if (isBpmnError(result)) {
        phase = 'handleBpmnError';
        await retryOnConflict(() => taskService.handleBpmnError(task, result.bpmnError.code, result.bpmnError.message));
        log.info({ code: result.bpmnError.code, attempt }, 'task ended with a BPMN error');
        span.setAttributes({ 'cpq.outcome': 'bpmn-error', 'camunda.bpmn_error_code': result.bpmnError.code });
      } else {
        phase = 'complete';
        // A completion that lost a race with a sibling step (a parallel wave) runs again at once:
        // the handler's work is done and recorded; only Camunda's transaction rolled back.
        const variables = toVariables(result.variables ?? {});
        await retryOnConflict(() => taskService.complete(task, variables));
        log.info({ attempt }, 'task completed');
        span.setAttribute('cpq.outcome', 'completed');
      }
    } catch (error) {
      if (controller.signal.reason === SHUTDOWN) {
        await report('unlock the task', () => taskService.unlock(task));
        return;
      }
      const retries = Math.max(0, remaining - 1);
      const retryTimeout = retries > 0 ? retryDelayMs(entry.backoff, attempt) : 0;
      const prefix = phase === 'handler' ? '' : `${phase} failed: `;
      const errorMessage = truncate(prefix + errorText(error));
      const errorDetails = error instanceof Error && error.stack ? error.stack : errorMessage;
      span.recordException(error as Error);
      span.setAttributes({ 'cpq.outcome': retries > 0 ? 'failed-will-retry' : 'incident', 'camunda.retries_left': retries });
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage });
      if (retries > 0) log.warn({ err: error, attempt, retries, retryTimeout }, 'task failed; will retry');
      else log.error({ err: error, attempt }, 'task failed on its last attempt; raising an incident');
      await report('report the failure', () => retryOnConflict(() => taskService.handleFailure(task, { errorMessage, errorDetails, retries, retryTimeout })));
    } finally {
      clearTimeout(lockTimer);
      controllers.delete(controller);
    }
  }

  for (const item of compiled) {
    client.subscribe(item.entry.topic, { lockDuration: item.entry.lockDurationMs, variables: item.variableNames }, ({ task, taskService }) => {
      const execution = execute(item, task, taskService).catch((error: unknown) => logger.error({ err: error }, 'BUG: worker host failed'));
      running.add(execution);
      void execution.finally(() => running.delete(execution));
      return execution;
    });
  }
  client.start();
  logger.info({ topics: compiled.map((c) => c.entry.topic), maxTasks, asyncResponseTimeout }, 'worker host started');

  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= (async () => {
        stopping = true;
        client.stop();
        // Wait for the open long poll (at most asyncResponseTimeout) rather than abort it: tasks
        // the engine locks for a request whose answer is dropped stay locked, unworked, until
        // their lock expires.
        await currentPoll.catch(() => undefined);
        if (!(await settledWithin(running, stopTimeoutMs))) {
          logger.warn({ running: running.size }, 'aborting handlers still running at shutdown');
          for (const controller of controllers) controller.abort(SHUTDOWN);
          await settledWithin(running, 5_000);
        }
        client.removeAllListeners();
        logger.info('worker host stopped');
      })();
      return stopped;
    },
  };
}

async function settledWithin(running: Set<Promise<void>>, ms: number): Promise<boolean> {
  if (running.size === 0) return true;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const settled = Promise.allSettled([...running]).then(() => true as const);
  const done = await Promise.race([settled, timeout]);
  clearTimeout(timer);
  return done;
}

/** The entry's variables as plain JSON values (a `Date` variable becomes its ISO string). */
function readInput(task: Task, names: string[]): { values: Record<string, unknown>; problems: string[] } {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const name of names) {
    try {
      if (task.variables.getTyped(name) === null) continue; // absent: the schema's `required` decides
      const value = task.variables.get(name);
      values[name] = value instanceof Date ? value.toISOString() : value;
    } catch (error) {
      // e.g. a Json variable whose text is not JSON
      problems.push(`variable "${name}" cannot be read (${errorText(error)})`);
    }
  }
  return { values, problems };
}

/** Ajv errors as `variable "a.b" <rule text> (<keyword>)`, naming the variable and the rule. */
function describeErrors(errors: ErrorObject[]): string[] {
  return errors.map((e) => {
    const path = e.instancePath.split('/').slice(1).map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
    let text = e.message ?? 'is invalid';
    if (e.keyword === 'required') {
      path.push(String(e.params.missingProperty));
      text = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      text = `has an unknown property "${String(e.params.additionalProperty)}"`;
    }
    return path.length > 0 ? `variable "${path.join('.')}" ${text} (${e.keyword})` : `variables ${text} (${e.keyword})`;
  });
}

/** Output variables as Camunda typed values; objects and arrays as Spin `Json`. */
function toVariables(values: Record<string, unknown>): Variables {
  const variables = new Variables();
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined) variables.setTyped(name, toTypedValue(name, value));
  }
  return variables;
}

function toTypedValue(name: string, value: unknown): TypedValue {
  if (value === null) return { type: 'Null', value: null };
  if (value instanceof Date) return { type: 'Date', value };
  switch (typeof value) {
    case 'string':
      return { type: 'String', value };
    case 'boolean':
      return { type: 'Boolean', value };
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`output variable "${name}" is not a finite number`);
      if (!Number.isInteger(value)) return { type: 'Double', value };
      if (Math.abs(value) <= 2 ** 31 - 1) return { type: 'Integer', value };
      if (Number.isSafeInteger(value)) return { type: 'Long', value };
      throw new Error(`output variable "${name}" is an integer beyond 2^53`);
    case 'object':
      return { type: 'Json', value: JSON.stringify(value) };
    default:
      throw new Error(`output variable "${name}" has no Camunda type (${typeof value})`);
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}

function truncate(text: string): string {
  return text.length <= MAX_ERROR_MESSAGE ? text : `${text.slice(0, MAX_ERROR_MESSAGE - 1)}…`;
}
