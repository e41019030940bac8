import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQuoteFixture, internetLine, type QuoteFixture, type Reply } from '../../test/quote-fixture';
import { expectRetryAfterAsContracted } from '../../test/retry-after';

// Seed section 13 / issue 12 item 4, PostgreSQL: failover/restart mid-command. What a restart or
// a failover does to a command in flight is what pg_terminate_backend does to it for real: the
// backend running the command's transaction ends (57P01, as a fast shutdown sends it) and the
// socket closes. The shared PostgreSQL cannot be restarted under the other suites, so the drill
// terminates exactly the engine's backend that runs the command, found in pg_stat_activity while
// a trigger holds the command inside its transaction. Expected: a 503 problem+json the client
// may retry (Retry-After), nothing half-written, and a retry with the same Idempotency-Key that
// succeeds once (a second retry is a replay).
describe('PostgreSQL drill: failover/restart mid-command', () => {
  let f: QuoteFixture;
  let admin: pg.Client;

  beforeAll(async () => {
    f = await createQuoteFixture('pg_failover');
    admin = new pg.Client({ connectionString: f.t.db.url });
    await admin.connect();
  }, 180_000);
  afterAll(async () => {
    await admin?.end();
    await f?.close();
  });

  /**
   * Sends the command while a BEFORE INSERT trigger on `table` sleeps inside its transaction,
   * terminates the backend sleeping there (the engine's, running the command), and returns the
   * answer with the pid it killed. The trigger is gone when this returns.
   */
  async function killMidCommand(table: string, send: () => Promise<Reply>): Promise<{ reply: Reply; pid: number }> {
    await admin.query(`CREATE OR REPLACE FUNCTION drill_hold() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(30); RETURN NEW; END $$`);
    await admin.query(`CREATE TRIGGER tg_drill_hold BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION drill_hold()`);
    try {
      const answer = send();
      let pid: number | undefined;
      for (let tries = 0; pid === undefined && tries < 200; tries += 1) {
        const { rows } = await admin.query<{ pid: number; query: string; xact: boolean }>(
          `SELECT pid, query, backend_xid IS NOT NULL AS xact FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event = 'PgSleep' AND pid <> pg_backend_pid()`,
        );
        if (rows[0]) {
          // The command's own statement, inside a transaction that already wrote (xid assigned) or is about to.
          expect(rows[0].query).toMatch(new RegExp(`INSERT INTO ${table}`, 'i'));
          pid = rows[0].pid;
        } else await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(pid, 'the command reached its INSERT').toBeDefined();
      const { rows: [killed] } = await admin.query<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [pid]);
      expect(killed!.ok).toBe(true);
      return { reply: await answer, pid: pid! };
    } finally {
      await admin.query(`DROP TRIGGER IF EXISTS tg_drill_hold ON ${table}`);
    }
  }

  const expectRetryable503 = (reply: Reply, operationId: string) => {
    expect(reply.status, JSON.stringify(reply.body)).toBe(503);
    expect(String(reply.headers['content-type'])).toContain('application/problem+json');
    expect(reply.body).toMatchObject({ status: 503, code: 'dependency-unavailable', detail: expect.stringContaining('Idempotency-Key') });
    expectRetryAfterAsContracted(operationId, 503, reply.headers);
  };
  const count = async (sql: string, values: unknown[]) => Number((await admin.query(sql, values)).rows[0].n);

  it('drill: failover/restart mid-command: a hot-path command (raw SQL transaction) whose backend is terminated answers 503, writes nothing, and succeeds once on retry with its key', async () => {
    const { body: quote } = await f.call('rita', 'POST', '/quotes', { accountId: 'acct-1', customerName: 'Failover GmbH', currency: 'EUR', termMonths: 12 });
    const key = `failover-line-${quote.quoteId}`;
    const addLine = () => f.call('rita', 'POST', `/quotes/${quote.quoteId}/lines`, internetLine(), { 'idempotency-key': key });
    const written = async () => ({
      lines: await count('SELECT count(*) AS n FROM quote_line WHERE quote_id = $1', [quote.quoteId]),
      events: await count(`SELECT count(*) AS n FROM outbox_event WHERE aggregate_id = $1 AND event_type = 'QuoteLineAdded'`, [quote.quoteId]),
      answers: await count('SELECT count(*) AS n FROM idempotency_record WHERE idempotency_key = $1', [key]),
      version: Number((await admin.query('SELECT version FROM quote WHERE id = $1', [quote.quoteId])).rows[0].version),
    });
    const before = await written();

    const { reply } = await killMidCommand('quote_line', addLine);
    expectRetryable503(reply, 'addQuoteLine');
    expect(await written(), 'nothing half-written').toEqual(before);

    // The engine serves on: its pool dropped the dead connection.
    expect((await f.call('rita', 'GET', `/quotes/${quote.quoteId}`)).status).toBe(200);
    const retried = await addLine();
    expect(retried.status, JSON.stringify(retried.body)).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    const replayed = await addLine();
    expect(replayed.status).toBe(201);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.body).toEqual(retried.body);
    expect(await written()).toEqual({ lines: before.lines + 1, events: before.events + 1, answers: 1, version: before.version + 1 });
  });

  it('drill: failover/restart mid-command: a Prisma transaction (account creation) whose backend is terminated answers 503, writes nothing, and succeeds once on retry with its key', async () => {
    const accountId = `acc-failover-${Date.now().toString(36)}`;
    const key = `failover-${accountId}`;
    const body = { accountId, name: 'Failover AG', segment: 'smb', channel: 'self-service', currency: 'EUR' };
    const create = () => f.call('ada', 'POST', '/accounts', body, { 'idempotency-key': key });
    const written = async () => ({
      accounts: await count('SELECT count(*) AS n FROM account WHERE id = $1', [accountId]),
      audit: await count(`SELECT count(*) AS n FROM audit_record WHERE target_id = $1`, [accountId]),
      answers: await count('SELECT count(*) AS n FROM idempotency_record WHERE idempotency_key = $1', [key]),
    });

    const { reply } = await killMidCommand('account', create);
    expectRetryable503(reply, 'createAccount');
    // The key's claim was released: the retry runs the command rather than waiting on it.
    expect(await written(), 'nothing half-written').toEqual({ accounts: 0, audit: 0, answers: 0 });

    const retried = await create();
    expect(retried.status, JSON.stringify(retried.body)).toBe(201);
    const replayed = await create();
    expect(replayed.status).toBe(201);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(await written()).toEqual({ accounts: 1, audit: 1, answers: 1 });
  });
});
