// Public surface of the workflow module: the Camunda facade.
// The Camunda REST client itself lives in connectors (connectors/src/camunda/camunda-rest.client.ts;
// engine -> connectors only, ADR 0011): add REST calls there.
export { createCamundaClient, CamundaError } from '@cpq/connectors/camunda/camunda-rest.client';
export type { CamundaClient, Deployment, Incident, Task, Variables, ReturnedVariables, ProcessInstance, HistoricProcessInstance } from '@cpq/connectors/camunda/camunda-rest.client';
// Correlations (the workflow module's table): domain intent <-> process instance.
export { correlations, correlationsOfInstances, keyRecordedOf, keyRecordedStatement, startedOf, startedStatement, startingInsert, statusUpdate, ACTIVE_STATUSES } from './correlation.store';
export type { Correlation, CorrelationStatus, NewCorrelation } from './correlation.store';
// The worker catalog's topics for modellers (GET /metadata/worker-topics).
export { workerTopicsRoutes } from './worker-topics.routes';
