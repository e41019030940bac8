// Public surface of the approval module: policy evaluation and authority.
export { evaluateApprovalPolicy, authorityFor } from './approval-policy';
export type { DealMetrics, RequiredLevel, ApprovalRequirement, LimitBreach } from './approval-policy';
// Its records (requirements, decisions), written only through this port.
export { approvalRecords, decisionInsert, openLevelOf, openLevelOfRevision, openLevelStatement, requirementOfJson, requirementsInsert } from './approval.records';
export type { RequirementRecord, DecisionRecord } from './approval.records';
// Its evidence for readers (the quote views), in full: redaction is the reader's decision. A SQL
// expression the reader puts in its own statement (one round trip), and the reading of its value.
export { approvalEvidenceFrom, approvalEvidenceJson } from './approval.queries';
export type { ApprovalEvidence, DecisionEvidence, RequirementEvidence } from './approval.queries';
// Approvals past their due time, for the operations metrics (engine/src/observability).
export { overdueApprovals } from './approval.signals';
export type { OverdueApproval } from './approval.signals';
