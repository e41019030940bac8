// Public surface of the audit module: append evidence in the caller's transaction.
export { recordAudit } from './audit.writer';
export type { AuditEntry } from './audit.writer';
