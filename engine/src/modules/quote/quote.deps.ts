import { Prisma, type PrismaClient } from '@cpq/prisma';
import type { InSqlStatement, InSqlTransaction } from '../../lib/sql-transaction';
import type { InTransaction } from '../../lib/transaction';
import type { ReleaseViews } from '../catalog';
import type { DocumentService } from '../document';
import type { CamundaClient } from '../workflow';
import type { PinnedReleases } from './quote.pins';

/** What every quote command handler is built from (one object, made once per app). */
export type QuoteDeps = {
  prisma: PrismaClient;
  /** One transaction on one connection; contention becomes 409/503, never 500. */
  inTransaction: InTransaction;
  /** The same in raw SQL on node-postgres, for the hot commands (ADR 0014). */
  inRawTransaction: InSqlTransaction;
  /** One statement on its own (implicit transaction), for a command that fits in one. */
  inRawStatement: InSqlStatement;
  releases: ReleaseViews;
  /** The release each quote is pinned to, remembered (checked under the lock). */
  pins: PinnedReleases;
  camunda: CamundaClient;
  documents: DocumentService;
  log: { warn(o: object, m: string): void; error(o: object, m: string): void };
  /** Today, for validity and pricing dates (injected so tests can move time). */
  today: () => string;
  /** Failure drills: stop a flow dead after the named step, as a crash would. */
  haltAfter?: (flow: string) => string | undefined;
};

export const QUOTE_APPROVAL_PROCESS = 'quote-approval';
const businessKeyPrefix = (tenantId: string, quoteId: string) => `quote-approval:${tenantId}:${quoteId}:`;
export const businessKeyOf = (tenantId: string, quoteId: string, revision: number) => `${businessKeyPrefix(tenantId, quoteId)}${revision}`;
/**
 * `businessKeyOf` the quote's current revision, as SQL (for a statement read under the quote's
 * lock): a scalar subquery, so that the statement compares a column with its value (an index
 * condition even under row-level security, which keeps `||` out of one).
 */
export const currentBusinessKeySql = (tenantId: string, quoteId: string): Prisma.Sql =>
  Prisma.sql`(SELECT ${businessKeyPrefix(tenantId, quoteId)} || current_revision::text FROM quote WHERE id = ${quoteId}::uuid)`;
