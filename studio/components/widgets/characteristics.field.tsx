'use client';

import type { FieldProps } from '@rjsf/utils';
import { ErrorDetail, compact, errorsAt, input, move, numberOf } from './field-kit';
import './widgets.css';

/** A characteristic as metadata/src/kinds/product-specification.kind.ts defines it. */
export type ValueType = 'enum' | 'number' | 'integer' | 'boolean' | 'string' | 'date';
export type Characteristic = {
  key: string;
  name: string;
  description?: string;
  valueType: ValueType;
  required: boolean;
  unit?: string;
  values?: { value: string; label: string }[];
  range?: { min?: number; max?: number; step?: number };
  maxLength?: number;
  default?: string | number | boolean;
};

const VALUE_TYPES: { type: ValueType; label: string }[] = [
  { type: 'enum', label: 'Choice of values (enum)' },
  { type: 'number', label: 'Number' },
  { type: 'integer', label: 'Whole number' },
  { type: 'boolean', label: 'Yes / no' },
  { type: 'string', label: 'Text' },
  { type: 'date', label: 'Date' },
];

/**
 * The values a range allows, for the admin to read: "10, 20, 30 … 100 (10 values)". Undefined
 * when the range is open or has no step (any number in it is allowed). The engine checks the
 * range itself (step dividing it, integers) when the candidate is validated.
 */
export function rangePreview(range: Characteristic['range']): string | undefined {
  const { min, max, step } = range ?? {};
  if (typeof min !== 'number' || typeof max !== 'number' || typeof step !== 'number' || step <= 0 || min > max) return undefined;
  const count = Math.floor((max - min) / step + 1e-9) + 1;
  const at = (k: number) => Number((min + k * step).toPrecision(12));
  const shown = count <= 6 ? Array.from({ length: count }, (_, k) => at(k)).join(', ') : `${at(0)}, ${at(1)}, ${at(2)} … ${at(count - 1)}`;
  return `${shown} (${count} value${count === 1 ? '' : 's'})`;
}

/** A characteristic changed to another value type keeps only what that type may have. */
export function withValueType(c: Characteristic, valueType: ValueType): Characteristic {
  const numeric = valueType === 'number' || valueType === 'integer';
  return compact({
    ...c,
    valueType,
    values: valueType === 'enum' ? (c.values ?? [{ value: '', label: '' }]) : undefined,
    range: numeric ? c.range : undefined,
    maxLength: valueType === 'string' ? c.maxLength : undefined,
    default: undefined,
  });
}

/**
 * A product specification's characteristics with their domains: enum values as a small table,
 * numeric ranges with min, max and step and the values they allow, text length, and a default
 * chosen from the domain. Replaces rjsf's nested forms (a oneOf-less object whose fields apply
 * only to some value types).
 */
