import { describe, expect, it } from 'vitest';
import type { AttributePriceEntry, FlatPriceEntry, PriceBookContent, TieredPriceEntry } from './price-book.kind';
import { catalogWith, findings, kindCases, raw, ref, validateWithFeelin, type InvalidCase } from './test-support';

const book = ref('price-book', 'eur-list');
const flat = (c: PriceBookContent) => c.entries[0] as FlatPriceEntry;
const table = (c: PriceBookContent) => c.entries[1] as AttributePriceEntry;
const tiers = (c: PriceBookContent) => (c.entries[6] as TieredPriceEntry).tiers;

const cases: InvalidCase<PriceBookContent>[] = [
  { name: 'an unknown currency', change: (c) => (c.currency = 'EURO'), code: 'schema.enum', pointer: '/currency' },
  { name: 'a price as a JSON number', change: (c) => (raw(flat(c)).price = 199), code: 'schema.type', pointer: '/entries/0/price' },
  { name: 'a price with a decimal comma', change: (c) => (flat(c).price = '199,00'), code: 'schema.pattern', pointer: '/entries/0/price' },
  { name: 'a negative price', change: (c) => (flat(c).price = '-1.00'), code: 'schema.pattern', pointer: '/entries/0/price' },
  { name: 'an unknown entry type', change: (c) => (raw(flat(c)).type = 'formula'), code: 'schema.enum', pointer: '/entries/0/type' },
  { name: 'an unknown tier mode', change: (c) => (raw(c.entries[6]).mode = 'stepped'), code: 'schema.enum', pointer: '/entries/6/mode' },
  { name: 'an offering that does not resolve', change: (c) => (c.entries[3]!.offering = 'firewall'), code: 'reference.unresolved', pointer: '/entries/3/offering' },
  { name: 'a charge the offering does not have', change: (c) => (flat(c).charge = 'activation'), code: 'charge.unknown', pointer: '/entries/0/charge' },
  { name: 'an (offering, charge) priced twice', change: (c) => (c.entries[3] = { ...flat(c) }), code: 'duplicate', pointer: '/entries/3' },
  { name: 'validTo before validFrom', change: (c) => (c.validTo = '2024-06-30'), code: 'date.range', pointer: '/validTo' },
  { name: 'more decimals than EUR has', change: (c) => (flat(c).price = '199.001'), code: 'currency.decimals', pointer: '/entries/0/price' },
  { name: 'decimals in JPY', change: (c) => (c.currency = 'JPY'), code: 'currency.decimals', pointer: '/entries/0/price' },
  { name: 'more decimals than KWD has', change: (c) => {
      c.currency = 'KWD';
      flat(c).price = '1.0001';
    }, code: 'currency.decimals', pointer: '/entries/0/price' },
  { name: 'a table row price with too many decimals', change: (c) => (table(c).rows[0]!.price = '49.999'), code: 'currency.decimals', pointer: '/entries/1/rows/0/price' },
  { name: 'a tier price with too many decimals', change: (c) => (tiers(c)[2]!.price = '35.125'), code: 'currency.decimals', pointer: '/entries/6/tiers/2/price' },
  { name: 'a table on an unknown characteristic', change: (c) => (table(c).characteristic = 'speed'), code: 'characteristic.unknown', pointer: '/entries/1/characteristic' },
  { name: 'a row with both a value and a range', change: (c) => (table(c).rows[0]!.value = 50), code: 'price-table.row', pointer: '/entries/1/rows/0' },
  { name: 'a row with neither a value nor a range', change: (c) => (table(c).rows[0] = { price: '49.00' }), code: 'price-table.row', pointer: '/entries/1/rows/0' },
  { name: 'ranges on an enum characteristic', change: (c) => (table(c).characteristic = 'access'), code: 'price-table.row', pointer: '/entries/1/rows/0' },
  { name: 'a row min above its max', change: (c) => Object.assign(table(c).rows[0]!, { min: 100, max: 50 }), code: 'range.invalid', pointer: '/entries/1/rows/0' },
  { name: 'overlapping ranges', change: (c) => (table(c).rows[1]!.min = 100), code: 'price-table.overlap', pointer: '/entries/1/rows/1' },
  {
    name: 'a value outside the characteristic domain',
    change: (c) => Object.assign(table(c), { characteristic: 'access', rows: [{ value: 'fiber', price: '49.00' }, { value: 'satellite', price: '89.00' }] }),
    code: 'characteristic.domain',
    pointer: '/entries/1/rows/1/value',
  },
  {
    name: 'a value priced twice',
    change: (c) => Object.assign(table(c), { characteristic: 'access', rows: [{ value: 'fiber', price: '49.00' }, { value: 'fiber', price: '89.00' }] }),
    code: 'duplicate',
    pointer: '/entries/1/rows/1/value',
  },
  { name: 'tiers not starting at 1', change: (c) => (tiers(c)[0]!.from = 2), code: 'tiers.start', pointer: '/entries/6/tiers/0/from' },
  { name: 'a gap between tiers', change: (c) => (tiers(c)[1]!.from = 11), code: 'tiers.gap', pointer: '/entries/6/tiers/1/from' },
  { name: 'overlapping tiers', change: (c) => (tiers(c)[1]!.from = 9), code: 'tiers.overlap', pointer: '/entries/6/tiers/1/from' },
  { name: 'an open-ended tier that is not the last', change: (c) => delete tiers(c)[0]!.to, code: 'tiers.open', pointer: '/entries/6/tiers/0/to' },
  { name: 'a tier ending before it starts', change: (c) => (tiers(c)[1]!.to = 5), code: 'tiers.range', pointer: '/entries/6/tiers/1' },
  { name: 'a zero tier bound', change: (c) => (tiers(c)[0]!.from = 0), code: 'schema.minimum', pointer: '/entries/6/tiers/0/from' },
];

describe('price-book', () => {
  kindCases(book, cases);

  it('accepts three decimals in KWD and none in JPY', async () => {
    const kwd = await validateWithFeelin(
      catalogWith<PriceBookContent>(book, (c) => {
        c.currency = 'KWD';
        flat(c).price = '199.125';
      }),
    );
    expect(findings(kwd, book)).toEqual([]);
    const jpy = await validateWithFeelin(
      catalogWith<PriceBookContent>(book, (c) => {
        c.currency = 'JPY';
        c.entries = [{ offering: 'business-internet', charge: 'installation', type: 'flat', price: '25000' }];
      }),
    );
    expect(findings(jpy, book)).toEqual([]);
  });
});
