import { poolOf, TENANT_ROLE } from '@cpq/prisma';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQuoteFixture, type Json, type QuoteFixture } from '../../../test/quote-fixture';
import { sentStatements } from '../../../test/sent-statements';

// Row-level security (ADR 0023) keeps a condition with a function that is not leakproof (a cast,
// split_part, `||`) out of an index condition: the table is scanned instead, a scan that grows with
// the table. The approval bench found two such reads (a work item's correlation joined to its
// quote revision; the submission's business key), which doubled PostgreSQL's time per loop, and a
// read by process instance with no index at all. This test plans every statement the approval
// loop sends, as the tenant role, with sequential scans made as expensive as the planner allows:
// a statement that can reach its rows by an index does; one that cannot shows a Seq Scan. Each
// statement is planned with its values (a custom plan); a named one (the engine's prepared
// statements, not Prisma's unnamed ones) also without them (the generic plan PostgreSQL keeps for
// a prepared statement after five runs).
describe('the quote commands\' statements reach their rows by index under row-level security', () => {
  let f: QuoteFixture;
  const recorder = sentStatements(() => f?.tenant);
  const sent = recorder.statements;

  beforeAll(async () => {
    f = await createQuoteFixture('approval_loop_plans');
    recorder.install();
  }, 180_000);
  afterAll(async () => {
    recorder.restore();
    await f?.close();
  });

  /** The statements of a message: one, or those a transaction sent with BEGIN (the simple protocol's inlined values). */
  const statementsOf = ({ text, values, named }: { text: string; values: unknown[]; named: boolean }) => {
    if (!text.startsWith('BEGIN;')) return [{ text, values, named }];
    // BEGIN; SET LOCAL ...; the tenant's scope; then the opening reads (their literals hold no '; ').
    return text.split(/;\s+(?=SELECT|WITH)/).slice(1).filter((s) => !s.includes('set_config(')).map((s) => ({ text: s, values: [], named: false }));
  };
  /** A value as a literal for EXECUTE (PostgreSQL gives it the parameter's type). */
  const literalOf = (client: pg.PoolClient, value: unknown): string =>
    value === null || value === undefined ? 'NULL'
      : Array.isArray(value) ? client.escapeLiteral(`{${value.map((v) => `"${String(v)}"`).join(',')}}`)
        : client.escapeLiteral(String(value));
  const seqScansOf = (plan: Json, into: string[] = []): string[] => {
    if (plan['Node Type'] === 'Seq Scan') into.push(String(plan['Relation Name']));
    for (const child of (plan.Plans as Json[] | undefined) ?? []) seqScansOf(child, into);
    return into;
  };

  /** The statements that scan a table (custom and generic plans, as the tenant role, sequential scans disabled). */
  async function scansOf(statements: { text: string; values: unknown[]; named: boolean }[]): Promise<{ statement: string; tables: string[] }[]> {
    const client = await poolOf(f.t.infrastructure.prisma).connect();
    const scans: { statement: string; tables: string[] }[] = [];
    try {
      for (const s of statements) {
        await client.query('BEGIN');
        try {
          await client.query(`SET LOCAL enable_seqscan = off; SELECT set_config('role', '${TENANT_ROLE}', true), set_config('app.tenant_id', ${client.escapeLiteral(f.tenant)}, true)`);
          // EXPLAIN plans and does not run: the data-modifying CTEs (the key's claim) change nothing.
          const plans = [(await client.query<{ 'QUERY PLAN': Json[] }>({ text: `EXPLAIN (FORMAT JSON) ${s.text}`, values: s.values })).rows];
          if (s.named && s.values.length > 0) {
            await client.query(`SET LOCAL plan_cache_mode = force_generic_plan; PREPARE planned AS ${s.text}`);
            plans.push((await client.query<{ 'QUERY PLAN': Json[] }>(`EXPLAIN (FORMAT JSON) EXECUTE planned(${s.values.map((v) => literalOf(client, v)).join(', ')})`)).rows);
            await client.query('DEALLOCATE planned');
          }
          plans.forEach((rows, i) => {
            const tables = seqScansOf(rows[0]!['QUERY PLAN'][0]!.Plan as Json);
            if (tables.length > 0) scans.push({ statement: `${i === 0 ? 'custom' : 'generic'}: ${s.text.replace(/\s+/g, ' ').slice(0, 160)}`, tables });
          });
        } finally {
          await client.query('ROLLBACK');
        }
      }
    } finally {
      client.release();
    }
    return scans;
  }

  it('create, line, price, submit, inbox, claim, approve and the evidence the worker reads: no statement scans a table it could reach by index', async () => {
    recorder.clear();
    // Create, line and price first: the loop's other half.
    const quoteId = await f.pricedQuote('rita', { discountPercent: '18' });
    expect((await f.call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`)).body.state).toBe('submitted');
    const item = (await f.call('sam', 'GET', '/work-items')).body.items.find((i: Json) => i.quoteId === quoteId);
    expect((await f.call('sam', 'POST', `/work-items/${String(item.workItemId)}/commands/claim`)).status).toBe(200);
    expect((await f.call('sam', 'POST', `/work-items/${String(item.workItemId)}/commands/approve-quote`, { reason: 'fine' })).body.state).toBe('approved');
    expect((await f.call('ian', 'GET', `/quotes/${quoteId}/approval-evidence`)).status).toBe(200);

    const statements = sent.flatMap(statementsOf).filter((s) => /^\s*(SELECT|WITH)/.test(s.text));
    // The reads this test is about are among them.
    expect(statements.some((s) => /LEFT JOIN LATERAL/.test(s.text))).toBe(true);
    expect(statements.some((s) => /FROM workflow_correlation WHERE business_key/.test(s.text))).toBe(true);

    expect(await scansOf(statements)).toEqual([]);
  });

  it('document, accept (by the customer), revise and withdraw: no statement scans a table it could reach by index', async () => {
    const { quoteId, documentId } = await f.acceptableQuote('rita');
    recorder.clear();
    expect((await f.call('cora', 'POST', `/quotes/${quoteId}/commands/accept`, { documentId })).status).toBe(200);
    const other = await f.acceptableQuote('rita');
    expect((await f.call('rita', 'POST', `/quotes/${other.quoteId}/commands/revise`)).status).toBe(200);
    expect((await f.call('rita', 'POST', `/quotes/${other.quoteId}/commands/withdraw`, { reason: 'customer went elsewhere' })).status).toBe(200);
    const statements = sent.flatMap(statementsOf).filter((s) => /^\s*(SELECT|WITH)/.test(s.text));
    expect(statements.length).toBeGreaterThan(5);
    expect(await scansOf(statements)).toEqual([]);
  });
});
