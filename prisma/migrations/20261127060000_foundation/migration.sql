-- Foundation: tenants, the transactional outbox, and the consumer inbox.

CREATE TABLE tenant (
  id          varchar(64)  PRIMARY KEY,
  name        varchar(200) NOT NULL,
  created_at  timestamptz(6) NOT NULL DEFAULT now(),
  CONSTRAINT ck_tenant_id_format CHECK (id ~ '^[a-z0-9][a-z0-9-]{1,63}$')
);

-- Seed section 9 envelope. `position` gives commit order; the relay publishes per
-- aggregate in that order and records publication on the row it published.
CREATE TABLE outbox_event (
  position           bigserial     PRIMARY KEY,
  event_id           uuid          NOT NULL,
  event_type         varchar(120)  NOT NULL,
  event_version      integer       NOT NULL,
  tenant_id          varchar(64)   NOT NULL,
  aggregate_type     varchar(60)   NOT NULL,
  aggregate_id       varchar(120)  NOT NULL,
  aggregate_version  bigint        NOT NULL,
  occurred_at        timestamptz(6) NOT NULL,
  correlation_id     varchar(120)  NOT NULL,
  causation_id       varchar(120),
  actor              jsonb         NOT NULL,
  payload            jsonb         NOT NULL,
  topic              varchar(200)  NOT NULL,
  published_at       timestamptz(6),
  publish_attempts   integer       NOT NULL DEFAULT 0,
  last_error         text,
  CONSTRAINT ck_outbox_event_version CHECK (event_version >= 1),
  CONSTRAINT ck_outbox_aggregate_version CHECK (aggregate_version >= 0),
  CONSTRAINT ck_outbox_actor_shape CHECK (jsonb_typeof(actor) = 'object' AND actor ? 'type' AND actor ? 'id'),
  CONSTRAINT ck_outbox_payload_object CHECK (jsonb_typeof(payload) = 'object')
);

-- Outbox identity must be stable (seed section 8).
CREATE UNIQUE INDEX uq_outbox_event_id ON outbox_event (event_id);
-- The relay's scan: unpublished rows in commit order. Partial, so it stays small.
CREATE INDEX ix_outbox_unpublished ON outbox_event (position) WHERE published_at IS NULL;
-- The relay's ordering guard: is an earlier event of the same aggregate still unpublished?
CREATE INDEX ix_outbox_unpublished_aggregate ON outbox_event (aggregate_type, aggregate_id, position)
  WHERE published_at IS NULL;

-- An outbox row is a fact: only its publication bookkeeping may change, and never back.
CREATE FUNCTION outbox_event_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'outbox_event rows are append-only (event %)', OLD.event_id
      USING ERRCODE = 'restrict_violation';
  END IF;
  IF (NEW.event_id, NEW.event_type, NEW.event_version, NEW.tenant_id, NEW.aggregate_type,
      NEW.aggregate_id, NEW.aggregate_version, NEW.occurred_at, NEW.correlation_id,
      NEW.causation_id, NEW.actor, NEW.payload, NEW.topic)
     IS DISTINCT FROM
     (OLD.event_id, OLD.event_type, OLD.event_version, OLD.tenant_id, OLD.aggregate_type,
      OLD.aggregate_id, OLD.aggregate_version, OLD.occurred_at, OLD.correlation_id,
      OLD.causation_id, OLD.actor, OLD.payload, OLD.topic) THEN
    RAISE EXCEPTION 'outbox_event % is immutable; only publication bookkeeping may change', OLD.event_id
      USING ERRCODE = 'restrict_violation';
  END IF;
  IF OLD.published_at IS NOT NULL AND NEW.published_at IS DISTINCT FROM OLD.published_at THEN
    RAISE EXCEPTION 'outbox_event % was already published', OLD.event_id
      USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER tg_outbox_event_guard BEFORE UPDATE OR DELETE ON outbox_event
  FOR EACH ROW EXECUTE FUNCTION outbox_event_guard();

CREATE TABLE inbox_message (
  consumer      varchar(120) NOT NULL,
  event_id      uuid         NOT NULL,
  event_type    varchar(120) NOT NULL,
  processed_at  timestamptz(6) NOT NULL DEFAULT now(),
  CONSTRAINT inbox_message_pkey PRIMARY KEY (consumer, event_id)
);

CREATE TABLE consumer_failure (
  consumer          varchar(120) NOT NULL,
  event_id          uuid         NOT NULL,
  attempts          integer      NOT NULL,
  last_error        text         NOT NULL,
  dead_lettered_at  timestamptz(6),
  updated_at        timestamptz(6) NOT NULL DEFAULT now(),
  CONSTRAINT consumer_failure_pkey PRIMARY KEY (consumer, event_id),
  CONSTRAINT ck_consumer_failure_attempts CHECK (attempts >= 1)
);
