-- Issue 12, item 1 (ADR 0019): the W3C traceparent of the span that wrote an event, so the relay
-- publishes it as a child of the command's trace and consumers continue that trace. NULL when
-- the writer was not traced (tracing off) and on every older row. Expand-only: nothing reads it
-- as required.
ALTER TABLE outbox_event ADD COLUMN trace_parent varchar(64);

-- The row stays a fact: its trace context is as immutable as the rest of it.
CREATE OR REPLACE FUNCTION outbox_event_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'outbox_event rows are append-only (event %)', OLD.event_id
      USING ERRCODE = 'restrict_violation';
  END IF;
  IF (NEW.event_id, NEW.event_type, NEW.event_version, NEW.tenant_id, NEW.aggregate_type,
      NEW.aggregate_id, NEW.aggregate_version, NEW.occurred_at, NEW.correlation_id,
      NEW.causation_id, NEW.actor, NEW.payload, NEW.topic, NEW.trace_parent)
     IS DISTINCT FROM
     (OLD.event_id, OLD.event_type, OLD.event_version, OLD.tenant_id, OLD.aggregate_type,
      OLD.aggregate_id, OLD.aggregate_version, OLD.occurred_at, OLD.correlation_id,
      OLD.causation_id, OLD.actor, OLD.payload, OLD.topic, OLD.trace_parent) THEN
    RAISE EXCEPTION 'outbox_event % is immutable; only publication bookkeeping may change', OLD.event_id
      USING ERRCODE = 'restrict_violation';
  END IF;
  IF OLD.published_at IS NOT NULL AND NEW.published_at IS DISTINCT FROM OLD.published_at THEN
    RAISE EXCEPTION 'outbox_event % was already published', OLD.event_id
      USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END $$;
