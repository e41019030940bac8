export { healthRoutes } from './health.routes';
export { checkReadiness } from './health.service';
export type { DependencyCheck, Readiness, CheckResult } from './health.service';
