-- Orders (issue 11, ADR 0016): the primary order of an accepted quote revision, made from its
-- snapshot (O1), with explicit line actions (O2), a stored and versioned fulfillment plan whose
-- steps follow a transition table (O3), fulfillment callbacks and fallout cases. Owned by
-- engine/src/modules/order; the quote module's tables are referenced, never written.

CREATE TABLE customer_order (
  id                  uuid           PRIMARY KEY,
  tenant_id           varchar(64)    NOT NULL REFERENCES tenant(id),
  quote_id            uuid           NOT NULL,
  quote_revision      integer        NOT NULL,
  -- A second, non-primary order of one revision needs a business policy that allows it (seed
  -- section 5); none does yet, but the unique index below names the rule, not the table.
  is_primary          boolean        NOT NULL DEFAULT true,
  account_id          varchar(120)   NOT NULL,
  customer_name       varchar(200)   NOT NULL,
  owner_id            varchar(120)   NOT NULL,
  team                varchar(120),
  currency            char(3)        NOT NULL,
  term_months         integer        NOT NULL,
  release_id          uuid           NOT NULL REFERENCES metadata_release(id),
  price_result_id     uuid           NOT NULL REFERENCES price_result(id),
  document_id         uuid           NOT NULL REFERENCES quote_document(id),
  -- sha256 of the canonical accepted snapshot the order was made from (O1 evidence).
  snapshot_sha256     char(64)       NOT NULL,
  source              varchar(10)    NOT NULL,
  state               varchar(20)    NOT NULL,
  version             integer        NOT NULL DEFAULT 1,
  created_by          varchar(120)   NOT NULL,
  cancel_requested_by varchar(120),
  cancel_requested_at timestamptz(6),
  cancel_reason       text,
  -- The cancellation was signalled to the fulfillment process (message correlated); the
  -- reconciler signals it when the command could not.
  cancel_signalled    boolean        NOT NULL DEFAULT false,
  created_at          timestamptz(6) NOT NULL DEFAULT now(),
  updated_at          timestamptz(6) NOT NULL DEFAULT now(),
  CONSTRAINT fk_customer_order_revision FOREIGN KEY (quote_id, quote_revision) REFERENCES quote_revision(quote_id, revision),
  CONSTRAINT ck_customer_order_state CHECK (state IN ('created', 'planned', 'in-progress', 'fulfilled', 'cancelling', 'cancelled')),
  CONSTRAINT ck_customer_order_source CHECK (source IN ('command', 'event')),
  CONSTRAINT ck_customer_order_cancellation CHECK (
    state NOT IN ('cancelling', 'cancelled')
    OR (cancel_requested_by IS NOT NULL AND cancel_requested_at IS NOT NULL AND cancel_reason IS NOT NULL))
);
-- Seed section 5: a quote is converted to at most one primary order per accepted revision.
CREATE UNIQUE INDEX uq_order_primary_per_revision ON customer_order (tenant_id, quote_id, quote_revision) WHERE is_primary;
CREATE INDEX ix_customer_order_tenant ON customer_order (tenant_id, created_at DESC);
CREATE INDEX ix_customer_order_cancel_signal ON customer_order (state) WHERE state = 'cancelling' AND NOT cancel_signalled;

-- O1 in SQL: an order is made only from an accepted revision.
CREATE FUNCTION customer_order_from_accepted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM quote_revision r
                  WHERE r.quote_id = NEW.quote_id AND r.revision = NEW.quote_revision AND r.tenant_id = NEW.tenant_id AND r.state = 'accepted') THEN
    RAISE EXCEPTION 'order % names quote % revision %, which is not an accepted revision of tenant %', NEW.id, NEW.quote_id, NEW.quote_revision, NEW.tenant_id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER tg_customer_order_from_accepted BEFORE INSERT ON customer_order
  FOR EACH ROW EXECUTE FUNCTION customer_order_from_accepted();

