'use client';

import type { FieldProps } from '@rjsf/utils';
import { ErrorDetail, errorsAt, input, numberOf } from './field-kit';
import './widgets.css';

/** A bundle as metadata/src/kinds/bundle.kind.ts defines it. */
export type BundleOption = { offering: string; min: number; max: number; defaultQuantity: number; group?: string };
export type OptionGroup = { key: string; name: string; min: number; max: number };
export type Bundle = { name: string; offering: string; groups: OptionGroup[]; options: BundleOption[] };

/** "0..1", "exactly 2", "1..3" for a cardinality. */
export function cardinality(min: unknown, max: unknown): string {
  if (typeof min !== 'number' || typeof max !== 'number') return '?';
  return min === max ? `exactly ${min}` : `${min}..${max}`;
}

/**
 * A bundle as the tree it is: the root offering, its option groups (how many distinct options
 * may be chosen) and under each the options with their quantity cardinality and default, plus
 * the options in no group. The whole content is one rjsf field (`ui:field` at the root), since
 * groups and options are edited together: moving an option to another group is one choice.
 */
export function BundleTreeField({ formData, onChange, errorSchema, fieldPathId, disabled, readonly }: FieldProps<Bundle>) {
  const bundle: Bundle = { name: '', offering: '', groups: [], options: [], ...(formData ?? {}) };
  const id = fieldPathId.$id;
  const locked = disabled || readonly;
  const update = (change: Partial<Bundle>) => onChange({ ...bundle, ...change }, fieldPathId.path);
  const setOption = (i: number, change: Partial<BundleOption>) =>
    update({ options: bundle.options.map((o, j) => (j === i ? Object.fromEntries(Object.entries({ ...o, ...change }).filter(([, v]) => v !== undefined)) as BundleOption : o)) });
  const setGroup = (g: number, change: Partial<OptionGroup>) => {
    const before = bundle.groups[g]!;
    const groups = bundle.groups.map((x, j) => (j === g ? { ...x, ...change } : x));
    // Renaming a group's key carries its options along.
    const options = change.key !== undefined ? bundle.options.map((o) => (o.group === before.key ? { ...o, group: change.key } : o)) : bundle.options;
    update({ groups, options });
  };
  const errors = (...path: (string | number)[]) => errorsAt(errorSchema, ...path);
  const groupKeys = new Set(bundle.groups.map((g) => g.key));

  const optionRow = (option: BundleOption, i: number) => {
    const at = (field: string) => `${id}_options_${i}_${field}`;
    const label = option.offering || `option ${i + 1}`;
    return (
      <li key={i} className="bundle-option" aria-label={`Option ${label}`}>
        <div className="row">
          {input({ id: at('offering'), label: `Offering of option ${i + 1}`, value: option.offering, onChange: (v) => setOption(i, { offering: v }), messages: errors('options', i, 'offering'), disabled: locked, size: 20 })}
          <span className="cardinality" title="quantity: minimum..maximum">qty</span>
          {input({ id: at('min'), label: `Minimum quantity of ${label}`, numeric: true, value: option.min, onChange: (v) => setOption(i, { min: numberOf(v) as number }), messages: errors('options', i, 'min'), disabled: locked, size: 3 })}
          <span aria-hidden="true">..</span>
          {input({ id: at('max'), label: `Maximum quantity of ${label}`, numeric: true, value: option.max, onChange: (v) => setOption(i, { max: numberOf(v) as number }), messages: errors('options', i, 'max'), disabled: locked, size: 3 })}
          <span className="muted">default</span>
          {input({ id: at('defaultQuantity'), label: `Default quantity of ${label}`, numeric: true, value: option.defaultQuantity, onChange: (v) => setOption(i, { defaultQuantity: numberOf(v) as number }), messages: errors('options', i, 'defaultQuantity'), disabled: locked, size: 3 })}
          <div className={`form-group${errors('options', i, 'group').length ? ' has-error' : ''}`}>
            <select id={at('group')} aria-label={`Group of ${label}`} value={option.group ?? ''} disabled={locked} onChange={(e) => setOption(i, { group: e.target.value || undefined })}>
              <option value="">No group</option>
              {bundle.groups.map((g) => <option key={g.key} value={g.key}>{g.name || g.key}</option>)}
              {option.group && !groupKeys.has(option.group) ? <option value={option.group}>{option.group} (unknown)</option> : null}
            </select>
            <ErrorDetail messages={errors('options', i, 'group')} />
          </div>
          <button type="button" className="secondary small" disabled={locked} onClick={() => update({ options: bundle.options.filter((_, j) => j !== i) })} aria-label={`Remove option ${label}`}>Remove</button>
        </div>
        <ErrorDetail messages={errors('options', i)} />
      </li>
    );
  };
  const membersOf = (key: string | undefined) => bundle.options.map((o, i) => ({ o, i })).filter(({ o }) => (key === undefined ? !o.group || !groupKeys.has(o.group) : o.group === key));
  const addOption = (group?: string) => update({ options: [...bundle.options, { offering: '', min: 0, max: 1, defaultQuantity: 0, ...(group ? { group } : {}) }] });

  return (
    <fieldset id={id} className="bundle-tree">
      <legend>Bundle structure</legend>
      <div className="row">
        {input({ id: `${id}_name`, label: 'Name', showLabel: true, value: bundle.name, onChange: (v) => update({ name: v }), messages: errors('name'), disabled: locked, size: 30 })}
        {input({ id: `${id}_offering`, label: 'Root offering (sold as this bundle)', showLabel: true, value: bundle.offering, onChange: (v) => update({ offering: v }), messages: errors('offering'), disabled: locked, size: 24 })}
      </div>
      <ErrorDetail messages={[...errors(), ...errors('groups'), ...errors('options')]} />
      <ul className="tree" aria-label="Bundle tree">
        <li>
          <strong data-testid="bundle-root">{bundle.offering || '(root offering)'}</strong>
          <ul>
            {bundle.groups.map((group, g) => {
              const members = membersOf(group.key);
              const at = (field: string) => `${id}_groups_${g}_${field}`;
              return (
                <li key={g} className="bundle-group" aria-label={`Group ${group.name || group.key || g + 1}`}>
                  <div className="row">
                    {input({ id: at('key'), label: `Key of group ${g + 1}`, value: group.key, onChange: (v) => setGroup(g, { key: v }), messages: errors('groups', g, 'key'), disabled: locked, size: 12 })}
                    {input({ id: at('name'), label: `Name of group ${g + 1}`, value: group.name, onChange: (v) => setGroup(g, { name: v }), messages: errors('groups', g, 'name'), disabled: locked, size: 18 })}
                    <span className="muted">choose</span>
                    {input({ id: at('min'), label: `Fewest options chosen in ${group.name || group.key}`, numeric: true, value: group.min, onChange: (v) => setGroup(g, { min: numberOf(v) as number }), messages: errors('groups', g, 'min'), disabled: locked, size: 3 })}
                    <span aria-hidden="true">..</span>
                    {input({ id: at('max'), label: `Most options chosen in ${group.name || group.key}`, numeric: true, value: group.max, onChange: (v) => setGroup(g, { max: numberOf(v) as number }), messages: errors('groups', g, 'max'), disabled: locked, size: 3 })}
                    <span className="muted" data-testid={`group-summary-${group.key}`}>{`choose ${cardinality(group.min, group.max)} of ${members.length}`}</span>
                    <button type="button" className="secondary small" disabled={locked} onClick={() => update({ groups: bundle.groups.filter((_, j) => j !== g), options: bundle.options.map((o) => (o.group === group.key ? { offering: o.offering, min: o.min, max: o.max, defaultQuantity: o.defaultQuantity } : o)) })} aria-label={`Remove group ${group.name || group.key || g + 1}`}>Remove group</button>
                  </div>
                  <ErrorDetail messages={errors('groups', g)} />
                  <ul>{members.map(({ o, i }) => optionRow(o, i))}</ul>
                  <button type="button" className="secondary small" disabled={locked} onClick={() => addOption(group.key)}>{`Add an option to ${group.name || group.key || 'this group'}`}</button>
                </li>
              );
            })}
            <li className="bundle-group" aria-label="Options in no group">
              <span className="muted">Options in no group</span>
              <ul>{membersOf(undefined).map(({ o, i }) => optionRow(o, i))}</ul>
              <div className="row">
                <button type="button" className="secondary small" disabled={locked} onClick={() => addOption()}>Add an option</button>
                <button type="button" className="secondary small" disabled={locked} onClick={() => update({ groups: [...bundle.groups, { key: `group-${bundle.groups.length + 1}`, name: '', min: 0, max: 1 }] })}>Add a group</button>
              </div>
            </li>
          </ul>
        </li>
      </ul>
    </fieldset>
  );
}
