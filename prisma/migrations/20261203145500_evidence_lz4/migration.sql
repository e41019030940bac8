-- Large evidence documents are compressed with lz4 instead of pglz when TOASTed: a 500-line
-- price result (about 1.3 MB of trace) is written on every price command, and pglz costs about
-- twice lz4's CPU on the cores PostgreSQL shares with the engine (docs/benchmarks.md). Only
-- values written from now on use it; old ones stay readable as they are.
ALTER TABLE price_result ALTER COLUMN result SET COMPRESSION lz4;
ALTER TABLE quote_line ALTER COLUMN configuration SET COMPRESSION lz4;
