/**
 * Row-level security's switch (ADR 0023, migration 20261204100000_tenant_row_level_security):
 * a transaction that acts for one tenant runs as the role cpq_tenant with `app.tenant_id` set, so
 * the quote, approval and order tables show it that tenant's rows only, even where a query's
 * WHERE clause forgot the tenant. Both settings are LOCAL: they end with the transaction, so a
 * pooled connection never carries one tenant into the next transaction.
 *
 * Work that spans tenants (the relay, the projector, reconcilers and sweeps, the test seed) does
 * not switch: its login role bypasses RLS (superuser, or BYPASSRLS in production).
 */
export const TENANT_ROLE = 'cpq_tenant';

/** The statement that scopes the current transaction to a tenant (sent with BEGIN, no round trip of its own). */
export function tenantScopeStatement(tenantId: string, escapeLiteral: (value: string) => string): string {
  return `SELECT set_config('role', '${TENANT_ROLE}', true), set_config('app.tenant_id', ${escapeLiteral(tenantId)}, true)`;
}
