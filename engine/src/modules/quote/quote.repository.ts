import type { EventName, EventOf, EventPayloadOf } from '@cpq/contracts/api-types';
import { Prisma, type PrismaClient } from '@cpq/prisma';
import { queryLast, type RawTx } from '../../lib/sql-transaction';
import { DomainError } from '../../http/errors';
import { auditInsert } from '../audit';
import { outboxInsert } from '../outbox';
import type { Baseline, LineAction } from './change-pricing';
import { canSee } from './quote.access';
import { nextState, type QuoteCommand, type RevisionState } from './quote.state';
import type { CommandContext } from './quote.types';

/** The quote module's tables (quote, quote_revision, quote_line, price_result), for its commands. */
export type QuoteRow = Awaited<ReturnType<PrismaClient['quote']['findFirstOrThrow']>>;
export type RevisionRow = Awaited<ReturnType<PrismaClient['quoteRevision']['findFirstOrThrow']>>;
export type Loaded = { quote: QuoteRow; revision: RevisionRow };
/** Raw SQL on the pool, a Prisma transaction or a node-postgres transaction (`RawTx`). */
type Db = PrismaClient | RawTx;

export const isoDate = (d: Date) => d.toISOString().slice(0, 10);
export const addDays = (day: string, days: number) => isoDate(new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000));

/** The events of the quote aggregate in the AsyncAPI contract, and what a command supplies of each. */
export type QuoteEventType = { [K in EventName]: EventOf<K>['aggregateType'] extends 'QUOTE' ? K : never }[EventName];
export type QuoteEventFields<E extends QuoteEventType> = Omit<EventPayloadOf<E>, 'quoteId' | 'revision'>;

export const actorOf = (ctx: CommandContext) => ({
  type: ctx.principal.roles.includes('customer') ? ('CUSTOMER' as const) : ('USER' as const),
  id: ctx.principal.userId,
});

/**
 * Which release the quote's current revision is pinned to, read before the command's
 * transaction: the compiled release is fetched outside it (it may need Redis or another pool
 * connection), and `lock` checks the revision is still on it.
 */
export async function pinnedRelease(db: Db | Read, quoteId: string, tenantId: string): Promise<string> {
  const sql = Prisma.sql`
    SELECT r.release_id::text AS "releaseId" FROM quote q JOIN quote_revision r ON r.quote_id = q.id AND r.revision = q.current_revision
    WHERE q.id = ${quoteId}::uuid AND q.tenant_id = ${tenantId}`;
  const rows = await (typeof db === 'function' ? db<{ releaseId: string }>(sql) : db.$queryRaw<{ releaseId: string }[]>(sql));
  if (!rows[0]) throw new DomainError('quote-not-found', `no quote ${quoteId}`);
  return rows[0].releaseId;
}

/** A read on the pool that a command may be given (`CommandContext.read`). */
type Read = <T>(sql: Prisma.Sql) => Promise<T[]>;

// The columns of a quote and of its current revision, under the names of the Prisma models.
const QUOTE_COLUMNS = Prisma.sql`q.id::text AS "id", q.tenant_id AS "tenantId", q.account_id AS "accountId", q.customer_name AS "customerName",
  q.owner_id AS "ownerId", q.team AS "team", q.currency AS "currency", q.term_months AS "termMonths", q.segment AS "segment", q.channel AS "channel",
  q.basis AS "basis", q.current_revision AS "currentRevision",
  q.version AS "version", q.created_at AS "createdAt", q.updated_at AS "updatedAt"`;
