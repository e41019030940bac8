-- Issue 8, item 7, expand step: quote_document.quote_id is varchar(64) with no FK (the document
-- migration predates the quote tables), while quote ids are uuid. Expand/contract (STYLE.md
-- habit 10): this migration adds `quote_uuid uuid REFERENCES quote(id)`, backfills it and keeps
-- it in step with `quote_id` on every insert, so code writing either column keeps working;
-- 20261203102000_quote_document_quote_uuid_contract then drops the varchar and takes its name.

-- A document of no quote cannot be given a foreign key: stop with a list to resolve by hand
-- rather than with a bare FK violation.
DO $$
DECLARE
  orphans integer;
  example text;
BEGIN
  SELECT count(*), min(d.id::text) INTO orphans, example
    FROM quote_document d
   WHERE NOT EXISTS (SELECT 1 FROM quote q WHERE q.id::text = lower(d.quote_id));
  IF orphans > 0 THEN
    RAISE EXCEPTION 'quote_document has % row(s) whose quote_id names no quote (e.g. document %); resolve them before this migration', orphans, example;
  END IF;
END $$;

ALTER TABLE quote_document ADD COLUMN quote_uuid uuid;
ALTER TABLE quote_document ADD CONSTRAINT fk_quote_document_quote FOREIGN KEY (quote_uuid) REFERENCES quote(id);

-- Kept in step on insert (rows are never updated: tg_quote_document_immutable). Either column
-- may be given; both given must agree. NOT NULL on quote_id is checked after this trigger.
CREATE FUNCTION quote_document_quote_uuid_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.quote_uuid IS NULL THEN
    NEW.quote_uuid := NEW.quote_id::uuid;
  ELSIF NEW.quote_id IS NULL THEN
    NEW.quote_id := NEW.quote_uuid::text;
  ELSIF NEW.quote_uuid IS DISTINCT FROM NEW.quote_id::uuid THEN
    RAISE EXCEPTION 'quote_document quote_id % and quote_uuid % disagree', NEW.quote_id, NEW.quote_uuid
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER tg_quote_document_quote_uuid_sync BEFORE INSERT ON quote_document
  FOR EACH ROW EXECUTE FUNCTION quote_document_quote_uuid_sync();

-- The backfill is the one sanctioned update of these immutable rows: the trigger is off only
-- inside this migration's transaction, which holds the table's ACCESS EXCLUSIVE lock from the
-- ALTER TABLE above, so no other session can write meanwhile.
ALTER TABLE quote_document DISABLE TRIGGER tg_quote_document_immutable;
UPDATE quote_document SET quote_uuid = quote_id::uuid WHERE quote_uuid IS NULL;
ALTER TABLE quote_document ENABLE TRIGGER tg_quote_document_immutable;

CREATE INDEX ix_quote_document_quote_uuid ON quote_document (tenant_id, quote_uuid, revision);
