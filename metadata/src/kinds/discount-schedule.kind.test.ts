import { describe } from 'vitest';
import type { DiscountScheduleContent } from './discount-schedule.kind';
import { kindCases, raw, ref, type InvalidCase } from './test-support';

const cases: InvalidCase<DiscountScheduleContent>[] = [
  { name: 'an unknown basis', change: (c) => (raw(c).basis = 'volume'), code: 'schema.enum', pointer: '/basis' },
  { name: 'no tier', change: (c) => (c.tiers = []), code: 'schema.minItems', pointer: '/tiers' },
  { name: 'a percentage as a JSON number', change: (c) => (raw(c.tiers[0]).percent = 0), code: 'schema.type', pointer: '/tiers/0/percent' },
  { name: 'an offering that does not resolve', change: (c) => (c.offerings![1] = 'sd-lan'), code: 'reference.unresolved', pointer: '/offerings/1' },
  { name: 'a gap between tiers', change: (c) => (c.tiers[1]!.from = 25), code: 'tiers.gap', pointer: '/tiers/1/from' },
  { name: 'overlapping tiers', change: (c) => (c.tiers[1]!.from = 23), code: 'tiers.overlap', pointer: '/tiers/1/from' },
  { name: 'an open-ended tier that is not the last', change: (c) => delete c.tiers[0]!.to, code: 'tiers.open', pointer: '/tiers/0/to' },
  { name: 'a tier ending before it starts', change: (c) => (c.tiers[0]!.to = 6), code: 'tiers.range', pointer: '/tiers/0' },
  { name: 'quantity tiers not starting at 1', change: (c) => (c.basis = 'quantity'), code: 'tiers.start', pointer: '/tiers/0/from' },
  { name: 'a discount above 100 %', change: (c) => (c.tiers[2]!.percent = '100.5'), code: 'percent.range', pointer: '/tiers/2/percent' },
];

describe('discount-schedule', () => kindCases(ref('discount-schedule', 'term-discounts'), cases));
