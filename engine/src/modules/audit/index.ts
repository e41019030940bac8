// Public surface of the audit module: append evidence in the caller's transaction; read it back.
export { auditInsert, recordAudit } from './audit.writer';
export type { AuditEntry } from './audit.writer';
export { actorsFrom, actorsOf, actorsStatement, recordsOf, timelineOf } from './audit.queries';
export type { AuditTarget, TargetedEntry, TimelineEntry } from './audit.queries';
