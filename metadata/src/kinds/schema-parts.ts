import type { MetadataKind } from '../types';
import { CURRENCY_CODES } from './currencies';

/**
 * Building blocks of the kinds' JSON Schemas (2020-12). Every object is closed
 * (`additionalProperties: false`), every string and array is bounded: the content is authored in
 * the studio and untrusted (STYLE.md habit 5).
 */
export type JsonSchema = Record<string, unknown>;

export const SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

export const schemaId = (kind: MetadataKind): string => `https://cpq.example/metadata/${kind}.schema.json`;

/** Keys of items, charges, rules, steps, groups, roles...: kebab-case, e.g. "business-internet". */
export const KEY_PATTERN = '^[a-z0-9]+(?:-[a-z0-9]+)*$';

/**
 * Characteristic keys are FEEL variable names (configuration and pricing expressions read them,
 * e.g. `bandwidth <= 100`), so they are lower camelCase: a kebab-case name would parse as a
 * subtraction in FEEL.
 */
export const CHARACTERISTIC_KEY_PATTERN = '^[a-z][A-Za-z0-9]*$';

/** Money and percentages are decimal strings, never JSON numbers (no binary floating point). */
export const DECIMAL_PATTERN = '^\\d{1,15}(?:\\.\\d{1,8})?$';
export const SIGNED_DECIMAL_PATTERN = '^-?\\d{1,15}(?:\\.\\d{1,8})?$';

export const key: JsonSchema = { type: 'string', minLength: 1, maxLength: 64, pattern: KEY_PATTERN };
export const characteristicKey: JsonSchema = { type: 'string', minLength: 1, maxLength: 64, pattern: CHARACTERISTIC_KEY_PATTERN };
export const name: JsonSchema = { type: 'string', minLength: 1, maxLength: 200 };
export const text: JsonSchema = { type: 'string', minLength: 1, maxLength: 2000 };
export const decimal: JsonSchema = { type: 'string', maxLength: 32, pattern: DECIMAL_PATTERN };
export const signedDecimal: JsonSchema = { type: 'string', maxLength: 33, pattern: SIGNED_DECIMAL_PATTERN };
export const date: JsonSchema = { type: 'string', maxLength: 10, format: 'date' };
export const currency: JsonSchema = { type: 'string', enum: CURRENCY_CODES };
export const feel: JsonSchema = { type: 'string', minLength: 1, maxLength: 4000 };
export const count: JsonSchema = { type: 'integer', minimum: 0, maximum: 1_000_000 };
/** An XML id (NCName-like), as BPMN process ids and DMN decision ids are. */
export const xmlId: JsonSchema = { type: 'string', minLength: 1, maxLength: 255, pattern: '^[A-Za-z_][A-Za-z0-9_.-]*$' };
/** A literal value a characteristic can take (enum value, number, boolean, date or text). */
export const characteristicValue: JsonSchema = {
  anyOf: [{ type: 'string', maxLength: 2000 }, { type: 'number' }, { type: 'boolean' }],
};

/**
 * A closed object schema. `properties` must name exactly the fields of T (a missing or extra
 * field fails to compile), so the hand-written content types and the schemas cannot drift apart.
 */
export function object<T>(
  properties: { [K in keyof Required<T>]: JsonSchema },
  required: readonly (keyof T & string)[],
): JsonSchema {
  return { type: 'object', additionalProperties: false, required: [...required], properties };
}

export function array(items: JsonSchema, bounds: { min?: number; max: number; unique?: boolean }): JsonSchema {
  return {
    type: 'array',
    ...(bounds.min ? { minItems: bounds.min } : {}),
    maxItems: bounds.max,
    ...(bounds.unique ? { uniqueItems: true } : {}),
    items,
  };
}

/**
 * A closed union of object shapes told apart by their `type` field (ajv's `discriminator`, so an
 * invalid entry reports the errors of its own shape only, not of every alternative).
 */
export function tagged(tags: readonly string[], variants: readonly JsonSchema[]): JsonSchema {
  return {
    type: 'object',
    required: ['type'],
    properties: { type: { type: 'string', enum: [...tags] } },
    discriminator: { propertyName: 'type' },
    oneOf: [...variants],
  };
}

/** The root schema of a kind: dialect, stable $id, title, then the content's object schema. */
export function kindSchema(kind: MetadataKind, title: string, content: JsonSchema): JsonSchema {
  return { $schema: SCHEMA_DIALECT, $id: schemaId(kind), title, ...content };
}
