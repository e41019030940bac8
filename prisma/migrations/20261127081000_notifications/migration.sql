-- Notifications of approval requests, approval decisions and acceptance (issue 5, item 9).
-- One row per (event, template, recipient): written once by the `notifications` consumer in
-- the transaction of its inbox row, then delivered by the webhook dispatcher(s).

CREATE TABLE notification (
  id                uuid          PRIMARY KEY,
  tenant_id         varchar(64)   NOT NULL REFERENCES tenant(id),
  event_id          uuid          NOT NULL,
  event_type        varchar(120)  NOT NULL,
  template_key      varchar(100)  NOT NULL,
  template_version  integer       NOT NULL,
  recipient_type    varchar(20)   NOT NULL,
  recipient_id      varchar(120)  NOT NULL,
  channel           varchar(20)   NOT NULL DEFAULT 'webhook',
  subject           varchar(300)  NOT NULL,
  body              text          NOT NULL,
  payload           jsonb         NOT NULL,
  status            varchar(20)   NOT NULL DEFAULT 'pending',
  attempts          integer       NOT NULL DEFAULT 0,
  last_error        text,
  -- When a pending row is next due; while a dispatcher holds it, the end of its lease.
  next_attempt_at   timestamptz(6) DEFAULT now(),
  delivered_at      timestamptz(6),
  created_at        timestamptz(6) NOT NULL DEFAULT now(),
  CONSTRAINT ck_notification_status CHECK (status IN ('pending', 'delivered', 'failed')),
  CONSTRAINT ck_notification_recipient_type CHECK (recipient_type IN ('role', 'user', 'account')),
  CONSTRAINT ck_notification_channel CHECK (channel IN ('webhook')),
  CONSTRAINT ck_notification_template_version CHECK (template_version >= 1),
  CONSTRAINT ck_notification_attempts CHECK (attempts >= 0),
  CONSTRAINT ck_notification_payload_object CHECK (jsonb_typeof(payload) = 'object'),
  CONSTRAINT ck_notification_pending_due CHECK (status <> 'pending' OR next_attempt_at IS NOT NULL),
  CONSTRAINT ck_notification_delivered_at CHECK ((status = 'delivered') = (delivered_at IS NOT NULL))
);

-- The idempotency guard: a replayed event (Kafka redelivery, consumer restart, reprocessing
-- after a DLQ redrive) finds its rows here and writes nothing twice (seed section 5: replay
-- must not create duplicate domain effects).
CREATE UNIQUE INDEX uq_notification_event_recipient
  ON notification (event_id, template_key, recipient_type, recipient_id);

-- The dispatcher's scan: due pending rows. Partial, so delivered history does not weigh on it.
CREATE INDEX ix_notification_due ON notification (status, next_attempt_at) WHERE status = 'pending';

-- Looking up what a tenant's quote or recipient was told (support, audit).
CREATE INDEX ix_notification_tenant_recipient ON notification (tenant_id, recipient_type, recipient_id, created_at);

-- A notification is evidence of what was said to whom, from which template version: only its
-- delivery bookkeeping may change, and a delivered one is final.
CREATE FUNCTION notification_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.id, NEW.tenant_id, NEW.event_id, NEW.event_type, NEW.template_key, NEW.template_version,
      NEW.recipient_type, NEW.recipient_id, NEW.channel, NEW.subject, NEW.body, NEW.payload, NEW.created_at)
     IS DISTINCT FROM
     (OLD.id, OLD.tenant_id, OLD.event_id, OLD.event_type, OLD.template_key, OLD.template_version,
      OLD.recipient_type, OLD.recipient_id, OLD.channel, OLD.subject, OLD.body, OLD.payload, OLD.created_at) THEN
    RAISE EXCEPTION 'notification % is immutable; only delivery bookkeeping may change', OLD.id
      USING ERRCODE = 'restrict_violation';
  END IF;
  IF OLD.status = 'delivered' AND NEW IS DISTINCT FROM OLD THEN
    RAISE EXCEPTION 'notification % was already delivered', OLD.id
      USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER tg_notification_guard BEFORE UPDATE ON notification
  FOR EACH ROW EXECUTE FUNCTION notification_guard();
