/**
 * Typed client for the Camunda 7 REST calls the platform makes. It lives in connectors so that
 * both sides use it without a package cycle (engine -> connectors only): the engine reaches it
 * through its workflow module (engine/src/modules/workflow, the facade; never from routes or
 * other modules), tests and tools import it from here. Variables carry references (ids,
 * revisions), never domain truth (seed section 5).
 */
export type VariableValue = { value: unknown; type?: 'String' | 'Integer' | 'Long' | 'Double' | 'Boolean' | 'Json' | 'Null' };
export type Variables = Record<string, VariableValue>;
/** Variables as Camunda answers with them (`withVariablesInReturn`). */
export type ReturnedVariables = Record<string, { value: unknown; type: string }>;

export type Deployment = {
  id: string;
  name: string;
  deploymentTime: string;
  deployedProcessDefinitions: Record<string, { id: string; key: string; version: number }> | null;
  deployedDecisionDefinitions: Record<string, { id: string; key: string; version: number }> | null;
};
export type ProcessInstance = { id: string; definitionId: string; businessKey: string | null; ended: boolean; suspended: boolean };
export type Task = {
  id: string; name: string | null; assignee: string | null; created: string; due: string | null;
  processInstanceId: string; taskDefinitionKey: string; tenantId: string | null;
};
export type Incident = {
  id: string; processInstanceId: string; incidentType: string; incidentMessage: string | null;
  activityId: string; configuration: string | null;
  /** Present in Camunda's answer; the order module maps incidents to fallout cases by tenant. */
  tenantId?: string | null; incidentTimestamp?: string;
};
export type HistoricProcessInstance = {
  id: string; businessKey: string | null; processDefinitionKey: string; state: string; endTime: string | null;
};

/** A Camunda answer other than 2xx, with Camunda's own message (e.g. a deployment parse error). */
export class CamundaError extends Error {
  /** Camunda's `details` of the answer, when it gives them (a ParseException: errors per resource, with line and element ids). */
  details?: unknown;
  constructor(readonly status: number, readonly camundaType: string | undefined, message: string) {
    super(message);
    this.name = 'CamundaError';
  }
}

export type CamundaClient = ReturnType<typeof createCamundaClient>;

