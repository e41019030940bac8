import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { poolOf, Prisma, type PrismaClient } from '@cpq/prisma';
import { rawTx, type RawTx } from '../lib/sql-transaction';
import { classify } from './error-handler';
import { DomainError, ERROR_CATALOG, problem, TRANSIENT_CODES, type Problem } from './errors';

/**
 * The key's statements on every command (the claim; an answer stored on its own) in raw SQL on
 * node-postgres when the client has our pool (ADR 0014, 0017 addendum "the approval loop"), past
 * Prisma's client; a client made otherwise keeps Prisma's `$queryRaw`.
 */
const raws = new WeakMap<PrismaClient, RawTx | PrismaClient>();
function rawOf(prisma: PrismaClient): RawTx | PrismaClient {
  let db = raws.get(prisma);
  if (db === undefined) {
    try {
      db = rawTx(poolOf(prisma));
    } catch {
      db = prisma;
    }
    raws.set(prisma, db);
  }
  return db;
}

export type IdempotencyScope = { tenantId: string; clientId: string; operation: string; key: string };
export type CommandResponse = { status: number; body: unknown };

const KEY_PATTERN = /^[A-Za-z0-9._:-]{8,200}$/;
/** How long a first attempt holds the key before a retry may take it over (crashed process). */
// Longer than the slowest command can run: pool wait (10 s) + Camunda calls and compensation
// (3 x 10 s) + a lock wait (3 s) + the transaction (15 s), with room to spare. A crashed
// attempt's key is taken over after it.
const LEASE_SECONDS = 180;

export function requestHash(request: unknown): string {
  const text = (canonicalize as unknown as (v: unknown) => string | undefined)(request ?? null) ?? 'null';
  return createHash('sha256').update(text).digest('hex');
}

/** The Idempotency-Key header, required on every mutating command. */
export function idempotencyKeyOf(headers: Record<string, string | string[] | undefined>): string {
  const raw = headers['idempotency-key'];
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (!key) throw new DomainError('idempotency-key-required', 'send an Idempotency-Key header (8-200 characters of [A-Za-z0-9._:-])', [
    { field: 'headers/idempotency-key', rule: 'required', message: 'is required on every command' },
  ]);
  if (!KEY_PATTERN.test(key)) throw new DomainError('validation-failed', 'the Idempotency-Key is malformed', [
    { field: 'headers/idempotency-key', rule: 'pattern', message: 'must be 8-200 characters of [A-Za-z0-9._:-]' },
  ]);
  return key;
}

/**
 * The command's id, which its events carry as causationId (seed section 9): the
 * Idempotency-Key, or the request id when the command has none (or a malformed one).
 */
export function commandIdOf(request: { headers: Record<string, string | string[] | undefined>; id: string }): string {
  const raw = request.headers['idempotency-key'];
  const key = Array.isArray(raw) ? raw[0] : raw;
  return key && KEY_PATTERN.test(key) ? key : String(request.id);
}

/** Called by a command inside its own transaction, so the effect and the stored response commit together. */
export type CompleteInTransaction = (tx: RawTx, response: CommandResponse) => Promise<void>;

/** A read of raw SQL on the pool (the command's own tables, in the request's tenant scope). */
export type Read = <T>(sql: Prisma.Sql) => Promise<T[]>;

/**
 * How a command stores its answer: `complete` runs the statement in the command's transaction;
 * `statement` hands it over to be written as part of the command's own last statement (one
 * round trip less: a common table expression of `finish`, or a command of one statement).
 * `read`: the command's reads on the pool; where the route defers the key's claim
 * (`claimWithFirstRead`), the first one takes the claim in the same statement.
 */
export type Answer = { complete: CompleteInTransaction; statement: (response: CommandResponse) => Prisma.Sql; read: Read };

