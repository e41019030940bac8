'use client';

import type { FieldProps } from '@rjsf/utils';
import { useEffect, useState } from 'react';
import type { Result } from '@/lib/problem';
import type { Characteristic } from './characteristics.field';
import { ErrorDetail, compact, errorsAt, input, move } from './field-kit';
import './widgets.css';

/** A layout as metadata/src/kinds/quote-screen-layout.kind.ts defines it. */
export type LayoutField = { characteristic: string; help?: string; readOnly?: boolean };
export type LayoutSection = { key: string; title: string; help?: string; fields: LayoutField[] };
export type ScreenLayout = { offering: string; sections: LayoutSection[] };
/** The characteristics of an offering's specification (draft first, else the current release). */
export type LoadCharacteristics = (offering: string) => Promise<Result<{ specification: string; characteristics: Characteristic[] }>>;

/** One control of the rep's form, as the quote screen draws a characteristic. */
function PreviewControl({ id, field, c }: { id: string; field: LayoutField; c: Characteristic | undefined }) {
  const label = `${c?.name ?? field.characteristic}${c?.unit ? ` (${c.unit})` : ''}${c?.required ? ' *' : ''}`;
  const help = field.help ?? c?.description;
  const common = { id, disabled: field.readOnly, 'aria-describedby': help ? `${id}__help` : undefined };
  let control;
  if (!c) control = <input {...common} value="" readOnly aria-invalid />;
  else if (c.valueType === 'enum') {
    control = <select {...common} defaultValue={c.default === undefined ? '' : String(c.default)}><option value="">Choose…</option>{(c.values ?? []).map((v) => <option key={v.value} value={v.value}>{v.label}</option>)}</select>;
  } else if (c.valueType === 'boolean') control = <input {...common} type="checkbox" defaultChecked={c.default === true} />;
  else if (c.valueType === 'number' || c.valueType === 'integer') {
    control = <input {...common} type="number" min={c.range?.min} max={c.range?.max} step={c.range?.step ?? (c.valueType === 'integer' ? 1 : 'any')} defaultValue={typeof c.default === 'number' ? c.default : undefined} />;
  } else if (c.valueType === 'date') control = <input {...common} type="date" />;
  else control = <input {...common} type="text" maxLength={c.maxLength} defaultValue={typeof c.default === 'string' ? c.default : undefined} />;
  return (
    <div className="preview-field">
      <label htmlFor={id}>{label}</label>
      {control}
      {help ? <p id={`${id}__help`} className="muted">{help}</p> : null}
      {!c ? <p className="problem-inline">Not a characteristic of this offering.</p> : null}
    </div>
  );
}

/**
 * The quote screen layout: sections in order, each with its fields (characteristics of the
 * offering's specification) in order, beside a live preview of the form a rep will see. The
 * characteristics are read from the engine (the offering's and specification's drafts, else the
 * current release) whenever the offering changes.
 */
