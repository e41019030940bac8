-- The price evidence of a large quote is a JSON document of up to a few MB (every line's trace).
-- PostgreSQL compresses it when it TOASTs the row; its default method (pglz) took tens of ms for
-- a 1.7 MB result on the benchmark machine, lz4 a fraction of that at a similar size
-- (docs/benchmarks.md). New rows only: existing values stay as they were written.
-- Needs a server built with lz4 (the Debian and official PostgreSQL 15 packages are).
ALTER TABLE price_result ALTER COLUMN result SET COMPRESSION lz4;
