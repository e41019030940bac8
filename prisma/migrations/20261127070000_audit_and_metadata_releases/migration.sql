-- Audit evidence (append-only) and the metadata release lifecycle:
-- drafts -> release candidate (immutable snapshot, validated, reviewed) -> release (immutable).

CREATE TABLE audit_record (
  id              bigserial     PRIMARY KEY,
  tenant_id       varchar(64)   NOT NULL REFERENCES tenant(id),
  actor_type      varchar(20)   NOT NULL,
  actor_id        varchar(120)  NOT NULL,
  action          varchar(120)  NOT NULL,
  target_type     varchar(60)   NOT NULL,
  target_id       varchar(200)  NOT NULL,
  reason          text,
  details         jsonb         NOT NULL DEFAULT '{}'::jsonb,
  correlation_id  varchar(120)  NOT NULL,
  occurred_at     timestamptz(6) NOT NULL DEFAULT now(),
  CONSTRAINT ck_audit_actor_type CHECK (actor_type IN ('USER', 'SYSTEM', 'WORKER', 'CUSTOMER'))
);
CREATE INDEX ix_audit_target ON audit_record (tenant_id, target_type, target_id, id);

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% rows are immutable (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
END $$;

CREATE TRIGGER tg_audit_record_append_only BEFORE UPDATE OR DELETE ON audit_record
  FOR EACH ROW EXECUTE FUNCTION refuse_change();

CREATE TABLE metadata_draft (
  tenant_id   varchar(64)   NOT NULL REFERENCES tenant(id),
  kind        varchar(60)   NOT NULL,
  key         varchar(100)  NOT NULL,
  content     jsonb         NOT NULL,
  version     integer       NOT NULL DEFAULT 1,
  authors     text[]        NOT NULL,
  created_by  varchar(120)  NOT NULL,
  updated_by  varchar(120)  NOT NULL,
  created_at  timestamptz(6) NOT NULL DEFAULT now(),
  updated_at  timestamptz(6) NOT NULL DEFAULT now(),
  CONSTRAINT metadata_draft_pkey PRIMARY KEY (tenant_id, kind, key),
  CONSTRAINT ck_metadata_draft_key CHECK (key ~ '^[a-z0-9][a-z0-9-]{0,99}$'),
  CONSTRAINT ck_metadata_draft_version CHECK (version >= 1),
  CONSTRAINT ck_metadata_draft_authors CHECK (cardinality(authors) >= 1)
);

CREATE TABLE release_candidate (
  id                   uuid          PRIMARY KEY,
  tenant_id            varchar(64)   NOT NULL REFERENCES tenant(id),
  title                varchar(200)  NOT NULL,
  state                varchar(20)   NOT NULL,
  base_release_id      uuid,
  issues               jsonb         NOT NULL DEFAULT '[]'::jsonb,
  created_by           varchar(120)  NOT NULL,
  review_requested_by  varchar(120),
  decided_by           varchar(120),
  decision_reason      text,
  version              integer       NOT NULL DEFAULT 1,
  created_at           timestamptz(6) NOT NULL DEFAULT now(),
  updated_at           timestamptz(6) NOT NULL DEFAULT now(),
  CONSTRAINT ck_release_candidate_state CHECK (state IN ('invalid', 'validated', 'in-review', 'approved', 'rejected', 'published'))
);
CREATE INDEX ix_release_candidate_tenant ON release_candidate (tenant_id, created_at DESC);

CREATE TABLE release_candidate_item (
  candidate_id   uuid          NOT NULL REFERENCES release_candidate(id),
  tenant_id      varchar(64)   NOT NULL REFERENCES tenant(id),
  kind           varchar(60)   NOT NULL,
  key            varchar(100)  NOT NULL,
  content        jsonb         NOT NULL,
  content_hash   char(64)      NOT NULL,
  draft_version  integer       NOT NULL,
  authors        text[]        NOT NULL,
  CONSTRAINT release_candidate_item_pkey PRIMARY KEY (candidate_id, kind, key)
);
-- A candidate is the exact set a reviewer saw: its items never change.
CREATE TRIGGER tg_release_candidate_item_immutable BEFORE UPDATE OR DELETE ON release_candidate_item
  FOR EACH ROW EXECUTE FUNCTION refuse_change();

CREATE TABLE metadata_release (
  id                     uuid          PRIMARY KEY,
  tenant_id              varchar(64)   NOT NULL REFERENCES tenant(id),
  release_number         integer       NOT NULL,
  content_hash           char(64)      NOT NULL,
  candidate_id           uuid          NOT NULL REFERENCES release_candidate(id),
  base_release_id        uuid          REFERENCES metadata_release(id),
  item_count             integer       NOT NULL,
  published_by           varchar(120)  NOT NULL,
  approved_by            varchar(120)  NOT NULL,
  camunda_deployment_id  varchar(64),
  published_at           timestamptz(6) NOT NULL DEFAULT now(),
  CONSTRAINT ck_metadata_release_number CHECK (release_number >= 1)
);
-- Monotonic, gap-free numbering per tenant (assigned under the tenant row lock).
CREATE UNIQUE INDEX uq_metadata_release_number ON metadata_release (tenant_id, release_number);
CREATE UNIQUE INDEX uq_metadata_release_candidate ON metadata_release (candidate_id);

CREATE TABLE metadata_release_item (
  release_id    uuid          NOT NULL REFERENCES metadata_release(id),
  tenant_id     varchar(64)   NOT NULL REFERENCES tenant(id),
  kind          varchar(60)   NOT NULL,
  key           varchar(100)  NOT NULL,
  content       jsonb         NOT NULL,
  content_hash  char(64)      NOT NULL,
  CONSTRAINT metadata_release_item_pkey PRIMARY KEY (release_id, kind, key)
);

-- Published releases are never changed or deleted (retiring an item is a change in a new release).
CREATE TRIGGER tg_metadata_release_immutable BEFORE UPDATE OR DELETE ON metadata_release
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER tg_metadata_release_item_immutable BEFORE UPDATE OR DELETE ON metadata_release_item
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
