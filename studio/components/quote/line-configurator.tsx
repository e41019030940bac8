'use client';

import Form from '@rjsf/core';
import type { IChangeEvent } from '@rjsf/core';
import validator from '@rjsf/validator-ajv8';
import { useCallback, useEffect, useMemo, useRef, useState, useTransition } from 'react';
import type { ChildInput, ConfigurationResult, Fix, PreviewInput } from '@/lib/configuration-api';
import type { Problem, Result } from '@/lib/problem';
import type { LineForm } from '@/lib/release-model';
import { ProblemView } from '@/components/problem-view';
import { ConfiguratorFieldTemplate, ConfiguratorSectionsTemplate, IssueView, type ConfiguratorContext } from './configurator-templates';
import { lineFormSchema, previewNotes } from './line-form-schema';
import { explain } from './quote-problems';
import './quote.css';

/** `children`: a bundle line's options as configured (sent back as the rep leaves them). */
export type LineDraft = { lineId: string; quantity: number; selections: Record<string, unknown>; children?: ChildInput[] };

type Props = {
  form: LineForm;
  /** A bundle's options' own forms, by option offering (options without characteristics have none). */
  optionForms?: Record<string, LineForm>;
  releaseId: string;
  line: LineDraft;
  /** What the line's rules read besides its characteristics (the quote's term, its other offerings, the account's segment and channel). */
  context: { termMonths: number; quoteOfferings: string[]; segment?: string; channel?: string };
  editable: boolean;
  /** The engine's configuration preview (a server action in the studio, a stand-in in component tests). */
  evaluate: (input: PreviewInput) => Promise<Result<ConfigurationResult>>;
  save: (line: LineDraft) => Promise<{ ok: true; data: { valid: boolean } } | { ok: false; problem: Problem }>;
  onSaved?: (valid: boolean) => void;
  /** Milliseconds between the last keystroke and the preview. */
  debounceMs?: number;
};

const templates = { FieldTemplate: ConfiguratorFieldTemplate, ObjectFieldTemplate: ConfiguratorSectionsTemplate };

/**
 * A line's configurator: a form generated from the release (LineForm -> JSON Schema -> rjsf)
 * and evaluated by the engine's configuration preview as the rep types. Disabled values say
 * which rule disables them, violations sit next to the field they are about with the engine's
 * verified fixes (one click applies one), derived values are read-only. The rep's own
 * selections are what is saved; defaults and derived values come from the engine.
 */