const REVISION_COLUMNS = Prisma.sql`r.tenant_id AS "r_tenantId", r.quote_id::text AS "r_quoteId", r.revision AS "r_revision", r.state AS "r_state",
  r.release_id::text AS "r_releaseId", r.material_version AS "r_materialVersion", r.price_result_id::text AS "r_priceResultId",
  r.priced_material_version AS "r_pricedMaterialVersion", r.approval_material_version AS "r_approvalMaterialVersion",
  r.approved_price_result_id::text AS "r_approvedPriceResultId", r.valid_until AS "r_validUntil", r.document_id::text AS "r_documentId",
  r.submitted_by AS "r_submittedBy", r.submitted_at AS "r_submittedAt", r.accepted_by AS "r_acceptedBy", r.accepted_at AS "r_acceptedAt",
  r.acceptance_evidence AS "r_acceptanceEvidence", r.version AS "r_version", r.created_at AS "r_createdAt", r.updated_at AS "r_updatedAt"`;

function split(row: Record<string, unknown>): Loaded {
  const quote: Record<string, unknown> = {};
  const revision: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (key.startsWith('r_')) revision[key.slice(2)] = value;
    else quote[key] = value;
  }
  return { quote: quote as QuoteRow, revision: revision as RevisionRow };
}

/**
 * Row-locks the quote (the one lock every quote command takes, so the lock order is fixed:
 * quote first, then anything of the quote) and loads its current revision, checking
 * visibility, the expected version and, when given, the release read before the transaction.
 */
export async function lock(tx: RawTx, quoteId: string, ctx: CommandContext, pinned?: string): Promise<Loaded> {
  // Two statements, not one join: a row lock that had to wait re-reads only the locked row
  // (PostgreSQL's EvalPlanQual); a joined revision would come from the older snapshot. The
  // revision is read after the lock is held, in a statement with a fresh snapshot.
  const quotes = await tx.$queryRaw<QuoteRow[]>`
    SELECT ${QUOTE_COLUMNS} FROM quote q WHERE q.id = ${quoteId}::uuid AND q.tenant_id = ${ctx.principal.tenantId} FOR UPDATE`;
  const rows = quotes[0] ? await tx.$queryRaw<Record<string, unknown>[]>`
    SELECT ${QUOTE_COLUMNS}, ${REVISION_COLUMNS}
    FROM quote q JOIN quote_revision r ON r.quote_id = q.id AND r.revision = q.current_revision WHERE q.id = ${quoteId}::uuid` : [];
  return checked(rows[0] ? split(rows[0]) : undefined, quoteId, ctx, pinned);
}

/**
 * The same lock as one statement, to open the command's transaction with (sent with BEGIN in
 * one round trip: `inRawTransaction`'s opening): it locks the quote and its current revision
 * together, so a lock that had to wait re-reads both rows (EvalPlanQual re-fetches every
 * locked row). If the wait ended on a quote whose current revision changed, the join finds
 * no row: `lockOpened` then falls back to `lock`.
 */
export const lockStatement = (quoteId: string, ctx: CommandContext): Prisma.Sql => Prisma.sql`
  SELECT ${QUOTE_COLUMNS}, ${REVISION_COLUMNS}
  FROM quote q JOIN quote_revision r ON r.quote_id = q.id AND r.revision = q.current_revision
  WHERE q.id = ${quoteId}::uuid AND q.tenant_id = ${ctx.principal.tenantId} FOR UPDATE OF q, r`;

/**
 * A decision's reads, to open its transaction with (sent with BEGIN in one round trip): the
 * quote locked, then one revision of it (not necessarily the current one: the decision names
 * it) read in a statement of its own, after the lock is held, on a fresh snapshot (as `lock`
 * does). `lockedQuoteOf` and `revisionRowOf` read their rows.
 */
export const quoteLockStatement = (quoteId: string, tenantId: string): Prisma.Sql => Prisma.sql`
  SELECT ${QUOTE_COLUMNS} FROM quote q WHERE q.id = ${quoteId}::uuid AND q.tenant_id = ${tenantId} FOR UPDATE`;
export const revisionStatement = (quoteId: string, revision: number): Prisma.Sql => Prisma.sql`
  SELECT ${REVISION_COLUMNS} FROM quote_revision r WHERE r.quote_id = ${quoteId}::uuid AND r.revision = ${revision}`;
