import { Prisma, type PrismaClient, type TransactionClient } from '@cpq/prisma';
import type { RawDb } from '../../lib/sql-transaction';

type Db = PrismaClient | TransactionClient;

export type AuditTarget = { tenantId: string; type: string; id: string };

/** One audit record as the timeline shows it: the evidence in full (internal readers only). */
export type TimelineEntry = {
  at: string;
  action: string;
  actor: { type: string; id: string };
  reason: string | null;
  /** The revision the record is about, when its details name one. */
  revision: number | null;
  details: Record<string, unknown>;
  correlationId: string;
};

const revisionOf = (details: unknown): number | null => {
  const revision = (details as { revision?: unknown } | null)?.revision;
  return typeof revision === 'number' ? revision : null;
};

/**
 * Every record about one target, oldest first (the audit module owns audit_record; other
 * modules read it only through here). Who may see which part is the caller's decision.
 */
export async function timelineOf(db: Db, target: AuditTarget): Promise<TimelineEntry[]> {
  const records = await db.auditRecord.findMany({
    where: { tenantId: target.tenantId, targetType: target.type, targetId: target.id },
    orderBy: { id: 'asc' },
  });
  return records.map((r) => ({
    at: r.occurredAt.toISOString(),
    action: r.action,
    actor: { type: r.actorType, id: r.actorId },
    reason: r.reason,
    revision: revisionOf(r.details),
    details: r.details as Record<string, unknown>,
    correlationId: r.correlationId,
  }));
}

/**
 * The actors of some actions on a target, with the revision each names (null: none named).
 * For rules such as four-eyes ("whoever changed this revision may not approve it").
 */
export async function actorsOf(db: RawDb, target: AuditTarget, actions: string[]): Promise<{ actorId: string; revision: number | null }[]> {
  return actorsFrom(await db.$queryRaw<Record<string, unknown>[]>(actorsStatement(target, actions)));
}

/**
 * The statement `actorsOf` runs, for a transaction that sends it with its opening statements
 * (`actorsFrom` reads its rows). Each action is a value of its own (no array), so the statement
 * can be inlined with BEGIN; at least one action.
 */
export function actorsStatement(target: AuditTarget, actions: string[]): Prisma.Sql {
  if (actions.length === 0) throw new Error('actorsStatement needs at least one action');
  return Prisma.sql`
    SELECT actor_id AS "actorId", details -> 'revision' AS revision FROM audit_record
    WHERE tenant_id = ${target.tenantId} AND target_type = ${target.type} AND target_id = ${target.id} AND action IN (${Prisma.join(actions)})`;
}

/** `actorsOf`'s answer from the rows of `actorsStatement`. */
export const actorsFrom = (rows: Record<string, unknown>[]): { actorId: string; revision: number | null }[] =>
  rows.map((r) => ({ actorId: r.actorId as string, revision: revisionOf({ revision: r.revision }) }));

/** A record with the target it is about, for readers that ask about several targets at once. */
export type TargetedEntry = TimelineEntry & { target: { type: string; id: string } };

/**
 * The records about any of some targets of one tenant, newest first, at most `limit` (a history
 * page: a metadata item's drafts and releases, a release with its candidate and its items).
 */
export async function recordsOf(db: Db, tenantId: string, targets: { type: string; id: string }[], limit = 500): Promise<TargetedEntry[]> {
  if (targets.length === 0) return [];
  const records = await db.auditRecord.findMany({
    where: { tenantId, OR: targets.map((t) => ({ targetType: t.type, targetId: t.id })) },
    orderBy: { id: 'desc' },
    take: limit,
  });
  return records.map((r) => ({
    at: r.occurredAt.toISOString(),
    action: r.action,
    actor: { type: r.actorType, id: r.actorId },
    reason: r.reason,
    revision: revisionOf(r.details),
    details: r.details as Record<string, unknown>,
    correlationId: r.correlationId,
    target: { type: r.targetType, id: r.targetId },
  }));
}