export function ScreenLayoutField({ formData, onChange, errorSchema, fieldPathId, disabled, readonly, loadCharacteristics }: FieldProps<ScreenLayout> & { loadCharacteristics: LoadCharacteristics }) {
  const layout: ScreenLayout = { offering: '', sections: [], ...(formData ?? {}) };
  const id = fieldPathId.$id;
  const locked = disabled || readonly;
  const [spec, setSpec] = useState<{ offering: string; specification?: string; characteristics?: Characteristic[]; problem?: string }>();
  const update = (change: Partial<ScreenLayout>) => onChange({ ...layout, ...change }, fieldPathId.path);
  const setSection = (s: number, change: Partial<LayoutSection>) => update({ sections: layout.sections.map((x, j) => (j === s ? compact({ ...x, ...change }) : x)) });
  const setField = (s: number, f: number, change: Partial<LayoutField>) =>
    setSection(s, { fields: layout.sections[s]!.fields.map((x, j) => (j === f ? compact({ ...x, ...change }) : x)) });
  const errors = (...path: (string | number)[]) => errorsAt(errorSchema, ...path);

  useEffect(() => {
    const offering = layout.offering.trim();
    if (!offering) return;
    let cancelled = false;
    const timer = setTimeout(() => {
      loadCharacteristics(offering).then((result) => {
        if (cancelled) return;
        setSpec(result.ok ? { offering, ...result.data } : { offering, problem: result.problem.title + (result.problem.detail ? `: ${result.problem.detail}` : '') });
      }, (error: unknown) => !cancelled && setSpec({ offering, problem: String(error) }));
    }, 300);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [layout.offering, loadCharacteristics]);

  const known = new Map((spec?.offering === layout.offering.trim() ? spec.characteristics ?? [] : []).map((c) => [c.key, c]));
  const placed = new Set(layout.sections.flatMap((s) => s.fields.map((f) => f.characteristic)));
  const unplaced = [...known.keys()].filter((k) => !placed.has(k));
  const listId = `${id}__characteristics`;

  return (
    <fieldset id={id} className="screen-layout">
      <legend>Quote screen layout</legend>
      <div className="layout-columns">
        <div className="layout-editor">
          {input({ id: `${id}_offering`, label: 'Offering laid out', showLabel: true, value: layout.offering, onChange: (v) => update({ offering: v }), messages: errors('offering'), disabled: locked, size: 26 })}
          <p className="muted" data-testid="layout-source">
            {!layout.offering.trim() ? 'Name the offering to lay out: its specification’s characteristics fill the choices and the preview.'
              : spec?.offering !== layout.offering.trim() ? 'Reading the offering’s characteristics…'
                : spec.problem ? `Characteristics unavailable: ${spec.problem}` : `Characteristics of specification ${spec.specification}: ${known.size}.`}
          </p>
          <datalist id={listId}>{[...known.values()].map((c) => <option key={c.key} value={c.key}>{c.name}</option>)}</datalist>
          <ErrorDetail messages={[...errors(), ...errors('sections')]} />
          {layout.sections.map((section, s) => {
            const at = (...path: (string | number)[]) => `${id}_sections_${s}_${path.join('_')}`;
            const name = section.title || section.key || `section ${s + 1}`;
            return (
              <section key={s} className="layout-section" aria-label={`Section ${name}`}>
                <div className="row">
                  {input({ id: at('title'), label: `Title of section ${s + 1}`, value: section.title, onChange: (v) => setSection(s, { title: v }), messages: errors('sections', s, 'title'), disabled: locked, size: 18, placeholder: 'Title' })}
                  {input({ id: at('key'), label: `Key of section ${s + 1}`, value: section.key, onChange: (v) => setSection(s, { key: v }), messages: errors('sections', s, 'key'), disabled: locked, size: 12, placeholder: 'key' })}
                  <button type="button" className="secondary small" disabled={locked || s === 0} onClick={() => update({ sections: move(layout.sections, s, -1) })} aria-label={`Move section ${name} up`}>↑</button>
                  <button type="button" className="secondary small" disabled={locked || s === layout.sections.length - 1} onClick={() => update({ sections: move(layout.sections, s, 1) })} aria-label={`Move section ${name} down`}>↓</button>
                  <button type="button" className="secondary small" disabled={locked} onClick={() => update({ sections: layout.sections.filter((_, j) => j !== s) })} aria-label={`Remove section ${name}`}>Remove</button>
                </div>
                {input({ id: at('help'), label: `Help of section ${name}`, value: section.help, onChange: (v) => setSection(s, { help: v || undefined }), messages: errors('sections', s, 'help'), disabled: locked, size: 40, placeholder: 'Help text (optional)' })}
                <ErrorDetail messages={[...errors('sections', s), ...errors('sections', s, 'fields')]} />
                <ol className="layout-fields">
                  {section.fields.map((field, f) => (
                    <li key={f} className="row">
                      <div className={`form-group${errors('sections', s, 'fields', f, 'characteristic').length ? ' has-error' : ''}`}>
                        <input id={at('fields', f, 'characteristic')} aria-label={`Characteristic of field ${f + 1} in ${name}`} list={listId} value={field.characteristic} disabled={locked} size={12}
                          onChange={(e) => setField(s, f, { characteristic: e.target.value })} aria-invalid={errors('sections', s, 'fields', f, 'characteristic').length > 0} />
                        <ErrorDetail messages={errors('sections', s, 'fields', f, 'characteristic')} />
                      </div>
                      {input({ id: at('fields', f, 'help'), label: `Help of field ${field.characteristic || f + 1}`, value: field.help, onChange: (v) => setField(s, f, { help: v || undefined }), messages: errors('sections', s, 'fields', f, 'help'), disabled: locked, size: 16, placeholder: 'help (optional)' })}
                      <label className="inline"><input type="checkbox" checked={field.readOnly ?? false} disabled={locked} onChange={(e) => setField(s, f, { readOnly: e.target.checked || undefined })} /> read-only</label>
                      <button type="button" className="secondary small" disabled={locked || f === 0} onClick={() => setSection(s, { fields: move(section.fields, f, -1) })} aria-label={`Move field ${field.characteristic || f + 1} up`}>↑</button>
                      <button type="button" className="secondary small" disabled={locked} onClick={() => setSection(s, { fields: section.fields.filter((_, j) => j !== f) })} aria-label={`Remove field ${field.characteristic || f + 1}`}>Remove</button>
                    </li>
                  ))}
                </ol>
                <button type="button" className="secondary small" disabled={locked} onClick={() => setSection(s, { fields: [...section.fields, { characteristic: unplaced[0] ?? '' }] })}>{`Add a field to ${name}`}</button>
              </section>
            );
          })}
          <button type="button" className="secondary" disabled={locked} onClick={() => update({ sections: [...layout.sections, { key: `section-${layout.sections.length + 1}`, title: '', fields: unplaced[0] ? [{ characteristic: unplaced[0] }] : [] }] })}>Add a section</button>
          {unplaced.length ? <p className="muted" data-testid="unplaced">Not shown to reps: {unplaced.join(', ')}</p> : null}
        </div>
        <div className="layout-preview" role="region" aria-label="Preview of the rep's form">
          <h3>Preview: what a rep sees</h3>
          {layout.sections.map((section, s) => (
            <fieldset key={s} className="preview-section">
              <legend>{section.title || section.key || `Section ${s + 1}`}</legend>
              {section.help ? <p className="muted">{section.help}</p> : null}
              {section.fields.map((field, f) => <PreviewControl key={f} id={`${id}__preview_${s}_${f}`} field={field} c={known.get(field.characteristic)} />)}
            </fieldset>
          ))}
          {layout.sections.length === 0 ? <p className="muted">No sections yet.</p> : null}
        </div>
      </div>
    </fieldset>
  );
}