export const lockedQuoteOf = (rows: Record<string, unknown>[]): QuoteRow | undefined => rows[0] as QuoteRow | undefined;
export const revisionRowOf = (rows: Record<string, unknown>[]): RevisionRow | undefined => (rows[0] ? split(rows[0]).revision : undefined);

/** What a decision reads of a revision before its transaction: its release, who submitted it, and the quote's owner. */
export type RevisionHead = { releaseId: string; submittedBy: string | null; ownerId: string };

/**
 * A revision's release, submitter and owner as a query of at most one row over SQL expressions of a
 * caller's row (a LATERAL join over a work item's correlation).
 */
export const revisionHeadOf = (quoteId: Prisma.Sql, revision: Prisma.Sql, tenantId: string): Prisma.Sql => Prisma.sql`
  SELECT r.release_id::text AS "releaseId", r.submitted_by AS "submittedBy", q.owner_id AS "ownerId"
  FROM quote_revision r JOIN quote q ON q.id = r.quote_id WHERE r.quote_id = ${quoteId} AND r.revision = ${revision} AND q.tenant_id = ${tenantId}`;


/**
 * A decided revision's update (approved: the approval binds its material version and price
 * result; rejected, or a level of several approved: just the state), as a member of a
 * `versionedWrite`.
 */
export const decidedRevision = (quoteId: string, revision: RevisionRow, state: 'approved' | 'rejected'): Prisma.Sql => state === 'approved'
  ? Prisma.sql`
    UPDATE quote_revision SET state = ${state}, approval_material_version = ${revision.materialVersion}, approved_price_result_id = ${revision.priceResultId}::uuid,
           version = version + 1, updated_at = now()
    WHERE quote_id = ${quoteId}::uuid AND revision = ${revision.revision}`
  : Prisma.sql`
    UPDATE quote_revision SET state = ${state}, version = version + 1, updated_at = now()
    WHERE quote_id = ${quoteId}::uuid AND revision = ${revision.revision}`;

export async function lockOpened(tx: RawTx, opened: Record<string, unknown>[], quoteId: string, ctx: CommandContext, pinned?: string): Promise<Loaded> {
  return opened[0] ? checked(split(opened[0]), quoteId, ctx, pinned) : lock(tx, quoteId, ctx, pinned);
}

/** Thrown when the revision is no longer on the release read before the transaction. */
export class PinnedReleaseMoved extends DomainError {
  constructor() {
    super('concurrent-update', 'the quote was revised while this command ran; read it again and retry');
  }
}

function checked(loaded: Loaded | undefined, quoteId: string, ctx: CommandContext, pinned?: string): Loaded {
  if (!loaded || !canSee(ctx.principal, loaded.quote)) throw new DomainError('quote-not-found', `no quote ${quoteId}`);
  const { quote, revision } = loaded;
  if (ctx.expectedVersion !== undefined && quote.version !== ctx.expectedVersion) {
    throw new DomainError('version-conflict', `quote is at version ${quote.version}, not ${ctx.expectedVersion}; read it again`);
  }
  if (pinned !== undefined && revision.releaseId !== pinned) throw new PinnedReleaseMoved();
  return loaded;
}

export type LineRow = Awaited<ReturnType<PrismaClient['quoteLine']['findFirstOrThrow']>>;

export const linesOf = (db: Db, quoteId: string, revision: number): Promise<LineRow[]> => db.$queryRaw<LineRow[]>`
  SELECT tenant_id AS "tenantId", quote_id::text AS "quoteId", revision, line_id AS "lineId", position, offering, quantity, selections,
         configuration, configuration_hash AS "configurationHash", configuration_valid AS "configurationValid",
         release_id::text AS "releaseId", manual_discount AS "manualDiscount",
         action, asset_id::text AS "assetId", asset_version AS "assetVersion", baseline
  FROM quote_line WHERE quote_id = ${quoteId}::uuid AND revision = ${revision} ORDER BY position`;