/** The key's claim: a new record in flight, or one whose lease ran out (a crashed attempt) with the same request. */
const claimInsert = (scope: IdempotencyScope, hash: string) => Prisma.sql`
    INSERT INTO idempotency_record (tenant_id, client_id, operation, idempotency_key, request_hash, status, locked_until)
    VALUES (${scope.tenantId}, ${scope.clientId}, ${scope.operation}, ${scope.key}, ${hash}, 'in-flight', now() + make_interval(secs => ${LEASE_SECONDS}))
    ON CONFLICT (tenant_id, client_id, operation, idempotency_key) DO UPDATE
      SET locked_until = EXCLUDED.locked_until
      WHERE idempotency_record.status = 'in-flight'
        AND idempotency_record.locked_until < now()
        AND idempotency_record.request_hash = EXCLUDED.request_hash
    RETURNING id`;

/**
 * The key's claim and a read in one statement (a data-modifying CTE, one implicit transaction):
 * the read's rows with their own types, and the claim's id (null when the key was taken).
 * `__found` tells the read's rows from the one row the outer join gives when it has none.
 */
const claimWithRead = (claim: Prisma.Sql, read: Prisma.Sql) => Prisma.sql`
    WITH claim AS (${claim})
    SELECT (SELECT id FROM claim)::text AS "__claim", r.*
    FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT true AS "__found", x.* FROM (${read}) x) r ON true`;

/** An answer stored as completed unless the key has a record already; whether it was stored. */
const storeUnlessAnswered = async (prisma: PrismaClient, scope: IdempotencyScope, hash: string, response: CommandResponse): Promise<boolean> =>
  (await rawOf(prisma).$executeRaw(Prisma.sql`${answerInsert(scope, hash, response)} ON CONFLICT (tenant_id, client_id, operation, idempotency_key) DO NOTHING`)) > 0;

/** Thrown by a deferred claim's read when another request holds or answered the key. */
class KeyTaken extends Error {}

const responseJson = (response: CommandResponse) => JSON.stringify(response.body ?? null);

/** The stored answer of an optimistic command: inserted completed; the scope's unique index refuses a second. */
const answerInsert = (scope: IdempotencyScope, hash: string, response: CommandResponse) => Prisma.sql`
  INSERT INTO idempotency_record (tenant_id, client_id, operation, idempotency_key, request_hash, status, response_status, response_body, locked_until, completed_at)
  VALUES (${scope.tenantId}, ${scope.clientId}, ${scope.operation}, ${scope.key}, ${hash}, 'completed', ${response.status}, ${responseJson(response)}::jsonb, now(), now())`;

/**
 * A unique violation of the idempotency scope: another request with this key committed first.
 * node-postgres reports the index as `constraint`; Prisma (P2002, or 23505 under its adapter)
 * in its meta or message.
 */
function isScopeTaken(error: unknown): boolean {
  for (let e = error as Record<string, unknown> | undefined, depth = 0; e && typeof e === 'object' && depth < 6; e = e.cause as typeof e, depth += 1) {
    const codes = [e.code, e.originalCode, (e.meta as { code?: unknown } | undefined)?.code].map(String);
    if (!codes.some((c) => c === '23505' || c === 'P2002')) continue;
    const where = `${String(e.constraint ?? '')} ${String(e.message ?? '')} ${JSON.stringify(e.meta ?? {})}`;
    if (/uq_idempotency_scope|idempotency_record|idempotency_key/.test(where)) return true;
  }
  return false;
}

/**
 * Runs a command at most once per scope (seed section 8's uq_idempotency_scope):
 * - the first call claims the key and runs; the command stores its response through
 *   `complete` in its own transaction (so the effect and the stored response commit together);
 * - a replay with the same request gets the stored response, and nothing runs again;
 * - the same key with a different request is a 422; while the first is still running, a 409;
 * - an expected refusal (4xx problem) is stored like a success, so a replay answers the same;
 *   an unexpected failure releases the key, so the client may retry.
 */
