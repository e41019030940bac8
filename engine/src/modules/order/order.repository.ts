import type { Actor } from '@cpq/contracts/event-envelope';
import type { EventName, EventOf, EventPayloadOf } from '@cpq/contracts/api-types';
import { Prisma, type PrismaClient } from '@cpq/prisma';
import type { Principal } from '../../http/auth';
import { DomainError } from '../../http/errors';
import type { RawTx } from '../../lib/sql-transaction';
import { auditInsert } from '../audit';
import { outboxInsert } from '../outbox';
import { canSeeOrder } from './order.access';
import { ORDER_TRANSITIONS, STEP_TRANSITIONS, orderAllows, stepAllows, type OrderCommand, type OrderState, type StepCommand, type StepState } from './order.state';
import type { CommandContext } from './order.types';

/** The order module's tables, read and written only here and in its commands (ADR 0016). */
export type OrderRow = Awaited<ReturnType<PrismaClient['customerOrder']['findFirstOrThrow']>>;
export type StepRow = Omit<Awaited<ReturnType<PrismaClient['orderStep']['findFirstOrThrow']>>, 'dependsOn'> & { dependsOn: string[] };
type Db = PrismaClient | RawTx;

const ORDER_COLUMNS = Prisma.sql`o.id::text AS "id", o.tenant_id AS "tenantId", o.quote_id::text AS "quoteId", o.quote_revision AS "quoteRevision",
  o.is_primary AS "isPrimary", o.account_id AS "accountId", o.customer_name AS "customerName", o.owner_id AS "ownerId", o.team,
  o.currency, o.term_months AS "termMonths", o.basis, o.release_id::text AS "releaseId", o.price_result_id::text AS "priceResultId",
  o.document_id::text AS "documentId", o.snapshot_sha256 AS "snapshotSha256", o.source, o.state, o.version, o.created_by AS "createdBy",
  o.cancel_requested_by AS "cancelRequestedBy", o.cancel_requested_at AS "cancelRequestedAt", o.cancel_reason AS "cancelReason",
  o.cancel_signalled AS "cancelSignalled", o.created_at AS "createdAt", o.updated_at AS "updatedAt"`;

export const STEP_COLUMNS = Prisma.sql`s.tenant_id AS "tenantId", s.order_id::text AS "orderId", s.plan_version AS "planVersion", s.step_key AS "stepKey",
  s.line_id AS "lineId", s.map_key AS "mapKey", s.map_step_key AS "mapStepKey", s.name, s.target_system AS "targetSystem", s.action,
  s.depends_on AS "dependsOn", s.wave, s.position, s.state, s.attempt, s.request_key AS "requestKey", s.external_reference AS "externalReference",
  s.reason, s.correlation_due AS "correlationDue", s.updated_at AS "updatedAt"`;

/**
 * Row-locks the order: the one lock every order command takes, first (ADR 0013), so steps,
 * callbacks and cases of one order are changed one command at a time. Visibility is the caller's
 * (a 404 for an order it may not see).
 */
export async function lockOrder(tx: RawTx, orderId: string, principal: Principal): Promise<OrderRow> {
  const [order] = await tx.$queryRaw<OrderRow[]>`SELECT ${ORDER_COLUMNS} FROM customer_order o WHERE o.id = ${orderId}::uuid AND o.tenant_id = ${principal.tenantId} FOR UPDATE`;
  if (!order || !canSeeOrder(principal, order)) throw new DomainError('order-not-found', `no order ${orderId}`);
  return order;
}

export async function readOrder(db: Db, orderId: string, tenantId: string): Promise<OrderRow | undefined> {
  const [order] = await db.$queryRaw<OrderRow[]>`SELECT ${ORDER_COLUMNS} FROM customer_order o WHERE o.id = ${orderId}::uuid AND o.tenant_id = ${tenantId}`;
  return order;
}

/** The order of a quote's accepted revision, if it has one (the primary one). */
export async function primaryOrderOf(db: Db, tenantId: string, quoteId: string, revision: number): Promise<OrderRow | undefined> {
  const [order] = await db.$queryRaw<OrderRow[]>`SELECT ${ORDER_COLUMNS} FROM customer_order o
    WHERE o.tenant_id = ${tenantId} AND o.quote_id = ${quoteId}::uuid AND o.quote_revision = ${revision} AND o.is_primary`;
  return order;
}

/** The steps of the order's current plan (its highest version), in plan order. */
export const stepsOf = (db: Db, orderId: string): Promise<StepRow[]> => db.$queryRaw<StepRow[]>`
  SELECT ${STEP_COLUMNS} FROM order_step s
  WHERE s.order_id = ${orderId}::uuid AND s.plan_version = (SELECT max(plan_version) FROM fulfillment_plan WHERE order_id = ${orderId}::uuid)
  ORDER BY s.position`;

export async function stepOf(db: Db, orderId: string, stepKey: string): Promise<StepRow> {
  const [step] = await db.$queryRaw<StepRow[]>`
    SELECT ${STEP_COLUMNS} FROM order_step s
    WHERE s.order_id = ${orderId}::uuid AND s.step_key = ${stepKey}
      AND s.plan_version = (SELECT max(plan_version) FROM fulfillment_plan WHERE order_id = ${orderId}::uuid)`;
  if (!step) throw new DomainError('step-not-found', `order ${orderId} has no step ${stepKey}`);
  return step;
}