-- The order's lines: the accepted revision's lines, each with its explicit action (O2).
-- Immutable: the snapshot does not change after the order is made.
CREATE TABLE order_line (
  tenant_id          varchar(64)   NOT NULL REFERENCES tenant(id),
  order_id           uuid          NOT NULL REFERENCES customer_order(id),
  line_id            varchar(64)   NOT NULL,
  position           integer       NOT NULL,
  offering           varchar(100)  NOT NULL,
  quantity           integer       NOT NULL,
  action             varchar(12)   NOT NULL,
  -- The installed asset a modify, disconnect or no-change line acts on (an add creates one).
  asset_id           varchar(120),
  selections         jsonb         NOT NULL,
  configuration_hash char(64),
  release_id         uuid          NOT NULL,
  charges            json          NOT NULL,
  CONSTRAINT order_line_pkey PRIMARY KEY (order_id, line_id),
  CONSTRAINT ck_order_line_action CHECK (action IN ('add', 'modify', 'disconnect', 'no-change')),
  CONSTRAINT ck_order_line_asset CHECK (action = 'add' OR asset_id IS NOT NULL),
  CONSTRAINT ck_order_line_quantity CHECK (quantity > 0)
);
CREATE TRIGGER tg_order_line_immutable BEFORE UPDATE OR DELETE ON order_line FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER tg_order_line_no_truncate BEFORE TRUNCATE ON order_line FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- A plan per order and version: the release whose decomposition maps made it, and its waves
-- (steps of a wave have no dependency on each other). Immutable; a re-plan is a new version.
CREATE TABLE fulfillment_plan (
  tenant_id     varchar(64)    NOT NULL REFERENCES tenant(id),
  order_id      uuid           NOT NULL REFERENCES customer_order(id),
  plan_version  integer        NOT NULL,
  release_id    uuid           NOT NULL REFERENCES metadata_release(id),
  waves         jsonb          NOT NULL,
  created_at    timestamptz(6) NOT NULL DEFAULT now(),
  CONSTRAINT fulfillment_plan_pkey PRIMARY KEY (order_id, plan_version),
  CONSTRAINT ck_fulfillment_plan_version CHECK (plan_version >= 1)
);
CREATE TRIGGER tg_fulfillment_plan_immutable BEFORE UPDATE OR DELETE ON fulfillment_plan FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER tg_fulfillment_plan_no_truncate BEFORE TRUNCATE ON fulfillment_plan FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

CREATE TABLE order_step (
  tenant_id            varchar(64)    NOT NULL REFERENCES tenant(id),
  order_id             uuid           NOT NULL,
  plan_version         integer        NOT NULL,
  step_key             varchar(140)   NOT NULL,
  line_id              varchar(64)    NOT NULL,
  map_key              varchar(100)   NOT NULL,
  map_step_key         varchar(100)   NOT NULL,
  name                 varchar(200),
  target_system        varchar(100)   NOT NULL,
  action               varchar(100)   NOT NULL,
  depends_on           jsonb          NOT NULL,
  wave                 integer        NOT NULL,
  position             integer        NOT NULL,
  state                varchar(20)    NOT NULL,
  -- Attempts sent to the target system; the current one's request key is the target's
  -- Idempotency-Key and the reference the reconciler asks it about.
  attempt              integer        NOT NULL DEFAULT 0,
  request_key          varchar(300),
  external_reference   varchar(200),
  reason               text,
  -- A callback completed the step while the process may wait at its message event: the
  -- message is due (the reconciler correlates it when the command could not).
  correlation_due      boolean        NOT NULL DEFAULT false,
  updated_at           timestamptz(6) NOT NULL DEFAULT now(),
  CONSTRAINT order_step_pkey PRIMARY KEY (order_id, plan_version, step_key),
  CONSTRAINT fk_order_step_plan FOREIGN KEY (order_id, plan_version) REFERENCES fulfillment_plan(order_id, plan_version),
  CONSTRAINT fk_order_step_line FOREIGN KEY (order_id, line_id) REFERENCES order_line(order_id, line_id),
  CONSTRAINT ck_order_step_state CHECK (state IN ('pending', 'in-progress', 'awaiting-callback', 'unknown', 'completed', 'failed', 'resolved',
                                                  'cancelled', 'compensating', 'compensated', 'compensation-failed')),
  -- Every state past pending was reached by an attempt, so it has a request key to ask about.
  CONSTRAINT ck_order_step_attempted CHECK (state IN ('pending', 'cancelled') OR (attempt >= 1 AND request_key IS NOT NULL))
);
CREATE UNIQUE INDEX uq_order_step_request ON order_step (request_key) WHERE request_key IS NOT NULL;
CREATE INDEX ix_order_step_correlation_due ON order_step (order_id) WHERE correlation_due;

