-- A workflow being ended in Camunda after its domain intent was cancelled (revise, withdraw):
-- recorded first, ended second, so a crash in between is finished by the reconciler.
ALTER TABLE workflow_correlation DROP CONSTRAINT ck_workflow_status;
ALTER TABLE workflow_correlation ADD CONSTRAINT ck_workflow_status
  CHECK (status IN ('STARTING', 'STARTED', 'RUNNING', 'SUSPENDED', 'COMPLETED', 'FAILED', 'CANCELLED', 'CANCELLING'));
CREATE INDEX ix_workflow_stalled ON workflow_correlation (domain_type, updated_at) WHERE status IN ('STARTING', 'CANCELLING');

-- Who held the Camunda task (the claim) when the decision was taken: approving needs the claim.
ALTER TABLE approval_decision ADD COLUMN claimed_by varchar(120);
