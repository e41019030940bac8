import type { KindDefinition, MetadataItem, SemanticContext, ValidationIssue } from '../types';
import { issuesFor, pointer, reportDuplicates, type Issues } from './checks';
import { array, characteristicKey, characteristicValue, kindSchema, name, object, text } from './schema-parts';

/**
 * What can be configured on a product: its characteristics, each with a value type and a
 * domain (enum values, or a numeric range with step), a unit, a default and whether it is
 * required. Offerings refer to a specification; rules, price tables and layouts refer to its
 * characteristics by key.
 */
export type CharacteristicValueType = 'enum' | 'number' | 'integer' | 'boolean' | 'string' | 'date';

export type EnumValue = { value: string; label: string };

/** Inclusive bounds; with a step, allowed values are min, min + step, ... up to max. */
export type CharacteristicRange = { min?: number; max?: number; step?: number };

export type Characteristic = {
  /** A FEEL name (lower camelCase): expressions read the configured value by this key. */
  key: string;
  name: string;
  description?: string;
  valueType: CharacteristicValueType;
  required: boolean;
  unit?: string;
  /** enum only: the allowed values, in display order. */
  values?: EnumValue[];
  /** number and integer only. */
  range?: CharacteristicRange;
  /** string only. */
  maxLength?: number;
  default?: string | number | boolean;
};

export type ProductSpecificationContent = {
  name: string;
  description?: string;
  characteristics: Characteristic[];
};

export const VALUE_TYPES = ['enum', 'number', 'integer', 'boolean', 'string', 'date'] as const satisfies readonly CharacteristicValueType[];

const schema = kindSchema(
  'product-specification',
  'Product specification',
  object<ProductSpecificationContent>(
    {
      name,
      description: text,
      characteristics: array(
        object<Characteristic>(
          {
            key: characteristicKey,
            name,
            description: text,
            valueType: { type: 'string', enum: [...VALUE_TYPES] },
            required: { type: 'boolean' },
            unit: { type: 'string', minLength: 1, maxLength: 32 },
            values: array(object<EnumValue>({ value: { type: 'string', minLength: 1, maxLength: 100 }, label: name }, ['value', 'label']), {
              min: 1,
              max: 500,
            }),
            range: object<CharacteristicRange>(
              { min: { type: 'number' }, max: { type: 'number' }, step: { type: 'number', exclusiveMinimum: 0 } },
              [],
            ),
            maxLength: { type: 'integer', minimum: 1, maximum: 2000 },
            default: characteristicValue,
          },
          ['key', 'name', 'valueType', 'required'],
        ),
        { max: 200 },
      ),
    },
    ['name', 'characteristics'],
  ),
);

const DATE = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$/;

/** True if the number is min + k * step for a whole k (tolerant of binary floating point). */
function onStep(value: number, min: number, step: number): boolean {
  const k = (value - min) / step;
  return Math.abs(k - Math.round(k)) < 1e-9 * Math.max(1, Math.abs(k));
}

/**
 * Why a value is outside a characteristic's domain, or undefined if it is inside. Shared by the
 * specification's defaults, compatibility tables and price tables (and usable by the engine).
 */
export function domainProblem(c: Characteristic, value: unknown): string | undefined {
  switch (c.valueType) {
    case 'enum':
      if (typeof value !== 'string') return `"${c.key}" takes one of its enum values, not ${JSON.stringify(value)}`;
      return c.values?.some((v) => v.value === value) ? undefined : `"${value}" is not a value of "${c.key}"`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `"${c.key}" takes true or false, not ${JSON.stringify(value)}`;
    case 'string':
      if (typeof value !== 'string') return `"${c.key}" takes text, not ${JSON.stringify(value)}`;
      return c.maxLength !== undefined && value.length > c.maxLength ? `longer than ${c.maxLength} characters` : undefined;
    case 'date':
      return typeof value === 'string' && DATE.test(value) ? undefined : `"${c.key}" takes a date (YYYY-MM-DD), not ${JSON.stringify(value)}`;
    case 'number':
    case 'integer': {
      if (typeof value !== 'number') return `"${c.key}" takes a number, not ${JSON.stringify(value)}`;
      if (c.valueType === 'integer' && !Number.isInteger(value)) return `"${c.key}" takes a whole number, not ${value}`;
      const { min, max, step } = c.range ?? {};
      if (min !== undefined && value < min) return `${value} is below the minimum ${min} of "${c.key}"`;
      if (max !== undefined && value > max) return `${value} is above the maximum ${max} of "${c.key}"`;
      if (step !== undefined && !onStep(value, min ?? 0, step)) return `${value} is not on the step ${step} of "${c.key}" (from ${min ?? 0})`;
      return undefined;
    }
  }
}

