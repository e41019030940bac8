import { createReleaseView } from '@cpq/metadata';
import { sampleCatalog } from '@cpq/metadata/samples';
import { describe, expect, it } from 'vitest';
import { hashResult, price, type PricingLineInput } from '../pricing';
import { evidenceJson, fromEvidence } from './price-evidence';

const view = createReleaseView({ releaseId: 'r1', releaseNumber: 1, contentHash: 'c' }, sampleCatalog().map((i) => ({ ...i, contentHash: `h-${i.key}` })));
const site = (lineId: string, bandwidth = 500): PricingLineInput => ({ lineId, offering: 'business-internet', quantity: 1, characteristics: { access: 'fiber', bandwidth, slaTier: 'standard' } });
const priceOf = (lines: PricingLineInput[]) => price(view, { currency: 'EUR', pricingDate: '2026-06-01', termMonths: 24, customer: { segment: 'enterprise' }, lines });

describe('price evidence as stored', () => {
  it('writes a charges list shared by equal lines once and reads back the result as priced, hash and all', () => {
    const result = priceOf([site('L1'), site('L2', 1000), site('L3'), site('L4'), site('L5', 1000)]);
    const stored = JSON.parse(evidenceJson(result)) as { lines: Record<string, unknown>[] };
    expect(stored.lines.map((l) => ('charges' in l ? 'charges' : l.chargesAt))).toEqual(['charges', 'charges', 0, 0, 1]);
    const read = fromEvidence(stored);
    expect(read).toEqual(JSON.parse(JSON.stringify(result)));
    expect(hashResult(read)).toBe(result.resultHash);
  });

  it('is a fraction of the size for a rollout of equal sites', () => {
    const result = priceOf(Array.from({ length: 500 }, (_, i) => site(`L${i + 1}`)));
    expect(evidenceJson(result).length * 20).toBeLessThan(JSON.stringify(result).length);
  });

  it('reads evidence written before the shared form (every line with its charges) as it is', () => {
    const result = JSON.parse(JSON.stringify(priceOf([site('L1'), site('L2')])));
    expect(fromEvidence(result)).toEqual(result);
  });

  it('refuses evidence whose line names a line without charges, rather than inventing a price', () => {
    const stored = JSON.parse(evidenceJson(priceOf([site('L1'), site('L2')]))) as { lines: Record<string, unknown>[] };
    stored.lines[1]!.chargesAt = 7;
    expect(() => fromEvidence(stored)).toThrow(/line L2 names line 7/);
  });
});
