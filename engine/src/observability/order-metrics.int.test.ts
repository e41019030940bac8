import { sampleOf } from '@cpq/connectors/observability/exposition';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderFixture, type OrderFixture } from '../../test/order-fixture';
import { internetLine } from '../../test/quote-fixture';

// The order module's signals on GET /metrics (ADR 0018, seed section 12: "are order fulfillments
// stuck in unknown outcome? are fallout cases aging beyond SLA?"), on real orders. No workers run:
// the plan's steps stay where the test puts them.
describe('GET /metrics: orders in unknown outcome and fallout cases by age', () => {
  let f: OrderFixture;
  let sql: pg.Client;
  const scrape = async () => (await f.t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${f.t.config.metricsToken}` } })).body;

  beforeAll(async () => {
    f = await createOrderFixture('order_metrics', { METRICS_SIGNALS_MAX_AGE_MS: '0' });
    sql = new pg.Client({ connectionString: f.t.db.url });
    await sql.connect();
  }, 180_000);
  afterAll(async () => {
    await sql?.end();
    await f?.close();
  });

  it('a step whose outcome is lost counts its order as unknown with its age; a model defect opens a fallout case that ages past 1 h, 1 d and its SLA', async () => {
    const before = await scrape();
    expect(sampleOf(before, 'cpq_orders_unknown_outcome')).toBe(0);
    expect(sampleOf(before, 'cpq_fallout_cases_open')).toBe(0);

    // An order fulfilled by a plan; its first step sent, its answer lost (what the workers record
    // when the target system times out: in-progress -> unknown, allowed by the step's state guard).
    const orderId = await f.createOrder(await f.acceptedQuote());
    const [step] = (await sql.query('SELECT step_key FROM order_step WHERE order_id = $1 ORDER BY wave, position LIMIT 1', [orderId])).rows;
    await sql.query(`UPDATE order_step SET state = 'in-progress', attempt = 1, request_key = order_id || ':' || step_key WHERE order_id = $1 AND step_key = $2`, [orderId, step.step_key]);
    await sql.query(`UPDATE order_step SET state = 'unknown', updated_at = now() - interval '20 minutes' WHERE order_id = $1 AND step_key = $2`, [orderId, step.step_key]);
    const unknown = await scrape();
    expect(sampleOf(unknown, 'cpq_orders_unknown_outcome')).toBe(1);
    expect(sampleOf(unknown, 'cpq_orders_oldest_unknown_outcome_seconds')).toBeGreaterThanOrEqual(1_200);

    // A quote with a line no decomposition map covers: the order opens a model-defect case.
    const { quoteId } = (await f.call('rita', 'POST', '/quotes', { accountId: 'acct-1', customerName: 'Acme GmbH', currency: 'EUR', termMonths: 24 })).body;
    await f.call('rita', 'POST', `/quotes/${quoteId}/lines`, internetLine());
    await f.call('rita', 'POST', `/quotes/${quoteId}/lines`, { offering: 'managed-router', quantity: 1, selections: { model: 'small' } });
    await f.call('rita', 'POST', `/quotes/${quoteId}/commands/price`);
    await f.call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`);
    const { documentId } = (await f.call('rita', 'POST', `/quotes/${quoteId}/commands/generate-document`)).body;
    await f.call('rita', 'POST', `/quotes/${quoteId}/commands/accept`, { documentId, onBehalfOf: { evidence: 'mail', channel: 'email' } });
    const defective = await f.createOrder(quoteId);
    const fresh = await scrape();
    expect(sampleOf(fresh, 'cpq_fallout_cases_open')).toBe(1);
    expect(sampleOf(fresh, 'cpq_fallout_cases_open_over_1h')).toBe(0);
    expect(sampleOf(fresh, 'cpq_fallout_cases_breaching_sla')).toBe(0);

    // Time passes for the case (model-defect SLA: P2D): three days later it is over 1 h, 1 d and its SLA.
    await sql.query(`UPDATE fallout_case SET created_at = created_at - interval '3 days', sla_due_at = sla_due_at - interval '3 days' WHERE order_id = $1`, [defective]);
    const aged = await scrape();
    expect(sampleOf(aged, 'cpq_fallout_cases_open_over_1h')).toBe(1);
    expect(sampleOf(aged, 'cpq_fallout_cases_open_over_1d')).toBe(1);
    expect(sampleOf(aged, 'cpq_fallout_cases_breaching_sla')).toBe(1);
    expect(sampleOf(aged, 'cpq_fallout_oldest_open_seconds')).toBeGreaterThanOrEqual(3 * 86_400);

    // Resolved by an operator, it no longer counts.
    const [item] = (await f.callAs('olga', 'GET', `/fallout-work-items?orderId=${defective}`)).body.items;
    expect((await f.callAs('olga', 'POST', `/work-items/${item.workItemId}/commands/resolve-fallout`, { action: 'cancel', reason: 'routers are not fulfilled yet' })).status).toBe(200);
    expect(sampleOf(await scrape(), 'cpq_fallout_cases_open')).toBe(0);
  });
});
