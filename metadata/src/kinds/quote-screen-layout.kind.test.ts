import { describe } from 'vitest';
import type { QuoteScreenLayoutContent } from './quote-screen-layout.kind';
import { kindCases, raw, ref, type InvalidCase } from './test-support';

const cases: InvalidCase<QuoteScreenLayoutContent>[] = [
  { name: 'a section without fields', change: (c) => (c.sections[0]!.fields = []), code: 'schema.minItems', pointer: '/sections/0/fields' },
  { name: 'a field given as a bare string', change: (c) => ((c.sections[0]!.fields as unknown[])[0] = 'access'), code: 'schema.type', pointer: '/sections/0/fields/0' },
  { name: 'an unknown field property', change: (c) => (raw(c.sections[0]!.fields[0]).width = 2), code: 'schema.additionalProperties', pointer: '/sections/0/fields/0' },
  { name: 'an offering that does not resolve', change: (c) => (c.offering = 'fiber-internet'), code: 'reference.unresolved', pointer: '/offering' },
  { name: 'a characteristic the specification lacks', change: (c) => (c.sections[0]!.fields[1]!.characteristic = 'speed'), code: 'characteristic.unknown', pointer: '/sections/0/fields/1/characteristic' },
  { name: 'a characteristic in two sections', change: (c) => (c.sections[1]!.fields[0]!.characteristic = 'access'), code: 'duplicate', pointer: '/sections/1/fields/0/characteristic' },
  { name: 'a characteristic twice in a section', change: (c) => (c.sections[0]!.fields[1]!.characteristic = 'access'), code: 'duplicate', pointer: '/sections/0/fields/1/characteristic' },
  { name: 'a section key listed twice', change: (c) => (c.sections[1]!.key = 'access'), code: 'duplicate', pointer: '/sections/1/key' },
];

describe('quote-screen-layout', () => kindCases(ref('quote-screen-layout', 'business-internet-layout'), cases));
