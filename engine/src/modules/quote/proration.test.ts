import { createReleaseView } from '@cpq/metadata';
import { sampleCatalog } from '@cpq/metadata/samples';
import { describe, expect, it } from 'vitest';
import { price } from '../pricing';
import { addMonths, ChangeLineError, disconnectFeesOf, priceChange, type Baseline, type ChangeLine, type FeeRule } from './change-pricing';
import { dayNumber, divideHalfUp, formatUnits, prorateRecurring, prorationOf, ProrationError, toUnits } from './proration';

describe('proration: days remaining / days in term', () => {
  it('counts calendar days, the end exclusive: a leap year has 366, a common one 365', () => {
    expect(prorationOf({ start: '2028-01-01', end: '2029-01-01' }, '2028-07-01')).toMatchObject({ daysInTerm: 366, daysRemaining: 184, fraction: '184/366', factor: '0.502732' });
    expect(prorationOf({ start: '2027-01-01', end: '2028-01-01' }, '2027-07-01')).toMatchObject({ daysInTerm: 365, daysRemaining: 184, fraction: '184/365', factor: '0.504110' });
    // Across 29 February: a two-year term from 2027-03-01 holds it.
    expect(prorationOf({ start: '2027-03-01', end: '2029-03-01' }, '2028-02-29')).toMatchObject({ daysInTerm: 731, daysRemaining: 366 });
  });

  it('a change on the term\'s last day prorates one day; on the end date the term is over and the change refused', () => {
    expect(prorationOf({ start: '2027-01-01', end: '2028-01-01' }, '2027-12-31')).toMatchObject({ daysRemaining: 1, daysInTerm: 365, factor: '0.002740' });
    expect(() => prorationOf({ start: '2027-01-01', end: '2028-01-01' }, '2028-01-01')).toThrow(ProrationError);
    expect(() => prorationOf({ start: '2027-01-01', end: '2028-01-01' }, '2029-06-30')).toThrow(/term ended on 2028-01-01/);
    try {
      prorationOf({ start: '2027-01-01', end: '2028-01-01' }, '2028-01-01');
    } catch (error) {
      expect((error as ProrationError).code).toBe('term-ended');
    }
  });

  it('a change on the first day (or before the term starts) covers the whole term', () => {
    expect(prorationOf({ start: '2027-01-01', end: '2028-01-01' }, '2027-01-01')).toMatchObject({ daysRemaining: 365, factor: '1.000000' });
    expect(prorationOf({ start: '2027-01-01', end: '2028-01-01' }, '2026-12-01')).toMatchObject({ daysRemaining: 365 });
  });

  it('refuses dates that are not calendar days', () => {
    expect(() => dayNumber('2027-02-29')).toThrow(/not a calendar date/);
    expect(() => prorationOf({ start: '2027-01-01', end: '2027-01-01' }, '2027-01-01')).toThrow(/has no day/);
  });

  it('prorates a monthly change exactly, rounded once half-up: +10.00 a month over 24 months, 183 of 731 days left', () => {
    const p = prorationOf({ start: '2027-01-01', end: '2029-01-01' }, '2028-07-02');
    expect(p).toMatchObject({ daysInTerm: 731, daysRemaining: 183 });
    // 10.00 x 24 = 240.00; x 183/731 = 60.0820793... -> 60.08
    const r = prorateRecurring('10.00', { chargeType: 'recurring', period: 'monthly' }, 24, p, 2);
    expect(r).toMatchObject({ fullTermDelta: '240.00', proratedDelta: '60.08' });
    expect(r.reason).toContain('183 of its 731 days remain');
    // A decrease rounds away from zero the same way: -60.08.
    expect(prorateRecurring('-10.00', { chargeType: 'recurring', period: 'monthly' }, 24, p, 2).proratedDelta).toBe('-60.08');
    // An annual charge counts termMonths / 12 years: 120.00 a year x 2 years x 183/731 = 60.08.
    expect(prorateRecurring('120.00', { chargeType: 'recurring', period: 'annual' }, 24, p, 2)).toMatchObject({ fullTermDelta: '240.00', proratedDelta: '60.08' });
  });

  it('rounds a half away from zero and keeps the currency\'s decimals (0 for JPY, 3 for KWD)', () => {
    expect(divideHalfUp(5n, 2n)).toBe(3n);
    expect(divideHalfUp(-5n, 2n)).toBe(-3n);
    expect(divideHalfUp(4n, 3n)).toBe(1n);
    const half = prorationOf({ start: '2027-01-01', end: '2027-01-03' }, '2027-01-02'); // 1/2
    expect(prorateRecurring('0.01', { chargeType: 'recurring', period: 'monthly' }, 1, half, 2).proratedDelta).toBe('0.01');
    expect(prorateRecurring('-0.01', { chargeType: 'recurring', period: 'monthly' }, 1, half, 2).proratedDelta).toBe('-0.01');
    expect(prorateRecurring('1001', { chargeType: 'recurring', period: 'monthly' }, 1, half, 0).proratedDelta).toBe('501');
    expect(prorateRecurring('1.001', { chargeType: 'recurring', period: 'monthly' }, 1, half, 3).proratedDelta).toBe('0.501');
  });

  it('reads and writes decimal strings without floats', () => {
    expect(toUnits('49.9', 2)).toBe(4990n);
    expect(toUnits('-0.05', 2)).toBe(-5n);
    expect(toUnits('12.50000000', 2)).toBe(1250n);
    expect(() => toUnits('1.005', 2)).toThrow(/more than 2 decimals/);
    expect(() => toUnits('1e3', 2)).toThrow(/not a decimal amount/);
    expect(formatUnits(-5n, 2)).toBe('-0.05');
    expect(formatUnits(0n, 2)).toBe('0.00');
    expect(formatUnits(123n, 0)).toBe('123');
  });

  it('adds months as PostgreSQL does, clamped to the month\'s end', () => {
    expect(addMonths('2027-01-31', 1)).toBe('2027-02-28');
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonths('2027-03-15', 24)).toBe('2029-03-15');
  });
});

