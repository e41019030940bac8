import { describe } from 'vitest';
import type { ProductOfferingContent } from './product-offering.kind';
import { kindCases, raw, ref, type InvalidCase } from './test-support';

const cases: InvalidCase<ProductOfferingContent>[] = [
  { name: 'no specification', change: (c) => delete raw(c).specification, code: 'schema.required', pointer: '' },
  { name: 'an unknown status', change: (c) => (raw(c).status = 'live'), code: 'schema.enum', pointer: '/status' },
  { name: 'a date that does not exist', change: (c) => (c.validFrom = '2025-02-30'), code: 'schema.format', pointer: '/validFrom' },
  { name: 'a channel listed twice', change: (c) => (c.channels = ['direct', 'direct']), code: 'schema.uniqueItems', pointer: '/channels' },
  { name: 'no segment', change: (c) => (c.segments = []), code: 'schema.minItems', pointer: '/segments' },
  { name: 'an unknown charge type', change: (c) => (raw(c.charges[0]).type = 'usage'), code: 'schema.enum', pointer: '/charges/0/type' },
  { name: 'a specification that does not resolve', change: (c) => (c.specification = 'fiber-internet'), code: 'reference.unresolved', pointer: '/specification' },
  { name: 'validTo before validFrom', change: (c) => (c.validTo = '2024-12-31'), code: 'date.range', pointer: '/validTo' },
  { name: 'validTo equal to validFrom', change: (c) => (c.validTo = c.validFrom), code: 'date.range', pointer: '/validTo' },
  { name: 'a charge key listed twice', change: (c) => (c.charges[1]!.key = 'installation'), code: 'duplicate', pointer: '/charges/1/key' },
  { name: 'a recurring charge without period', change: (c) => delete c.charges[1]!.period, code: 'charge.period-missing', pointer: '/charges/1' },
  { name: 'a one-time charge with a period', change: (c) => (c.charges[0]!.period = 'monthly'), code: 'charge.period-unexpected', pointer: '/charges/0/period' },
  { name: 'a maximum quantity of 0', change: (c) => (c.maxQuantity = 0), code: 'schema.minimum', pointer: '/maxQuantity' },
  { name: 'a fractional maximum quantity', change: (c) => (c.maxQuantity = 2.5), code: 'schema.type', pointer: '/maxQuantity' },
];

describe('product-offering', () => kindCases(ref('product-offering', 'business-internet'), cases));
