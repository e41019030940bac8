import { sampleOf } from '@cpq/connectors/observability/exposition';
import { poolOf } from '@cpq/prisma';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN } from '../../test/test-app';
import { createQuoteFixture, internetLine, type QuoteFixture } from '../../test/quote-fixture';

// GET /metrics of the API role on the real platform: the scrape token guards it, and the
// numbers move with what the engine does (commands, pool, business signals).
describe('GET /metrics (API role)', () => {
  let f: QuoteFixture;
  const scrapeToken = 'metrics-test-scrape-token-0123456789';
  const scrape = async () => {
    const res = await f.t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${scrapeToken}` } });
    expect(res.statusCode, res.body).toBe(200);
    return res.body;
  };
  const db = () => f.t.infrastructure.prisma;

  beforeAll(async () => {
    // Readings of the business signals are not cached here, so each scrape sees the last change.
    f = await createQuoteFixture('metrics_api', { METRICS_TOKEN: scrapeToken, METRICS_SIGNALS_MAX_AGE_MS: '0', QUOTE_STUCK_BEFORE_PRICING_SECONDS: '600' });
  }, 180_000);
  afterAll(async () => {
    await f?.close();
  });

  it('is refused without the scrape token: none, a user token, the operator token, a wrong one (401 problem+json)', async () => {
    for (const authorization of [undefined, `Bearer ${f.tokens.ada}`, `Bearer ${ADMIN_TOKEN}`, `Bearer ${scrapeToken}x`, scrapeToken]) {
      const res = await f.t.app.inject({ method: 'GET', url: '/metrics', headers: authorization ? { authorization } : {} });
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ code: 'unauthenticated', status: 401 });
      expect(res.body).not.toContain('cpq_http_request_duration_seconds');
    }
  });

  it('counts a command in the latency histogram by its operation id, not its URL', async () => {
    const labels = { operation: 'createQuote', method: 'POST', status: '201' };
    const before = sampleOf(await scrape(), 'cpq_http_request_duration_seconds_count', labels) ?? 0;
    const created = await f.call('rita', 'POST', '/quotes', { accountId: 'acct-1', customerName: 'Metrics AG', currency: 'EUR', termMonths: 12 });
    expect(created.status).toBe(201);
    const text = await scrape();
    expect(sampleOf(text, 'cpq_http_request_duration_seconds_count', labels)).toBe(before + 1);
    expect(sampleOf(text, 'cpq_http_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(before + 1);
    // A quote's URL never becomes a label value: its route's operation does.
    await f.call('rita', 'GET', `/quotes/${created.body.quoteId}`);
    const after = await scrape();
    expect(after).not.toContain(created.body.quoteId);
    expect(sampleOf(after, 'cpq_http_request_duration_seconds_count', { operation: 'getQuote', status: '200' })).toBeGreaterThanOrEqual(1);
    // Refusals are counted with their status: a 404 of an unknown path has no operation.
    await f.t.app.inject({ method: 'GET', url: '/no/such/path' });
    expect(sampleOf(await scrape(), 'cpq_http_request_duration_seconds_count', { operation: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(1);
  });

  it('shows the pool: its maximum, and connections in use while a query holds one', async () => {
    const text = await scrape();
    expect(sampleOf(text, 'cpq_db_pool_max_connections', { pool: 'main', role: 'api' })).toBe(f.t.config.databasePoolMax);
    expect(sampleOf(text, 'cpq_db_pool_connections')).toBeGreaterThanOrEqual(1);
    // Hold a connection until the scrape is done (a sleeping query of 0.6 s raced a scrape slowed by load): it is in use, not idle.
    const holding = await poolOf(db()).connect();
    try {
      expect(sampleOf(await scrape(), 'cpq_db_pool_in_use_connections')).toBeGreaterThanOrEqual(1);
    } finally {
      holding.release();
    }
  });

  it('shows a draft with lines waiting for a price, and as stuck once untouched past the threshold', async () => {
    const before = await scrape();
    const waiting = sampleOf(before, 'cpq_quotes_awaiting_price') ?? 0;
    const stuck = sampleOf(before, 'cpq_quotes_stuck_before_pricing') ?? 0;
    const { body } = await f.call('rita', 'POST', '/quotes', { accountId: 'acct-1', customerName: 'Stuck GmbH', currency: 'EUR', termMonths: 12 });
    expect((await f.call('rita', 'POST', `/quotes/${body.quoteId}/lines`, internetLine())).status).toBe(201);
    let text = await scrape();
    expect(sampleOf(text, 'cpq_quotes_awaiting_price')).toBe(waiting + 1);
    expect(sampleOf(text, 'cpq_quotes_stuck_before_pricing')).toBe(stuck);
    // Nobody touched it for an hour (the threshold is 10 minutes here).
    await db().$executeRaw`UPDATE quote SET updated_at = now() - interval '1 hour' WHERE id = ${body.quoteId}::uuid`;
    text = await scrape();
    expect(sampleOf(text, 'cpq_quotes_stuck_before_pricing')).toBe(stuck + 1);
    expect(sampleOf(text, 'cpq_quotes_oldest_awaiting_price_seconds')).toBeGreaterThanOrEqual(3600);
    // Priced, it no longer waits.
    expect((await f.call('rita', 'POST', `/quotes/${body.quoteId}/commands/price`)).status).toBe(200);
    text = await scrape();
    expect(sampleOf(text, 'cpq_quotes_awaiting_price')).toBe(waiting);
    expect(sampleOf(text, 'cpq_quotes_stuck_before_pricing')).toBe(stuck);
  });

  it('shows an approval past its due time while it waits, and not once the quote is withdrawn', async () => {
    const before = sampleOf(await scrape(), 'cpq_approvals_overdue') ?? 0;
    const quoteId = await f.pricedQuote('rita', { discountPercent: '18' });
    const submitted = await f.call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`);
    expect(submitted.body.state, JSON.stringify(submitted.body)).toBe('submitted');
    expect(sampleOf(await scrape(), 'cpq_approvals_overdue')).toBe(before);
    // Its SLA ran out two hours ago.
    await db().$executeRaw`UPDATE approval_requirement SET due_at = now() - interval '2 hours' WHERE quote_id = ${quoteId}::uuid`;
    const text = await scrape();
    expect(sampleOf(text, 'cpq_approvals_overdue')).toBe(before + 1);
    expect(sampleOf(text, 'cpq_approvals_most_overdue_seconds')).toBeGreaterThanOrEqual(7200);
    expect((await f.call('rita', 'POST', `/quotes/${quoteId}/commands/withdraw`, { reason: 'customer left' })).status).toBe(200);
    expect(sampleOf(await scrape(), 'cpq_approvals_overdue')).toBe(before);
  });

  it('carries the Node.js runtime metrics, labelled with the role', async () => {
    const text = await scrape();
    expect(sampleOf(text, 'nodejs_eventloop_lag_p99_seconds', { role: 'api' })).toBeGreaterThanOrEqual(0);
    expect(sampleOf(text, 'process_resident_memory_bytes', { role: 'api' })).toBeGreaterThan(0);
  });
});
