-- Idempotency of mutating commands (seed section 8): one record per
-- (tenant, client, operation, key), holding the first response for replays.
CREATE TABLE idempotency_record (
  id               bigserial     PRIMARY KEY,
  tenant_id        varchar(64)   NOT NULL,
  client_id        varchar(120)  NOT NULL,
  operation        varchar(120)  NOT NULL,
  idempotency_key  varchar(200)  NOT NULL,
  request_hash     char(64)      NOT NULL,
  status           varchar(20)   NOT NULL,
  response_status  integer,
  response_body    jsonb,
  locked_until     timestamptz(6) NOT NULL,
  created_at       timestamptz(6) NOT NULL DEFAULT now(),
  completed_at     timestamptz(6),
  CONSTRAINT ck_idempotency_status CHECK (status IN ('in-flight', 'completed')),
  CONSTRAINT ck_idempotency_completed CHECK ((status = 'completed') = (response_status IS NOT NULL))
);
CREATE UNIQUE INDEX uq_idempotency_scope ON idempotency_record (tenant_id, client_id, operation, idempotency_key);