/*
 * The same reads of the quote's current revision, as statements to send with the lock
 * (`editQuote`'s read): they run after the lock is held, on a snapshot of their own.
 */
const currentLinesOf = (quoteId: string) => Prisma.sql`
  FROM quote_line l JOIN quote q ON q.id = l.quote_id AND l.revision = q.current_revision WHERE q.id = ${quoteId}::uuid`;
/** What pricing needs of each line: the normalized selections (the jsonb column kept from the configuration, not the whole document); a change's action and baseline. */
export type PricingLine = {
  lineId: string; offering: string; quantity: number; configurationValid: boolean | null; selections: Record<string, unknown> | null; manualDiscount: unknown;
  /** A bundle line's options as configured (the configuration's normalized children); null on lines configured before. */
  children: LineOption[] | null;
  action: LineAction; assetId: string | null; assetVersion: number | null; baseline: Baseline | null;
};
/** A bundle option of a line as the configurator normalized it. */
export type LineOption = { offering: string; quantity: number; selections: Record<string, unknown> };
export const currentPricingLines = (quoteId: string) => Prisma.sql`
  SELECT l.line_id AS "lineId", l.offering, l.quantity, l.configuration_valid AS "configurationValid",
         l.normalized -> 'selections' AS selections, l.manual_discount AS "manualDiscount",
         l.normalized -> 'children' AS children,
         l.action, l.asset_id::text AS "assetId", l.asset_version AS "assetVersion", l.baseline
  ${currentLinesOf(quoteId)} ORDER BY l.position`;
/** Just what adding or configuring a line needs of the others (their offerings), and of an asset's line its action and baseline. */
export type LineOffering = { lineId: string; offering: string; quantity: number; action: LineAction; assetId: string | null; baseline: Baseline | null; children: LineOption[] | null };
export const currentLineOfferings = (quoteId: string) => Prisma.sql`
  SELECT l.line_id AS "lineId", l.offering, l.quantity, l.action, l.asset_id::text AS "assetId", l.baseline,
         l.normalized -> 'children' AS children ${currentLinesOf(quoteId)} ORDER BY l.position`;

/**
 * The current revision's price evidence, read after the lock (a statement to send with it);
 * `priceResultById` the same by id. `id` lets the caller check the row is its revision's.
 */
export const currentPriceResult = (quoteId: string) => Prisma.sql`
  SELECT p.id::text AS id, p.result FROM price_result p JOIN quote_revision r ON p.id = r.price_result_id
  JOIN quote q ON q.id = r.quote_id AND r.revision = q.current_revision WHERE q.id = ${quoteId}::uuid`;
export const priceResultById = (id: string) => Prisma.sql`SELECT id::text AS id, result FROM price_result WHERE id = ${id}::uuid`;

export const revisionKey = (loaded: Loaded) => ({ quoteId_revision: { quoteId: loaded.quote.id, revision: loaded.revision.revision } });

/**
 * Bumps the quote version and records audit and the event: every state change ends here, in
 * one statement (three round trips before). The command holds the quote's row lock, so the
 * next version is known here; the UPDATE checks it, and `loaded` follows it for a second event.
 */
export async function finish<E extends QuoteEventType>(
  tx: RawTx, loaded: Loaded, ctx: CommandContext, eventType: E, payload: QuoteEventFields<E>, reason?: string,
  /** The command's own writes in the same statement; `last`: nothing follows it, so it goes with the COMMIT (`queryLast`). */
  options: { also?: Prisma.Sql[]; last?: boolean } = {},
): Promise<number> {
  return write(tx, loaded, ctx, eventType, payload, { reason, ...options });
}

/**
 * The last statement of a command: `finish`, plus the command's own last writes (`also`) and
 * its answer for the Idempotency-Key (`ctx.answer`), all in the same statement, so that a
 * command costs one round trip for all of them. `answer` builds the response from the version.
 * When nothing follows it (the answer is in the statement, or there is none to store), it goes
 * with the COMMIT (`queryLast`): the work must end with it.
 */
