import { createReleaseView, validateReleaseSet, compileFeel } from '@cpq/metadata';
import { sampleCatalog } from '@cpq/metadata/samples';
import Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { price, PricingInputError } from './index';

// The sample price book prices static IP addresses per address (`quantityFrom: 'staticIps'`),
// with slab tiers 1-8 at 5.00 and 9+ at 3.50.
const view = createReleaseView({ releaseId: 'r1', releaseNumber: 1, contentHash: 'h' }, sampleCatalog().map((i) => ({ ...i, contentHash: `h-${i.key}` })));
const quote = (staticIps: unknown, quantity = 1) =>
  price(view, {
    currency: 'EUR', pricingDate: '2026-06-01', termMonths: 12,
    lines: [{ lineId: 'L1', offering: 'business-internet', quantity, characteristics: { access: 'fiber', bandwidth: 500, slaTier: 'standard', staticIps } }],
  });
const staticIpCharge = (result: ReturnType<typeof quote>) => result.lines[0]!.charges.find((c) => c.charge === 'static-ip');

describe('charges counted by a characteristic (price book quantityFrom)', () => {
  it('0 addresses: the charge is not bought and not on the result', () => {
    const result = quote(0);
    expect(staticIpCharge(result)).toBeUndefined();
    expect(result.lines[0]!.charges.map((c) => c.charge)).toEqual(expect.arrayContaining(['monthly-fee']));
  });

  it('3 addresses on a line of 2: 6 units, line net = unit net x 6', () => {
    const charge = staticIpCharge(quote(3, 2))!;
    expect(charge.quantity).toBe(6);
    expect(charge.unitListPrice).toBe('5.00');
    expect(charge.lineNet).toBe(new Decimal(charge.unitNetPrice).times(6).toFixed(2));
  });

  it('10 addresses cross the slab boundary: 8 x 5.00 + 2 x 3.50 = 47.00, i.e. 4.70 a unit', () => {
    const charge = staticIpCharge(quote(10))!;
    expect(charge.quantity).toBe(10);
    expect(charge.unitListPrice).toBe('4.70');
  });

  it('the other charges still count the line quantity', () => {
    const result = quote(3, 2);
    expect(result.lines[0]!.charges.find((c) => c.charge === 'monthly-fee')!.quantity).toBe(2);
  });

  it.each([[-1], [2.5], ['3']])('a count of %j is refused, naming the characteristic', (value) => {
    expect(() => quote(value)).toThrow(PricingInputError);
    expect(() => quote(value)).toThrow(expect.objectContaining({ code: 'invalid-quantity', field: 'lines[0].characteristics.staticIps' }));
  });

  it('an absent count is none', () => {
    expect(staticIpCharge(quote(null))).toBeUndefined();
    expect(staticIpCharge(quote(undefined))).toBeUndefined();
  });

  it('the price book validator refuses a quantityFrom that is unknown or not an integer', async () => {
    const items = sampleCatalog().map((item) => {
      if (item.kind !== 'price-book') return item;
      const content = structuredClone(item.content) as { entries: { charge: string; quantityFrom?: string }[] };
      content.entries.find((e) => e.charge === 'static-ip')!.quantityFrom = 'noSuchThing';
      content.entries.find((e) => e.charge === 'installation')!.quantityFrom = 'backupLine';
      return { ...item, content };
    });
    const issues = await validateReleaseSet(items, { compileFeel });
    expect(issues.filter((i) => i.item.kind === 'price-book').map((i) => [i.code, i.pointer])).toEqual(expect.arrayContaining([
      ['characteristic.unknown', expect.stringMatching(/^\/entries\/\d+\/quantityFrom$/)],
      ['characteristic.domain', expect.stringMatching(/^\/entries\/\d+\/quantityFrom$/)],
    ]));
  });
});
