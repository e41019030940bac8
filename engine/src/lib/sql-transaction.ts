import { Prisma, type PrismaClient, type TransactionClient } from '@cpq/prisma';
import type pg from 'pg';
import { tenantScopeStatement } from './tenant-scope';
import { DEFAULT_TRANSACTION_SETTINGS, withContentionAnswers, type TransactionSettings } from './transaction';

/**
 * What the hot command paths use of a transaction: bound raw SQL only. A Prisma transaction
 * client is one; so is `rawTx` over a node-postgres client, which skips Prisma's transaction
 * machinery (measured at 8 concurrent: 0.96 ms of CPU for a Prisma transaction of three raw
 * statements, 0.29 ms on node-postgres; docs/benchmarks.md, ADR 0014).
 */
export type RawTx = Pick<TransactionClient, '$queryRaw' | '$executeRaw'> & { readonly [COMMIT_WITH]?: (sql: Prisma.Sql) => Promise<unknown[]> };

/** Where a module's raw SQL may run: the pool (a Prisma client), a Prisma transaction, or a node-postgres transaction or pool (`RawTx`, ADR 0014). */
export type RawDb = PrismaClient | RawTx;

/** How a raw-SQL transaction on node-postgres offers to send its last statement with the COMMIT (`queryLast`). */
const COMMIT_WITH = Symbol('commitWith');

/**
 * The transaction's last statement: nothing may run on `tx` after it. On node-postgres, when the
 * statement is already prepared on the connection, it goes with the COMMIT in one round trip
 * (`EXECUTE name(literals); COMMIT`: a statement prepared by the extended protocol is also one of
 * PostgreSQL's SQL-level prepared statements, so its plan is kept); an error in it means nothing
 * was committed. Otherwise (a Prisma transaction, the first use on a connection, values that
 * cannot be literals) it runs as any statement and the runner commits after the work.
 * Measured: a command's socket writes are about half of the engine's CPU on this machine
 * (docs/benchmarks.md), and a round trip also wakes PostgreSQL once more.
 */
export function queryLast<T>(tx: RawTx, sql: Prisma.Sql): Promise<T[]> {
  const commitWith = tx[COMMIT_WITH];
  return (commitWith ? commitWith(sql) : tx.$queryRaw<T[]>(sql)) as Promise<T[]>;
}

type Template = TemplateStringsArray | Prisma.Sql;
const bind = (query: Template, values: unknown[]): Prisma.Sql =>
  query instanceof Prisma.Sql ? query : Prisma.sql(query, ...values);

/**
 * Statements are prepared once per connection under a name derived from their text (as
 * pgbench -M prepared does): PostgreSQL parses and plans a hot command's statements once,
 * not on every call. The texts are the code's templates, so the set of names is small.
 */
const statementNames = new Map<string, string>();
export function preparedQuery(sql: Prisma.Sql): pg.QueryConfig {
  let name = statementNames.get(sql.text);
  if (name === undefined) {
    name = `cpq_${statementNames.size.toString(36)}`;
    // Bounded: texts built with varying shapes (e.g. IN lists) would otherwise grow it.
    if (statementNames.size < 2000) statementNames.set(sql.text, name);
    else return { text: sql.text, values: sql.values };
  }
  return { name, text: sql.text, values: sql.values };
}

/** `$queryRaw` and `$executeRaw` over one node-postgres client, with the same binding rules. */
export function rawTx(client: pg.PoolClient | pg.Pool): RawTx {
  const run = (query: Template, values: unknown[]) => client.query(preparedQuery(bind(query, values)));
  // The methods return plain promises where Prisma's return PrismaPromises (which also batch);
  // nothing on these paths batches, so the shapes agree where it matters.
  return {
    $queryRaw: (query: Template, ...values: unknown[]) => run(query, values).then((r) => r.rows),
    $executeRaw: (query: Template, ...values: unknown[]) => run(query, values).then((r) => r.rowCount ?? 0),
  } as unknown as RawTx;
}

/**
 * One transaction on one pooled connection, in raw SQL, with the same guarantees as
 * `createTransactionRunner` (lib/transaction.ts): bounded waits (the pool's connection wait, the
 * session's lock_timeout and idle-in-transaction timeout, and a statement_timeout on each
 * statement: PostgreSQL 15 has no timeout for a transaction as a whole), deadlocks retried, a
 * lock held too long a 409, an exhausted pool or a statement past its time a 503; never a 500
 * from contention.
 */
