import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQuoteFixture, internetLine, type QuoteFixture } from '../../../test/quote-fixture';
import { hashResult, type PriceResult } from '../pricing';
import { acceptedRevisionSnapshot } from './quote.accepted-snapshot';

// The price evidence of equal lines is stored once (quote/price-evidence.ts) and every reader
// sees each line's charges as priced: the internal trace, the customer's breakdown, the accepted
// snapshot an order is made from, and the stored hash.
describe('price evidence of equal lines (real PostgreSQL)', () => {
  let f: QuoteFixture;
  let quoteId: string;
  beforeAll(async () => {
    f = await createQuoteFixture('price_evidence');
    const created = await f.call('rita', 'POST', '/quotes', { accountId: 'acct-1', customerName: 'Acme GmbH', currency: 'EUR', termMonths: 24 });
    quoteId = String(created.body.quoteId);
    const faster = { ...internetLine(), selections: { access: 'fiber', bandwidth: 1000, slaTier: 'standard' } };
    for (const line of [internetLine(), internetLine(), faster, internetLine()]) {
      expect((await f.call('rita', 'POST', `/quotes/${quoteId}/lines`, line)).status).toBe(201);
    }
    expect((await f.call('rita', 'POST', `/quotes/${quoteId}/commands/price`)).status).toBe(200);
  }, 120_000);
  afterAll(async () => f?.close());

  it('stores a shared charges list once: later equal lines name the first', async () => {
    const [row] = await f.t.infrastructure.prisma.$queryRaw<{ lines: Record<string, unknown>[]; compression: string | null }[]>`
      SELECT p.result -> 'lines' AS lines, pg_column_compression(p.result) AS compression FROM price_result p JOIN quote_revision r ON r.price_result_id = p.id WHERE r.quote_id = ${quoteId}::uuid`;
    expect(row!.lines.map((l) => ('charges' in l ? 'charges' : l.chargesAt))).toEqual(['charges', 0, 'charges', 0]);
    // Compressed by lz4 when TOASTed (migration 20261203145500), not by the slower default pglz.
    expect(row!.compression).toBe('lz4');
  });

  it('the internal trace shows every line with its full charges, and the stored hash recomputes from it', async () => {
    const trace = await f.call('rita', 'GET', `/quotes/${quoteId}/price-trace`);
    expect(trace.status).toBe(200);
    const result = trace.body.result as PriceResult;
    expect(result.lines.map((l) => l.lineId)).toEqual(['L1', 'L2', 'L3', 'L4']);
    for (const line of result.lines) expect(line.charges.length).toBeGreaterThan(0);
    expect(result.lines[1]!.charges).toEqual(result.lines[0]!.charges);
    expect(result.lines[2]!.charges).not.toEqual(result.lines[0]!.charges);
    expect(hashResult(result)).toBe(trace.body.resultHash);
  });

  it("the customer's breakdown names each line's charges", async () => {
    const trace = await f.call('cora', 'GET', `/quotes/${quoteId}/price-trace`);
    expect(trace.status).toBe(200);
    const lines = (trace.body.result ?? trace.body).lines as { lineId: string; charges: unknown[] }[];
    expect(lines.map((l) => [l.lineId, l.charges.length > 0])).toEqual([['L1', true], ['L2', true], ['L3', true], ['L4', true]]);
  });

  it('the accepted snapshot an order is made from carries every line\'s charges', async () => {
    expect((await f.call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`)).body.state).toBe('approved');
    const { documentId } = (await f.call('rita', 'POST', `/quotes/${quoteId}/commands/generate-document`)).body;
    expect((await f.call('cora', 'POST', `/quotes/${quoteId}/commands/accept`, { documentId })).status).toBe(200);
    const snapshot = await acceptedRevisionSnapshot(f.t.infrastructure.prisma, f.tenant, quoteId);
    expect(snapshot!.lines.map((l) => l.charges.length > 0)).toEqual([true, true, true, true]);
    expect(snapshot!.lines[3]!.charges).toEqual(snapshot!.lines[0]!.charges);
  });
});
