import { diffValues, type FieldChange } from './release-diff';

/** At most this many changed fields are named per audit record; `more` counts the rest. */
export const MAX_AUDITED_CHANGES = 50;
/** A changed value is kept in the record when its JSON is this short; longer ones (a BPMN's XML) are only named. */
export const MAX_AUDITED_VALUE = 300;

export type AuditedChange = FieldChange & { large?: true };

const small = (value: unknown) => value === undefined || (JSON.stringify(value)?.length ?? 0) <= MAX_AUDITED_VALUE;

/**
 * What an edit changed, field by field, as an audit record can hold it: the JSON pointers of the
 * changed fields with their values before and after, bounded so the append-only audit table
 * does not grow by a model's size on every save (a large value is marked, not copied).
 */
export function auditedChanges(before: unknown, after: unknown): { changes: AuditedChange[]; more: number } {
  const all = diffValues(before, after);
  const changes = all.slice(0, MAX_AUDITED_CHANGES).map((change): AuditedChange =>
    small(change.from) && small(change.to) ? change : { pointer: change.pointer, large: true });
  return { changes, more: all.length - changes.length };
}
