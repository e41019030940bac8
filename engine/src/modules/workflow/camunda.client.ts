// MOVED: the Camunda 7 REST client lives in connectors/src/camunda/camunda-rest.client.ts
// (issue 8 item 4: engine -> connectors only). Add new Camunda REST calls THERE; this file only
// re-exports it so the workflow module's facade (index.ts) keeps its public surface.
export { createCamundaClient, CamundaError } from '@cpq/connectors/camunda/camunda-rest.client';
export type {
  CamundaClient, Deployment, HistoricProcessInstance, Incident, ProcessInstance, Task, VariableValue, Variables,
} from '@cpq/connectors/camunda/camunda-rest.client';