export function LineConfigurator({ form, optionForms = {}, releaseId, line, context, editable, evaluate, save, onSaved, debounceMs = 250 }: Props) {
  const [explicit, setExplicit] = useState<Record<string, unknown>>(line.selections);
  const [quantity, setQuantity] = useState(String(line.quantity));
  // A bundle's option quantities as the rep typed them, by option offering (the line's as configured to start with).
  const [options, setOptions] = useState<Record<string, string>>(() => Object.fromEntries((line.children ?? []).map((c) => [c.offering, String(c.quantity)])));
  // Each option's characteristics as the rep set them (the line's as configured to start with).
  const [optionValues, setOptionValues] = useState<Record<string, Record<string, unknown>>>(() => Object.fromEntries((line.children ?? []).map((c) => [c.offering, c.selections ?? {}])));
  const children = useMemo(() => childrenOf(form, options, optionValues), [form, options, optionValues]);
  const [preview, setPreview] = useState<ConfigurationResult>();
  const [previewProblem, setPreviewProblem] = useState<Problem>();
  const [evaluating, setEvaluating] = useState(true);
  const [problem, setProblem] = useState<Problem>();
  const [saving, startSaving] = useTransition();
  const asked = useRef(0);
  const shown = useMemo(() => form.sections.flatMap((s) => s.fields.map((f) => f.characteristic.key)), [form]);

  useEffect(() => {
    const n = ++asked.current;
    setEvaluating(true);
    const timer = setTimeout(() => {
      const q = Number(quantity);
      evaluate({
        releaseId, offering: form.offering.key, selections: explicit, ...(children ? { children } : {}),
        // savedQuantity: the engine holds only a changed quantity to the offering's maximum, as saving does.
        context: { ...(Number.isInteger(q) && q >= 1 ? { quantity: q } : {}), ...(line.quantity >= 1 ? { savedQuantity: line.quantity } : {}), termMonths: context.termMonths, quoteOfferings: context.quoteOfferings, ...(context.segment ? { segment: context.segment } : {}), ...(context.channel ? { channel: context.channel } : {}) },
      }).then((result) => {
        if (n !== asked.current) return; // an older answer arriving late
        setEvaluating(false);
        if (result.ok) {
          setPreview(result.data);
          setPreviewProblem(undefined);
        } else setPreviewProblem(result.problem);
      }, (error: unknown) => {
        if (n !== asked.current) return;
        setEvaluating(false);
        setPreviewProblem({ title: 'The preview failed', status: 0, detail: String(error) });
      });
    }, debounceMs);
    return () => clearTimeout(timer);
  }, [explicit, quantity, line.quantity, children, releaseId, form.offering.key, context.termMonths, context.quoteOfferings, context.segment, context.channel, evaluate, debounceMs]);

  const derived = useMemo(() => new Map((preview?.derivations ?? []).map((d) => [d.characteristic, d.value])), [preview]);
  // What the form shows: the engine's normalized values (defaults, derived) under the rep's own choices.
  const display = useMemo(() => {
    const values: Record<string, unknown> = {};
    for (const key of shown) {
      const value = derived.has(key) ? derived.get(key) : key in explicit ? explicit[key] : preview?.normalized.selections[key];
      if (value !== undefined && value !== null) values[key] = value;
    }
    return values;
  }, [shown, explicit, derived, preview]);

  // Only the field the rep changed becomes their choice: rjsf also reports whole-form changes
  // (new formData from a preview), which must not turn the engine's defaults into selections.
  const onChange = (event: IChangeEvent, id?: string) => {
    const key = id?.replace(/^root_/, '');
    if (!key || !shown.includes(key) || derived.has(key)) return;
    const value = ((event.formData ?? {}) as Record<string, unknown>)[key];
    if (value === display[key]) return;
    setExplicit((current) => {
      const updated = { ...current };
      if (value === undefined || value === '') delete updated[key];
      else updated[key] = value;
      return updated;
    });
  };

  const applyFix = useCallback((fix: Fix) => {
    // A bundle option's quantity goes to the options table; the line's values to the form.
    const quantities = fix.changes.flatMap((c) => (c.scope === 'child' && c.characteristic === undefined && typeof c.to === 'number' ? [[c.offering, String(c.to)] as const] : []));
    if (quantities.length > 0) setOptions((o) => ({ ...o, ...Object.fromEntries(quantities) }));
    setExplicit((current) => {
      const updated = { ...current };
      for (const change of fix.changes) {
        if (change.scope !== 'line') continue;
        if (change.to === undefined) delete updated[change.characteristic];
        else updated[change.characteristic] = change.to;
      }
      return updated;
    });
  }, []);

  const notes = useMemo(() => previewNotes(form, preview), [form, preview]);
  const { schema, uiSchema } = useMemo(() => lineFormSchema(form, preview), [form, preview]);
  const formContext: ConfiguratorContext = { form, notes, editable, applyFix };

  const onSave = () => startSaving(async () => {
    setProblem(undefined);
    // A derived value is the engine's, not the rep's: it is not sent as a selection.
    const selections = Object.fromEntries(Object.entries(explicit).filter(([k]) => !derived.has(k)));
    const result = await save({ lineId: line.lineId, quantity: Number(quantity), selections, ...(children ? { children } : {}) });
    if (result.ok) onSaved?.(result.data.valid);
    else setProblem(result.problem);
  });

  const violations = preview?.violations.length ?? 0;
  return (
    <div className="configurator">
      <div className="row">
        <div>
          <label htmlFor="line-quantity">Quantity</label>
          <input id="line-quantity" type="number" min={1} max={100000} value={quantity} disabled={!editable} onChange={(e) => setQuantity(e.target.value)} />
        </div>
        <p className="preview-status" role="status" aria-live="polite" data-testid="preview-status">
          {evaluating ? 'Evaluating with the engine…' : previewProblem ? 'The engine could not evaluate this input.' : violations === 0 ? 'Valid configuration.' : `${violations} rule${violations === 1 ? '' : 's'} broken: see the fields below.`}
        </p>
      </div>
      {previewProblem ? <ProblemView problem={previewProblem} explanation={explain(previewProblem)} /> : null}
      {notes.line.length > 0 ? (
        <div className="panel" aria-label="Issues of the whole line" role="region">
          {notes.line.map((issue, i) => <IssueView key={i} issue={issue} ctx={formContext} />)}
        </div>
      ) : null}
      {form.sections.length === 0 ? <p className="muted">This offering has no characteristics to configure.</p> : (
        <Form
          schema={schema}
          uiSchema={uiSchema}
          formData={display}
          validator={validator}
          noValidate
          noHtml5Validate
          showErrorList={false}
          disabled={!editable}
          templates={templates}
          formContext={formContext}
          onChange={onChange}
        />
      )}
      {form.hidden.length > 0 ? (
        <p className="muted">Not on this screen (the layout leaves them out; the engine applies their defaults): {form.hidden.map((c) => c.name).join(', ')}.</p>
      ) : null}
      {form.bundle ? <BundleOptions form={form} optionForms={optionForms} preview={preview} options={options} values={optionValues} ctx={formContext}
          onChange={(offering, value) => setOptions((o) => ({ ...o, [offering]: value }))}
          onValues={(offering, values) => setOptionValues((v) => ({ ...v, [offering]: values }))} /> : null}
      {problem ? <ProblemView problem={problem} explanation={explain(problem)} /> : null}
      {editable ? <button type="button" onClick={onSave} disabled={saving}>{saving ? 'Saving…' : 'Save line'}</button> : null}
    </div>
  );
}

/**
 * The options to send: each option the rep set (a whole number; anything else is left for the
 * engine's validation to name), with the selections the line had for it. Undefined for a line
 * that is not a bundle's.
 */
