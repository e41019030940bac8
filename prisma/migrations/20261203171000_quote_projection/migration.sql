-- Issue 12, item 3: the projector role's quote read model and approval worklist, built from Kafka
-- through the idempotent consumer (connectors/src/projections). Derived data: the domain tables
-- stay the authority; a rebuild replays the topic from offset zero into `<table>_next` (created
-- LIKE these, at run time) and swaps it in by renaming, in one transaction.

-- Which generation of a projection is live. The consumer of generation N is named
-- `projector-<projection>-g<N>` (its Kafka group and inbox). Handlers read this row FOR SHARE,
-- the swap locks it FOR UPDATE: no event is applied to a table while it is renamed.
CREATE TABLE projection_state (
  projection  varchar(60)    PRIMARY KEY,
  generation  integer        NOT NULL,
  -- The highest generation a rebuild started: an aborted rebuild's generation is never reused
  -- (its Kafka group has offsets and its inbox has rows).
  last_started integer       NOT NULL,
  rebuilt_at  timestamptz(6),
  CONSTRAINT ck_projection_generation CHECK (generation >= 1 AND last_started >= generation)
);
INSERT INTO projection_state (projection, generation, last_started) VALUES ('quotes', 1, 1);

CREATE TABLE quote_read_model (
  quote_id      uuid           PRIMARY KEY,
  tenant_id     varchar(64)    NOT NULL,
  revision      integer        NOT NULL,
  state         varchar(20)    NOT NULL,
  account_id    varchar(120)   NOT NULL,
  owner_id      varchar(120)   NOT NULL,
  currency      char(3)        NOT NULL,
  term_months   integer        NOT NULL,
  release_id    uuid           NOT NULL,
  line_count    integer        NOT NULL,
  totals        jsonb,
  document_id   uuid,
  version       bigint         NOT NULL,
  updated_at    timestamptz(6) NOT NULL
);
CREATE INDEX ix_quote_read_model_tenant_state ON quote_read_model (tenant_id, state, updated_at DESC);

CREATE TABLE approval_worklist (
  quote_id      uuid           NOT NULL,
  revision      integer        NOT NULL,
  level         integer        NOT NULL,
  tenant_id     varchar(64)    NOT NULL,
  role          varchar(60)    NOT NULL,
  due_at        timestamptz(6) NOT NULL,
  work_item_id  varchar(64),
  requested_at  timestamptz(6) NOT NULL,
  PRIMARY KEY (quote_id, revision, level)
);
CREATE INDEX ix_approval_worklist_role_due ON approval_worklist (tenant_id, role, due_at);
