import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderFixture, type OrderFixture } from '../../../test/order-fixture';
import { ORDER_TRANSITIONS, STEP_TRANSITIONS, transitionPairs } from './order.state';

// The order invariants the database holds whatever the code does (migration
// 20261203160000_orders), each tried by SQL on an order made through the API.
describe('order invariants held by PostgreSQL', () => {
  let f: OrderFixture;
  let sql: pg.Client;
  let quoteId: string;
  let orderId: string;

  beforeAll(async () => {
    f = await createOrderFixture('order_guards');
    sql = new pg.Client({ connectionString: f.t.db.url });
    await sql.connect();
    quoteId = await f.acceptedQuote();
    orderId = await f.createOrder(quoteId);
  });
  afterAll(async () => {
    await sql?.end();
    await f?.close();
  });

  /** Runs SQL expected to fail; returns PostgreSQL's error (code, constraint, message). */
  const refused = async (text: string, values: unknown[] = []) => {
    const error = await sql.query(text, values).then(() => undefined, (e: pg.DatabaseError) => e);
    expect(error, `expected PostgreSQL to refuse: ${text}`).toBeDefined();
    return error!;
  };
  const copyOrder = `
    INSERT INTO customer_order (id, tenant_id, quote_id, quote_revision, account_id, customer_name, owner_id, team, currency, term_months,
                                release_id, price_result_id, document_id, snapshot_sha256, source, state, created_by)
    SELECT $2, tenant_id, quote_id, quote_revision, account_id, customer_name, owner_id, team, currency, term_months,
           release_id, price_result_id, document_id, snapshot_sha256, source, 'created', created_by FROM customer_order WHERE id = $1`;

  it('one primary order per accepted revision: a second one is a unique violation', async () => {
    const error = await refused(copyOrder, [orderId, randomUUID()]);
    expect(error).toMatchObject({ code: '23505', constraint: 'uq_order_primary_per_revision' });
  });

  it('an order names an accepted revision (O1): one of a revision in another state is refused', async () => {
    const priced = await f.pricedQuote();
    const error = await refused(`
      INSERT INTO customer_order (id, tenant_id, quote_id, quote_revision, account_id, customer_name, owner_id, currency, term_months,
                                  release_id, price_result_id, document_id, snapshot_sha256, source, state, created_by)
      SELECT $1, o.tenant_id, $2, 1, o.account_id, o.customer_name, o.owner_id, o.currency, o.term_months, o.release_id, o.price_result_id,
             o.document_id, o.snapshot_sha256, 'command', 'created', 'rita' FROM customer_order o WHERE o.id = $3`, [randomUUID(), priced, orderId]);
    expect(error).toMatchObject({ code: '23514' });
    expect(error.message).toMatch(/not an accepted revision/);
  });

  it.each([
    ['no action', `NULL, NULL`, '23502'],
    ['an action outside add/modify/disconnect/no-change', `'upgrade', NULL`, '23514'],
    ['modify without the installed asset it acts on', `'modify', NULL`, '23514'],
  ])('a line with %s is refused (O2)', async (_label, actionAndAsset, code) => {
    const error = await refused(`
      INSERT INTO order_line (tenant_id, order_id, line_id, position, offering, quantity, action, asset_id, selections, release_id, charges)
      SELECT tenant_id, id, 'L9', 9, 'business-internet', 1, ${actionAndAsset}, '{}', release_id, '[]' FROM customer_order WHERE id = $1`, [orderId]);
    expect(error.code).toBe(code);
  });

  it('lines, plans and callbacks are immutable; orders, steps and cases are never deleted or truncated', async () => {
    expect((await refused(`UPDATE order_line SET quantity = 5 WHERE order_id = $1`, [orderId])).code).toBe('23001');
    expect((await refused(`UPDATE fulfillment_plan SET waves = '[]' WHERE order_id = $1`, [orderId])).code).toBe('23001');
    expect((await refused(`DELETE FROM order_step WHERE order_id = $1`, [orderId])).code).toBe('23001');
    expect((await refused(`DELETE FROM customer_order WHERE id = $1`, [orderId])).code).toBe('23001');
    for (const table of ['customer_order', 'order_line', 'fulfillment_plan', 'order_step', 'fulfillment_callback', 'fallout_case', 'order_step_transition', 'installed_asset']) {
      expect((await refused(`TRUNCATE ${table} CASCADE`)).code).toBe('23001');
    }
  });

  it('the transition tables in the database are the code\'s, row for row (O3)', async () => {
    const rows = async (table: string) => (await sql.query(`SELECT from_state, to_state FROM ${table} ORDER BY 1, 2`)).rows.map((r) => [r.from_state, r.to_state]);
    const sorted = (pairs: [string, string][]) => [...pairs].sort((a, b) => `${a[0]}>${a[1]}`.localeCompare(`${b[0]}>${b[1]}`, 'en'));
    expect(sorted(await rows('order_state_transition') as [string, string][])).toEqual(sorted(transitionPairs(ORDER_TRANSITIONS)));
    expect(sorted(await rows('order_step_transition') as [string, string][])).toEqual(sorted(transitionPairs(STEP_TRANSITIONS)));
    expect((await refused(`INSERT INTO order_step_transition VALUES ('pending', 'completed')`)).code).toBe('23001');
  });

  it('a state change outside the tables is refused by the triggers, whoever writes it (O3)', async () => {
    const [{ state }] = (await sql.query(`SELECT state FROM customer_order WHERE id = $1`, [orderId])).rows;
    expect(state).toBe('in-progress');
    expect((await refused(`UPDATE customer_order SET state = 'created' WHERE id = $1`, [orderId])).code).toBe('23514');
    expect((await refused(`UPDATE customer_order SET state = 'cancelled' WHERE id = $1`, [orderId])).constraint).toBe('ck_customer_order_cancellation');
    // A step cannot be declared completed without an attempt, nor jump from pending to completed.
    expect((await refused(`UPDATE order_step SET state = 'completed' WHERE order_id = $1 AND step_key = 'L1.reserve-access'`, [orderId])).code).toBe('23514');
    expect((await refused(`UPDATE order_step SET state = 'in-progress' WHERE order_id = $1 AND step_key = 'L1.reserve-access'`, [orderId])).code).toBe('23514');
    const inserted = await refused(`
      INSERT INTO order_step (tenant_id, order_id, plan_version, step_key, line_id, map_key, map_step_key, target_system, action, depends_on, wave, position, state, attempt, request_key)
      VALUES ($1, $2, 1, 'L1.extra', 'L1', 'm', 'extra', 'crm', 'x', '[]', 9, 99, 'completed', 1, 'k-extra')`, [f.tenant, orderId]);
    expect(inserted.message).toMatch(/starts as pending/);
  });

  it('a fallout case resolved needs its decision, reason and resolver; a resolution by hand its evidence', async () => {
    const id = randomUUID();
    await sql.query(`INSERT INTO fallout_case (id, tenant_id, order_id, step_key, category, source, reason, sla_due_at, allowed_actions)
                     VALUES ($1, $2, $3, 'L1.reserve-access', 'business-fallout', 'step-failure', 'refused', now(), '["retry"]')`, [id, f.tenant, orderId]);
    expect((await refused(`UPDATE fallout_case SET state = 'resolved' WHERE id = $1`, [id])).code).toBe('23514');
    expect((await refused(`UPDATE fallout_case SET state = 'resolved', resolution_action = 'resolve', resolution_reason = 'x', resolved_by = 'olga', resolved_at = now() WHERE id = $1`, [id])).constraint)
      .toBe('ck_fallout_case_evidence');
    expect((await refused(`INSERT INTO fallout_case (id, tenant_id, order_id, step_key, category, source, reason, sla_due_at, allowed_actions)
                            VALUES ($1, $2, $3, 'L1.reserve-access', 'business-fallout', 'step-failure', 'again', now(), '[]')`, [randomUUID(), f.tenant, orderId])).constraint)
      .toBe('uq_fallout_case_open_step');
    expect((await refused(`UPDATE fallout_case SET category = 'bad-luck' WHERE id = $1`, [id])).constraint).toBe('ck_fallout_case_category');
    await sql.query(`UPDATE fallout_case SET state = 'resolved', resolution_action = 'retry', resolution_reason = 'x', resolved_by = 'olga', resolved_at = now() WHERE id = $1`, [id]);
  });

  it('a callback reference and outcome is recorded once (a repeat only as a duplicate)', async () => {
    const insert = (disposition: string) => sql.query(`
      INSERT INTO fulfillment_callback (tenant_id, order_id, external_reference, request_key, outcome, disposition, received_by)
      VALUES ($1, $2, 'ext-1', 'rk-1', 'completed', $3, 'service:t')`, [f.tenant, orderId, disposition]);
    await insert('applied');
    expect((await insert('applied').then(() => undefined, (e: pg.DatabaseError) => e))?.constraint).toBe('uq_fulfillment_callback_reference');
    await insert('duplicate');
  });
});
