'use client';

import Form from '@rjsf/core';
import type { RJSFSchema, UiSchema } from '@rjsf/utils';
import { customizeValidator } from '@rjsf/validator-ajv8';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { useEffect, useMemo, useRef } from 'react';
import type { FieldChange, JsonObject } from '@/lib/api';
import { VariantSelectWidget } from '@/components/variant-select.widget';
import { fieldIdOf, withTitles } from './schema-labels';
import './review.css';

// The kinds' schemas are JSON Schema 2020-12 (as in the draft editor); nothing is validated here.
const validator = customizeValidator({ AjvClass: Ajv2020 as never, ajvOptionsOverrides: { discriminator: true } });
const widgets = { SelectWidget: VariantSelectWidget };
const XML_KINDS = new Set(['bpmn-model', 'dmn-model']);

const uiSchemaOf = (kind: string): UiSchema => ({
  'ui:submitButtonOptions': { norender: true },
  'ui:globalOptions': { addable: false, removable: false, orderable: false, copyable: false },
  // A model's XML is compared as a diagram below the forms; here only its first lines.
  ...(XML_KINDS.has(kind) ? { xml: { 'ui:widget': 'textarea', 'ui:options': { rows: 4 } } } : {}),
});

/** An element id as a CSS selector (rjsf ids are property names and indices joined by `_`). */
const selector = (id: string) => `#${id.replace(/[^A-Za-z0-9_-]/g, (c) => `\\${c}`)}`;

type Props = {
  kind: string;
  schema: RJSFSchema;
  before: JsonObject | null;
  after: JsonObject | null;
  changes: FieldChange[];
  /** Unique on the page: the forms' element ids start with it. */
  idPrefix: string;
  beforeLabel: string;
  afterLabel: string;
};

/**
 * One item of a candidate as two read-only forms generated from its kind's schema, the current
 * release's on the left and the candidate's on the right, each changed field marked on both sides
 * (the list of changes above them says the same in words).
 */
export function FormDiff({ kind, schema, before, after, changes, idPrefix, beforeLabel, afterLabel }: Props) {
  const titled = useMemo(() => withTitles(schema), [schema]);
  const uiSchema = useMemo(() => uiSchemaOf(kind), [kind]);
  const [left, right] = [`${idPrefix}b`, `${idPrefix}a`];
  const css = useMemo(() => changes.flatMap((c) => [
    ...(c.from !== undefined || c.to === undefined ? [`${selector(fieldIdOf(left, c.pointer))}`] : []),
    ...(c.to !== undefined || c.from === undefined ? [`${selector(fieldIdOf(right, c.pointer))}`] : []),
  ]).map((s) => `${s}{background:#fff3c4;outline:2px solid #9a6700;outline-offset:1px}`).join('\n'), [changes, left, right]);
  const sides = useRef<(HTMLElement | null)[]>([]);
  // Each side opens on the first changed field, and the two scroll together (the forms share a layout).
  useEffect(() => {
    const first = changes[0];
    if (!first) return;
    for (const [i, prefix] of [left, right].entries()) {
      const box = sides.current[i];
      const field = box?.querySelector(selector(fieldIdOf(prefix, first.pointer)));
      if (box && field) box.scrollTop += field.getBoundingClientRect().top - box.getBoundingClientRect().top - box.clientHeight / 3;
    }
  }, [changes, left, right]);
  const follow = (from: number) => () => {
    const [source, target] = [sides.current[from], sides.current[1 - from]];
    if (source && target && Math.abs(target.scrollTop - source.scrollTop) > 1) target.scrollTop = source.scrollTop;
  };
  const side = (content: JsonObject | null, id: string, label: string, empty: string, index: number) => (
    <section className="form-diff-side" aria-label={label}>
      <h4>{label}</h4>
      {content ? (
        <div className="form-diff-scroll" ref={(el) => { sides.current[index] = el; }} onScroll={follow(index)}>
          <Form className="rjsf form-diff-form" schema={titled} uiSchema={uiSchema} formData={content} validator={validator}
            widgets={widgets} idPrefix={id} readonly noValidate noHtml5Validate tagName="div" />
        </div>
      ) : <p className="muted">{empty}</p>}
    </section>
  );
  return (
    <div className="form-diff" data-testid={`form-diff-${idPrefix}`}>
      <style>{css}</style>
      {side(before, left, beforeLabel, 'Not in the current release.', 0)}
      {side(after, right, afterLabel, 'Removed by this candidate.', 1)}
    </div>
  );
}