-- O3 in SQL: the transition tables of engine/src/modules/order/order.state.ts, row for row.
CREATE TABLE order_state_transition (
  from_state varchar(20) NOT NULL,
  to_state   varchar(20) NOT NULL,
  CONSTRAINT order_state_transition_pkey PRIMARY KEY (from_state, to_state)
);
INSERT INTO order_state_transition (from_state, to_state) VALUES
  ('cancelling', 'cancelled'),
  ('created', 'cancelled'),
  ('created', 'planned'),
  ('in-progress', 'cancelled'),
  ('in-progress', 'cancelling'),
  ('in-progress', 'fulfilled'),
  ('planned', 'cancelled'),
  ('planned', 'in-progress');

CREATE TABLE order_step_transition (
  from_state varchar(20) NOT NULL,
  to_state   varchar(20) NOT NULL,
  CONSTRAINT order_step_transition_pkey PRIMARY KEY (from_state, to_state)
);
INSERT INTO order_step_transition (from_state, to_state) VALUES
  ('awaiting-callback', 'compensating'),
  ('awaiting-callback', 'completed'),
  ('awaiting-callback', 'failed'),
  ('awaiting-callback', 'resolved'),
  ('compensating', 'compensated'),
  ('compensating', 'compensation-failed'),
  ('compensation-failed', 'compensated'),
  ('compensation-failed', 'compensating'),
  ('completed', 'compensating'),
  ('failed', 'cancelled'),
  ('failed', 'pending'),
  ('failed', 'resolved'),
  ('in-progress', 'awaiting-callback'),
  ('in-progress', 'compensating'),
  ('in-progress', 'completed'),
  ('in-progress', 'failed'),
  ('in-progress', 'pending'),
  ('in-progress', 'resolved'),
  ('in-progress', 'unknown'),
  ('pending', 'cancelled'),
  ('pending', 'in-progress'),
  ('resolved', 'compensating'),
  ('unknown', 'awaiting-callback'),
  ('unknown', 'compensating'),
  ('unknown', 'completed'),
  ('unknown', 'failed'),
  ('unknown', 'pending'),
  ('unknown', 'resolved');
-- The tables are reference data of the code: changed only by a migration.
CREATE TRIGGER tg_order_state_transition_immutable BEFORE INSERT OR UPDATE OR DELETE ON order_state_transition FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER tg_order_state_transition_no_truncate BEFORE TRUNCATE ON order_state_transition FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER tg_order_step_transition_immutable BEFORE INSERT OR UPDATE OR DELETE ON order_step_transition FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER tg_order_step_transition_no_truncate BEFORE TRUNCATE ON order_step_transition FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

CREATE FUNCTION customer_order_state_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.state <> 'created' THEN
      RAISE EXCEPTION 'an order starts as created, not %', NEW.state USING ERRCODE = 'check_violation';
    END IF;
  ELSIF NEW.state IS DISTINCT FROM OLD.state
        AND NOT EXISTS (SELECT 1 FROM order_state_transition t WHERE t.from_state = OLD.state AND t.to_state = NEW.state) THEN
    RAISE EXCEPTION 'order % may not go from % to %', OLD.id, OLD.state, NEW.state USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER tg_customer_order_state BEFORE INSERT OR UPDATE ON customer_order FOR EACH ROW EXECUTE FUNCTION customer_order_state_guard();
-- Orders are never deleted: their history is the evidence.
CREATE TRIGGER tg_customer_order_no_delete BEFORE DELETE ON customer_order FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER tg_customer_order_no_truncate BEFORE TRUNCATE ON customer_order FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

CREATE FUNCTION order_step_state_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.state <> 'pending' THEN
      RAISE EXCEPTION 'a fulfillment step starts as pending, not %', NEW.state USING ERRCODE = 'check_violation';
    END IF;
  ELSIF NEW.state IS DISTINCT FROM OLD.state
        AND NOT EXISTS (SELECT 1 FROM order_step_transition t WHERE t.from_state = OLD.state AND t.to_state = NEW.state) THEN
    RAISE EXCEPTION 'step % of order % may not go from % to %', OLD.step_key, OLD.order_id, OLD.state, NEW.state USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER tg_order_step_state BEFORE INSERT OR UPDATE ON order_step FOR EACH ROW EXECUTE FUNCTION order_step_state_guard();
