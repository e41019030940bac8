import Form from '@rjsf/core';
import type { ErrorSchema, RegistryFieldsType, RegistryWidgetsType, RJSFSchema } from '@rjsf/utils';
import { customizeValidator } from '@rjsf/validator-ajv8';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { useState } from 'react';
import { sampleCatalog } from '@cpq/metadata/samples';
import { customUiSchema, formStateBehavior } from '../ui-schema';

// The kinds' JSON Schemas as the metadata package publishes them (metadata/schemas, kept equal to
// the registry the engine serves at GET /metadata/kinds by metadata/scripts/write-schemas.test.ts).
const schemas = import.meta.glob<RJSFSchema>('../../../../metadata/schemas/*.schema.json', { eager: true, import: 'default' });
export const kindSchema = (kind: string): RJSFSchema => {
  const schema = schemas[`../../../../metadata/schemas/${kind}.schema.json`];
  if (!schema) throw new Error(`no schema for ${kind}`);
  return schema;
};

const validator = customizeValidator({ AjvClass: Ajv2020 as never, ajvOptionsOverrides: { discriminator: true } });

/** The sample catalog's content of an item (metadata/src/kinds/samples.ts), as the fixture release publishes it. */
export function sampleContent<T = Record<string, unknown>>(kind: string, key?: string): T {
  const item = sampleCatalog().find((i) => i.kind === kind && (key === undefined || i.key === key));
  if (!item) throw new Error(`no sample ${kind}/${key ?? '*'}`);
  return structuredClone(item.content) as T;
}

type Props = {
  kind: string;
  initial: Record<string, unknown>;
  fields?: RegistryFieldsType;
  widgets?: RegistryWidgetsType;
  extraErrors?: ErrorSchema;
  onData?(data: Record<string, unknown>): void;
};

/**
 * A kind's form as the draft editor builds it: the engine's own JSON Schema for the kind, ajv
 * 2020-12 with the discriminator, the custom editors
 * chosen by ./ui-schema.ts. A submit validates with ajv; the content is shown as JSON.
 */
export function KindForm({ kind, initial, fields, widgets, extraErrors, onData }: Props) {
  const [data, setData] = useState(initial);
  const [submitted, setSubmitted] = useState<string>('');
  return (
    <div className="rjsf">
      <Form
        schema={kindSchema(kind)}
        uiSchema={{ 'ui:submitButtonOptions': { norender: true }, ...customUiSchema(kind) }}
        formData={data}
        validator={validator}
        fields={fields}
        widgets={widgets}
        extraErrors={extraErrors}
        noHtml5Validate
        showErrorList={false}
        experimental_defaultFormStateBehavior={formStateBehavior}
        idPrefix="root"
        onChange={(e) => {
          setData(e.formData as Record<string, unknown>);
          onData?.(e.formData as Record<string, unknown>);
        }}
        onSubmit={(e) => setSubmitted(JSON.stringify(e.formData))}
        onError={(errors) => setSubmitted(`invalid: ${errors.map((e) => `${e.property} ${e.message}`).join('; ')}`)}
      >
        <button type="submit">Save</button>
      </Form>
      <pre data-testid="submitted">{submitted}</pre>
    </div>
  );
}
