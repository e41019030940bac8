-- Issue 8, item 7: the freshness CHECKs of 20261127083000_quotes compared nullable columns
-- (`priced_material_version = material_version`, `approved_price_result_id = price_result_id`),
-- and a CHECK whose expression is NULL passes: an accepted revision with no price result and
-- no approval could be inserted by SQL. Every term below is written so it is never NULL
-- (IS NOT NULL, IS NOT DISTINCT FROM against a NOT NULL column), so the checks hold.
--
-- Meaning (seed section 5, ADR 0008):
-- * priced, submitted, approved, accepted: a price result of the current material version;
-- * approved, accepted: an approval of the current material version, of that same price result;
-- * accepted: the document shown to the customer and who accepted.
-- `priced` is new here: the only way into it is the price command, and every material change
-- leaves it for draft (quote.state.ts), so a priced revision always has a fresh price.

ALTER TABLE quote_revision DROP CONSTRAINT ck_quote_revision_price_fresh;
ALTER TABLE quote_revision DROP CONSTRAINT ck_quote_revision_approval_fresh;

ALTER TABLE quote_revision ADD CONSTRAINT ck_quote_revision_price_fresh CHECK (
  state NOT IN ('priced', 'submitted', 'approved', 'accepted')
  OR (price_result_id IS NOT NULL AND priced_material_version IS NOT DISTINCT FROM material_version)
);

ALTER TABLE quote_revision ADD CONSTRAINT ck_quote_revision_approval_fresh CHECK (
  state NOT IN ('approved', 'accepted')
  OR (approved_price_result_id IS NOT NULL
      AND approved_price_result_id IS NOT DISTINCT FROM price_result_id
      AND approval_material_version IS NOT DISTINCT FROM material_version)
);

ALTER TABLE quote_revision ADD CONSTRAINT ck_quote_revision_acceptance CHECK (
  state <> 'accepted' OR (document_id IS NOT NULL AND accepted_by IS NOT NULL)
);

-- The references the quotes migration left as bare uuids. price_result and quote_document rows
-- are never deleted or updated (triggers), so the referencing columns need no index for
-- cascades. (The price result's own FK points back at the revision: a price result is
-- inserted after its revision and before the revision names it, so no deferral is needed.)
ALTER TABLE quote_revision ADD CONSTRAINT fk_quote_revision_price_result
  FOREIGN KEY (price_result_id) REFERENCES price_result(id);
ALTER TABLE quote_revision ADD CONSTRAINT fk_quote_revision_approved_price_result
  FOREIGN KEY (approved_price_result_id) REFERENCES price_result(id);
ALTER TABLE quote_revision ADD CONSTRAINT fk_quote_revision_document
  FOREIGN KEY (document_id) REFERENCES quote_document(id);