CREATE TRIGGER tg_order_step_no_delete BEFORE DELETE ON order_step FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER tg_order_step_no_truncate BEFORE TRUNCATE ON order_step FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Every callback a target system sent, as evidence, with what was done with it. Deduplicated by
-- external reference and outcome: only one row per pair is not a duplicate.
CREATE TABLE fulfillment_callback (
  id                 bigserial      PRIMARY KEY,
  tenant_id          varchar(64)    NOT NULL REFERENCES tenant(id),
  order_id           uuid           NOT NULL REFERENCES customer_order(id),
  step_key           varchar(140),
  external_reference varchar(200)   NOT NULL,
  request_key        varchar(300)   NOT NULL,
  outcome            varchar(10)    NOT NULL,
  reason             text,
  disposition        varchar(24)    NOT NULL,
  received_by        varchar(120)   NOT NULL,
  received_at        timestamptz(6) NOT NULL DEFAULT now(),
  CONSTRAINT ck_fulfillment_callback_outcome CHECK (outcome IN ('completed', 'failed')),
  CONSTRAINT ck_fulfillment_callback_disposition CHECK (disposition IN ('applied', 'duplicate', 'after-cancellation', 'routed-to-fallout', 'unmatched'))
);
CREATE UNIQUE INDEX uq_fulfillment_callback_reference ON fulfillment_callback (tenant_id, external_reference, outcome) WHERE disposition <> 'duplicate';
CREATE TRIGGER tg_fulfillment_callback_immutable BEFORE UPDATE OR DELETE ON fulfillment_callback FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER tg_fulfillment_callback_no_truncate BEFORE TRUNCATE ON fulfillment_callback FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Fallout: what operators must decide, with category, reason, SLA and the actions allowed.
CREATE TABLE fallout_case (
  id                   uuid           PRIMARY KEY,
  tenant_id            varchar(64)    NOT NULL REFERENCES tenant(id),
  order_id             uuid           NOT NULL REFERENCES customer_order(id),
  step_key             varchar(140),
  category             varchar(20)    NOT NULL,
  source               varchar(24)    NOT NULL,
  reason               text           NOT NULL,
  state                varchar(10)    NOT NULL DEFAULT 'open',
  sla_due_at           timestamptz(6) NOT NULL,
  allowed_actions      jsonb          NOT NULL,
  camunda_incident_id  varchar(64),
  resolution_action    varchar(12),
  resolution_reason    text,
  resolution_evidence  text,
  resolved_by          varchar(120),
  resolved_at          timestamptz(6),
  -- What the decision still has to do in Camunda (complete the fallout task, retry the job):
  -- 'none', 'due' (the reconciler does it when the command could not) or 'done'.
  workflow_effect      varchar(8)     NOT NULL DEFAULT 'none',
  created_at           timestamptz(6) NOT NULL DEFAULT now(),
  CONSTRAINT ck_fallout_case_category CHECK (category IN ('technical-retry', 'unknown-outcome', 'business-fallout', 'model-defect')),
  CONSTRAINT ck_fallout_case_source CHECK (source IN ('step-failure', 'compensation-failure', 'incident', 'callback', 'decomposition')),
  CONSTRAINT ck_fallout_case_state CHECK (state IN ('open', 'resolved')),
  CONSTRAINT ck_fallout_case_effect CHECK (workflow_effect IN ('none', 'due', 'done')),
  CONSTRAINT ck_fallout_case_resolution CHECK (
    state = 'open'
    OR (resolution_action IS NOT NULL AND resolution_reason IS NOT NULL AND resolved_by IS NOT NULL AND resolved_at IS NOT NULL)),
  CONSTRAINT ck_fallout_case_evidence CHECK (resolution_action IS DISTINCT FROM 'resolve' OR resolution_evidence IS NOT NULL)
);
-- One case per Camunda incident, and one open case per step and source.
CREATE UNIQUE INDEX uq_fallout_case_incident ON fallout_case (camunda_incident_id) WHERE camunda_incident_id IS NOT NULL;
CREATE UNIQUE INDEX uq_fallout_case_open_step ON fallout_case (order_id, step_key, source) WHERE state = 'open';
CREATE INDEX ix_fallout_case_open ON fallout_case (tenant_id, sla_due_at) WHERE state = 'open';
CREATE INDEX ix_fallout_case_effect_due ON fallout_case (created_at) WHERE workflow_effect = 'due';
CREATE TRIGGER tg_fallout_case_no_delete BEFORE DELETE ON fallout_case FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER tg_fallout_case_no_truncate BEFORE TRUNCATE ON fallout_case FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
