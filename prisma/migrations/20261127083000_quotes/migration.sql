-- Quotes: quote -> revisions -> lines; immutable price results and approval decisions;
-- workflow correlation. Invariants of seed section 5 held in SQL where a constraint can.

CREATE TABLE quote (
  id              uuid          PRIMARY KEY,
  tenant_id       varchar(64)   NOT NULL REFERENCES tenant(id),
  account_id      varchar(120)  NOT NULL,
  customer_name   varchar(200)  NOT NULL,
  owner_id        varchar(120)  NOT NULL,
  team            varchar(120),
  currency        char(3)       NOT NULL,
  term_months     integer       NOT NULL,
  current_revision integer      NOT NULL DEFAULT 1,
  version         integer       NOT NULL DEFAULT 1,
  created_at      timestamptz(6) NOT NULL DEFAULT now(),
  updated_at      timestamptz(6) NOT NULL DEFAULT now(),
  CONSTRAINT ck_quote_term CHECK (term_months BETWEEN 1 AND 120)
);
CREATE INDEX ix_quote_tenant_owner ON quote (tenant_id, owner_id, created_at DESC);
CREATE INDEX ix_quote_tenant_account ON quote (tenant_id, account_id, created_at DESC);

CREATE TABLE quote_revision (
  tenant_id                  varchar(64)   NOT NULL REFERENCES tenant(id),
  quote_id                   uuid          NOT NULL REFERENCES quote(id),
  revision                   integer       NOT NULL,
  state                      varchar(20)   NOT NULL,
  release_id                 uuid          NOT NULL REFERENCES metadata_release(id),
  -- Incremented by every material change (lines, configuration, quantities, discounts, term).
  material_version           integer       NOT NULL DEFAULT 1,
  price_result_id            uuid,
  priced_material_version    integer,
  approval_material_version  integer,
  approved_price_result_id   uuid,
  valid_until                date          NOT NULL,
  document_id                uuid,
  submitted_by               varchar(120),
  submitted_at               timestamptz(6),
  accepted_by                varchar(120),
  accepted_at                timestamptz(6),
  acceptance_evidence        jsonb,
  version                    integer       NOT NULL DEFAULT 1,
  created_at                 timestamptz(6) NOT NULL DEFAULT now(),
  updated_at                 timestamptz(6) NOT NULL DEFAULT now(),
  CONSTRAINT quote_revision_pkey PRIMARY KEY (quote_id, revision),
  CONSTRAINT ck_quote_revision_state CHECK (state IN ('draft', 'priced', 'submitted', 'approved', 'rejected', 'accepted', 'expired', 'withdrawn', 'superseded')),
  -- A stale price (older than the last material change) cannot be submitted, approved or accepted.
  CONSTRAINT ck_quote_revision_price_fresh CHECK (state NOT IN ('submitted', 'approved', 'accepted') OR priced_material_version = material_version),
  -- A stale approval cannot be accepted; acceptance needs the approved price result and a document.
  CONSTRAINT ck_quote_revision_approval_fresh CHECK (state <> 'accepted' OR (approval_material_version = material_version AND approved_price_result_id = price_result_id AND document_id IS NOT NULL AND accepted_by IS NOT NULL))
);
-- At most one accepted revision per quote (seed section 8).
CREATE UNIQUE INDEX uq_quote_one_accepted_revision ON quote_revision (tenant_id, quote_id) WHERE state = 'accepted';

CREATE TABLE quote_line (
  tenant_id             varchar(64)   NOT NULL REFERENCES tenant(id),
  quote_id              uuid          NOT NULL,
  revision              integer       NOT NULL,
  line_id               varchar(64)   NOT NULL,
  position              integer       NOT NULL,
  offering              varchar(100)  NOT NULL,
  quantity              integer       NOT NULL,
  selections            jsonb         NOT NULL,
  configuration         jsonb,
  configuration_hash    char(64),
  configuration_valid   boolean,
  release_id            uuid          NOT NULL REFERENCES metadata_release(id),
  manual_discount       jsonb,
  CONSTRAINT quote_line_pkey PRIMARY KEY (quote_id, revision, line_id),
  CONSTRAINT fk_quote_line_revision FOREIGN KEY (quote_id, revision) REFERENCES quote_revision(quote_id, revision),
  CONSTRAINT ck_quote_line_quantity CHECK (quantity >= 1)
);

