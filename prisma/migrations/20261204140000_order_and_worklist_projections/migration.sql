-- Issue 12, item 3: the projector role's order read model and worklist, built from Kafka through
-- the idempotent consumer (connectors/src/projections; ADR 0020 and its addendum). Derived data:
-- the order and quote modules' tables stay the authority; like the quote read model, each table is
-- rebuilt from offset zero into `<table>_next` (created LIKE it, at run time) and swapped in by
-- renaming, in one transaction. No CHECKs on values the events carry: a read model refusing an
-- event would dead-letter it; the contract (contracts/asyncapi/cpq-events.yaml) validates them.

-- Two more projections, each with its own generations (consumers projector-orders-g<N>,
-- projector-worklist-g<N>).
INSERT INTO projection_state (projection, generation, last_started) VALUES ('orders', 1, 1), ('worklist', 1, 1);

-- One row per order, from cpq.order.events.
CREATE TABLE order_read_model (
  order_id            uuid           PRIMARY KEY,
  tenant_id           varchar(64)    NOT NULL,
  quote_id            uuid           NOT NULL,
  quote_revision      integer        NOT NULL,
  account_id          varchar(120)   NOT NULL,
  source              varchar(10)    NOT NULL,
  basis               varchar(10),
  state               varchar(20)    NOT NULL,
  line_count          integer        NOT NULL,
  plan_version        integer,
  release_id          uuid,
  step_count          integer        NOT NULL,
  wave_count          integer        NOT NULL,
  -- The current plan's steps that moved: step key -> { state, attempt, externalReference, reason, updatedAt }.
  steps               jsonb          NOT NULL,
  steps_done          integer        NOT NULL,
  process_instance_id varchar(64),
  open_fallout        integer        NOT NULL,
  fallout_total       integer        NOT NULL,
  cancel_reason       text,
  assets_changed      integer        NOT NULL,
  version             bigint         NOT NULL,
  created_at          timestamptz(6) NOT NULL,
  updated_at          timestamptz(6) NOT NULL
);
CREATE INDEX ix_order_read_model_tenant_state ON order_read_model (tenant_id, state, updated_at DESC);
CREATE INDEX ix_order_read_model_account ON order_read_model (tenant_id, account_id, created_at DESC);
CREATE INDEX ix_order_read_model_quote ON order_read_model (quote_id);

-- Open work per tenant and role: approval levels awaiting a decision (cpq.quote.events) and
-- fallout cases (cpq.order.events), each with its SLA due time. A closed item is deleted.
CREATE TABLE worklist_item (
  -- approval:<quoteId>:<revision>:<level> or fallout:<caseId>
  item_id         varchar(200)   PRIMARY KEY,
  kind            varchar(10)    NOT NULL,
  tenant_id       varchar(64)    NOT NULL,
  role            varchar(60)    NOT NULL,
  quote_id        uuid,
  revision        integer,
  level           integer,
  work_item_id    varchar(64),
  order_id        uuid,
  case_id         uuid,
  step_key        varchar(140),
  category        varchar(20),
  source          varchar(24),
  allowed_actions jsonb,
  reason          text,
  opened_at       timestamptz(6) NOT NULL,
  due_at          timestamptz(6) NOT NULL,
  -- The reducer's shape, not the events' values: an item is one of the two kinds, with its keys.
  CONSTRAINT ck_worklist_item_kind CHECK (
    (kind = 'approval' AND quote_id IS NOT NULL AND revision IS NOT NULL AND level IS NOT NULL)
    OR (kind = 'fallout' AND order_id IS NOT NULL AND case_id IS NOT NULL))
);
CREATE INDEX ix_worklist_item_role_due ON worklist_item (tenant_id, role, due_at);
CREATE INDEX ix_worklist_item_quote ON worklist_item (quote_id, revision) WHERE kind = 'approval';