export function createSqlTransactionRunner(pool: pg.Pool, settings: TransactionSettings = DEFAULT_TRANSACTION_SETTINGS) {
  /**
   * `opening`: the transaction's first statements, sent with BEGIN in one round trip (their
   * values inlined as escaped literals: the simple protocol takes no parameters; each statement
   * still reads a snapshot of its own, taken after the one before it finished, e.g. after its
   * lock); `work` receives the rows of each. Statements with values that cannot be inlined
   * run one by one.
   */
  return function inSqlTransaction<T>(
    work: (tx: RawTx, opened: Record<string, unknown>[][]) => Promise<T>, opening: Prisma.Sql[] = [],
    /** The tenant the transaction acts for: row-level security shows it that tenant's rows only (lib/tenant-scope.ts, ADR 0023). */
    scope: { tenantId?: string } = {},
  ): Promise<T> {
    return withContentionAnswers(settings, async () => {
      const client = await pool.connect();
      try {
        const tenant = scope.tenantId === undefined ? '' : `; ${tenantScopeStatement(scope.tenantId, (v) => client.escapeLiteral(v))}`;
        const begin = `BEGIN; SET LOCAL statement_timeout = ${Math.floor(settings.timeoutMs)}${tenant}`;
        const inlined = opening.map((sql) => inline(sql, client));
        const state = { committed: false };
        const tx = transactionTx(client, state);
        let rows: Record<string, unknown>[][] = [];
        if (opening.length > 0 && inlined.every((text) => text !== undefined)) {
          const results = (await client.query(`${begin}; ${inlined.join('; ')}`)) as unknown as pg.QueryResult[];
          rows = results.slice(-opening.length).map((r) => r.rows as Record<string, unknown>[]);
        } else {
          await client.query(begin);
          for (const sql of opening) rows.push(await tx.$queryRaw<Record<string, unknown>[]>(sql));
        }
        const result = await work(tx, rows);
        if (!state.committed) await client.query('COMMIT');
        client.release();
        return result;
      } catch (error) {
        const broken = await client.query('ROLLBACK').then(() => false, () => true);
        client.release(broken ? (error as Error) : undefined);
        throw error;
      }
    }, (error) => (isStatementTimeout(error) ? 'expired' : undefined));
  };
}

/** `rawTx` of a transaction's client, which can send its last statement with the COMMIT (`queryLast`). */
function transactionTx(client: pg.PoolClient, state: { committed: boolean }): RawTx {
  const raw = rawTx(client);
  // Set when the last statement is issued (folded or not), so that a statement issued after it,
  // or beside it while it runs, is refused the same way on a cold and a warm connection.
  let ended = false;
  const open = () => {
    if (ended) throw new Error('a statement after the transaction\'s last one (queryLast)');
  };
  return {
    $queryRaw: ((query: Template, ...values: unknown[]) => (open(), raw.$queryRaw(query, ...values))) as RawTx['$queryRaw'],
    $executeRaw: ((query: Template, ...values: unknown[]) => (open(), raw.$executeRaw(query, ...values))) as RawTx['$executeRaw'],
    [COMMIT_WITH]: async (sql: Prisma.Sql) => {
      open();
      ended = true;
      const config = preparedQuery(sql);
      // pg records a named statement once PostgreSQL has parsed it on this connection.
      const parsed = (client as unknown as { connection: { parsedStatements: Record<string, string> } }).connection.parsedStatements;
      const args = config.name !== undefined && parsed[config.name] === config.text ? executeArguments(sql.values, client) : undefined;
      if (args === undefined) return (await client.query(config)).rows;
      const results = (await client.query(`EXECUTE ${config.name}${args}; COMMIT`)) as unknown as pg.QueryResult[];
      state.committed = true;
      return results[0]!.rows;
    },
  };
}

/**
 * Above this many characters of values, a statement is not folded: escaping them (the driver's
 * escaping walks every character) and PostgreSQL's lexing of one large literal cost more than
 * the round trip saved (measured: a price command with ~1 MB of evidence 3x slower folded).
 */
const MAX_FOLDED_VALUE_CHARS = 16_384;

/**
 * EXECUTE's argument list: every value a quoted literal (PostgreSQL gives it the parameter's
 * type, as it did at PREPARE), null as NULL; undefined when a value cannot be one, or when the
 * values are too large to be worth it (MAX_FOLDED_VALUE_CHARS).
 */
function executeArguments(values: unknown[], client: pg.PoolClient): string | undefined {
  let chars = 0;
  for (const value of values) if (typeof value === 'string') chars += value.length;
  if (chars > MAX_FOLDED_VALUE_CHARS) return undefined;
  const literals: string[] = [];
  for (const value of values) {
    if (value === null) literals.push('NULL');
    else if (typeof value === 'string') literals.push(client.escapeLiteral(value));
    else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint' || typeof value === 'boolean') literals.push(`'${String(value)}'`);
    else return undefined;
  }
  return literals.length === 0 ? '' : `(${literals.join(', ')})`;
}

/** The statement with its values as escaped literals (strings, numbers, booleans, null), or undefined. */
function inline(sql: Prisma.Sql, client: pg.PoolClient): string | undefined {
  const literals: string[] = [];
  for (const value of sql.values) {
    if (value === null) literals.push('NULL');
    else if (typeof value === 'string') literals.push(client.escapeLiteral(value));
    else if (typeof value === 'number' && Number.isFinite(value)) literals.push(String(value));
    else if (typeof value === 'boolean') literals.push(value ? 'TRUE' : 'FALSE');
    else return undefined;
  }
  return sql.text.replace(/\$(\d+)/g, (_, n: string) => literals[Number(n) - 1]!);
}

/**
 * One statement on its own (PostgreSQL's implicit transaction: atomic, one round trip, no
 * BEGIN or COMMIT), with the same contention answers as a transaction. For a command whose
 * whole effect fits one statement (creating a quote).
 */
export function createSqlStatementRunner(pool: pg.Pool, settings: TransactionSettings = DEFAULT_TRANSACTION_SETTINGS) {
  const db = rawTx(pool);
  return function inSqlStatement<T>(work: (db: RawTx) => Promise<T>): Promise<T> {
    return withContentionAnswers(settings, () => work(db), (error) => (isStatementTimeout(error) ? 'expired' : undefined));
  };
}

export type InSqlStatement = ReturnType<typeof createSqlStatementRunner>;

const isStatementTimeout = (error: unknown) => (error as { code?: string } | null)?.code === '57014';

export type InSqlTransaction = ReturnType<typeof createSqlTransactionRunner>;
