// Public surface of the workflow module: the Camunda facade.
export { createCamundaClient, CamundaError } from './camunda.client';
export type { CamundaClient, Deployment, Incident, Task, Variables, ProcessInstance, HistoricProcessInstance } from './camunda.client';
// Correlations (the workflow module's table): domain intent <-> process instance.
export { correlations, ACTIVE_STATUSES } from './correlation.store';
export type { Correlation, CorrelationStatus } from './correlation.store';