export function createCamundaClient(baseUrl: string, options: { timeoutMs?: number } = {}) {
  const root = baseUrl.replace(/\/$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;

  async function call<T>(method: string, path: string, body?: unknown | FormData, timeout = timeoutMs): Promise<T> {
    const isForm = body instanceof FormData;
    const response = await fetch(`${root}${path}`, {
      method,
      headers: body === undefined || isForm ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : isForm ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(timeout),
    });
    const text = await response.text();
    if (!response.ok) {
      let type: string | undefined;
      let message = text;
      let details: unknown;
      try {
        const parsed = JSON.parse(text) as { type?: string; message?: string; details?: unknown };
        type = parsed.type;
        message = parsed.message ?? text;
        details = parsed.details;
      } catch {
        /* not JSON: keep the raw text */
      }
      const error = new CamundaError(response.status, type, `Camunda ${method} ${path} answered ${response.status}: ${message}`);
      if (details !== undefined) error.details = details;
      throw error;
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  const query = (params: Record<string, string | number | boolean | undefined>) => {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) if (value !== undefined) search.set(key, String(value));
    const text = search.toString();
    return text ? `?${text}` : '';
  };

  return {
    /** Readiness: the default engine answers. */
    engines: (timeout?: number) => call<{ name: string }[]>('GET', '/engine', undefined, timeout),

    /** Deploys BPMN/DMN files as one deployment; `deployChangedOnly` makes a re-deploy a no-op. */
    deploy(input: { name: string; source: string; tenantId?: string; files: { name: string; content: string }[]; deployChangedOnly?: boolean }) {
      const form = new FormData();
      form.set('deployment-name', input.name);
      form.set('deployment-source', input.source);
      form.set('enable-duplicate-filtering', 'true');
      form.set('deploy-changed-only', String(input.deployChangedOnly ?? true));
      if (input.tenantId) form.set('tenant-id', input.tenantId);
      for (const file of input.files) form.set(file.name, new Blob([file.content], { type: 'application/xml' }), file.name);
      return call<Deployment>('POST', '/deployment/create', form);
    },
    deleteDeployment: (id: string, cascade = true) => call<void>('DELETE', `/deployment/${id}${query({ cascade })}`),
    /** Deployments by the source a caller deployed under (its idempotency key), newest first. */
    deploymentsBySource: (source: string, tenantId?: string) =>
      call<{ id: string; name: string | null; source: string | null; tenantId: string | null }[]>(
        'GET', `/deployment${query({ source, tenantIdIn: tenantId, sortBy: 'deploymentTime', sortOrder: 'desc' })}`),

    /**
     * `withVariablesInReturn`: the answer carries the instance's variables as the start left
     * them, e.g. one a task listener set (the first work item's id), saving a query after it.
     */
    startProcessByKey(key: string, input: { businessKey: string; variables?: Variables; tenantId?: string; withVariablesInReturn?: boolean }) {
      const path = input.tenantId
        ? `/process-definition/key/${encodeURIComponent(key)}/tenant-id/${encodeURIComponent(input.tenantId)}/start`
        : `/process-definition/key/${encodeURIComponent(key)}/start`;
      return call<ProcessInstance & { variables?: ReturnedVariables }>('POST', path, {
        businessKey: input.businessKey, variables: input.variables ?? {}, ...(input.withVariablesInReturn ? { withVariablesInReturn: true } : {}),
      });
    },
    processInstances: (params: { businessKey?: string; processDefinitionKey?: string }) =>
      call<ProcessInstance[]>('GET', `/process-instance${query(params)}`),

    /**
     * `processVariablesLocal` lands on the execution that received the message (a step of a
     * parallel multi-instance), not on the process instance.
     */
    correlateMessage(input: { messageName: string; businessKey?: string; processInstanceId?: string; processVariables?: Variables; processVariablesLocal?: Variables; tenantId?: string }) {
      return call<unknown>('POST', '/message', { ...input, resultEnabled: true });
    },

    /** `taskVariables` filters on task-local variables, e.g. `stepRef_eq_L1.reserve-access`. */
    tasks: (params: { processInstanceId?: string; processInstanceBusinessKey?: string; taskDefinitionKey?: string; assignee?: string; candidateGroup?: string; taskVariables?: string; tenantIdIn?: string }) =>
      call<Task[]>('GET', `/task${query(params)}`),
    task: (taskId: string) => call<Task>('GET', `/task/${encodeURIComponent(taskId)}`),
    claimTask: (taskId: string, userId: string) => call<void>('POST', `/task/${encodeURIComponent(taskId)}/claim`, { userId }),
    unclaimTask: (taskId: string) => call<void>('POST', `/task/${encodeURIComponent(taskId)}/unclaim`),
    addCandidateGroup: (taskId: string, groupId: string) =>
      call<void>('POST', `/task/${encodeURIComponent(taskId)}/identity-links`, { groupId, type: 'candidate' }),
    /** The groups a task is offered to (its candidate identity links; escalation adds one). */
    candidateGroupsOf: async (taskId: string) =>
      (await call<{ groupId: string | null; type: string }[]>('GET', `/task/${encodeURIComponent(taskId)}/identity-links${query({ type: 'candidate' })}`))
        .flatMap((link) => (link.groupId ? [link.groupId] : [])),
    /**
     * An inbox in one query: the tenant's tasks offered to any of the groups (assigned or not) or
     * assigned to the user (Camunda's OR query, POST /task), instead of one query for each.
     */
    inboxTasks: (params: { candidateGroups: string[]; assignee: string; tenantId: string }) =>
      call<Task[]>('POST', '/task', {
        tenantIdIn: [params.tenantId],
        orQueries: [params.candidateGroups.length > 0
          ? { candidateGroups: params.candidateGroups, includeAssignedTasks: true, assignee: params.assignee }
          : { assignee: params.assignee }],
      }),
    deleteProcessInstance: (id: string, reason: string) =>
      call<void>('DELETE', `/process-instance/${encodeURIComponent(id)}${query({ skipCustomListeners: true, deleteReason: reason })}`),
    completeTask: (taskId: string, variables: Variables = {}) => call<void>('POST', `/task/${encodeURIComponent(taskId)}/complete`, { variables }),
    /** Completes a task and answers with the process's variables as the completion left them (e.g. the next work item's id). */
    completeTaskReturningVariables: (taskId: string, variables: Variables = {}) =>
      call<ReturnedVariables>('POST', `/task/${encodeURIComponent(taskId)}/complete`, { variables, withVariablesInReturn: true }),

    incidents: (params: { incidentId?: string; processInstanceId?: string; incidentType?: string; processDefinitionKeyIn?: string; tenantIdIn?: string }) => call<Incident[]>('GET', `/incident${query(params)}`),
    externalTask: (id: string) => call<{ id: string; executionId: string; processInstanceId: string; activityId: string; tenantId: string | null; retries: number | null }>(
      'GET', `/external-task/${encodeURIComponent(id)}`),
    /** The variables of exactly this execution (no parent scope), e.g. an activity's input mapping. */
    localVariables: (executionId: string) => call<Record<string, { value: unknown; type: string }>>('GET', `/execution/${encodeURIComponent(executionId)}/localVariables`),
    /** Gives a failed external task new retries: its incident resolves and a worker fetches it again. */
    setExternalTaskRetries: (externalTaskId: string, retries: number) =>
      call<void>('PUT', `/external-task/${encodeURIComponent(externalTaskId)}/retries`, { retries }),
    /** `processInstanceIds`: comma-separated (Camunda's list form), for one query over many instances. */
    historicProcessInstances: (params: { processInstanceId?: string; processInstanceIds?: string; processInstanceBusinessKey?: string; finished?: boolean }) =>
      call<HistoricProcessInstance[]>('GET', `/history/process-instance${query(params)}`),
  };
}
