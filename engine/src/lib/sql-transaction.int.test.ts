import { Prisma } from '@cpq/prisma';
import { createTestDatabase, type TestDatabase } from '@cpq/prisma/test-database';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/env';
import { createSqlTransactionRunner, queryLast, type InSqlTransaction } from './sql-transaction';

// A transaction's last statement goes with its COMMIT in one round trip once it is prepared on
// the connection (queryLast). What must hold either way: the statement's rows come back, its
// writes and those before it commit together, a failing last statement commits nothing, and
// nothing runs on the transaction after it.
describe('raw-SQL transactions: the last statement with the COMMIT (real PostgreSQL)', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let inTransaction: InSqlTransaction;
  // What the engine sends on its one connection (the pool holds one, so the second use is prepared).
  const sent: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase(testEnv.postgresUrl, 'sql_transaction');
    pool = new pg.Pool({ connectionString: db.url, max: 1 });
    pool.on('connect', (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        const first = args[0] as string | { text: string };
        sent.push(typeof first === 'string' ? first : first.text);
        return query(...args);
      };
    });
    await pool.query('CREATE TABLE scratch (id int PRIMARY KEY, label text, doc jsonb, flag boolean)');
    inTransaction = createSqlTransactionRunner(pool);
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });
  beforeEach(async () => {
    await pool.query('TRUNCATE scratch');
    sent.length = 0;
  });

  const insertLast = (id: number, label: string | null) => Prisma.sql`
    WITH w AS (INSERT INTO scratch (id, label, doc, flag) VALUES (${id}, ${label}, ${JSON.stringify({ it: "it's" })}::jsonb, ${id % 2 === 0}) RETURNING id)
    SELECT (CASE WHEN count(*) = 1 THEN '1' ELSE 'not one row' END)::int AS n, max(id) AS id FROM w`;
  const rows = async () => (await pool.query('SELECT id, label, doc, flag FROM scratch ORDER BY id')).rows;

  it('runs as any statement the first time on a connection, then goes with the COMMIT; rows and writes are the same', async () => {
    const first = await inTransaction(async (tx) => {
      await tx.$executeRaw`INSERT INTO scratch (id, label) VALUES (100, 'before')`;
      return queryLast<{ n: number; id: number }>(tx, insertLast(1, "O'Brien"));
    });
    expect(first).toEqual([{ n: 1, id: 1 }]);
    expect(sent.filter((s) => s === 'COMMIT')).toHaveLength(1);

    sent.length = 0;
    const second = await inTransaction(async (tx) => {
      await tx.$executeRaw`INSERT INTO scratch (id, label) VALUES (101, 'before')`;
      return queryLast<{ n: number; id: number }>(tx, insertLast(2, null));
    });
    expect(second).toEqual([{ n: 1, id: 2 }]);
    // One message: the prepared statement executed with literals, and the COMMIT.
    expect(sent.filter((s) => s === 'COMMIT')).toHaveLength(0);
    expect(sent.some((s) => /^EXECUTE cpq_\w+\('2', NULL, '\{"it":"it''s"\}', 'true'\); COMMIT$/.test(s))).toBe(true);

    expect(await rows()).toEqual([
      { id: 1, label: "O'Brien", doc: { it: "it's" }, flag: false },
      { id: 2, label: null, doc: { it: "it's" }, flag: true },
      { id: 100, label: 'before', doc: null, flag: null },
      { id: 101, label: 'before', doc: null, flag: null },
    ]);
  });

  it('a last statement that fails commits nothing, nor what ran before it', async () => {
    for (let round = 0; round < 2; round += 1) {
      const failed = await inTransaction(async (tx) => {
        await tx.$executeRaw`INSERT INTO scratch (id, label) VALUES (${200 + round}, 'before')`;
        // The primary key is taken: the statement fails.
        await tx.$executeRaw`INSERT INTO scratch (id, label) VALUES (${300 + round}, 'taken')`;
        return queryLast(tx, insertLast(300 + round, 'again'));
      }).catch((error: unknown) => error);
      expect(failed).toMatchObject({ code: '23505' });
    }
    // A check in the statement (a cast error, as the quote's version check) fails it too: the
    // first time unfolded (PostgreSQL parsed it, so it is prepared), then folded with the COMMIT.
    await inTransaction((tx) => queryLast(tx, insertLast(5, 'warm')));
    for (let round = 0; round < 2; round += 1) {
      sent.length = 0;
      const checked = await inTransaction(async (tx) => queryLast(tx, Prisma.sql`
        WITH w AS (INSERT INTO scratch (id, label) VALUES (${6 + round}, 'x') RETURNING id), v AS (SELECT 1 WHERE false)
        SELECT (CASE WHEN count(*) = 1 THEN '1' ELSE 'not one row' END)::int AS n FROM v`)).catch((error: unknown) => error);
      expect(checked).toMatchObject({ message: expect.stringContaining('not one row') });
      expect(sent.some((s) => s.startsWith('EXECUTE'))).toBe(round === 1);
    }
    expect((await rows()).map((r) => r.id)).toEqual([5]);
    // The connection is usable afterwards (rolled back, not left in a failed transaction).
    expect(await inTransaction((tx) => queryLast(tx, insertLast(8, 'after')))).toEqual([{ n: 1, id: 8 }]);
  });

  it('refuses a statement after the last one once it has committed, and a value that cannot be a literal runs unfolded', async () => {
    await inTransaction((tx) => queryLast(tx, insertLast(10, 'warm')));
    const after = await inTransaction(async (tx) => {
      await queryLast(tx, insertLast(11, 'last'));
      await tx.$executeRaw`INSERT INTO scratch (id, label) VALUES (12, 'too late')`;
    }).catch((error: unknown) => error);
    expect(after).toMatchObject({ message: expect.stringContaining('after the transaction\'s last one') });
    // 11 committed with its statement; 12 never ran.
    expect((await rows()).map((r) => r.id)).toEqual([10, 11]);
    // The same on the unfolded path (a Date is no literal): refused before the COMMIT, so nothing commits.
    const cold = await inTransaction(async (tx) => {
      await queryLast(tx, Prisma.sql`INSERT INTO scratch (id, label) VALUES (20, ${new Date(0)}::timestamptz::text)`);
      await tx.$executeRaw`INSERT INTO scratch (id, label) VALUES (21, 'too late')`;
    }).catch((error: unknown) => error);
    expect(cold).toMatchObject({ message: expect.stringContaining('after the transaction\'s last one') });
    // And beside it while it runs.
    const beside = await inTransaction(async (tx) => {
      await Promise.all([queryLast(tx, insertLast(22, 'last')), tx.$executeRaw`INSERT INTO scratch (id, label) VALUES (23, 'beside')`]);
    }).catch((error: unknown) => error);
    expect(beside).toMatchObject({ message: expect.stringContaining('after the transaction\'s last one') });
    expect((await rows()).map((r) => r.id)).not.toContain(23);
    expect((await rows()).map((r) => r.id)).not.toContain(20);
    await pool.query('DELETE FROM scratch WHERE id = 22');

    // A Date is no literal here: the statement runs as any other and the runner commits.
    const dated = Prisma.sql`INSERT INTO scratch (id, label) VALUES (13, ${new Date(0)}::timestamptz::text) RETURNING id`;
    await inTransaction((tx) => queryLast(tx, dated));
    sent.length = 0;
    await inTransaction((tx) => queryLast(tx, Prisma.sql`INSERT INTO scratch (id, label) VALUES (14, ${new Date(0)}::timestamptz::text) RETURNING id`));
    expect(sent.filter((s) => s === 'COMMIT')).toHaveLength(1);
    expect((await rows()).map((r) => r.id)).toEqual([10, 11, 13, 14]);

    // Large values (a price command's evidence) are sent bound, not as literals: escaping and lexing them costs more than a round trip.
    const big = 'x'.repeat(20_000);
    await inTransaction((tx) => queryLast(tx, insertLast(15, big)));
    sent.length = 0;
    expect(await inTransaction((tx) => queryLast(tx, insertLast(16, big)))).toEqual([{ n: 1, id: 16 }]);
    expect(sent.filter((s) => s === 'COMMIT')).toHaveLength(1);
    expect(sent.some((s) => s.startsWith('EXECUTE'))).toBe(false);
    expect((await rows()).find((r) => r.id === 16)?.label).toBe(big);
  });
});