export function CharacteristicsField({ formData, onChange, errorSchema, fieldPathId, disabled, readonly }: FieldProps<Characteristic[]>) {
  const list: Characteristic[] = Array.isArray(formData) ? formData : [];
  const id = fieldPathId.$id;
  const locked = disabled || readonly;
  const update = (next: Characteristic[]) => onChange(next, fieldPathId.path);
  const set = (i: number, change: Partial<Characteristic> | ((c: Characteristic) => Characteristic)) =>
    update(list.map((c, j) => (j === i ? (typeof change === 'function' ? change(c) : compact({ ...c, ...change })) : c)));

  return (
    <fieldset id={id} className="characteristics">
      <legend>Characteristics</legend>
      <ErrorDetail messages={errorsAt(errorSchema)} />
      {list.map((c, i) => {
        const at = (...path: (string | number)[]) => `${id}_${i}${path.map((p) => `_${p}`).join('')}`;
        const errors = (...path: (string | number)[]) => errorsAt(errorSchema, i, ...path);
        const numeric = c.valueType === 'number' || c.valueType === 'integer';
        const preview = numeric ? rangePreview(c.range) : undefined;
        return (
          <section key={i} className="characteristic" aria-label={`Characteristic ${c.key || i + 1}`}>
            <div className="row">
              {input({ id: at('key'), label: 'Key', showLabel: true, value: c.key, onChange: (v) => set(i, { key: v }), messages: errors('key'), disabled: locked, size: 16 })}
              {input({ id: at('name'), label: 'Name', showLabel: true, value: c.name, onChange: (v) => set(i, { name: v }), messages: errors('name'), disabled: locked, size: 22 })}
              <div className={`form-group${errors('valueType').length ? ' has-error' : ''}`}>
                <label htmlFor={at('valueType')}>Value type</label>
                <select id={at('valueType')} value={c.valueType} disabled={locked} onChange={(e) => set(i, (old) => withValueType(old, e.target.value as ValueType))}>
                  {VALUE_TYPES.map((t) => <option key={t.type} value={t.type}>{t.label}</option>)}
                </select>
                <ErrorDetail messages={errors('valueType')} />
              </div>
              {input({ id: at('unit'), label: 'Unit', showLabel: true, value: c.unit, onChange: (v) => set(i, { unit: v || undefined }), messages: errors('unit'), disabled: locked, size: 8, placeholder: 'none' })}
              <div className="form-group">
                <label htmlFor={at('required')} className="inline"><input id={at('required')} type="checkbox" checked={c.required} disabled={locked} onChange={(e) => set(i, { required: e.target.checked })} /> Required</label>
              </div>
            </div>
            <ErrorDetail messages={errors()} />

            {c.valueType === 'enum' ? (
              <div className={`domain${errors('values').length ? ' has-error' : ''}`}>
                <table aria-label={`Values of ${c.key || `characteristic ${i + 1}`}`}>
                  <thead><tr><th>Value</th><th>Label</th><th><span className="visually-hidden">Actions</span></th></tr></thead>
                  <tbody>
                    {(c.values ?? []).map((v, k) => (
                      <tr key={k}>
                        <td>{input({ id: at('values', k, 'value'), label: `Value ${k + 1}`, value: v.value, onChange: (t) => set(i, { values: c.values!.map((x, n) => (n === k ? { ...x, value: t } : x)) }), messages: errors('values', k, 'value'), disabled: locked, size: 14 })}</td>
                        <td>{input({ id: at('values', k, 'label'), label: `Label of value ${k + 1}`, value: v.label, onChange: (t) => set(i, { values: c.values!.map((x, n) => (n === k ? { ...x, label: t } : x)) }), messages: errors('values', k, 'label'), disabled: locked, size: 22 })}</td>
                        <td className="actions">
                          <button type="button" className="secondary small" disabled={locked || k === 0} onClick={() => set(i, { values: move(c.values!, k, -1) })} aria-label={`Move value ${k + 1} up`}>↑</button>
                          <button type="button" className="secondary small" disabled={locked} onClick={() => set(i, { values: c.values!.filter((_, n) => n !== k) })} aria-label={`Remove value ${k + 1}`}>Remove</button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <ErrorDetail messages={errors('values')} />
                <button type="button" className="secondary small" disabled={locked} onClick={() => set(i, { values: [...(c.values ?? []), { value: '', label: '' }] })}>Add a value</button>
              </div>
            ) : null}

            {numeric ? (
              <div className="domain">
                <div className="row">
                  {(['min', 'max', 'step'] as const).map((bound) =>
                    <div key={bound}>{input({ id: at('range', bound), label: bound === 'min' ? 'Minimum' : bound === 'max' ? 'Maximum' : 'Step', showLabel: true, numeric: true, value: c.range?.[bound], onChange: (t) => set(i, { range: compact({ ...c.range, [bound]: numberOf(t) }) as Characteristic['range'] }), messages: errors('range', bound), disabled: locked, size: 8, placeholder: bound === 'step' ? 'any' : 'open' })}</div>)}
                </div>
                <ErrorDetail messages={errors('range')} />
                <p className="muted" data-testid="range-preview">{preview ? `Allowed: ${preview}` : c.range?.step === undefined ? 'Any value in the range.' : 'Set minimum and maximum to see the values the step allows.'}</p>
              </div>
            ) : null}

            {c.valueType === 'string' ? (
              <div className="domain">{input({ id: at('maxLength'), label: 'Longest text (characters)', showLabel: true, numeric: true, value: c.maxLength, onChange: (t) => set(i, { maxLength: numberOf(t) as number }), messages: errors('maxLength'), disabled: locked, size: 8, placeholder: 'no limit' })}</div>
            ) : null}

            <div className="row">
              <div className={`form-group${errors('default').length ? ' has-error' : ''}`}>
                <label htmlFor={at('default')}>Default</label>
                {c.valueType === 'enum' || c.valueType === 'boolean' ? (
                  <select id={at('default')} disabled={locked} value={c.default === undefined ? '' : String(c.default)}
                    onChange={(e) => set(i, { default: e.target.value === '' ? undefined : c.valueType === 'boolean' ? e.target.value === 'true' : e.target.value })}>
                    <option value="">No default</option>
                    {c.valueType === 'boolean'
                      ? [<option key="true" value="true">Yes</option>, <option key="false" value="false">No</option>]
                      : (c.values ?? []).filter((v) => v.value).map((v) => <option key={v.value} value={v.value}>{v.label || v.value}</option>)}
                  </select>
                ) : (
                  <input id={at('default')} value={c.default === undefined ? '' : String(c.default)} disabled={locked} size={14}
                    type={c.valueType === 'date' ? 'date' : 'text'} inputMode={numeric ? 'decimal' : undefined} placeholder="No default"
                    onChange={(e) => set(i, { default: numeric ? numberOf(e.target.value) : e.target.value || undefined })} aria-invalid={errors('default').length > 0} />
                )}
                <ErrorDetail messages={errors('default')} />
              </div>
              {input({ id: at('description'), label: 'Description', showLabel: true, value: c.description, onChange: (v) => set(i, { description: v || undefined }), messages: errors('description'), disabled: locked, size: 40, placeholder: 'optional' })}
            </div>
            <div className="row actions">
              <button type="button" className="secondary small" disabled={locked || i === 0} onClick={() => update(move(list, i, -1))} aria-label={`Move characteristic ${c.key || i + 1} up`}>↑ Up</button>
              <button type="button" className="secondary small" disabled={locked || i === list.length - 1} onClick={() => update(move(list, i, 1))} aria-label={`Move characteristic ${c.key || i + 1} down`}>↓ Down</button>
              <button type="button" className="danger small" disabled={locked} onClick={() => update(list.filter((_, j) => j !== i))} aria-label={`Remove characteristic ${c.key || i + 1}`}>Remove</button>
            </div>
          </section>
        );
      })}
      <button type="button" className="secondary" disabled={locked} onClick={() => update([...list, { key: '', name: '', valueType: 'enum', required: false, values: [{ value: '', label: '' }] }])}>Add a characteristic</button>
    </fieldset>
  );
}
