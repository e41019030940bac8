import { Prisma, type PrismaClient, type TransactionClient } from '@cpq/prisma';
import type { RawDb } from '../../lib/sql-transaction';

type Db = PrismaClient | TransactionClient;

/** Active: a process is being started, runs, or still has to be ended in Camunda. */
export const ACTIVE_STATUSES = ['STARTING', 'STARTED', 'RUNNING', 'SUSPENDED'] as const;
export type CorrelationStatus = (typeof ACTIVE_STATUSES)[number] | 'COMPLETED' | 'FAILED' | 'CANCELLED' | 'CANCELLING';

export type Correlation = {
  id: string; tenantId: string; domainType: string; domainId: string; processKey: string; businessKey: string;
  processInstanceId: string | null; status: string; updatedAt: Date;
};

// A correlation's columns under the model's names (the reads of the approval path, in raw SQL).
const CORRELATION_COLUMNS = Prisma.sql`id::text AS "id", tenant_id AS "tenantId", domain_type AS "domainType", domain_id AS "domainId",
  process_key AS "processKey", business_key AS "businessKey", process_instance_id AS "processInstanceId", status,
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/**
 * The time a write stamps on a row, in milliseconds as the Prisma model writes did (not now()'s
 * microseconds): `claimStalled` matches `updatedAt` exactly, as read back into a JS Date.
 */
const at = () => new Date().toISOString();

/** `setStatus` without `from` as a statement, for a caller that writes it in one statement with its own change (a data-modifying CTE). */
export const statusUpdate = (id: string, status: CorrelationStatus): Prisma.Sql => Prisma.sql`
  UPDATE workflow_correlation SET status = ${status}, updated_at = ${at()}::timestamptz WHERE id = ${id}::uuid`;

export type NewCorrelation = { id: string; tenantId: string; domainType: string; domainId: string; processKey: string; businessKey: string };

/** `starting` as a statement, for a caller that writes it in one statement with its own change (a data-modifying CTE). */
export function startingInsert(c: NewCorrelation): Prisma.Sql {
  const now = at();
  return Prisma.sql`
    INSERT INTO workflow_correlation (id, tenant_id, domain_type, domain_id, process_key, business_key, status, created_at, updated_at)
    VALUES (${c.id}::uuid, ${c.tenantId}, ${c.domainType}, ${c.domainId}, ${c.processKey}, ${c.businessKey}, 'STARTING', ${now}::timestamptz, ${now}::timestamptz)`;
}

/**
 * The correlations of process instances as a query (the columns of `Correlation`), for a caller
 * that reads what each links to in the same statement (a LATERAL join over its rows). One array
 * parameter: the statement's text is the same for any number of instances.
 */
export const correlationsOfInstances = (tenantId: string, processInstanceIds: string[]): Prisma.Sql => Prisma.sql`
  SELECT ${CORRELATION_COLUMNS} FROM workflow_correlation WHERE tenant_id = ${tenantId} AND process_instance_id = ANY(${processInstanceIds}::text[])`;

/**
 * Whether an intent of a business key was ever recorded, as a statement over a SQL expression of
 * the key: a transaction sends it with BEGIN, before it records its own intent, so that the start
 * after it knows without a query of its own (`instanceMayExist`). `keyRecordedOf` reads its row.
 */
export const keyRecordedStatement = (businessKey: Prisma.Sql): Prisma.Sql => Prisma.sql`
  SELECT EXISTS (SELECT 1 FROM workflow_correlation WHERE business_key = ${businessKey}) AS found`;
/** The answer of `keyRecordedStatement`; no row (the statement did not run) reads as recorded: look first. */
export const keyRecordedOf = (rows: Record<string, unknown>[] | undefined): boolean => rows?.[0]?.found !== false;

/**
 * `started` as a statement (its values strings only: a transaction may send it with BEGIN);
 * `startedOf` reads its row. The outer SELECT sees the table as it was before the UPDATE, so
 * `already` counts a row that was RUNNING with this instance before this statement.
 */
export const startedStatement = (id: string, processInstanceId: string): Prisma.Sql => Prisma.sql`
  WITH u AS (UPDATE workflow_correlation SET status = 'RUNNING', process_instance_id = ${processInstanceId}, updated_at = ${at()}::timestamptz
             WHERE id = ${id}::uuid AND status = 'STARTING' RETURNING 1)
  SELECT (SELECT count(*) FROM u)::int AS started,
         (SELECT count(*) FROM workflow_correlation WHERE id = ${id}::uuid AND status = 'RUNNING' AND process_instance_id = ${processInstanceId})::int AS already`;
export const startedOf = (rows: Record<string, unknown>[]): 'started' | 'already' | false =>
  rows[0]?.started === 1 ? 'started' : rows[0]?.already === 1 ? 'already' : false;

/**
 * Which Camunda process coordinates which domain intent: the workflow module's table, kept in
 * PostgreSQL so a crash between "recorded" and "started" can be finished from here (seed
 * section 8: one active workflow per domain intent, a partial unique index).
 */
export const correlations = {
  /** Records the intent to start, in the caller's transaction (status STARTING). */
  async starting(db: RawDb, c: NewCorrelation): Promise<void> {
    await db.$executeRaw(startingInsert(c));
  },

  /**
   * STARTING -> RUNNING with the instance. True as well when it is RUNNING with this very
   * instance already (a reconciler and the live flow both finished it); false when the intent
   * was cancelled meanwhile, or runs another instance. One statement (`startedStatement`).
   */
  async started(db: RawDb, id: string, processInstanceId: string): Promise<'started' | 'already' | false> {
    return startedOf(await db.$queryRaw<Record<string, unknown>[]>(startedStatement(id, processInstanceId)));
  },

  /**
   * Takes a stalled row for one reconciler run: only the run whose `updatedAt` still matches
   * gets it (others, on other instances or a later sweep, see it as fresh again).
   */
  async claimStalled(db: Db, c: Pick<Correlation, 'id' | 'status' | 'updatedAt'>): Promise<boolean> {
    const { count } = await db.workflowCorrelation.updateMany({
      where: { id: c.id, status: c.status, updatedAt: c.updatedAt },
      data: { updatedAt: new Date() },
    });
    return count === 1;
  },

  async setStatus(db: Db, id: string, status: CorrelationStatus, from?: readonly string[]): Promise<boolean> {
    const { count } = await db.workflowCorrelation.updateMany({
      where: { id, ...(from ? { status: { in: [...from] } } : {}) },
      data: { status, updatedAt: new Date() },
    });
    return count === 1;
  },

  /** Marks every active correlation of a domain intent CANCELLING; returns them (to end in Camunda). */
  async cancelActive(db: Db, tenantId: string, domainType: string, domainId: string): Promise<Correlation[]> {
    const active = await db.workflowCorrelation.findMany({ where: { tenantId, domainType, domainId, status: { in: [...ACTIVE_STATUSES] } } });
    if (active.length) {
      await db.workflowCorrelation.updateMany({ where: { id: { in: active.map((c) => c.id) } }, data: { status: 'CANCELLING', updatedAt: new Date() } });
    }
    return active;
  },

  byId: (db: Db, id: string): Promise<Correlation | null> => db.workflowCorrelation.findUnique({ where: { id } }),

  /** The active correlation of a domain intent, if any (at most one: a partial unique index). */
  activeOf: (db: Db, tenantId: string, domainType: string, domainId: string): Promise<Correlation | null> =>
    db.workflowCorrelation.findFirst({ where: { tenantId, domainType, domainId, status: { in: [...ACTIVE_STATUSES] } } }),

  /** The active correlations of many domain intents (one query, for a reconciler's batch). */
  activeOfMany: (db: Db, domainType: string, domainIds: string[]): Promise<Correlation[]> =>
    db.workflowCorrelation.findMany({ where: { domainType, domainId: { in: domainIds }, status: { in: [...ACTIVE_STATUSES] } } }),

  /**
   * The other active intents that share a business key (a revision submitted again after a
   * failed submission): the instances they hold, or are about to hold, are theirs.
   */
  othersOfBusinessKey: (db: Db, businessKey: string, exceptId: string): Promise<Correlation[]> =>
    db.workflowCorrelation.findMany({ where: { businessKey, id: { not: exceptId }, status: { in: [...ACTIVE_STATUSES] } } }),

  /**
   * Whether any other intent, in any state, ever carried this business key. An instance is only
   * ever started for a recorded intent: when there is none, no instance of the key can exist, and
   * a first start need not ask Camunda for one (a query by business key per start).
   */
  anyOtherOfBusinessKey: async (db: RawDb, businessKey: string, exceptId: string): Promise<boolean> =>
    (await db.$queryRaw<{ found: boolean }[]>`
      SELECT EXISTS (SELECT 1 FROM workflow_correlation WHERE business_key = ${businessKey} AND id <> ${exceptId}::uuid) AS found`)[0]?.found ?? true,

  /**
   * Whether a start must first look for an instance of the key: always on a retry (a reconciler
   * finishing an intent whose own earlier start may have landed), and on a first attempt only
   * when another intent ever carried the key. One rule for every flow that starts a process.
   * `otherIntentRecorded`: the answer, when the transaction that recorded the intent read it
   * first (`keyRecordedStatement`); otherwise it is asked here.
   */
  instanceMayExist: async (db: RawDb, intent: { businessKey: string; correlationId: string; firstAttempt?: boolean; otherIntentRecorded?: boolean }): Promise<boolean> =>
    !intent.firstAttempt || (intent.otherIntentRecorded ?? correlations.anyOtherOfBusinessKey(db, intent.businessKey, intent.correlationId)),

  // Raw SQL (the order reconciler's read of an incident's correlation).
  byInstances: async (db: RawDb, tenantId: string, processInstanceIds: string[]): Promise<Correlation[]> =>
    processInstanceIds.length === 0 ? [] : db.$queryRaw<Correlation[]>(correlationsOfInstances(tenantId, processInstanceIds)),

  /** Intents left STARTING or CANCELLING longer than `olderThanMs`: a crash between steps. */
  stalled: (db: Db, domainType: string, olderThanMs: number, tenantId?: string): Promise<Correlation[]> =>
    db.workflowCorrelation.findMany({
      where: { domainType, ...(tenantId ? { tenantId } : {}), status: { in: ['STARTING', 'CANCELLING'] }, updatedAt: { lt: new Date(Date.now() - olderThanMs) } },
      orderBy: { updatedAt: 'asc' }, take: 100,
    }),
};
