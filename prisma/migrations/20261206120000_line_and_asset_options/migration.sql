-- A bundle's configured options kept with the order line and the installed asset (issue 11; ADR
-- 0022, fourth addendum). The order line takes them from the accepted revision's snapshot (O1: the
-- quote line's normalized children, each option's offering, quantity and normalized selections,
-- explicit zeros kept); the asset from the order line that installed or last modified it. A change
-- or renewal quote starts its line from them and compares the line's options with them.
-- Owned by engine/src/modules/order (order_line, installed_asset).
--
-- Nullable, no backfill: NULL is "not known" (rows from before this, whose options were never
-- kept; the change pricing treats them as before). [] is a line without options. Adding a
-- nullable column without a default rewrites nothing and fires no row trigger (order_line's
-- immutability trigger is a row trigger on UPDATE/DELETE).
ALTER TABLE order_line ADD COLUMN options jsonb;
ALTER TABLE installed_asset ADD COLUMN options jsonb;
