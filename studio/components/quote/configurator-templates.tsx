'use client';

import type { FieldTemplateProps, ObjectFieldTemplateProps } from '@rjsf/utils';
import type { ConfigurationIssue, Fix } from '@/lib/configuration-api';
import type { Characteristic, LineForm } from '@/lib/release-model';
import { valueText, type FieldNotes, type PreviewNotes } from './line-form-schema';

/** What the configurator's rjsf templates read from the form context. */
export type ConfiguratorContext = {
  form: LineForm;
  notes: PreviewNotes;
  editable: boolean;
  applyFix: (fix: Fix) => void;
};

const characteristicOf = (form: LineForm, key: string): Characteristic | undefined =>
  form.sections.flatMap((s) => s.fields).find((f) => f.characteristic.key === key)?.characteristic;

/** A fix the form can apply (changes of the line's own characteristics); others are said, not clicked. */
/** A fix the form can apply: the line's values, or a bundle option's quantity (the options table). */
const applicable = (fix: Fix) => fix.changes.every((c) => c.scope === 'line' || (c.scope === 'child' && c.characteristic === undefined && typeof c.to === 'number'));

/** One issue: the rule's message, which rule, and its verified fixes (one click each). */
export function IssueView({ issue, ctx }: { issue: ConfigurationIssue; ctx: ConfiguratorContext }) {
  const severity = issue.severity === 'error' ? 'violation' : 'field-note';
  return (
    <div className={severity} data-testid={`issue-${issue.ruleId}`}>
      <strong>{issue.message}</strong>{' '}
      <span className="muted">(rule <code>{issue.ruleId}</code>{issue.ruleSetKey ? <> of {issue.ruleSetKey}</> : null}{issue.child ? <>, option {issue.child}</> : null})</span>
      {issue.fixes.length > 0 ? (
        <ul className="fixes" aria-label={`Suggested fixes for ${issue.ruleId}`}>
          {issue.fixes.slice(0, 4).map((fix, i) => (
            <li key={i}>
              {applicable(fix) && ctx.editable
                ? <button type="button" className="secondary fix-button" onClick={() => ctx.applyFix(fix)}>Apply fix: {fix.description}</button>
                : <span className="muted">Suggested: {fix.description}</span>}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function Notes({ id, c, notes, ctx }: { id: string; c: Characteristic | undefined; notes: FieldNotes; ctx: ConfiguratorContext }) {
  const enumDisabled = notes.disabled.filter((d) => typeof d.value !== 'object' || d.value === null);
  const cuts = notes.disabled.filter((d) => typeof d.value === 'object' && d.value !== null);
  return (
    <div id={`${id}__error`} aria-live="polite">
      {notes.derivation ? (
        <p className="field-note derived" data-testid={`derived-${c?.key}`}>
          Derived: {valueText(c, notes.derivation.value)}, by rule <code>{notes.derivation.ruleId}</code>: {notes.derivation.message}. Read-only.
        </p>
      ) : null}
      {notes.violations.map((issue, i) => <IssueView key={`v${i}`} issue={issue} ctx={ctx} />)}
      {notes.warnings.map((issue, i) => <IssueView key={`w${i}`} issue={issue} ctx={ctx} />)}
      {enumDisabled.length > 0 ? (
        <ul className="disabled-values" aria-label={`Values not available for ${c?.name ?? id}`}>
          {enumDisabled.map((d, i) => (
            <li key={i} data-testid={`disabled-${c?.key}-${String(d.value)}`}>
              {valueText(c, d.value)} is not available: rule <code>{d.ruleId}</code>, “{d.message}”
            </li>
          ))}
        </ul>
      ) : null}
      {notes.allowed && (cuts.length > 0 || notes.allowed.min !== (c?.range?.min ?? null) || notes.allowed.max !== (c?.range?.max ?? null)) ? (
        <p className="field-note" data-testid={`allowed-${c?.key}`}>
          Allowed now: {valueText(c, notes.allowed)}
          {cuts.map((d, i) => <span key={i}>; {valueText(c, d.value)} excluded by rule <code>{d.ruleId}</code>, “{d.message}”</span>)}
        </p>
      ) : null}
    </div>
  );
}

/** Every field: its label, the generated widget, the layout's help, and what the engine said about it. */
export function ConfiguratorFieldTemplate(props: FieldTemplateProps) {
  const { id, label, children, help, required, displayLabel, hidden, registry } = props;
  if (hidden) return <div hidden>{children}</div>;
  if (id === 'root') return children;
  const ctx = registry.formContext as ConfiguratorContext;
  const key = id.replace(/^root_/, '');
  const notes = ctx.notes.byField[key];
  const c = characteristicOf(ctx.form, key);
  return (
    <div className={`cfg-field${notes && notes.violations.length > 0 ? ' has-violation' : ''}`} data-testid={`field-${key}`}>
      {displayLabel ? <label htmlFor={id}>{label}{required ? ' *' : ''}</label> : null}
      {children}
      {help}
      {notes ? <Notes id={id} c={c} notes={notes} ctx={ctx} /> : null}
    </div>
  );
}

/** The layout's sections, in order, each a fieldset with its title and help. */
export function ConfiguratorSectionsTemplate(props: ObjectFieldTemplateProps) {
  const ctx = props.registry.formContext as ConfiguratorContext;
  const byName = new Map(props.properties.map((p) => [p.name, p.content]));
  return (
    <>
      {ctx.form.sections.map((s) => (
        <fieldset key={s.key} data-testid={`section-${s.key}`}>
          <legend>{s.title}</legend>
          {s.help ? <p className="muted">{s.help}</p> : null}
          {s.fields.map((f) => <div key={f.characteristic.key}>{byName.get(f.characteristic.key)}</div>)}
        </fieldset>
      ))}
    </>
  );
}