function childrenOf(form: LineForm, options: Record<string, string>, values: Record<string, Record<string, unknown>>): ChildInput[] | undefined {
  if (!form.bundle) return undefined;
  return form.bundle.options.flatMap((o) => {
    const text = options[o.offering];
    const selections = values[o.offering];
    const chosen = selections && Object.keys(selections).length > 0;
    const typed = text !== undefined && /^\d{1,6}$/.test(text.trim());
    // An option the rep neither counted nor configured takes the engine's default.
    if (!typed && !chosen) return [];
    const quantity = typed ? Number(text.trim()) : o.defaultQuantity;
    return [{ offering: o.offering, quantity, ...(chosen ? { selections } : {}) }];
  });
}

/** The bundle's options with their cardinalities and groups: the rep sets each quantity, the engine configures and checks them. */
function BundleOptions({ form, optionForms, preview, options, values, ctx, onChange, onValues }: {
  form: LineForm; optionForms: Record<string, LineForm>; preview: ConfigurationResult | undefined; options: Record<string, string>;
  values: Record<string, Record<string, unknown>>; ctx: ConfiguratorContext;
  onChange(offering: string, value: string): void; onValues(offering: string, values: Record<string, unknown>): void;
}) {
  const { editable } = ctx;
  const bundle = form.bundle!;
  const configured = new Map((preview?.normalized.children ?? []).map((c) => [c.offering, c.quantity]));
  const groups = new Map(bundle.groups.map((g) => [g.key, g]));
  const issuesOf = (offering: string) => [...(preview?.violations ?? []), ...(preview?.warnings ?? [])].filter((v) => v.child === offering);
  return (
    <section className="panel" aria-labelledby="bundle-title">
      <h2 id="bundle-title">{bundle.name}: options</h2>
      <table aria-label="Bundle options">
        <thead><tr><th>Option</th><th>Group (choose)</th><th>Quantity allowed</th><th>Default</th><th>Quantity per unit of the line</th></tr></thead>
        <tbody>
          {bundle.options.map((o) => {
            const g = o.group ? groups.get(o.group) : undefined;
            const id = `option-${o.offering}`;
            const issues = issuesOf(o.offering);
            return (
              <tr key={o.offering}>
                <td><label htmlFor={id}>{o.name}</label></td>
                <td>{g ? `${g.name} (${g.min}–${g.max})` : ''}</td>
                <td className="num">{o.min}–{o.max}</td>
                <td className="num">{o.defaultQuantity}</td>
                <td>
                  <input id={id} type="number" min={o.min} max={o.max} size={6} disabled={!editable} aria-invalid={issues.length > 0} aria-describedby={`${id}-issues`}
                    value={options[o.offering] ?? String(configured.get(o.offering) ?? o.defaultQuantity)} onChange={(e) => onChange(o.offering, e.target.value)} />
                  <div id={`${id}-issues`} aria-live="polite">{issues.map((v, i) => <IssueView key={i} issue={v} ctx={ctx} />)}</div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="muted">Each option is priced with the line: its own charges, for its quantity times the line&apos;s quantity.</p>
      {bundle.options.filter((o) => optionForms[o.offering]).map((o) => (
        <OptionForm key={o.offering} name={o.name} form={optionForms[o.offering]!} values={values[o.offering] ?? {}} editable={ctx.editable} open={issuesOf(o.offering).length > 0}
          configured={(preview?.normalized.children ?? []).find((c) => c.offering === o.offering)?.selections}
          onValues={(v) => onValues(o.offering, v)} />
      ))}
    </section>
  );
}

/**
 * A bundle option's characteristics, in a form generated from its own specification and layout
 * (the values apply to every unit of the option). Only what the rep sets is sent; the engine's
 * defaults show until then.
 */
function OptionForm({ name, form, values, configured, editable, open, onValues }: {
  name: string; form: LineForm; values: Record<string, unknown>; configured: Record<string, unknown> | undefined; editable: boolean;
  /** Opened by itself when the engine has something to say about the option. */
  open: boolean;
  onValues(values: Record<string, unknown>): void;
}) {
  const { schema, uiSchema } = useMemo(() => lineFormSchema(form), [form]);
  const shown = { ...(configured ?? {}), ...values };
  const prefix = `option-${form.offering.key}`;
  const onChange = (event: IChangeEvent, id?: string) => {
    const key = id?.startsWith(`${prefix}_`) ? id.slice(prefix.length + 1) : undefined;
    if (!key) return;
    const value = ((event.formData ?? {}) as Record<string, unknown>)[key];
    if (value === shown[key]) return;
    const next = { ...values };
    if (value === undefined || value === '') delete next[key];
    else next[key] = value;
    onValues(next);
  };
  return (
    <details className="option-form" open={open || undefined}>
      <summary>{name}: characteristics</summary>
      <Form idPrefix={prefix} schema={schema} uiSchema={uiSchema} formData={shown} validator={validator} noValidate noHtml5Validate
        showErrorList={false} disabled={!editable} onChange={onChange} />
    </details>
  );
}
