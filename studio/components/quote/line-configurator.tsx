'use client';

import Form from '@rjsf/core';
import type { IChangeEvent } from '@rjsf/core';
import validator from '@rjsf/validator-ajv8';
import { useCallback, useEffect, useMemo, useRef, useState, useTransition } from 'react';
import type { ConfigurationResult, Fix, PreviewInput } from '@/lib/configuration-api';
import type { Problem, Result } from '@/lib/problem';
import type { LineForm } from '@/lib/release-model';
import { ProblemView } from '@/components/problem-view';
import { ConfiguratorFieldTemplate, ConfiguratorSectionsTemplate, IssueView, type ConfiguratorContext } from './configurator-templates';
import { lineFormSchema, previewNotes } from './line-form-schema';
import { explain } from './quote-problems';
import './quote.css';

export type LineDraft = { lineId: string; quantity: number; selections: Record<string, unknown> };

type Props = {
  form: LineForm;
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
export function LineConfigurator({ form, releaseId, line, context, editable, evaluate, save, onSaved, debounceMs = 250 }: Props) {
  const [explicit, setExplicit] = useState<Record<string, unknown>>(line.selections);
  const [quantity, setQuantity] = useState(String(line.quantity));
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
        releaseId, offering: form.offering.key, selections: explicit,
        context: { ...(Number.isInteger(q) && q >= 1 ? { quantity: q } : {}), termMonths: context.termMonths, quoteOfferings: context.quoteOfferings, ...(context.segment ? { segment: context.segment } : {}), ...(context.channel ? { channel: context.channel } : {}) },
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
  }, [explicit, quantity, releaseId, form.offering.key, context.termMonths, context.quoteOfferings, context.segment, context.channel, evaluate, debounceMs]);

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
    const result = await save({ lineId: line.lineId, quantity: Number(quantity), selections });
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
      {form.bundle ? <BundleOptions form={form} preview={preview} /> : null}
      {problem ? <ProblemView problem={problem} explanation={explain(problem)} /> : null}
      {editable ? <button type="button" onClick={onSave} disabled={saving}>{saving ? 'Saving…' : 'Save line'}</button> : null}
    </div>
  );
}

/** The bundle's options with their cardinalities and groups, and the quantities the engine configures. */
function BundleOptions({ form, preview }: { form: LineForm; preview: ConfigurationResult | undefined }) {
  const bundle = form.bundle!;
  const configured = new Map((preview?.normalized.children ?? []).map((c) => [c.offering, c.quantity]));
  const groups = new Map(bundle.groups.map((g) => [g.key, g]));
  return (
    <section className="panel" aria-labelledby="bundle-title">
      <h2 id="bundle-title">{bundle.name}: options</h2>
      <table aria-label="Bundle options">
        <thead><tr><th>Option</th><th>Group (choose)</th><th>Quantity allowed</th><th>Default</th><th>Configured</th></tr></thead>
        <tbody>
          {bundle.options.map((o) => {
            const g = o.group ? groups.get(o.group) : undefined;
            return (
              <tr key={o.offering}>
                <td>{o.name}</td>
                <td>{g ? `${g.name} (${g.min}–${g.max})` : ''}</td>
                <td className="num">{o.min}–{o.max}</td>
                <td className="num">{o.defaultQuantity}</td>
                <td className="num">{configured.get(o.offering) ?? 0}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="muted">Quote lines do not carry option quantities yet: a saved line takes every option at its default quantity.</p>
    </section>
  );
}
