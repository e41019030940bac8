import { TENANT_ROLE } from '@cpq/prisma';

/**
 * Row-level security's switch for one transaction (ADR 0023, migration 20261204100000_tenant_row_level_security):
 * the transaction runs as the role cpq_tenant with `app.tenant_id` set, so the tenant tables show
 * it that tenant's rows only, even where a query's WHERE clause forgot the tenant. Both settings
 * are LOCAL: they end with the transaction.
 *
 * Requests do not need it: every connection a request takes is already in its principal's scope
 * (the pool's checkout, prisma/src/tenant-scope.ts, opened for every route by
 * http/tenant-scope.ts). It is for work outside a request that acts for one tenant, e.g. an
 * order created from a QuoteAccepted event, and costs nothing (sent with BEGIN).
 *
 * Work that spans tenants (the relay, the projector, reconcilers and sweeps, the test seed) does
 * not switch: its login role bypasses RLS (superuser, or BYPASSRLS in production).
 */
export { TENANT_ROLE };

/** The statement that scopes the current transaction to a tenant (sent with BEGIN, no round trip of its own). */
export function tenantScopeStatement(tenantId: string, escapeLiteral: (value: string) => string): string {
  return `SELECT set_config('role', '${TENANT_ROLE}', true), set_config('app.tenant_id', ${escapeLiteral(tenantId)}, true)`;
}
