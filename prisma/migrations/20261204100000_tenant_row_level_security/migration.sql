-- Row-level security as a second line for tenancy (issue 12, item 5; ADR 0023): the quote, approval
-- and order tables show a transaction only the rows of the tenant in `app.tenant_id`, whatever its
-- WHERE clause says, once the transaction has switched to the role cpq_tenant.
--
-- Who is subject to it: the engine's tenant-scoped transactions run `SET LOCAL ROLE cpq_tenant`
-- and `SET LOCAL app.tenant_id` (engine/src/lib/tenant-scope.ts). cpq_tenant is NOLOGIN and not
-- BYPASSRLS and owns nothing, so the policies apply to it. Who is not: the login role itself
-- (the platform's `postgres`, a superuser; in production a role with BYPASSRLS), which the relay,
-- the projector, the reconcilers, the sweeps and the test template's seed use to work across
-- tenants. That bypass is explicit: it is the absence of the switch, never a setting a request
-- could reach. FORCE ROW LEVEL SECURITY makes a table's owner subject too, so a deployment whose
-- login role owns the tables without BYPASSRLS fails closed (sees nothing) rather than open.
--
-- The policy lives in one function, applied per table: later migrations add a table with
-- `SELECT cpq_enable_tenant_rls('the_table');` (additive, no other table changes).

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cpq_tenant') THEN
    CREATE ROLE cpq_tenant NOLOGIN NOBYPASSRLS;
  END IF;
END $$;

-- cpq_tenant does what the engine does within a transaction, on every table (RLS narrows the rows).
GRANT USAGE ON SCHEMA public TO cpq_tenant;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO cpq_tenant;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO cpq_tenant;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO cpq_tenant;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO cpq_tenant;

-- The tenant of the current transaction ('' when none is set: no row matches).
CREATE FUNCTION cpq_current_tenant() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT coalesce(current_setting('app.tenant_id', true), '') $$;

CREATE FUNCTION cpq_enable_tenant_rls(target regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', target);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', target);
  EXECUTE format('CREATE POLICY tenant_isolation ON %s USING (tenant_id = cpq_current_tenant()) WITH CHECK (tenant_id = cpq_current_tenant())', target);
END $$;

SELECT cpq_enable_tenant_rls(t) FROM unnest(ARRAY[
  'quote', 'quote_revision', 'quote_line', 'quote_document', 'price_result',
  'approval_requirement', 'approval_decision',
  'customer_order', 'order_line', 'order_step', 'fulfillment_plan', 'fulfillment_callback', 'fallout_case', 'installed_asset'
]::regclass[]) AS t;