export type StepChanges = { attempt?: number; requestKey?: string | null; externalReference?: string | null; reason?: string | null; correlationDue?: boolean };

/**
 * Moves a step along its transition table (a 409 step-state otherwise; the database's trigger
 * refuses it too) and returns it as it now is. The caller records the event (`finishOrder`).
 */
export async function moveStep(tx: RawTx, step: StepRow, command: StepCommand, changes: StepChanges = {}): Promise<StepRow> {
  const from = step.state as StepState;
  if (!stepAllows(command, from)) {
    throw new DomainError('step-state', `step ${step.stepKey} is ${from}: ${command} needs ${STEP_TRANSITIONS[command].from.join(' or ')}`);
  }
  const to = STEP_TRANSITIONS[command].to;
  const next: StepRow = {
    ...step, state: to, updatedAt: new Date(),
    ...(changes.attempt !== undefined ? { attempt: changes.attempt } : {}),
    ...(changes.requestKey !== undefined ? { requestKey: changes.requestKey } : {}),
    ...(changes.externalReference !== undefined ? { externalReference: changes.externalReference } : {}),
    ...(changes.reason !== undefined ? { reason: changes.reason } : {}),
    ...(changes.correlationDue !== undefined ? { correlationDue: changes.correlationDue } : {}),
  };
  await tx.$executeRaw`
    UPDATE order_step SET state = ${to}, attempt = ${next.attempt}, request_key = ${next.requestKey}, external_reference = ${next.externalReference},
           reason = ${next.reason}, correlation_due = ${next.correlationDue}, updated_at = now()
    WHERE order_id = ${step.orderId}::uuid AND plan_version = ${step.planVersion} AND step_key = ${step.stepKey}`;
  return next;
}

/** Moves the order along its transition table (a 409 order-state otherwise). */
export async function moveOrder(tx: RawTx, order: OrderRow, command: OrderCommand): Promise<OrderRow> {
  const from = order.state as OrderState;
  if (!orderAllows(command, from)) {
    throw new DomainError('order-state', `order ${order.id} is ${from}: ${command} needs ${ORDER_TRANSITIONS[command].from.join(' or ')}`);
  }
  const to = ORDER_TRANSITIONS[command].to;
  await tx.$executeRaw`UPDATE customer_order SET state = ${to}, updated_at = now() WHERE id = ${order.id}::uuid`;
  return { ...order, state: to };
}

/** The events of the order aggregate in the AsyncAPI contract, and what a command supplies of each. */
export type OrderEventType = { [K in EventName]: EventOf<K>['aggregateType'] extends 'ORDER' ? K : never }[EventName];
export type OrderEventFields<E extends OrderEventType> = Omit<EventPayloadOf<E>, 'orderId'>;

export function actorOf(principal: Principal): Actor {
  if (principal.userId.startsWith('system:')) return { type: 'SYSTEM', id: principal.userId };
  if (principal.userId.startsWith('service:')) return { type: 'WORKER', id: principal.userId };
  return { type: principal.roles.includes('customer') ? 'CUSTOMER' : 'USER', id: principal.userId };
}

/**
 * Bumps the order's version and records the audit record and the event in one statement (the
 * quote module's `finish`, ADR 0014): every change of an order or of one of its steps ends here,
 * so each event of the aggregate has its own, increasing version. The order's row lock is held.
 */
export async function finishOrder<E extends OrderEventType>(
  tx: RawTx, order: OrderRow, ctx: CommandContext, eventType: E, payload: OrderEventFields<E>, reason?: string | null,
): Promise<number> {
  const version = order.version + 1;
  const actor = actorOf(ctx.principal);
  const audit = auditInsert({
    tenantId: order.tenantId, actor, action: `order.${eventType}`, target: { type: 'ORDER', id: order.id },
    reason: reason ?? null, correlationId: ctx.correlationId, details: { ...payload },
  });
  const { sql: event } = outboxInsert({
    eventType, tenantId: order.tenantId, aggregateType: 'ORDER', aggregateId: order.id, aggregateVersion: version,
    correlationId: ctx.correlationId, causationId: ctx.commandId, actor,
    payload: { orderId: order.id, ...payload } as unknown as EventPayloadOf<E>,
  });
  const [bumped] = await tx.$queryRaw<{ n: number }[]>`
    WITH v AS (UPDATE customer_order SET version = ${version}, updated_at = now() WHERE id = ${order.id}::uuid AND version = ${version - 1} RETURNING 1),
         a AS (${audit}),
         e AS (${event})
    SELECT count(*)::int AS n FROM v`;
  if (bumped?.n !== 1) throw new Error(`order ${order.id} is not at version ${version - 1} under its lock`);
  order.version = version;
  return version;
}

/** A step's change as its event. */
export function stepChanged(from: StepRow, to: StepRow): OrderEventFields<'OrderStepStateChanged'> {
  return {
    stepKey: to.stepKey, from: from.state as StepState, to: to.state as StepState, attempt: to.attempt,
    requestKey: to.requestKey, externalReference: to.externalReference, reason: to.reason,
  };
}

/** Ends a command's transaction: its answer is stored for the Idempotency-Key in the same commit. */
export async function done<T>(tx: RawTx, ctx: CommandContext, result: T): Promise<T> {
  await ctx.complete?.(tx, result);
  return result;
}
