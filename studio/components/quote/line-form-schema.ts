import type { RJSFSchema, UiSchema } from '@rjsf/utils';
import type { ConfigurationIssue, ConfigurationResult, DisabledValue, NumericInterval } from '@/lib/configuration-api';
import type { Characteristic, LineForm } from '@/lib/release-model';

/**
 * The rep's form of a line as a JSON Schema and uiSchema for @rjsf/core, generated at run time
 * from the release (LineForm: specification, quote screen layout) and shaped by the latest
 * configuration preview: values a rule disables are disabled, derived values read-only. Nothing
 * here knows an offering: a published characteristic or layout changes the form by itself.
 */
export function titleOf(c: Characteristic): string {
  return c.unit ? `${c.name} (${c.unit})` : c.name;
}

function schemaOf(c: Characteristic): RJSFSchema {
  const title = titleOf(c);
  switch (c.valueType) {
    case 'enum':
      return { type: 'string', title, oneOf: (c.values ?? []).map((v) => ({ const: v.value, title: v.label })) };
    case 'boolean':
      return { type: 'boolean', title };
    case 'integer':
    case 'number':
      return {
        type: c.valueType, title,
        ...(c.range?.min !== undefined ? { minimum: c.range.min } : {}),
        ...(c.range?.max !== undefined ? { maximum: c.range.max } : {}),
        ...(c.range?.step !== undefined ? { multipleOf: c.range.step } : {}),
      };
    case 'date':
      return { type: 'string', format: 'date', title };
    case 'string':
      return { type: 'string', title, ...(c.maxLength !== undefined ? { maxLength: c.maxLength } : {}) };
  }
}

export function lineFormSchema(form: LineForm, preview?: ConfigurationResult): { schema: RJSFSchema; uiSchema: UiSchema } {
  const fields = form.sections.flatMap((s) => s.fields);
  const derived = new Set((preview?.derivations ?? []).map((d) => d.characteristic));
  const properties: Record<string, RJSFSchema> = {};
  const uiSchema: UiSchema = { 'ui:submitButtonOptions': { norender: true }, 'ui:order': fields.map((f) => f.characteristic.key) };
  for (const { characteristic: c, help, readOnly } of fields) {
    properties[c.key] = schemaOf(c);
    const disabled = (preview?.domains[c.key]?.disabled ?? []).filter((d) => typeof d.value === 'string' || typeof d.value === 'boolean').map((d) => d.value);
    uiSchema[c.key] = {
      ...(help ? { 'ui:help': help } : {}),
      ...(readOnly || derived.has(c.key) ? { 'ui:readonly': true } : {}),
      ...(c.valueType === 'enum' && disabled.length > 0 ? { 'ui:enumDisabled': disabled } : {}),
      ...(c.valueType === 'enum' ? { 'ui:placeholder': 'Choose…' } : {}),
    };
  }
  return {
    schema: { type: 'object', properties, required: fields.filter((f) => f.characteristic.required).map((f) => f.characteristic.key) },
    uiSchema,
  };
}

// --- what the preview says about each field -------------------------------------------------

export type FieldNotes = {
  /** Errors of rules that read this field (shown at the first field of the rule shown on the form). */
  violations: ConfigurationIssue[];
  warnings: ConfigurationIssue[];
  /** Values or ranges a rule disables, with the rule. */
  disabled: DisabledValue[];
  /** numbers: the interval still allowed. */
  allowed?: NumericInterval;
  /** The value is computed by a derived rule: read-only, with the rule. */
  derivation?: { value: unknown; ruleId: string; message: string };
};

export type PreviewNotes = {
  byField: Record<string, FieldNotes>;
  /** Issues of the line no shown field stands for: the offering, the bundle, the quote, hidden characteristics. */
  line: ConfigurationIssue[];
};

const empty = (): FieldNotes => ({ violations: [], warnings: [], disabled: [] });

/**
 * Places each issue of the preview next to one field: the first field on the form (in layout
 * order) among those the rule reads, so one mistake gives one explanation. Issues about bundle
 * children, the quote or no shown field stay at the line.
 */
export function previewNotes(form: LineForm, preview: ConfigurationResult | undefined): PreviewNotes {
  const order = form.sections.flatMap((s) => s.fields.map((f) => f.characteristic.key));
  const byField: Record<string, FieldNotes> = Object.fromEntries(order.map((k) => [k, empty()]));
  const line: ConfigurationIssue[] = [];
  if (!preview) return { byField, line };
  const options = new Set(form.bundle?.options.map((o) => o.offering) ?? []);
  const place = (issue: ConfigurationIssue, into: 'violations' | 'warnings') => {
    // An option's issue sits at the option, in the bundle's table.
    if (issue.child && options.has(issue.child)) return;
    const at = issue.child ? undefined : order.find((k) => issue.characteristics.includes(k));
    if (at) byField[at]![into].push(issue);
    else line.push(issue);
  };
  preview.violations.forEach((i) => place(i, 'violations'));
  preview.warnings.forEach((i) => place(i, 'warnings'));
  for (const key of order) {
    const domain = preview.domains[key];
    if (domain) {
      byField[key]!.disabled = domain.disabled;
      if (!Array.isArray(domain.allowed)) byField[key]!.allowed = domain.allowed;
    }
    const derivation = preview.derivations.find((d) => d.characteristic === key);
    if (derivation) byField[key]!.derivation = { value: derivation.value, ruleId: derivation.ruleId, message: derivation.message };
  }
  return { byField, line };
}

/** A value as the rep reads it: an enum's label, yes/no, a number with its unit. */
export function valueText(c: Characteristic | undefined, value: unknown): string {
  if (value === undefined || value === null) return 'nothing';
  if (typeof value === 'object') {
    // A number's domain: an interval { min, max }, or a cut end the engine excludes ({ above } / { below }).
    const unit = c?.unit ? ` ${c.unit}` : '';
    const range = value as { min?: number | null; max?: number | null; above?: number; below?: number };
    if (range.above !== undefined) return `above ${range.above}${unit}`;
    if (range.below !== undefined) return `below ${range.below}${unit}`;
    return `${range.min ?? '…'}–${range.max ?? '…'}${unit}`;
  }
  if (c?.valueType === 'enum') return c.values?.find((v) => v.value === value)?.label ?? String(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return `${String(value)}${c?.unit && typeof value === 'number' ? ` ${c.unit}` : ''}`;
}