CREATE TABLE price_result (
  id                uuid          PRIMARY KEY,
  tenant_id         varchar(64)   NOT NULL REFERENCES tenant(id),
  quote_id          uuid          NOT NULL,
  revision          integer       NOT NULL,
  material_version  integer       NOT NULL,
  release_id        uuid          NOT NULL REFERENCES metadata_release(id),
  result            jsonb         NOT NULL,
  result_hash       char(64)      NOT NULL,
  created_by        varchar(120)  NOT NULL,
  created_at        timestamptz(6) NOT NULL DEFAULT now(),
  CONSTRAINT fk_price_result_revision FOREIGN KEY (quote_id, revision) REFERENCES quote_revision(quote_id, revision)
);
-- A price result is immutable evidence (seed section 5, pricing invariants).
CREATE TRIGGER tg_price_result_immutable BEFORE UPDATE OR DELETE ON price_result FOR EACH ROW EXECUTE FUNCTION refuse_change();

CREATE TABLE approval_decision (
  id                 uuid          PRIMARY KEY,
  tenant_id          varchar(64)   NOT NULL REFERENCES tenant(id),
  quote_id           uuid          NOT NULL,
  revision           integer       NOT NULL,
  level              integer       NOT NULL,
  role               varchar(60)   NOT NULL,
  outcome            varchar(10)   NOT NULL,
  decided_by         varchar(120)  NOT NULL,
  reason             text,
  -- What the approver was entitled to at the time (seed: approval authority snapshotted).
  authority          jsonb         NOT NULL,
  price_result_id    uuid          NOT NULL REFERENCES price_result(id),
  material_version   integer       NOT NULL,
  camunda_task_id    varchar(64),
  task_completed_at  timestamptz(6),
  decided_at         timestamptz(6) NOT NULL DEFAULT now(),
  CONSTRAINT fk_approval_decision_revision FOREIGN KEY (quote_id, revision) REFERENCES quote_revision(quote_id, revision),
  CONSTRAINT ck_approval_outcome CHECK (outcome IN ('approved', 'rejected'))
);
-- One decision per level of a revision.
CREATE UNIQUE INDEX uq_approval_decision_level ON approval_decision (quote_id, revision, level);

CREATE TABLE approval_requirement (
  tenant_id   varchar(64)   NOT NULL REFERENCES tenant(id),
  quote_id    uuid          NOT NULL,
  revision    integer       NOT NULL,
  level       integer       NOT NULL,
  role        varchar(60)   NOT NULL,
  reasons     jsonb         NOT NULL,
  requested_by varchar(120) NOT NULL,
  due_at      timestamptz(6) NOT NULL,
  created_at  timestamptz(6) NOT NULL DEFAULT now(),
  CONSTRAINT approval_requirement_pkey PRIMARY KEY (quote_id, revision, level),
  CONSTRAINT fk_approval_requirement_revision FOREIGN KEY (quote_id, revision) REFERENCES quote_revision(quote_id, revision)
);

CREATE TABLE workflow_correlation (
  id                   uuid          PRIMARY KEY,
  tenant_id            varchar(64)   NOT NULL REFERENCES tenant(id),
  domain_type          varchar(40)   NOT NULL,
  domain_id            varchar(200)  NOT NULL,
  process_key          varchar(100)  NOT NULL,
  business_key         varchar(255)  NOT NULL,
  process_instance_id  varchar(64),
  status               varchar(20)   NOT NULL,
  created_at           timestamptz(6) NOT NULL DEFAULT now(),
  updated_at           timestamptz(6) NOT NULL DEFAULT now(),
  CONSTRAINT ck_workflow_status CHECK (status IN ('STARTING', 'STARTED', 'RUNNING', 'SUSPENDED', 'COMPLETED', 'FAILED', 'CANCELLED'))
);
-- One active workflow per domain intent (seed section 8).
CREATE UNIQUE INDEX uq_active_workflow_domain ON workflow_correlation (tenant_id, domain_type, domain_id, process_key)
  WHERE status IN ('STARTING', 'STARTED', 'RUNNING', 'SUSPENDED');
CREATE INDEX ix_workflow_business_key ON workflow_correlation (business_key);