export async function conclude<E extends QuoteEventType, T>(
  tx: RawTx, loaded: Loaded, ctx: CommandContext, eventType: E, payload: QuoteEventFields<E>,
  answer: (version: number) => T, options: { also?: Prisma.Sql[]; reason?: string } = {},
): Promise<T> {
  const result = answer(loaded.quote.version + 1);
  const stored = ctx.answer?.(result);
  const last = stored !== undefined || !ctx.complete;
  await write(tx, loaded, ctx, eventType, payload, { ...options, also: [...(options.also ?? []), ...(stored ? [stored] : [])], last });
  if (!stored) await ctx.complete?.(tx, result);
  return result;
}

/** The quote's audit record and outbox event of a state change at `version`. */
function evidenceOf<E extends QuoteEventType>(loaded: Loaded, ctx: CommandContext, eventType: E, payload: QuoteEventFields<E>, version: number, reason?: string) {
  const audit = auditInsert({
    tenantId: ctx.principal.tenantId, actor: actorOf(ctx), action: `quote.${eventType}`,
    target: { type: 'QUOTE', id: loaded.quote.id }, reason: reason ?? null, correlationId: ctx.correlationId,
    details: { revision: loaded.revision.revision, ...payload },
  });
  const { sql: event } = outboxInsert({
    eventType, tenantId: ctx.principal.tenantId, aggregateType: 'QUOTE', aggregateId: loaded.quote.id,
    aggregateVersion: version, correlationId: ctx.correlationId, causationId: ctx.commandId, actor: actorOf(ctx),
    // The contract's payload is these fields plus quoteId and revision, which every quote event carries.
    payload: { quoteId: loaded.quote.id, revision: loaded.revision.revision, ...payload } as unknown as EventPayloadOf<E>,
  });
  return { audit, event };
}

/** Data-modifying statements as members of one WITH: they all run, in one round trip. */
const members = (statements: Prisma.Sql[]) => Prisma.join(statements.map((sql, i) => Prisma.sql`${Prisma.raw(`w${i}`)} AS (${sql})`), ',\n');

/**
 * The quote's version bump to `version` (the caller holds its row lock, so it knows the version)
 * with other writes as members of the same statement. A version that is not the one under the
 * lock fails the statement itself (a cast error), so that nothing commits with it when the
 * statement goes with the COMMIT; otherwise its one row says n = 1 (`bumped`).
 */
export const versionedWrite = (quoteId: string, version: number, writes: Prisma.Sql[]): Prisma.Sql => Prisma.sql`
    WITH v AS (UPDATE quote SET version = ${version}, updated_at = now() WHERE id = ${quoteId}::uuid AND version = ${version - 1} RETURNING 1),
         ${members(writes)}
    SELECT (CASE WHEN count(*) = 1 THEN '1' ELSE 'quote not at the version read under its lock' END)::int AS n FROM v`;

/**
 * The quote's version raised by one without its lock held before (an event about the quote that
 * is no command on it: the next approval level announced, an escalation), to open a
 * transaction with; its row has the new `version`, none if the quote is not there.
 */
export const versionBump = (quoteId: string): Prisma.Sql => Prisma.sql`UPDATE quote SET version = version + 1 WHERE id = ${quoteId}::uuid RETURNING version`;
export function bumpedVersion(rows: Record<string, unknown>[], quoteId: string): number {
  const version = rows[0]?.version;
  if (typeof version !== 'number') throw new Error(`no quote ${quoteId} to raise the version of`);
  return version;
}

