import { describe } from 'vitest';
import type { ProductSpecificationContent } from './product-specification.kind';
import { kindCases, raw, ref, type InvalidCase } from './test-support';

const cases: InvalidCase<ProductSpecificationContent>[] = [
  { name: 'no name', change: (c) => delete raw(c).name, code: 'schema.required', pointer: '' },
  { name: 'an unknown field', change: (c) => (raw(c).colour = 'blue'), code: 'schema.additionalProperties', pointer: '' },
  { name: 'a kebab-case characteristic key (not a FEEL name)', change: (c) => (c.characteristics[0]!.key = 'access-type'), code: 'schema.pattern', pointer: '/characteristics/0/key' },
  { name: 'an unknown value type', change: (c) => (raw(c.characteristics[0]).valueType = 'float'), code: 'schema.enum', pointer: '/characteristics/0/valueType' },
  { name: 'a zero step', change: (c) => (c.characteristics[1]!.range = { min: 50, max: 100, step: 0 }), code: 'schema.exclusiveMinimum', pointer: '/characteristics/1/range/step' },
  { name: 'a characteristic key listed twice', change: (c) => (c.characteristics[1]!.key = 'access'), code: 'duplicate', pointer: '/characteristics/1/key' },
  { name: 'an enum value listed twice', change: (c) => (c.characteristics[0]!.values![2]!.value = 'fiber'), code: 'duplicate', pointer: '/characteristics/0/values/2/value' },
  { name: 'an enum without values', change: (c) => delete c.characteristics[0]!.values, code: 'characteristic.values-missing', pointer: '/characteristics/0' },
  { name: 'values on an integer', change: (c) => (c.characteristics[1]!.values = [{ value: 'a', label: 'A' }]), code: 'characteristic.values-unexpected', pointer: '/characteristics/1/values' },
  { name: 'a range on an enum', change: (c) => (c.characteristics[0]!.range = { min: 0 }), code: 'characteristic.range-unexpected', pointer: '/characteristics/0/range' },
  { name: 'a maxLength on an integer', change: (c) => (c.characteristics[1]!.maxLength = 5), code: 'characteristic.max-length-unexpected', pointer: '/characteristics/1/maxLength' },
  { name: 'min above max', change: (c) => (c.characteristics[1]!.range = { min: 1000, max: 50 }), code: 'range.invalid', pointer: '/characteristics/1/range' },
  { name: 'a step that does not divide the range', change: (c) => (c.characteristics[1]!.range!.step = 300), code: 'range.step', pointer: '/characteristics/1/range/step' },
  { name: 'a step without a min', change: (c) => (c.characteristics[3]!.range = { max: 64, step: 1 }), code: 'range.step', pointer: '/characteristics/3/range/step' },
  { name: 'a fractional step on an integer', change: (c) => (c.characteristics[1]!.range!.step = 0.5), code: 'range.integer', pointer: '/characteristics/1/range/step' },
  { name: 'an enum default that is not a value', change: (c) => (c.characteristics[0]!.default = 'satellite'), code: 'default.domain', pointer: '/characteristics/0/default' },
  { name: 'a default off the step', change: (c) => (c.characteristics[1]!.default = 120), code: 'default.domain', pointer: '/characteristics/1/default' },
  { name: 'a default above the max', change: (c) => (c.characteristics[3]!.default = 65), code: 'default.domain', pointer: '/characteristics/3/default' },
  { name: 'a fractional integer default', change: (c) => (c.characteristics[3]!.default = 1.5), code: 'default.domain', pointer: '/characteristics/3/default' },
  { name: 'a text default on a boolean', change: (c) => (c.characteristics[4]!.default = 'yes'), code: 'default.domain', pointer: '/characteristics/4/default' },
  { name: 'a default that is not a date', change: (c) => (c.characteristics[5]!.default = '01/02/2025'), code: 'default.domain', pointer: '/characteristics/5/default' },
  { name: 'a text default longer than maxLength', change: (c) => (c.characteristics[6]!.default = 'x'.repeat(81)), code: 'default.domain', pointer: '/characteristics/6/default' },
];

describe('product-specification', () => kindCases(ref('product-specification', 'business-internet'), cases));
