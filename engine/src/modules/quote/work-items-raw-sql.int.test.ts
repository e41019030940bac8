import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQuoteFixture, type Json, type QuoteFixture } from '../../../test/quote-fixture';
import { sentStatements } from '../../../test/sent-statements';

// The approval loop in raw SQL (ADR 0017, addendum of 2026-12-04): submit-for-approval, the
// approver's inbox, the claim and the decision send no statement through Prisma's client (its
// query interpretation was a fifth of the engine's CPU in the approval bench), and each of their
// transactions is two messages: BEGIN with its reads, then its writes with the COMMIT. What the decision
// writes must be what it wrote on Prisma: the decision, the revision's and the correlation's
// state, the quote's version, audit, event and the stored answer, together.
describe('the approval loop in raw SQL: submit, inbox, claim and decision in few round trips, their effects unchanged', () => {
  let f: QuoteFixture;
  // Every message the engine sends to PostgreSQL for this test's tenant; those Prisma's client sent.
  const recorder = sentStatements(() => f?.tenant);
  const sent = recorder.texts;
  const prismaSent = recorder.viaPrisma;

  beforeAll(async () => {
    f = await createQuoteFixture('work_items_raw_sql');
    recorder.install();
  }, 180_000);
  afterAll(async () => {
    recorder.restore();
    await f?.close();
  });

  const prisma = () => f.t.infrastructure.prisma;
  /** Statements sent through Prisma's client. */
  const fromPrisma = (texts: string[]) => texts.filter((t) => prismaSent.has(t));
  async function measured<T>(run: () => Promise<T>): Promise<{ result: T; texts: string[] }> {
    recorder.clear();
    const result = await run();
    return { result, texts: [...sent] };
  }
  async function submitted(discountPercent = '18'): Promise<{ quoteId: string; workItemId: string }> {
    const quoteId = await f.pricedQuote('rita', { discountPercent });
    const res = await f.call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`);
    expect(res.body.state, JSON.stringify(res.body)).toBe('submitted');
    const item = (await f.call('sam', 'GET', '/work-items')).body.items.find((i: Json) => i.quoteId === quoteId);
    return { quoteId, workItemId: item.workItemId as string };
  }

  it('inbox, claim and approve send no statement through Prisma; the approval is BEGIN with its reads and one statement with the COMMIT, its effects all there', async () => {
    // Twice: the first decision on a connection prepares its last statement (then COMMIT is a message of its own).
    for (let round = 0; round < 2; round += 1) {
      const { quoteId, workItemId } = await submitted();
      const inbox = await measured(() => f.call('sam', 'GET', '/work-items'));
      expect(inbox.result.body.items.find((i: Json) => i.workItemId === workItemId)).toMatchObject({ quoteId, level: 2, role: 'sales-manager' });
      expect(fromPrisma(inbox.texts)).toEqual([]);
      // The correlations of the tasks with the open level of each one's revision: one statement.
      expect(inbox.texts).toHaveLength(1);
      expect(inbox.texts[0]).toMatch(/FROM workflow_correlation .*LEFT JOIN LATERAL .*FROM approval_requirement r/s);

      const claim = await measured(() => f.call('sam', 'POST', `/work-items/${workItemId}/commands/claim`));
      expect(claim.result.body.assignee).toBe('sam');
      expect(fromPrisma(claim.texts)).toEqual([]);
      // The correlation with its open level and the key's claim in one statement, the answer stored in one statement (no BEGIN and COMMIT around it).
      expect(claim.texts).toHaveLength(2);
      expect(claim.texts[0]).toMatch(/^\s*WITH claim AS \(\s*INSERT INTO idempotency_record.*FROM workflow_correlation .*LEFT JOIN LATERAL .*FROM approval_requirement r/s);
      expect(claim.texts.filter((t) => /^(BEGIN|COMMIT)/.test(t))).toEqual([]);

      const quoteBefore = await prisma().quote.findUniqueOrThrow({ where: { id: quoteId } });
      const key = `approve-${quoteId}`;
      const approve = await measured(() => f.call('sam', 'POST', `/work-items/${workItemId}/commands/approve-quote`, { reason: 'fine' }, { 'idempotency-key': key }));
      expect(approve.result.body, JSON.stringify(approve.result.body)).toMatchObject({ state: 'approved', level: 2 });
      expect(fromPrisma(approve.texts)).toEqual([]);
      // The work item's correlation with the revision's head and the key's claim (one statement), BEGIN
      // with the reads, the writes (with the COMMIT once prepared), the task marked completed after Camunda's completion.
      const opened = approve.texts.filter((t) => t.startsWith('BEGIN'));
      expect(opened).toHaveLength(1);
      expect(opened[0]).toMatch(/FROM quote q .* FOR UPDATE; .*FROM quote_revision r .*FROM approval_requirement r .*FROM audit_record/s);
      expect(approve.texts.filter((t) => /FROM workflow_correlation/.test(t))).toEqual([expect.stringMatching(/^\s*WITH claim AS \(\s*INSERT INTO idempotency_record.*LEFT JOIN LATERAL .*FROM quote_revision r/s)]);
      expect(approve.texts.length).toBeLessThanOrEqual(5);
      expect(approve.texts.filter((t) => /^(EXECUTE cpq_\w+\(.*\); COMMIT|COMMIT)$/s.test(t))).toHaveLength(1);

      const { decisionId } = approve.result.body as { decisionId: string };
      const decision = await prisma().approvalDecision.findUniqueOrThrow({ where: { id: decisionId } });
      expect(decision).toMatchObject({
        quoteId, revision: 1, level: 2, role: 'sales-manager', outcome: 'approved', decidedBy: 'sam', claimedBy: 'sam', reason: 'fine',
        camundaTaskId: workItemId, taskCompletedAt: expect.any(Date),
        authority: expect.objectContaining({ role: 'sales-manager', roles: ['sales-manager'], policy: 'standard-approval', policyVersion: expect.any(String) }),
      });
      const revision = await prisma().quoteRevision.findUniqueOrThrow({ where: { quoteId_revision: { quoteId, revision: 1 } } });
      expect(revision).toMatchObject({ state: 'approved', approvalMaterialVersion: revision.materialVersion, approvedPriceResultId: revision.priceResultId });
      expect(decision.priceResultId).toBe(revision.priceResultId);
      const quote = await prisma().quote.findUniqueOrThrow({ where: { id: quoteId } });
      expect(quote.version).toBe(quoteBefore.version + 1);
      const correlation = await prisma().workflowCorrelation.findFirstOrThrow({ where: { domainId: `${quoteId}:1` } });
      expect(correlation.status).toBe('COMPLETED');
      const audit = await prisma().auditRecord.findFirstOrThrow({ where: { targetId: quoteId, action: 'quote.ApprovalGranted' } });
      expect(audit).toMatchObject({ actorType: 'USER', actorId: 'sam', reason: 'fine', details: expect.objectContaining({ revision: 1, level: 2, decisionId, claimedBy: 'sam' }) });
      const event = await prisma().outboxEvent.findFirstOrThrow({ where: { aggregateId: quoteId, eventType: 'QuoteApproved' } });
      expect(event).toMatchObject({ aggregateVersion: BigInt(quote.version), causationId: key, payload: { quoteId, revision: 1, ownerId: 'rita', level: 2, decisionId, reason: 'fine' } });
      const stored = await prisma().idempotencyRecord.findFirstOrThrow({ where: { idempotencyKey: key } });
      expect(stored).toMatchObject({ status: 'completed', responseStatus: 200, responseBody: approve.result.body });
    }
  });

  it('submit-for-approval sends no statement through Prisma: its two transactions are each BEGIN with the lock and its reads, then one statement with the COMMIT', async () => {
    for (let round = 0; round < 2; round += 1) {
      const quoteId = await f.pricedQuote('rita', { discountPercent: '18' });
      const key = `submit-${quoteId}`;
      const submit = await measured(() => f.call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`, undefined, { 'idempotency-key': key }));
      expect(submit.result.body, JSON.stringify(submit.result.body)).toMatchObject({ state: 'submitted', required: [expect.objectContaining({ level: 2, role: 'sales-manager' })] });
      expect(fromPrisma(submit.texts)).toEqual([]);
      const opened = submit.texts.filter((t) => t.startsWith('BEGIN'));
      expect(opened).toHaveLength(2);
      // Whether the revision's business key was used before (the start's lookup) is read with the lock, not on its own.
      expect(opened[0]).toMatch(/FOR UPDATE OF q, r; .*FROM price_result p.*FROM workflow_correlation WHERE business_key = \(SELECT 'quote-approval:[^']*' \|\| current_revision::text FROM quote/s);
      expect(submit.texts.filter((t) => !t.startsWith('BEGIN') && /business_key/.test(t))).toEqual([]);
      expect(opened[1]).toMatch(/FOR UPDATE OF q, r; .*UPDATE workflow_correlation SET status = 'RUNNING'/s);
      // The pinned release with the key's claim, two transactions of two messages (three each on a connection that has not prepared the last statement yet).
      expect(submit.texts[0]).toMatch(/^\s*WITH claim AS \(\s*INSERT INTO idempotency_record.*SELECT r.release_id/s);
      expect(submit.texts.length).toBeLessThanOrEqual(6);

      const revision = await prisma().quoteRevision.findUniqueOrThrow({ where: { quoteId_revision: { quoteId, revision: 1 } } });
      expect(revision).toMatchObject({ state: 'submitted', submittedBy: 'rita', submittedAt: expect.any(Date) });
      const requirements = await prisma().approvalRequirement.findMany({ where: { quoteId } });
      expect(requirements).toEqual([expect.objectContaining({ tenantId: f.tenant, revision: 1, level: 2, role: 'sales-manager', requestedBy: 'rita', reasons: expect.any(Array) })]);
      const correlation = await prisma().workflowCorrelation.findFirstOrThrow({ where: { domainId: `${quoteId}:1` } });
      expect(correlation).toMatchObject({ status: 'RUNNING', processInstanceId: expect.any(String), businessKey: `quote-approval:${f.tenant}:${quoteId}:1` });
      const events = await prisma().outboxEvent.findMany({ where: { aggregateId: quoteId }, orderBy: { position: 'asc' } });
      const quote = await prisma().quote.findUniqueOrThrow({ where: { id: quoteId } });
      expect(events.slice(-2).map((e) => [e.eventType, Number(e.aggregateVersion), e.causationId])).toEqual([
        ['QuoteSubmittedForApproval', quote.version - 1, key], ['ApprovalRequested', quote.version, key],
      ]);
      expect((await prisma().idempotencyRecord.findFirstOrThrow({ where: { idempotencyKey: key } })).responseBody).toEqual(submit.result.body);
    }
  });

  it('two levels: the first decision keeps the revision submitted (ApprovalLevelApproved, the correlation running), the next level\'s approver decides the last', async () => {
    const quoteId = await f.pricedQuote('rita', { discountPercent: '30' });
    expect((await f.call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`)).body.state).toBe('submitted');
    const first = (await f.call('sam', 'GET', '/work-items')).body.items.find((i: Json) => i.quoteId === quoteId);
    expect(first).toMatchObject({ level: 2, role: 'sales-manager' });
    const level2 = await f.call('sam', 'POST', `/work-items/${first.workItemId}/commands/approve-quote`, { reason: 'ok for me' });
    expect(level2.body, JSON.stringify(level2.body)).toMatchObject({ state: 'submitted', level: 2 });
    expect((await prisma().quoteRevision.findUniqueOrThrow({ where: { quoteId_revision: { quoteId, revision: 1 } } })).state).toBe('submitted');
    expect((await prisma().workflowCorrelation.findFirstOrThrow({ where: { domainId: `${quoteId}:1` } })).status).not.toBe('COMPLETED');
    expect(await prisma().outboxEvent.count({ where: { aggregateId: quoteId, eventType: 'ApprovalLevelApproved' } })).toBe(1);
    // The next level announced (its own transaction after the decision's): the quote's version raised for it.
    const announced = await prisma().outboxEvent.findMany({ where: { aggregateId: quoteId, eventType: 'ApprovalRequested' }, orderBy: { position: 'asc' } });
    expect(announced.map((e) => (e.payload as Json).level)).toEqual([2, 3]);
    expect(announced[1]).toMatchObject({ aggregateVersion: BigInt((await prisma().quote.findUniqueOrThrow({ where: { id: quoteId } })).version), payload: expect.objectContaining({ role: 'finance' }) });

    let next: Json | undefined;
    for (let i = 0; i < 50 && !next; i += 1) {
      next = (await f.call('fiona', 'GET', '/work-items')).body.items.find((item: Json) => item.quoteId === quoteId);
      if (!next) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(next).toMatchObject({ level: 3, role: 'finance' });
    const level3 = await f.call('fiona', 'POST', `/work-items/${next!.workItemId}/commands/approve-quote`, { reason: 'fine' });
    expect(level3.body, JSON.stringify(level3.body)).toMatchObject({ state: 'approved', level: 3 });
    expect((await prisma().workflowCorrelation.findFirstOrThrow({ where: { domainId: `${quoteId}:1` } })).status).toBe('COMPLETED');
    const decisions = await prisma().approvalDecision.findMany({ where: { quoteId }, orderBy: { level: 'asc' } });
    expect(decisions.map((d) => [d.level, d.decidedBy, d.outcome])).toEqual([[2, 'sam', 'approved'], [3, 'fiona', 'approved']]);
  });

  it('an escalation writes its audit, the quote\'s version and its event in one transaction on node-postgres', async () => {
    const { quoteId, workItemId } = await submitted();
    const before = (await prisma().quote.findUniqueOrThrow({ where: { id: quoteId } })).version;
    const escalation = await measured(() => f.call('ian', 'POST', `/work-items/${workItemId}/commands/escalate`));
    expect(escalation.result.body, JSON.stringify(escalation.result.body)).toEqual({ escalated: true, to: 'finance' });
    expect(fromPrisma(escalation.texts)).toEqual([]);
    expect(escalation.texts.filter((t) => t.startsWith('BEGIN'))).toHaveLength(1);
    const after = (await prisma().quote.findUniqueOrThrow({ where: { id: quoteId } })).version;
    expect(after).toBe(before + 1);
    const audit = await prisma().auditRecord.findFirstOrThrow({ where: { targetId: quoteId, action: 'quote.ApprovalEscalated' } });
    expect(audit).toMatchObject({ actorId: 'ian', details: { revision: 1, level: 2, to: 'finance' } });
    const event = await prisma().outboxEvent.findFirstOrThrow({ where: { aggregateId: quoteId, eventType: 'ApprovalEscalated' } });
    expect(event).toMatchObject({ aggregateVersion: BigInt(after), payload: { quoteId, revision: 1, level: 2, role: 'sales-manager', to: 'finance', workItemId } });
  });

  it('a second decision of the task (the unique index refuses it) is 409 quote-state "already decided", and nothing of it is written', async () => {
    const { quoteId, workItemId } = await submitted();
    expect((await f.call('sam', 'POST', `/work-items/${workItemId}/commands/claim`)).status).toBe(200);
    const revision = await prisma().quoteRevision.findUniqueOrThrow({ where: { quoteId_revision: { quoteId, revision: 1 } } });
    // A decision of this task already stands (at a level the revision does not require, so level 2 stays open).
    await prisma().$executeRaw`
      INSERT INTO approval_decision (id, tenant_id, quote_id, revision, level, role, outcome, decided_by, authority, price_result_id, material_version, camunda_task_id)
      VALUES (gen_random_uuid(), ${f.tenant}, ${quoteId}::uuid, 1, 9, 'finance', 'approved', 'fiona', '{}'::jsonb, ${revision.priceResultId}::uuid, ${revision.materialVersion}, ${workItemId})`;
    const versionBefore = (await prisma().quote.findUniqueOrThrow({ where: { id: quoteId } })).version;
    const refused = await f.call('sam', 'POST', `/work-items/${workItemId}/commands/approve-quote`, { reason: 'twice' });
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body).toMatchObject({ code: 'quote-state', detail: `work item ${workItemId} was already decided` });
    expect(await prisma().approvalDecision.count({ where: { quoteId } })).toBe(1);
    expect((await prisma().quoteRevision.findUniqueOrThrow({ where: { quoteId_revision: { quoteId, revision: 1 } } })).state).toBe('submitted');
    expect((await prisma().quote.findUniqueOrThrow({ where: { id: quoteId } })).version).toBe(versionBefore);
    expect(await prisma().outboxEvent.count({ where: { aggregateId: quoteId, eventType: 'QuoteApproved' } })).toBe(0);
    expect(await prisma().auditRecord.count({ where: { targetId: quoteId, action: 'quote.ApprovalGranted' } })).toBe(0);
  });
});