/** Runs a `versionedWrite` (as the transaction's last statement when `last`) and checks it wrote. */
export async function runVersionedWrite(tx: RawTx, quoteId: string, version: number, writes: Prisma.Sql[], last: boolean): Promise<void> {
  const statement = versionedWrite(quoteId, version, writes);
  const [bumped] = last ? await queryLast<{ n: number }>(tx, statement) : await tx.$queryRaw<{ n: number }[]>(statement);
  if (bumped?.n !== 1) throw new Error(`quote ${quoteId} is not at version ${version - 1} under its lock`);
}

async function write<E extends QuoteEventType>(
  tx: RawTx, loaded: Loaded, ctx: CommandContext, eventType: E, payload: QuoteEventFields<E>, options: { also?: Prisma.Sql[]; reason?: string; last?: boolean },
): Promise<number> {
  const version = loaded.quote.version + 1;
  const { audit, event } = evidenceOf(loaded, ctx, eventType, payload, version, options.reason);
  await runVersionedWrite(tx, loaded.quote.id, version, [audit, event, ...(options.also ?? [])], options.last ?? false);
  loaded.quote.version = version;
  return version;
}

/**
 * A new quote, its first revision, audit, event and the command's answer in one statement
 * (PostgreSQL's implicit transaction: no BEGIN or COMMIT). The account is read in the same
 * statement through the account module's row source (its segment and channel are kept on the
 * quote; its name is the default customer name); an unknown account raises and nothing is
 * written. The quote is written at version 2, as creation followed by `finish` always left it.
 */
export function createStatement<T>(
  quote: { id: string; accountId: string; customerName?: string; currency: string; termMonths: number; basis?: 'change' | 'renewal' }, account: Prisma.Sql,
  revision: { releaseId: string; validUntil: string }, ctx: CommandContext,
  payload: QuoteEventFields<'QuoteCreated'>, answer: (version: number) => T,
  /** More rows of the new quote (a change quote's lines), written from `q` only when the account was found. */
  also: Prisma.Sql[] = [],
): { sql: Prisma.Sql; result: T } {
  const version = 2;
  const loaded = { quote: { id: quote.id, version: version - 1 }, revision: { revision: 1 } } as Loaded;
  const { audit, event } = evidenceOf(loaded, ctx, 'QuoteCreated', payload, version);
  const result = answer(version);
  const stored = ctx.answer?.(result);
  const { principal } = ctx;
  const sql = Prisma.sql`
    WITH a AS (${account}),
    q AS (
      INSERT INTO quote (id, tenant_id, account_id, customer_name, owner_id, team, currency, term_months, segment, channel, basis, version)
      SELECT ${quote.id}::uuid, ${principal.tenantId}, ${quote.accountId}, coalesce(${quote.customerName ?? null}::varchar, a.name), ${principal.userId},
             ${principal.team ?? null}, ${quote.currency}, ${quote.termMonths}, a.segment, a.channel, ${quote.basis ?? 'new'}, ${version}
      FROM a
      RETURNING id),
    r AS (
      INSERT INTO quote_revision (tenant_id, quote_id, revision, state, release_id, valid_until)
      SELECT ${principal.tenantId}, q.id, 1, 'draft', ${revision.releaseId}::uuid, ${revision.validUntil}::date FROM q),
    ${members([audit, event, ...also, ...(stored ? [stored] : [])])}
    SELECT count(*)::int AS n FROM q`;
  return { sql, result };
}

/** A material change makes the price and any approval stale: back to draft, material version up. */
export const materialChange = (loaded: Loaded, command: QuoteCommand): Prisma.Sql => Prisma.sql`
    UPDATE quote_revision SET state = ${nextState(command, loaded.revision.state as RevisionState)}, material_version = material_version + 1,
           version = version + 1, updated_at = now()
    WHERE quote_id = ${loaded.quote.id}::uuid AND revision = ${loaded.revision.revision}`;

/** Ends a command's transaction: its answer is stored for the Idempotency-Key in the same commit. */
export async function done<T>(tx: RawTx, ctx: CommandContext, result: T): Promise<T> {
  await ctx.complete?.(tx, result);
  return result;
}
