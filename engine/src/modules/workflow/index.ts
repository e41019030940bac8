// Public surface of the workflow module: the Camunda facade.
export { createCamundaClient, CamundaError } from './camunda.client';
export type { CamundaClient, Deployment, Incident, Task, Variables, ProcessInstance, HistoricProcessInstance } from './camunda.client';
