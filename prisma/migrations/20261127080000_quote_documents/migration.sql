-- Quote documents (issue 5, item 5): the PDF printed for one quote revision from one template
-- version, with the sha256 of the file and of the canonical material facts it shows. Accept
-- compares facts_sha256 with the revision's current facts, so a row is evidence and never
-- changes. Owner: engine/src/modules/document. No FK to a quote table: the quote module
-- adds it when its tables exist.

CREATE TABLE quote_document (
  id                uuid           PRIMARY KEY,
  tenant_id         varchar(64)    NOT NULL REFERENCES tenant(id),
  quote_id          varchar(64)    NOT NULL,
  revision          integer        NOT NULL,
  template_key      varchar(60)    NOT NULL,
  template_version  integer        NOT NULL,
  file_sha256       char(64)       NOT NULL,
  facts_sha256      char(64)       NOT NULL,
  facts             jsonb          NOT NULL,
  content           bytea          NOT NULL,
  size_bytes        integer        NOT NULL,
  created_by        varchar(120)   NOT NULL,
  created_at        timestamptz(6) NOT NULL DEFAULT now(),
  CONSTRAINT ck_quote_document_revision CHECK (revision >= 1),
  CONSTRAINT ck_quote_document_template_version CHECK (template_version >= 1),
  CONSTRAINT ck_quote_document_facts_sha256 CHECK (facts_sha256 ~ '^[0-9a-f]{64}$'),
  -- The file hash and size are checked against the stored bytes, not taken on trust.
  CONSTRAINT ck_quote_document_file_sha256 CHECK (file_sha256 = encode(sha256(content), 'hex')),
  CONSTRAINT ck_quote_document_size CHECK (size_bytes > 0 AND size_bytes = octet_length(content)),
  -- The facts printed are the facts of this row's tenant, quote and revision.
  CONSTRAINT ck_quote_document_facts_owner CHECK (
    jsonb_typeof(facts) = 'object'
    AND facts->>'tenantId' = tenant_id
    AND facts->>'quoteId' = quote_id
    AND facts->'revision' = to_jsonb(revision)
  )
);

-- A revision's documents, newest last (generate, accept, the quote's document list).
CREATE INDEX ix_quote_document_quote ON quote_document (tenant_id, quote_id, revision);

-- A document a customer may hold is never rewritten or removed; a new one is a new row.
CREATE TRIGGER tg_quote_document_immutable BEFORE UPDATE OR DELETE ON quote_document
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER tg_quote_document_no_truncate BEFORE TRUNCATE ON quote_document
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
