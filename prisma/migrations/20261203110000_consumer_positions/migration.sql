-- Issue 8 (events): consumers check each aggregate's version, and events carry their cause.

-- The last aggregate version a consumer applied, per aggregate (seed section 9: "aggregate
-- version, replay discipline"). An event not newer than this is recorded in the inbox as
-- 'stale' and its handler does not run: an out-of-order or replayed older fact must not
-- overwrite a newer one. Owner: connectors/src/consumer.
CREATE TABLE consumer_position (
  consumer           varchar(120)  NOT NULL,
  aggregate_type     varchar(60)   NOT NULL,
  aggregate_id       varchar(120)  NOT NULL,
  aggregate_version  bigint        NOT NULL,
  event_id           uuid          NOT NULL,
  updated_at         timestamptz(6) NOT NULL DEFAULT now(),
  CONSTRAINT consumer_position_pkey PRIMARY KEY (consumer, aggregate_type, aggregate_id),
  CONSTRAINT ck_consumer_position_version CHECK (aggregate_version >= 0)
);

-- What the consumer did with an event: applied by its handler, or ignored as stale.
ALTER TABLE inbox_message ADD COLUMN outcome varchar(16) NOT NULL DEFAULT 'applied';
ALTER TABLE inbox_message ADD CONSTRAINT ck_inbox_message_outcome CHECK (outcome IN ('applied', 'stale'));

-- causation_id is the command's Idempotency-Key (up to 200 characters) or an event/run id.
-- Widening a varchar rewrites nothing.
ALTER TABLE outbox_event ALTER COLUMN causation_id TYPE varchar(200);
