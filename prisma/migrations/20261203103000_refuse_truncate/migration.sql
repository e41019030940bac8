-- Issue 8, item 7: TRUNCATE fires no row trigger, so the append-only and immutability triggers
-- (BEFORE UPDATE OR DELETE ... FOR EACH ROW) did not stop it: `TRUNCATE audit_record` emptied
-- the audit trail. Rule from here on: every table whose rows refuse DELETE also refuses
-- TRUNCATE (quote_document already did). Also refused when reached by TRUNCATE ... CASCADE.
-- refuse_change() is the function of 20261127070000 (raises restrict_violation, 23001).

CREATE TRIGGER tg_audit_record_no_truncate BEFORE TRUNCATE ON audit_record
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER tg_metadata_release_no_truncate BEFORE TRUNCATE ON metadata_release
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER tg_metadata_release_item_no_truncate BEFORE TRUNCATE ON metadata_release_item
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER tg_release_candidate_item_no_truncate BEFORE TRUNCATE ON release_candidate_item
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER tg_price_result_no_truncate BEFORE TRUNCATE ON price_result
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER tg_outbox_event_no_truncate BEFORE TRUNCATE ON outbox_event
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
