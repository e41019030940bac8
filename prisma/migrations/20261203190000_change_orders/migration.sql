-- Change orders and renewals on the installed base (issue 11, item 10, second half; ADR 0022).
-- A quote is made for new business, or from an account's installed assets as a change or a
-- renewal; its lines carry the action an order will take (O2 starts at the quote) and, when they
-- act on an asset, the asset's id, the version it was quoted from and what it was (the baseline
-- the delta is priced against). Owned by engine/src/modules/quote (quote, quote_line) and
-- engine/src/modules/order (customer_order, order_line).

ALTER TABLE quote ADD COLUMN basis varchar(10) NOT NULL DEFAULT 'new';
ALTER TABLE quote ADD CONSTRAINT ck_quote_basis CHECK (basis IN ('new', 'change', 'renewal'));

ALTER TABLE quote_line ADD COLUMN action varchar(12) NOT NULL DEFAULT 'add';
ALTER TABLE quote_line ADD COLUMN asset_id uuid;
ALTER TABLE quote_line ADD COLUMN asset_version integer;
-- The asset as the quote found it: offering, quantity, selections, charges, term (json).
ALTER TABLE quote_line ADD COLUMN baseline jsonb;
ALTER TABLE quote_line ADD CONSTRAINT ck_quote_line_action CHECK (action IN ('add', 'modify', 'disconnect', 'no-change'));
-- An add creates an asset and names none; every other action names the asset, its version and baseline.
ALTER TABLE quote_line ADD CONSTRAINT ck_quote_line_asset CHECK (
  (action = 'add' AND asset_id IS NULL AND asset_version IS NULL AND baseline IS NULL)
  OR (action <> 'add' AND asset_id IS NOT NULL AND asset_version IS NOT NULL AND baseline IS NOT NULL));
-- One line per asset and revision: an asset is changed once by a quote.
CREATE UNIQUE INDEX uq_quote_line_asset ON quote_line (quote_id, revision, asset_id) WHERE asset_id IS NOT NULL;

-- The order keeps the basis (a renewal's modify lines renew the asset's term) and, per line, the
-- asset version its quote was made from: an asset changed since is a stale change (fallout).
ALTER TABLE customer_order ADD COLUMN basis varchar(10) NOT NULL DEFAULT 'new';
ALTER TABLE customer_order ADD CONSTRAINT ck_customer_order_basis CHECK (basis IN ('new', 'change', 'renewal'));
ALTER TABLE order_line ADD COLUMN asset_version integer;
-- Finding an asset's changes in flight (planning refuses a second one).
CREATE INDEX ix_order_line_asset ON order_line (asset_id) WHERE asset_id IS NOT NULL;
