// Public surface of the approval module: policy evaluation and authority.
export { evaluateApprovalPolicy, authorityFor } from './approval-policy';
export type { DealMetrics, RequiredLevel, ApprovalRequirement, LimitBreach } from './approval-policy';
