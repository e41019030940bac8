-- A publish runs as steps (ADR 0007): a transaction records the intent on the candidate
-- ('publishing', by whom, for which command, since when), Camunda deploys, a second
-- transaction records the release. A crash in between is finished or undone by the reconciler
-- from these columns; publish_started_at is the lease it renews while it works.
ALTER TABLE release_candidate DROP CONSTRAINT ck_release_candidate_state;
ALTER TABLE release_candidate ADD CONSTRAINT ck_release_candidate_state
  CHECK (state IN ('invalid', 'validated', 'in-review', 'approved', 'rejected', 'publishing', 'published'));
ALTER TABLE release_candidate
  ADD COLUMN publish_requested_by   varchar(120),
  ADD COLUMN publish_command_id     varchar(200),
  ADD COLUMN publish_correlation_id varchar(200),
  ADD COLUMN publish_started_at     timestamptz(6);
ALTER TABLE release_candidate ADD CONSTRAINT ck_release_candidate_publishing
  CHECK (state <> 'publishing' OR (publish_requested_by IS NOT NULL AND publish_command_id IS NOT NULL
                                   AND publish_correlation_id IS NOT NULL AND publish_started_at IS NOT NULL));
-- One publish in flight per tenant: release numbers stay gap-free and publishes serialise.
CREATE UNIQUE INDEX uq_release_candidate_publishing ON release_candidate (tenant_id) WHERE state = 'publishing';
