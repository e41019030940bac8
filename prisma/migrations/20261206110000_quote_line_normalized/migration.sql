-- Pricing reads each line's normalized selections and options. From the `json` configuration
-- document PostgreSQL parsed the whole document once per `->`, twice per line: ~1 KB x 2 x 500 lines
-- for a 500-line price (docs/benchmarks.md). A stored generated column keeps the normalized part as
-- jsonb, written with the line (every writer gets it for free), read without parsing.
-- Adding it rewrites quote_line once (an ACCESS EXCLUSIVE lock for the rewrite).
ALTER TABLE quote_line ADD COLUMN normalized jsonb GENERATED ALWAYS AS ((configuration -> 'normalized')::jsonb) STORED;
