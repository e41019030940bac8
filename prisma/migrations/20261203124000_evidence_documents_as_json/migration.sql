-- Evidence documents are written once and read back whole; nothing queries inside them with
-- jsonb operators or indexes. As `json` they are stored as the text the engine wrote (checked
-- for syntax only) instead of being decomposed into jsonb on every insert: pricing a 500-line
-- quote writes a trace of several MB (docs/benchmarks.md, price command).
ALTER TABLE price_result ALTER COLUMN result TYPE json USING result::json;
ALTER TABLE quote_line ALTER COLUMN configuration TYPE json USING configuration::json;
