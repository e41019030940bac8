import { Counter, Gauge, type Registry } from 'prom-client';
import { cachedReading } from './metrics-registry';

export type CamundaReading = {
  incidents: { failedJob: number; failedExternalTask: number; other: number };
  /** Jobs due now and not yet executed: the job executor's backlog (timers, async continuations). */
  jobsDue: number;
  /** Jobs whose retries are exhausted (each has an incident). */
  jobsFailed: number;
  /** External tasks waiting for a worker (not locked, retries left): the workers' backlog. */
  externalTasksWaiting: number;
  externalTasksLocked: number;
  /** Open user tasks (approval work items among them). */
  userTasksOpen: number;
};

async function count(baseUrl: string, path: string, timeoutMs: number): Promise<number> {
  const response = await fetch(`${baseUrl}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`Camunda ${path} answered ${response.status}`);
  return ((await response.json()) as { count: number }).count;
}

/** One reading of Camunda's backlog and incidents through its REST API (count queries only). */
export async function readCamunda(baseUrl: string, timeoutMs = 3_000): Promise<CamundaReading> {
  const [all, failedJob, failedExternalTask, jobsDue, jobsFailed, externalTasksWaiting, externalTasksLocked, userTasksOpen] = await Promise.all([
    count(baseUrl, '/incident/count', timeoutMs),
    count(baseUrl, '/incident/count?incidentType=failedJob', timeoutMs),
    count(baseUrl, '/incident/count?incidentType=failedExternalTask', timeoutMs),
    count(baseUrl, '/job/count?executable=true', timeoutMs),
    count(baseUrl, '/job/count?noRetriesLeft=true', timeoutMs),
    count(baseUrl, '/external-task/count?notLocked=true&withRetriesLeft=true', timeoutMs),
    count(baseUrl, '/external-task/count?locked=true', timeoutMs),
    count(baseUrl, '/task/count', timeoutMs),
  ]);
  return {
    incidents: { failedJob, failedExternalTask, other: Math.max(0, all - failedJob - failedExternalTask) },
    jobsDue, jobsFailed, externalTasksWaiting, externalTasksLocked, userTasksOpen,
  };
}

/**
 * Camunda's health as the operators of our processes see it: open incidents by type, the job
 * executor's due backlog and exhausted jobs, external tasks waiting for our workers, open user
 * tasks. Read from Camunda REST at scrape time, at most once per `maxAgeMs`; when Camunda does
 * not answer, `cpq_camunda_up` is 0 and the other gauges keep their last values.
 */
export function registerCamundaMetrics(registry: Registry, options: { baseUrl: string; maxAgeMs?: number; timeoutMs?: number }): void {
  let up = 1;
  const errors = new Counter({ name: 'cpq_camunda_metrics_errors_total', help: 'Failed readings of Camunda REST.', registers: [registry], async collect() {
    await reading();
  } });
  const reading = cachedReading(async () => {
    try {
      const value = await readCamunda(options.baseUrl, options.timeoutMs);
      up = 1;
      return value;
    } catch (error) {
      up = 0;
      throw error;
    }
  }, options.maxAgeMs ?? 5_000, () => errors.inc());
  new Gauge({ name: 'cpq_camunda_up', help: '1 when Camunda REST answered the last reading.', registers: [registry], async collect() {
    await reading();
    this.set(up);
  } });
  new Gauge({ name: 'cpq_camunda_incidents_open', help: 'Open Camunda incidents by type.', labelNames: ['type'], registers: [registry], async collect() {
    const value = await reading();
    if (!value) return;
    this.set({ type: 'failedJob' }, value.incidents.failedJob);
    this.set({ type: 'failedExternalTask' }, value.incidents.failedExternalTask);
    this.set({ type: 'other' }, value.incidents.other);
  } });
  const simple = (name: string, help: string, pick: (r: CamundaReading) => number) => new Gauge({ name, help, registers: [registry], async collect() {
    const value = await reading();
    if (value) this.set(pick(value));
  } });
  simple('cpq_camunda_jobs_due', 'Jobs due and not yet executed (the job executor backlog: timers, async continuations).', (r) => r.jobsDue);
  simple('cpq_camunda_jobs_failed', 'Jobs whose retries are exhausted.', (r) => r.jobsFailed);
  simple('cpq_camunda_external_tasks_waiting', 'External tasks waiting for a worker (unlocked, with retries left).', (r) => r.externalTasksWaiting);
  simple('cpq_camunda_external_tasks_locked', 'External tasks a worker holds.', (r) => r.externalTasksLocked);
  simple('cpq_camunda_user_tasks_open', 'Open user tasks (approval work items and other human steps).', (r) => r.userTasksOpen);
}