describe('priceChange: a change quote priced as its delta against the installed assets', () => {
  const view = createReleaseView({ releaseId: 'rel-1', releaseNumber: 3, contentHash: 'h' }, sampleCatalog().map((i) => ({ ...i, contentHash: `h-${i.key}` })));
  const core = (lines: { lineId: string; bandwidth: number }[], termMonths = 24) => price(view, {
    currency: 'EUR', pricingDate: '2027-07-02', termMonths, customer: { segment: 'enterprise', channel: 'direct' },
    lines: lines.map((l) => ({ lineId: l.lineId, offering: 'business-internet', quantity: 1, characteristics: { access: 'fiber', bandwidth: l.bandwidth, slaTier: 'standard', staticIps: 0 } })),
  });
  const baseline: Baseline = {
    offering: 'business-internet', quantity: 1, selections: { access: 'fiber', bandwidth: 100 }, currency: 'EUR', version: 1,
    charges: [
      { charge: 'installation', chargeType: 'one-time', quantity: 1, unitNetPrice: '99.00', lineNet: '99.00' },
      { charge: 'monthly-fee', chargeType: 'recurring', period: 'monthly', quantity: 1, unitNetPrice: '40.00', lineNet: '40.00' },
    ],
    termMonths: 12, termStart: '2027-01-01', termEnd: '2028-01-01',
  };
  const asset = (lineId: string, action: ChangeLine['action'], assetId = `a-${lineId}`): ChangeLine => ({ lineId, offering: 'business-internet', action, assetId, assetVersion: 1, baseline });

  it('prorates a modify\'s recurring delta, stops a disconnect\'s, counts a no-change as zero and an add in full; totals are the delta', () => {
    const priced = core([{ lineId: 'L1', bandwidth: 1000 }, { lineId: 'L4', bandwidth: 100 }]);
    const newFee = priced.lines.find((l) => l.lineId === 'L1')!.charges.find((c) => c.charge === 'monthly-fee')!.lineNet;
    const added = priced.lines.find((l) => l.lineId === 'L4')!;
    const result = priceChange(priced, [asset('L1', 'modify'), asset('L2', 'disconnect'), asset('L3', 'no-change'), { lineId: 'L4', offering: 'business-internet', action: 'add', assetId: null, assetVersion: null, baseline: null }],
      { basis: 'change', changeDate: '2027-07-02', termMonths: 24 });

    const [l1, l2, l3, l4] = result.change.lines;
    // 2027-07-02 to 2028-01-01: 183 of 365 days.
    const fee = l1!.charges.find((c) => c.charge === 'monthly-fee')!;
    const delta = (Number(newFee) * 100 - 4000) / 100;
    expect(fee).toMatchObject({ previousLineNet: '40.00', lineNet: newFee, periodDelta: delta.toFixed(2), proration: { step: 'proration', daysRemaining: 183, daysInTerm: 365, fraction: '183/365', termStart: '2027-01-01', termEnd: '2028-01-01', changeDate: '2027-07-02' } });
    expect(fee.termDelta).toBe(prorateRecurring(delta.toFixed(2), { chargeType: 'recurring', period: 'monthly' }, 12, prorationOf({ start: '2027-01-01', end: '2028-01-01' }, '2027-07-02'), 2).proratedDelta);
    expect(l1!.charges.some((c) => c.chargeType === 'one-time')).toBe(false);
    // 40.00 x 12 x 183/365 = 240.6575... -> -240.66 for the disconnect.
    expect(l2!.charges).toEqual([expect.objectContaining({ charge: 'monthly-fee', previousLineNet: '40.00', lineNet: '0.00', periodDelta: '-40.00', termDelta: '-240.66' })]);
    expect(l3!.charges).toEqual([expect.objectContaining({ charge: 'monthly-fee', periodDelta: '0.00', termDelta: '0.00' })]);
    expect(l4!.charges.map((c) => c.termDelta)).toEqual(added.charges.map((c) => c.termTotal));

    const addedMonthly = added.charges.filter((c) => c.period === 'monthly').reduce((s, c) => s + Math.round(Number(c.lineNet) * 100), 0);
    const addedTerm = added.charges.reduce((s, c) => s + Math.round(Number(c.termTotal) * 100), 0);
    expect(result.totals.monthly).toBe(((Math.round(delta * 100) - 4000 + addedMonthly) / 100).toFixed(2));
    expect(result.totals.termTotal).toBe(((Math.round(Number(fee.termDelta) * 100) - 24066 + addedTerm) / 100).toFixed(2));
    expect(result.totals.oneTime).toBe(added.charges.find((c) => c.chargeType === 'one-time')!.lineNet);
    // The order installs the modify's new recurring charges; no-change and disconnect lines carry none.
    expect(result.lines.map((l) => [l.lineId, l.charges.map((c) => c.charge)])).toEqual([['L1', ['monthly-fee']], ['L4', added.charges.map((c) => c.charge)]]);
    expect(result.change.pricedTotals).toEqual(priced.totals);
    expect(result.resultHash).not.toBe(priced.resultHash);
    expect(priceChange(priced, [asset('L1', 'modify'), asset('L2', 'disconnect'), asset('L3', 'no-change'), { lineId: 'L4', offering: 'business-internet', action: 'add', assetId: null, assetVersion: null, baseline: null }],
      { basis: 'change', changeDate: '2027-07-02', termMonths: 24 }).resultHash).toBe(result.resultHash);
  });

  it('units a change adds pay their one-time charges once (a 12-month term: no free installation); the units the asset had do not, nor does a reduction', () => {
    const quantityCore = (quantity: number) => price(view, {
      currency: 'EUR', pricingDate: '2027-07-02', termMonths: 12, customer: { segment: 'enterprise', channel: 'direct' },
      lines: [{ lineId: 'L1', offering: 'business-internet', quantity, characteristics: { access: 'fiber', bandwidth: 100, slaTier: 'standard', staticIps: 0 } }],
    });
    const up = quantityCore(4);
    const install = up.lines[0]!.charges.find((c) => c.charge === 'installation')!;
    expect(Number(install.unitNetPrice)).toBeGreaterThan(0);
    const result = priceChange(up, [asset('L1', 'modify')], { basis: 'change', changeDate: '2027-07-02', termMonths: 12 });
    const oneTime = (Number(install.unitNetPrice) * 3).toFixed(2);
    expect(result.totals.oneTime).toBe(oneTime);
    expect(result.change.lines[0]!.charges.find((c) => c.charge === 'installation')).toMatchObject({ chargeType: 'one-time', lineNet: oneTime, termDelta: oneTime, reason: expect.stringContaining('3 units added (quantity 1 -> 4)') });
    // The order bills them: the line it installs carries them, for the 3 units added.
    expect(result.lines[0]!.charges.find((c) => c.charge === 'installation')).toMatchObject({ quantity: 3, lineNet: oneTime });
    const down = priceChange(quantityCore(1), [{ ...asset('L1', 'modify'), baseline: { ...baseline, quantity: 3 } }], { basis: 'change', changeDate: '2027-07-02', termMonths: 12 });
    expect(down.totals.oneTime).toBe('0.00');
    expect(down.lines[0]!.charges.some((c) => c.chargeType === 'one-time')).toBe(false);
  });

  it('refuses a change on an asset whose term is over, naming the line', () => {
    const priced = core([{ lineId: 'L1', bandwidth: 1000 }]);
    expect(() => priceChange(priced, [asset('L1', 'modify')], { basis: 'change', changeDate: '2028-01-01', termMonths: 24 }))
      .toThrow(expect.objectContaining({ lineId: 'L1', code: 'term-ended' }) as unknown as ChangeLineError);
  });

  it('a renewal commits to a new term from the old term\'s end at the new prices, without one-time charges', () => {
    const priced = core([{ lineId: 'L1', bandwidth: 100 }], 36);
    const result = priceChange(priced, [asset('L1', 'modify')], { basis: 'renewal', changeDate: '2027-11-15', termMonths: 36 });
    const line = result.change.lines[0]!;
    expect(line.renewedTerm).toEqual({ start: '2028-01-01', end: '2031-01-01', months: 36 });
    const recurring = priced.lines[0]!.charges.filter((c) => c.chargeType === 'recurring');
    expect(line.charges.map((c) => [c.charge, c.previousLineNet, c.termDelta])).toEqual(
      recurring.map((c) => [c.charge, c.charge === 'monthly-fee' ? '40.00' : '0.00', c.termTotal]));
    expect(result.totals.oneTime).toBe('0.00');
    expect(result.totals.termTotal).toBe(priced.totals.byChargeType.monthly.termTotal);
    // A lapsed asset renews from the day of the quote.
    expect(priceChange(priced, [asset('L1', 'modify')], { basis: 'renewal', changeDate: '2028-03-10', termMonths: 36 }).change.lines[0]!.renewedTerm)
      .toEqual({ start: '2028-03-10', end: '2031-03-10', months: 36 });
  });

  it('a renewal\'s disconnect of a lapsed asset is "not renewed": nothing prorated, no fee (even one that always matches), nothing charged', () => {
    const priced = core([{ lineId: 'L1', bandwidth: 100 }]);
    const always: FeeRule = { ruleSet: 'custom', fee: { id: 'always', name: 'Always', condition: 'true', fee: { type: 'amount', value: '50.00', currency: 'EUR' } }, condition: () => true };
    for (const changeDate of ['2028-01-01', '2028-03-10']) {
      const result = priceChange(priced, [asset('L1', 'modify'), asset('L2', 'disconnect')], { basis: 'renewal', changeDate, termMonths: 24, fees: [always] });
      const line = result.change.lines[1]!;
      expect(line).toMatchObject({ action: 'disconnect', term: { end: '2028-01-01' } });
      expect(line.charges).toEqual([{ charge: 'monthly-fee', chargeType: 'recurring', period: 'monthly', previousLineNet: '40.00', lineNet: '0.00', periodDelta: '-40.00', termDelta: '0.00',
        reason: 'not renewed: its term ended on 2028-01-01; nothing to charge' }]);
      expect(result.totals.termTotal).toBe(priceChange(priced, [asset('L1', 'modify')], { basis: 'renewal', changeDate, termMonths: 24 }).totals.termTotal);
    }
    // While the term still runs, a renewal's disconnect stops it now: the remainder prorated, the fee charged, as in a change.
    const early = priceChange(priced, [asset('L2', 'disconnect')], { basis: 'renewal', changeDate: '2027-12-31', termMonths: 24, fees: [always] }).change.lines[0]!;
    expect(early.charges.map((c) => [c.charge, c.termDelta])).toEqual([['monthly-fee', '-1.32'], ['always', '50.00']]);
  });

  describe('disconnect fees from the release\'s pricing rule sets (ADR 0022 addendum)', () => {
    const disconnect = (quantity = 1): ChangeLine => ({ ...asset('L2', 'disconnect'), baseline: { ...baseline, quantity,
      charges: baseline.charges.map((c) => (c.chargeType === 'recurring' ? { ...c, quantity, lineNet: (Number(c.unitNetPrice) * quantity).toFixed(2) } : c)) } });
    const feeRule = (fee: FeeRule['fee'], condition: FeeRule['condition'] = () => true): FeeRule => ({ ruleSet: 'custom', fee, condition });

    it('charges the sample\'s early-termination fee (25 % of the remainder, more than 180 days left) once, in the one-time total and the line\'s trace', () => {
      const priced = core([{ lineId: 'L1', bandwidth: 1000 }]);
      const fees = disconnectFeesOf(view);
      expect(fees.map((f) => [f.ruleSet, f.fee.id])).toEqual([['standard-pricing', 'early-termination']]);
      const result = priceChange(priced, [asset('L1', 'no-change'), disconnect()], { basis: 'change', changeDate: '2027-07-02', termMonths: 24, fees });
      const l2 = result.change.lines[1]!;
      // 183 days left: the remainder is 240.66, 25 % of it 60.165 -> 60.17 (half-up).
      expect(l2.charges).toEqual([
        expect.objectContaining({ charge: 'monthly-fee', termDelta: '-240.66' }),
        expect.objectContaining({ charge: 'early-termination', chargeType: 'one-time', previousLineNet: '0.00', lineNet: '60.17', periodDelta: '60.17', termDelta: '60.17',
          fee: expect.objectContaining({ step: 'disconnect-fee', source: { kind: 'pricing-rule-set', key: 'standard-pricing', feeId: 'early-termination' }, type: 'percent-of-remaining',
            value: '25', basis: '240.66', amountOut: '60.17', condition: 'daysRemaining > 180', reason: expect.stringContaining('25 % of 240.66') }) }),
      ]);
      expect(result.totals.oneTime).toBe('60.17');
      expect(result.totals.termTotal).toBe('-180.49');
      expect(result.totals.byChargeType['one-time']).toEqual({ net: '60.17', termTotal: '60.17' });
    });

    it('charges nothing one-time when no fee matches: 175 days left is under the rule\'s 180, and a release without fees has none', () => {
      const priced = core([{ lineId: 'L1', bandwidth: 1000 }]);
      for (const fees of [disconnectFeesOf(view), []]) {
        const result = priceChange(priced, [disconnect()], { basis: 'change', changeDate: '2027-07-10', termMonths: 24, fees });
        expect(result.change.lines[0]!.charges.map((c) => c.charge)).toEqual(['monthly-fee']);
        expect(result.totals.oneTime).toBe('0.00');
      }
      expect(priceChange(priced, [disconnect()], { basis: 'change', changeDate: '2027-07-02', termMonths: 24 }).totals.oneTime).toBe('0.00');
    });

    it('an amount fee is per unit of the asset\'s quantity and only in its currency; scope, customer and characteristics decide; a condition that cannot run is skipped with its reason', () => {
      const priced = core([{ lineId: 'L1', bandwidth: 1000 }]);
      const fees: FeeRule[] = [
        feeRule({ id: 'line-removal', name: 'Line removal', condition: 'segment = "enterprise" and access = "fiber"', fee: { type: 'amount', value: '49.00', currency: 'EUR' } },
          (c) => c.segment === 'enterprise' && c.access === 'fiber' && c.quantity === 3 && c.monthsRemaining === 5),
        feeRule({ id: 'line-removal-usd', name: 'Line removal', condition: 'true', fee: { type: 'amount', value: '55.00', currency: 'USD' } }),
        feeRule({ id: 'router-only', name: 'Router return', condition: 'true', fee: { type: 'amount', value: '75.00', currency: 'EUR' }, scope: { offerings: ['managed-router'] } }),
        { ruleSet: 'custom', fee: { id: 'broken', name: 'Broken', condition: 'daysRemaining >', fee: { type: 'amount', value: '1.00', currency: 'EUR' } }, condition: null, compileError: 'unexpected end' },
      ];
      const result = priceChange(priced, [disconnect(3)], { basis: 'change', changeDate: '2027-07-02', termMonths: 24, fees, customer: { segment: 'enterprise' } });
      const line = result.change.lines[0]!;
      expect(line.charges.filter((c) => c.fee).map((c) => [c.charge, c.lineNet, c.fee!.basis])).toEqual([['line-removal', '147.00', '3']]);
      expect(line.skippedFees).toEqual([{ source: { kind: 'pricing-rule-set', key: 'custom', feeId: 'broken' }, reason: expect.stringContaining('does not compile') }]);
      expect(result.totals.oneTime).toBe('147.00');
      // A modify or a no-change line never pays a disconnect fee.
      expect(priceChange(priced, [asset('L1', 'modify')], { basis: 'change', changeDate: '2027-07-02', termMonths: 24, fees }).totals.oneTime).toBe('0.00');
    });
  });
});
