import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { PrismaClient } from '@cpq/prisma';
import type { RawTx } from '../lib/sql-transaction';
import { classify } from './error-handler';
import { DomainError, ERROR_CATALOG, problem, TRANSIENT_CODES, type Problem } from './errors';

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
  command: (complete: CompleteInTransaction) => Promise<CommandResponse>,
): Promise<CommandResponse & { replayed: boolean }> {
  const hash = requestHash(request);
  const where = { tenantId: scope.tenantId, clientId: scope.clientId, operation: scope.operation, idempotencyKey: scope.key };

  const claimed = await prisma.$queryRaw<{ id: bigint }[]>`
    INSERT INTO idempotency_record (tenant_id, client_id, operation, idempotency_key, request_hash, status, locked_until)
    VALUES (${scope.tenantId}, ${scope.clientId}, ${scope.operation}, ${scope.key}, ${hash}, 'in-flight', now() + make_interval(secs => ${LEASE_SECONDS}))
    ON CONFLICT (tenant_id, client_id, operation, idempotency_key) DO UPDATE
      SET locked_until = EXCLUDED.locked_until
      WHERE idempotency_record.status = 'in-flight'
        AND idempotency_record.locked_until < now()
        AND idempotency_record.request_hash = EXCLUDED.request_hash
    RETURNING id`;

  if (claimed.length === 0) {
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
  }

  const id = claimed[0]!.id;
  let completed = false;
  // Only this attempt's in-flight record is completed or released: never an answer already
  // stored, nor a record another attempt took over after the lease.
  const complete: CompleteInTransaction = async (tx, response) => {
    await tx.$executeRaw`
      UPDATE idempotency_record SET status = 'completed', response_status = ${response.status},
             response_body = ${JSON.stringify(response.body ?? null)}::jsonb, completed_at = now()
      WHERE id = ${id} AND status = 'in-flight'`;
    completed = true;
  };
  try {
    const response = await command(complete);
    // A command that made no transaction of its own (nothing to change): store the answer now.
    if (!completed) await prisma.$transaction((tx) => complete(tx, response));
    return { ...response, replayed: false };
  } catch (error) {
    if (completed) {
      // The command's answer committed with its effect; what failed came after (a follow-up
      // call). The committed answer stands, for this caller and for every replay.
      const stored = await prisma.idempotencyRecord.findUnique({ where: { id } }).catch(() => null);
      if (stored?.status === 'completed') return { status: stored.responseStatus!, body: stored.responseBody, replayed: false };
    }
    const refusal = classify(error);
    if (ERROR_CATALOG[refusal.code].status < 500 && !TRANSIENT_CODES.has(refusal.code)) {
      // A refusal is an answer: remember it, so a replay gets the same answer.
      const body: Problem = problem(refusal.code, refusal.detail, refusal.errors ? { errors: refusal.errors } : {});
      await prisma.$transaction((tx) => complete(tx, { status: body.status, body }));
      throw error;
    }
    // A crash or a "not now" (contention, dependency down): the key is free for a retry.
    await prisma.idempotencyRecord.deleteMany({ where: { id, status: 'in-flight' } }).catch(() => {});
    throw error;
  }
}
