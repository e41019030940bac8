-- Issue 8, item 7, contract step (after 20261203101000_quote_document_quote_uuid_expand): the
-- uuid column takes the name quote_id, NOT NULL, with its FK to quote(id); the varchar column,
-- its index and the sync trigger go. Code keeps writing `quote_id`, now a uuid.

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM quote_document WHERE quote_uuid IS NULL) THEN
    RAISE EXCEPTION 'quote_document rows without quote_uuid: run the expand step''s backfill first';
  END IF;
END $$;

DROP TRIGGER tg_quote_document_quote_uuid_sync ON quote_document;
DROP FUNCTION quote_document_quote_uuid_sync();

-- The facts CHECK names the old column; it comes back below, NULL-safe this time (a facts
-- object without tenantId/quoteId/revision made the old comparison NULL, which passed).
ALTER TABLE quote_document DROP CONSTRAINT ck_quote_document_facts_owner;
DROP INDEX ix_quote_document_quote;
ALTER TABLE quote_document DROP COLUMN quote_id;
ALTER TABLE quote_document RENAME COLUMN quote_uuid TO quote_id;
ALTER TABLE quote_document ALTER COLUMN quote_id SET NOT NULL;
ALTER INDEX ix_quote_document_quote_uuid RENAME TO ix_quote_document_quote;

ALTER TABLE quote_document ADD CONSTRAINT ck_quote_document_facts_owner CHECK (
  jsonb_typeof(facts) = 'object'
  AND (facts->>'tenantId') IS NOT DISTINCT FROM tenant_id
  AND lower(facts->>'quoteId') IS NOT DISTINCT FROM quote_id::text
  AND (facts->'revision') IS NOT DISTINCT FROM to_jsonb(revision)
);