export async function runIdempotent(
  prisma: PrismaClient,
  scope: IdempotencyScope,
  request: unknown,
  command: (answer: Answer) => Promise<CommandResponse>,
  /**
   * `claimWithFirstRead`: the key is claimed by the command's first read (`answer.read`), in the
   * same statement, instead of by a statement of its own before the command (one round trip
   * less). For a command that reads before it changes anything (its remote calls before that
   * read are reads too): a refusal before the claim is stored as an answer unless the key has
   * one; a key already taken ends the command at that read, which is answered as a replay.
   */
  options: { claimWithFirstRead?: boolean } = {},
): Promise<CommandResponse & { replayed: boolean }> {
  const hash = requestHash(request);
  const where = { tenantId: scope.tenantId, clientId: scope.clientId, operation: scope.operation, idempotencyKey: scope.key };
  const db = rawOf(prisma);

  /** The answer for a key another request claimed: its stored answer, or a refusal while it runs or when the body differs. */
  const answerOfTaken = async (): Promise<CommandResponse & { replayed: boolean }> => {
    const existing = await prisma.idempotencyRecord.findUnique({ where: { tenantId_clientId_operation_idempotencyKey: where } });
    if (!existing) throw new DomainError('idempotency-in-flight', 'the first request with this Idempotency-Key is still running; retry shortly');
    if (existing.requestHash !== hash) {
      throw new DomainError('idempotency-key-reused', `Idempotency-Key ${scope.key} was used for a different request`, [
        { field: 'headers/idempotency-key', rule: 'idempotency', message: 'was already used with another body' },
      ]);
    }
    if (existing.status !== 'completed') {
      throw new DomainError('idempotency-in-flight', 'the first request with this Idempotency-Key is still running; retry shortly');
    }
    return { status: existing.responseStatus!, body: existing.responseBody, replayed: true };
  };

  // node-postgres reads a bigint as a string; Prisma's reads below want a BigInt.
  let id: bigint | undefined;
  if (!options.claimWithFirstRead) {
    const claimed = await db.$queryRaw<{ id: bigint | string }[]>(claimInsert(scope, hash));
    if (claimed.length === 0) return answerOfTaken();
    id = BigInt(claimed[0]!.id);
  }
  // The first read takes the claim; a read issued beside it waits for that claim (and fails with it).
  let claim: Promise<unknown> | undefined;
  const read: Read = async <T>(sql: Prisma.Sql) => {
    if (id !== undefined || claim) {
      await claim;
      return db.$queryRaw<T[]>(sql);
    }
    const claiming = db.$queryRaw<(Record<string, unknown> & { __claim: string | null; __found: boolean | null })[]>(claimWithRead(claimInsert(scope, hash), sql))
      .then((rows) => {
        if (!rows[0]?.__claim) throw new KeyTaken();
        id = BigInt(rows[0].__claim);
        return rows;
      });
    claim = claiming;
    return (await claiming).flatMap(({ __claim, __found, ...row }) => (__found ? [row as T] : []));
  };
  let completed = false;
  // Only this attempt's in-flight record is completed or released: never an answer already
  // stored, nor a record another attempt took over after the lease.
  const statement = (response: CommandResponse) => {
    if (id === undefined) throw new Error(`${scope.operation}: the answer is stored before the key was claimed (its first read claims it)`);
    completed = true;
    return Prisma.sql`
      UPDATE idempotency_record SET status = 'completed', response_status = ${response.status},
             response_body = ${responseJson(response)}::jsonb, completed_at = now()
      WHERE id = ${id} AND status = 'in-flight'`;
  };
  const complete: CompleteInTransaction = async (tx, response) => {
    await tx.$executeRaw(statement(response));
  };
  /** An answer given before the key was claimed (a refusal, or a command that never read): stored unless the key has one. */
  const storeUnclaimed = (response: CommandResponse) => storeUnlessAnswered(prisma, scope, hash, response);
  try {
    const response = await command({ complete, statement, read });
    if (id === undefined) {
      if (!(await storeUnclaimed(response))) return answerOfTaken();
      return { ...response, replayed: false };
    }
    // A command that made no transaction of its own (nothing to change, e.g. a work item's
    // claim): store the answer now, in one statement (its own implicit transaction: one round
    // trip, where BEGIN, the UPDATE and COMMIT of a Prisma transaction took three).
    if (!completed) await db.$executeRaw(statement(response));
    return { ...response, replayed: false };
  } catch (error) {
    if (error instanceof KeyTaken) return answerOfTaken();
    if (completed) {
      // The command's answer committed with its effect; what failed came after (a follow-up
      // call). The committed answer stands, for this caller and for every replay.
      const stored = await prisma.idempotencyRecord.findUnique({ where: { id } }).catch(() => null);
      if (stored?.status === 'completed') return { status: stored.responseStatus!, body: stored.responseBody, replayed: false };
    }
    const refusal = classify(error);
    if (ERROR_CATALOG[refusal.code].status < 500 && !TRANSIENT_CODES.has(refusal.code) && !refusal.transient) {
      // A refusal is an answer: remember it, so a replay gets the same answer.
      const body: Problem = problem(refusal.code, refusal.detail, refusal.errors ? { errors: refusal.errors } : {});
      if (id === undefined) {
        // Refused before the claim: the answer, unless another request with the key has one.
        if (!(await storeUnclaimed({ status: body.status, body }))) return answerOfTaken();
        throw error;
      }
      await db.$executeRaw(statement({ status: body.status, body }));
      throw error;
    }
    // A crash or a "not now" (contention, dependency down): the key is free for a retry.
    if (id !== undefined) await prisma.idempotencyRecord.deleteMany({ where: { id, status: 'in-flight' } }).catch(() => {});
    throw error;
  }
}

