-- Row-level security on every tenant-owned table (issue 12, item 5; ADR 0023 addendum). The first
-- migration (20261204100000) put the quote, approval and order tables under the policy; this one
-- puts every other table with a tenant_id under it, and the tenant registry under a policy of its
-- own. A request now runs every statement in its tenant's scope (prisma/src/tenant-scope.ts: the
-- pool switches each connection it hands out), so no tenant table is left outside.
--
-- Platform tables stay without a policy, each for its reason (ADR 0023 addendum, and the list in
-- engine/src/lib/tenant-scope.int.test.ts, which fails on a table that is in neither list):
-- _migration_ledger (the migrator's), order_state_transition and order_step_transition (the same
-- reference rows for every tenant, immutable), inbox_message, consumer_position, consumer_failure,
-- projection_state (the Kafka consumers' and the projector's bookkeeping: background roles only,
-- keyed by consumer group and event id, no tenant's business data).

-- Idempotent from now on: the policy is created before the table is switched on, so the DDL
-- trigger below, which fires on that ALTER TABLE, finds the policy and leaves the table alone.
CREATE OR REPLACE FUNCTION cpq_enable_tenant_rls(target regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_policy WHERE polrelid = target AND polname = 'tenant_isolation') THEN
    EXECUTE format('CREATE POLICY tenant_isolation ON %s USING (tenant_id = cpq_current_tenant()) WITH CHECK (tenant_id = cpq_current_tenant())', target);
  END IF;
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', target);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', target);
END $$;

-- Every table with a tenant_id not yet under the policy. When this was written: account, the
-- metadata tables (metadata_draft, metadata_release, metadata_release_item, release_candidate,
-- release_candidate_item), audit_record, idempotency_record, outbox_event, workflow_correlation,
-- notification and the read models (quote_read_model, approval_worklist, order_read_model,
-- worklist_item). Read from the catalog rather than listed, so that the rule is the same as the
-- DDL trigger's below: a table with a tenant_id is a tenant's.
SELECT cpq_enable_tenant_rls(format('%I', c.table_name)::regclass)
  FROM information_schema.columns c JOIN pg_tables p ON p.schemaname = c.table_schema AND p.tablename = c.table_name
 WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id'
 ORDER BY c.table_name;

-- The tenant registry: a tenant sees its own row (the publish locks it), no other tenant's name.
-- Registering a tenant is the platform operator's, across tenants (login role).
CREATE POLICY tenant_self ON tenant USING (id = cpq_current_tenant()) WITH CHECK (id = cpq_current_tenant());
ALTER TABLE tenant ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant FORCE ROW LEVEL SECURITY;

-- A table made later with a tenant_id column gets the policy as it is created: by a migration
-- that forgot its `SELECT cpq_enable_tenant_rls(...)`, and by the projector's rebuild, which
-- creates `<read model>_next (LIKE ...)` at run time (LIKE copies no policy) and swaps it in.
-- Event triggers need a superuser: where the migrations run as another role the trigger is not
-- made, and each migration and the rebuild must call cpq_enable_tenant_rls themselves.
CREATE OR REPLACE FUNCTION cpq_tenant_rls_on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE
  created record;
BEGIN
  FOR created IN SELECT objid FROM pg_event_trigger_ddl_commands() WHERE object_type = 'table' LOOP
    IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = created.objid AND attname = 'tenant_id' AND NOT attisdropped)
       AND NOT EXISTS (SELECT 1 FROM pg_policy WHERE polrelid = created.objid AND polname = 'tenant_isolation') THEN
      PERFORM cpq_enable_tenant_rls(created.objid::regclass);
    END IF;
  END LOOP;
END $$;

DO $$
BEGIN
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    CREATE EVENT TRIGGER cpq_tenant_rls ON ddl_command_end
      WHEN TAG IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO', 'ALTER TABLE')
      EXECUTE FUNCTION cpq_tenant_rls_on_ddl();
  ELSE
    RAISE NOTICE 'not a superuser: event trigger cpq_tenant_rls not made; new tenant tables need cpq_enable_tenant_rls';
  END IF;
END $$;
