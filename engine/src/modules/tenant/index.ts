export { createTenantService } from './tenant.service';
export type { TenantService, TenantView } from './tenant.service';
export { tenantRoutes } from './tenant.routes';