function checkCharacteristic(issues: Issues, c: Characteristic, index: number): void {
  const at = (...rest: (string | number)[]) => pointer('characteristics', index, ...rest);
  const numeric = c.valueType === 'number' || c.valueType === 'integer';
  if (c.valueType === 'enum' && !c.values) {
    issues.add(at(), 'characteristic.values-missing', `"${c.key}" is an enum but lists no values`);
  }
  if (c.valueType !== 'enum' && c.values) {
    issues.add(at('values'), 'characteristic.values-unexpected', `"${c.key}" is ${c.valueType}: only enum characteristics list values`);
  }
  if (!numeric && c.range) {
    issues.add(at('range'), 'characteristic.range-unexpected', `"${c.key}" is ${c.valueType}: only number and integer characteristics have a range`);
  }
  if (c.valueType !== 'string' && c.maxLength !== undefined) {
    issues.add(at('maxLength'), 'characteristic.max-length-unexpected', `"${c.key}" is ${c.valueType}: only string characteristics have a maxLength`);
  }
  if (c.values) reportDuplicates(issues, c.values, (v) => v.value, (i) => at('values', i, 'value'), 'value');

  const range = c.range;
  let rangeValid = true;
  if (numeric && range) {
    if (c.valueType === 'integer') {
      for (const bound of ['min', 'max', 'step'] as const) {
        const v = range[bound];
        if (v !== undefined && !Number.isInteger(v)) {
          rangeValid = false;
          issues.add(at('range', bound), 'range.integer', `"${c.key}" is an integer: its ${bound} ${v} must be a whole number`);
        }
      }
    }
    if (range.min !== undefined && range.max !== undefined && range.min > range.max) {
      rangeValid = false;
      issues.add(at('range'), 'range.invalid', `min ${range.min} of "${c.key}" is above its max ${range.max}`);
    }
    if (range.step !== undefined) {
      if (range.min === undefined) {
        rangeValid = false;
        issues.add(at('range', 'step'), 'range.step', `"${c.key}" has a step but no min to count it from`);
      } else if (range.max !== undefined && rangeValid && !onStep(range.max, range.min, range.step)) {
        rangeValid = false;
        issues.add(at('range', 'step'), 'range.step', `step ${range.step} does not divide the range ${range.min}..${range.max} of "${c.key}"`);
      }
    }
  }
  if (c.default !== undefined && rangeValid) {
    const problem = domainProblem(c, c.default);
    if (problem) issues.add(at('default'), 'default.domain', `default outside the domain: ${problem}`);
  }
}

function validate(item: MetadataItem<ProductSpecificationContent>): ValidationIssue[] {
  const issues = issuesFor(item);
  const { characteristics } = item.content;
  reportDuplicates(issues, characteristics, (c) => c.key, (i) => pointer('characteristics', i, 'key'), 'characteristic');
  characteristics.forEach((c, i) => checkCharacteristic(issues, c, i));
  return issues.list;
}

export const productSpecificationKind: KindDefinition<ProductSpecificationContent> = {
  kind: 'product-specification',
  title: 'Product specification',
  schema,
  maxBytes: 256 * 1024,
  references: () => [],
  expressions: () => [],
  validate,
};

/** The characteristics of the specification an offering refers to, by key (undefined if unresolved). */
export function characteristicsOf(context: SemanticContext, offeringKey: string): Map<string, Characteristic> | undefined {
  const offering = context.resolve<{ specification: string }>({ kind: 'product-offering', key: offeringKey });
  if (!offering) return undefined;
  const spec = context.resolve<ProductSpecificationContent>({ kind: 'product-specification', key: offering.content.specification });
  if (!spec) return undefined;
  return new Map(spec.content.characteristics.map((c) => [c.key, c]));
}
