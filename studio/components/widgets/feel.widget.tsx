'use client';

import type { WidgetProps } from '@rjsf/utils';
import { FeelEditor } from './feel-editor';
import type { FeelEvaluate } from './feel-sample';

/**
 * The FEEL editor as an rjsf widget (chosen by kind and path in ./ui-schema.ts). rjsf's field
 * template around it keeps the label and the error list, so ajv's messages and the engine's
 * (a candidate's feel.syntax issue) land under it as under any field.
 */
export function FeelWidget({ id, label, value, required, disabled, readonly, options, onChange, onBlur, evaluate }: WidgetProps & { evaluate: FeelEvaluate }) {
  return (
    <FeelEditor
      id={id}
      label={label || id}
      value={typeof value === 'string' ? value : ''}
      // An emptied field is absent, as rjsf's own text widget does: ajv then names a required one.
      onChange={(next) => onChange(next === '' ? options.emptyValue : next)}
      onBlur={() => onBlur(id, value)}
      evaluate={evaluate}
      dialect={options.dialect === 'unary-tests' ? 'unary-tests' : 'expression'}
      required={required}
      disabled={disabled || readonly}
      placeholder={typeof options.placeholder === 'string' ? options.placeholder : undefined}
    />
  );
}