/**
 * Optimistic idempotency for a command whose whole effect is one transaction (no remote call):
 * no claim beforehand (a statement and a commit less per command); the command writes its
 * answer as a completed record in its own transaction. A second request with the key waits on
 * the scope's unique index until the first commits, fails there and rolls back, and is then
 * answered like any replay by `runIdempotent`, which also handles the rare cases (the key used
 * for another body, an abandoned claim of the other mode). A refusal is stored as an answer
 * unless the key already has one; contention and crashes leave the key free, as in claim mode.
 */
export async function runIdempotentOptimistic(
  prisma: PrismaClient,
  scope: IdempotencyScope,
  request: unknown,
  command: (answer: Answer) => Promise<CommandResponse>,
): Promise<CommandResponse & { replayed: boolean }> {
  const hash = requestHash(request);
  let answered = false;
  const statement = (response: CommandResponse) => {
    answered = true;
    return answerInsert(scope, hash, response);
  };
  const answer: Answer = {
    statement, complete: async (tx, response) => void (await tx.$executeRaw(statement(response))),
    read: <T>(sql: Prisma.Sql) => rawOf(prisma).$queryRaw<T[]>(sql),
  };
  // The key has a committed record: its answer, or (a claim of the other mode left behind) a run in claim mode.
  const replay = () => runIdempotent(prisma, scope, request, command);
  try {
    const response = await command(answer);
    if (!answered) await rawOf(prisma).$executeRaw(statement(response));
    return { ...response, replayed: false };
  } catch (error) {
    if (isScopeTaken(error)) return replay();
    // Re-running a command that already ran may fail on its own (its row exists, the state
    // moved on): if the key has an answer, this request is a replay of it.
    const [recorded] = await prisma.$queryRaw<{ id: bigint }[]>`
      SELECT id FROM idempotency_record
      WHERE tenant_id = ${scope.tenantId} AND client_id = ${scope.clientId} AND operation = ${scope.operation} AND idempotency_key = ${scope.key}`.catch(() => []);
    if (recorded) return replay();
    const refusal = classify(error);
    if (ERROR_CATALOG[refusal.code].status >= 500 || TRANSIENT_CODES.has(refusal.code) || refusal.transient) throw error;
    // A refusal is an answer, unless another request with the key answered in the meantime.
    const body: Problem = problem(refusal.code, refusal.detail, refusal.errors ? { errors: refusal.errors } : {});
    if (!(await storeUnlessAnswered(prisma, scope, hash, { status: body.status, body }))) return replay();
    throw error;
  }
}
