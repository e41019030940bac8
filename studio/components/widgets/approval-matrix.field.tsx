'use client';

import type { FieldProps } from '@rjsf/utils';
import { ErrorDetail, compact, errorsAt, input, move, numberOf } from './field-kit';
import './widgets.css';

/** A level of metadata/src/kinds/approval-policy.kind.ts. Percentages and amounts are decimal strings. */
export type ApprovalLimits = { maxDiscountPercent?: string; maxDealValue?: { amount: string; currency: string }; minMarginPercent?: string; maxTermMonths?: number };
export type ApprovalLevel = { level: number; role: string; name: string; limits: ApprovalLimits };

const LIMIT_COLUMNS = [
  { key: 'maxDiscountPercent', title: 'Max discount %', hint: 'e.g. 10' },
  { key: 'maxDealValue', title: 'Max deal value', hint: 'amount' },
  { key: 'minMarginPercent', title: 'Min margin %', hint: 'may be negative' },
  { key: 'maxTermMonths', title: 'Max term (months)', hint: 'months' },
] as const;

/**
 * The authority matrix as a grid: one row per level (ascending), one column per limit. An empty
 * cell is "no limit" at that level. The engine checks that limits only widen going up when the
 * candidate is validated; its issues land in the cell at fault.
 */
export function ApprovalMatrixField({ formData, onChange, errorSchema, fieldPathId, disabled, readonly }: FieldProps<ApprovalLevel[]>) {
  const levels: ApprovalLevel[] = Array.isArray(formData) ? formData : [];
  const id = fieldPathId.$id;
  const locked = disabled || readonly;
  const update = (next: ApprovalLevel[]) => onChange(next, fieldPathId.path);
  const setLevel = (i: number, change: Partial<ApprovalLevel>) => update(levels.map((l, j) => (j === i ? { ...l, ...change } : l)));
  const setLimits = (i: number, change: Partial<ApprovalLimits>) => setLevel(i, { limits: compact({ ...levels[i]!.limits, ...change }) });
  const errors = (...path: (string | number)[]) => errorsAt(errorSchema, ...path);
  const currency = levels.find((l) => l.limits.maxDealValue)?.limits.maxDealValue?.currency ?? 'EUR';

  return (
    <fieldset id={id} className="approval-matrix">
      <legend>Authority matrix</legend>
      <p className="muted">A quote needs the lowest level whose every limit covers it. Empty cells are unlimited.</p>
      <ErrorDetail messages={errors()} />
      <table aria-label="Approval levels">
        <thead>
          <tr><th>Level</th><th>Role</th><th>Name</th>{LIMIT_COLUMNS.map((c) => <th key={c.key}>{c.title}</th>)}<th><span className="visually-hidden">Actions</span></th></tr>
        </thead>
        <tbody>
          {levels.map((level, i) => {
            const at = (...path: string[]) => `${id}_${i}_${path.join('_')}`;
            const who = level.name || level.role || `level ${i + 1}`;
            const deal = level.limits.maxDealValue;
            return (
              <tr key={i}>
                <td>{input({ id: at('level'), label: `Level number of ${who}`, numeric: true, value: level.level, onChange: (v) => setLevel(i, { level: numberOf(v) as number }), messages: errors(i, 'level'), disabled: locked, size: 3 })}</td>
                <td>{input({ id: at('role'), label: `Role of ${who}`, value: level.role, onChange: (v) => setLevel(i, { role: v }), messages: errors(i, 'role'), disabled: locked, size: 12 })}</td>
                <td>{input({ id: at('name'), label: `Name of level ${i + 1}`, value: level.name, onChange: (v) => setLevel(i, { name: v }), messages: errors(i, 'name'), disabled: locked, size: 14 })}<ErrorDetail messages={[...errors(i), ...errors(i, 'limits')]} /></td>
                <td>{input({ id: at('limits', 'maxDiscountPercent'), label: `Max discount % of ${who}`, numeric: true, value: level.limits.maxDiscountPercent, onChange: (v) => setLimits(i, { maxDiscountPercent: v.trim() || undefined }), messages: errors(i, 'limits', 'maxDiscountPercent'), disabled: locked, size: 6, placeholder: 'no limit' })}</td>
                <td>
                  <div className="row nowrap">
                    {input({ id: at('limits', 'maxDealValue', 'amount'), label: `Max deal value of ${who}`, numeric: true, value: deal?.amount, onChange: (v) => setLimits(i, { maxDealValue: v.trim() ? { amount: v.trim(), currency: deal?.currency ?? currency } : undefined }), messages: [...errors(i, 'limits', 'maxDealValue'), ...errors(i, 'limits', 'maxDealValue', 'amount')], disabled: locked, size: 9, placeholder: 'no limit' })}
                    {deal ? input({ id: at('limits', 'maxDealValue', 'currency'), label: `Currency of the max deal value of ${who}`, value: deal.currency, onChange: (v) => setLimits(i, { maxDealValue: { amount: deal.amount, currency: v.toUpperCase() } }), messages: errors(i, 'limits', 'maxDealValue', 'currency'), disabled: locked, size: 4 }) : null}
                  </div>
                </td>
                <td>{input({ id: at('limits', 'minMarginPercent'), label: `Min margin % of ${who}`, numeric: true, value: level.limits.minMarginPercent, onChange: (v) => setLimits(i, { minMarginPercent: v.trim() || undefined }), messages: errors(i, 'limits', 'minMarginPercent'), disabled: locked, size: 6, placeholder: 'no limit' })}</td>
                <td>{input({ id: at('limits', 'maxTermMonths'), label: `Max term in months of ${who}`, numeric: true, value: level.limits.maxTermMonths, onChange: (v) => setLimits(i, { maxTermMonths: numberOf(v) as number | undefined }), messages: errors(i, 'limits', 'maxTermMonths'), disabled: locked, size: 4, placeholder: 'no limit' })}</td>
                <td className="actions nowrap">
                  <button type="button" className="secondary small" disabled={locked || i === 0} onClick={() => update(move(levels, i, -1))} aria-label={`Move ${who} up`}>↑</button>
                  <button type="button" className="secondary small" disabled={locked || i === levels.length - 1} onClick={() => update(move(levels, i, 1))} aria-label={`Move ${who} down`}>↓</button>
                  <button type="button" className="secondary small" disabled={locked} onClick={() => update(levels.filter((_, j) => j !== i))} aria-label={`Remove ${who}`}>Remove</button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <button type="button" className="secondary" disabled={locked} onClick={() => {
        const top = levels.at(-1);
        update([...levels, { level: (typeof top?.level === 'number' ? top.level : levels.length) + 1, role: '', name: '', limits: {} }]);
      }}>Add a level</button>
    </fieldset>
  );
}
