import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQuoteFixture, type Json, type QuoteFixture } from '../../../test/quote-fixture';
import { sentStatements } from '../../../test/sent-statements';
import { integrationApprovalEvidence } from './quote.view-redaction';

// GET /quotes/{id}/approval-evidence is read once per decision by the approval worker
// (connectors' record-decision): one statement (the quote with its current revision's evidence),
// where it was three (the quote through Prisma, then requirements and decisions in parallel).
// Its answer must be what the Prisma reads made of the same rows, to the byte.
describe('GET /quotes/{id}/approval-evidence: one statement, the evidence as it was', () => {
  let f: QuoteFixture;
  // Every message the engine sends to PostgreSQL for this test's tenant; those Prisma's client sent.
  const recorder = sentStatements(() => f?.tenant);
  const sent = recorder.texts;
  const prismaSent = recorder.viaPrisma;
  let twoLevels: string;

  beforeAll(async () => {
    f = await createQuoteFixture('approval_evidence_view');
    recorder.install();
    // Two levels (sales manager, then finance), the first decided.
    twoLevels = await f.pricedQuote('rita', { discountPercent: '30' });
    expect((await f.call('rita', 'POST', `/quotes/${twoLevels}/commands/submit-for-approval`)).body.state).toBe('submitted');
    const item = (await f.call('sam', 'GET', '/work-items')).body.items.find((i: Json) => i.quoteId === twoLevels);
    const decided = await f.call('sam', 'POST', `/work-items/${item.workItemId}/commands/approve-quote`, { reason: 'strategic, CFO informed' });
    expect(decided.body, JSON.stringify(decided.body)).toMatchObject({ state: 'submitted', level: 2 });
    // Microseconds that a rounding (not truncating) formatter would show differently.
    await prisma().$executeRaw`UPDATE approval_requirement SET due_at = '2027-01-02 03:04:05.678999+00' WHERE quote_id = ${twoLevels}::uuid AND level = 3`;
    await prisma().$executeRaw`UPDATE approval_decision SET decided_at = '2026-12-31 23:59:59.999999+00' WHERE quote_id = ${twoLevels}::uuid AND level = 2`;
  }, 180_000);
  afterAll(async () => {
    recorder.restore();
    await f?.close();
  });

  const prisma = () => f.t.infrastructure.prisma;

  /** The evidence as the view built it on Prisma before (approval.queries.ts's `approvalEvidenceOf`), with the internal view's envelope. */
  async function asBefore(quoteId: string) {
    const quote = await prisma().quote.findFirstOrThrow({ where: { id: quoteId, tenantId: f.tenant } });
    const where = { tenantId: f.tenant, quoteId, revision: quote.currentRevision };
    const [requirements, decisions] = await Promise.all([
      prisma().approvalRequirement.findMany({ where, orderBy: { level: 'asc' } }),
      prisma().approvalDecision.findMany({ where, orderBy: { level: 'asc' } }),
    ]);
    return {
      view: 'internal' as const, quoteId, revision: quote.currentRevision,
      requirements: requirements.map((r) => ({ level: r.level, role: r.role, reasons: r.reasons as string[], dueAt: r.dueAt.toISOString(), requestedBy: r.requestedBy })),
      decisions: decisions.map((d) => ({
        decisionId: d.id, level: d.level, role: d.role, outcome: d.outcome, decidedBy: d.decidedBy, reason: d.reason,
        authority: d.authority as Record<string, unknown>, priceResultId: d.priceResultId, materialVersion: d.materialVersion,
        decidedAt: d.decidedAt.toISOString(),
      })),
    };
  }

  it('two levels, one decided: the full and the integration answers are byte for byte what the Prisma reads gave', async () => {
    const before = await asBefore(twoLevels);
    expect(before.requirements.map((r) => [r.level, r.role])).toEqual([[2, 'sales-manager'], [3, 'finance']]);
    expect(before.decisions.map((d) => [d.level, d.decidedBy, d.outcome])).toEqual([[2, 'sam', 'approved']]);
    expect(before.requirements[1]!.dueAt).toBe('2027-01-02T03:04:05.678Z');
    expect(before.decisions[0]!.decidedAt).toBe('2026-12-31T23:59:59.999Z');
    for (const person of ['rita', 'sam', 'fiona', 'ada'] as const) {
      const res = await f.call(person, 'GET', `/quotes/${twoLevels}/approval-evidence`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.raw.toString()).toBe(JSON.stringify(before));
    }
    const integration = await f.call('ian', 'GET', `/quotes/${twoLevels}/approval-evidence`);
    expect(integration.status).toBe(200);
    expect(integration.raw.toString()).toBe(JSON.stringify(integrationApprovalEvidence(before)));
  });

  it('a revision without requirements answers empty lists; a customer 403, an outsider and an unknown quote 404', async () => {
    const quoteId = await f.pricedQuote('rita');
    const res = await f.call('rita', 'GET', `/quotes/${quoteId}/approval-evidence`);
    expect(res.body).toEqual({ view: 'internal', quoteId, revision: 1, requirements: [], decisions: [] });
    expect(res.raw.toString()).toBe(JSON.stringify(await asBefore(quoteId)));
    expect((await f.call('cora', 'GET', `/quotes/${twoLevels}/approval-evidence`)).body.code).toBe('forbidden');
    for (const [person, id] of [['rob', twoLevels], ['eve', twoLevels], ['rita', '00000000-0000-4000-8000-000000000000']] as const) {
      const refused = await f.call(person, 'GET', `/quotes/${id}/approval-evidence`);
      expect([refused.status, refused.body.code]).toEqual([404, 'quote-not-found']);
    }
  });

  it('costs one statement, on node-postgres (not through Prisma\'s client)', async () => {
    // Twice: the first use on a connection prepares the statement, in the same round trip.
    for (let round = 0; round < 2; round += 1) {
      recorder.clear();
      const res = await f.call('sam', 'GET', `/quotes/${twoLevels}/approval-evidence`);
      expect(res.body.decisions).toHaveLength(1);
      expect(sent).toHaveLength(1);
      for (const table of ['FROM quote q', 'FROM approval_requirement r', 'FROM approval_decision d']) expect(sent[0]).toContain(table);
      expect(sent.filter((t) => prismaSent.has(t))).toEqual([]);
    }
  });
});
