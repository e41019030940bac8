import { Prisma, poolOf, type PrismaClient } from '@cpq/prisma';
import type { Principal } from '../../http/auth';
import { DomainError } from '../../http/errors';
import { rawTx } from '../../lib/sql-transaction';
import { approvalEvidenceFrom, approvalEvidenceJson } from '../approval';
import { timelineOf } from '../audit';
import type { DocumentService } from '../document';
import { visibilitySql, type QuoteOwnership } from './quote.access';
import { decideView, grantedShape } from './quote.view-policy';
import { fromEvidence } from './price-evidence';
import {
  customerQuoteSummary, customerQuoteView, integrationApprovalEvidence, integrationQuoteView, priceBreakdown,
  type QuoteReadModel, type QuoteSummary,
} from './quote.view-redaction';

const isoDate = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Read models of quotes. Which quotes a caller sees is quote.access.ts's rule (404 when not
 * visible); how much of each view it sees is quote.view-policy.ts's table. Reads only the quote
 * module's tables; audit records and approval evidence come through their modules' ports.
 */
/** A bundle line's options as configured (the configuration's normalized children). */
const optionsOf = (configuration: unknown) => (configuration as { normalized?: { children?: { offering: string; quantity: number; selections: Record<string, unknown> }[] } } | null)?.normalized?.children;

export function createQuoteViews(prisma: PrismaClient, documents: DocumentService) {
  // Raw SQL on node-postgres for the hot read (the approval worker reads the evidence once per
  // decision): prepared once per connection, no Prisma query interpretation.
  const db = rawTx(poolOf(prisma));

  async function find(quoteId: string, principal: Principal) {
    const quote = await prisma.quote.findFirst({ where: { id: quoteId, tenantId: principal.tenantId } });
    if (!quote) throw new DomainError('quote-not-found', `no quote ${quoteId}`);
    return quote;
  }

  async function readModel(quote: Awaited<ReturnType<typeof find>>, revision: number): Promise<QuoteReadModel> {
    const rev = await prisma.quoteRevision.findUniqueOrThrow({ where: { quoteId_revision: { quoteId: quote.id, revision } } });
    const [lines, priced] = await Promise.all([
      prisma.quoteLine.findMany({ where: { quoteId: quote.id, revision }, orderBy: { position: 'asc' } }),
      rev.priceResultId ? prisma.priceResult.findUnique({ where: { id: rev.priceResultId } }) : null,
    ]);
    const result = priced ? fromEvidence(priced.result) : null;
    const revisionView: QuoteReadModel['quote']['revision'] = {
      revision: rev.revision, state: rev.state, releaseId: rev.releaseId, materialVersion: rev.materialVersion,
      priceResultId: rev.priceResultId, priceFresh: rev.priceResultId !== null && rev.pricedMaterialVersion === rev.materialVersion,
      approvalFresh: rev.approvalMaterialVersion === rev.materialVersion && rev.approvedPriceResultId === rev.priceResultId && rev.approvedPriceResultId !== null,
      validUntil: isoDate(rev.validUntil), documentId: rev.documentId, submittedBy: rev.submittedBy, acceptedBy: rev.acceptedBy,
      acceptedAt: rev.acceptedAt?.toISOString() ?? null,
      lines: lines.map((l) => ({
        lineId: l.lineId, position: l.position, offering: l.offering, quantity: l.quantity, selections: l.selections as Record<string, unknown>,
        configurationValid: l.configurationValid, configurationHash: l.configurationHash,
        violations: ((l.configuration as { violations?: unknown[] } | null)?.violations) ?? [], releaseId: l.releaseId,
        manualDiscount: l.manualDiscount as Record<string, unknown> | null,
        ...(optionsOf(l.configuration) ? { children: optionsOf(l.configuration)! } : {}),
        action: l.action as 'add' | 'modify' | 'disconnect' | 'no-change', assetId: l.assetId, assetVersion: l.assetVersion,
        baseline: l.baseline as Record<string, unknown> | null,
      })),
      totals: result?.totals ?? null,
    };
    const view: QuoteReadModel['quote'] = {
      quoteId: quote.id, accountId: quote.accountId, customerName: quote.customerName, ownerId: quote.ownerId, team: quote.team,
      currency: quote.currency, termMonths: quote.termMonths, basis: quote.basis as 'new' | 'change' | 'renewal', currentRevision: quote.currentRevision, version: quote.version,
      createdAt: quote.createdAt.toISOString(), revision: revisionView,
    };
    return { quote: view, priced: result };
  }

  return {
    async get(quoteId: string, principal: Principal, revision?: number) {
      const quote = await find(quoteId, principal);
      const shape = grantedShape('getQuote', principal, quote);
      const model = await readModel(quote, revision ?? quote.currentRevision);
      switch (shape) {
        case 'full': return { view: 'internal' as const, ...model.quote };
        case 'integration': return integrationQuoteView(model);
        case 'customer': return customerQuoteView(model);
      }
    },

    /** Paged in the database: the state and validity filters read each quote's current revision. */
    async list(principal: Principal, filter: { state?: string; accountId?: string; validUntilFrom?: string; validUntilTo?: string; limit: number; offset: number }) {
      const where = Prisma.sql`${visibilitySql(principal)}
        ${filter.accountId ? Prisma.sql`AND q.account_id = ${filter.accountId}` : Prisma.empty}
        ${filter.state ? Prisma.sql`AND r.state = ${filter.state}` : Prisma.empty}
        ${filter.validUntilFrom ? Prisma.sql`AND r.valid_until >= ${filter.validUntilFrom}::date` : Prisma.empty}
        ${filter.validUntilTo ? Prisma.sql`AND r.valid_until <= ${filter.validUntilTo}::date` : Prisma.empty}`;
      const from = Prisma.sql`FROM quote q JOIN quote_revision r ON r.quote_id = q.id AND r.revision = q.current_revision WHERE ${where}`;
      const [rows, counted] = await Promise.all([
        prisma.$queryRaw<{ id: string; tenant_id: string; account_id: string; customer_name: string; owner_id: string; team: string | null; currency: string; current_revision: number; state: string; valid_until: Date; created_at: Date }[]>`
          SELECT q.id, q.tenant_id, q.account_id, q.customer_name, q.owner_id, q.team, q.currency, q.current_revision, r.state, r.valid_until, q.created_at
          ${from} ORDER BY q.created_at DESC, q.id LIMIT ${filter.limit} OFFSET ${filter.offset}`,
        prisma.$queryRaw<{ total: bigint }[]>`SELECT count(*) AS total ${from}`,
      ]);
      const items = rows.flatMap((q) => {
        const summary: QuoteSummary = {
          quoteId: q.id, accountId: q.account_id, customerName: q.customer_name, ownerId: q.owner_id, currency: q.currency.trim(),
          currentRevision: q.current_revision, state: q.state, validUntil: isoDate(q.valid_until), createdAt: q.created_at.toISOString(),
        };
        // Per row: a caller with several roles may see some quotes as staff and others as their customer.
        switch (decideView('listQuotes', principal, { tenantId: q.tenant_id, ownerId: q.owner_id, team: q.team, accountId: q.account_id })) {
          case 'full': return [summary];
          case 'customer': return [customerQuoteSummary(summary)];
          // visibilitySql mirrors canSee, so a listed row is never refused; if it ever were, it stays unlisted.
          case 'forbidden': case 'hidden': return [];
        }
      });
      return { items, total: Number(counted[0]?.total ?? 0), limit: filter.limit, offset: filter.offset };
    },

    /** Every command and decision, in order, with actor and reason (the audit module's records). */
    async timeline(quoteId: string, principal: Principal) {
      const quote = await find(quoteId, principal);
      grantedShape('timeline', principal, quote);
      return { quoteId, entries: await timelineOf(prisma, { tenantId: principal.tenantId, type: 'QUOTE', id: quoteId }) };
    },

    async priceTrace(quoteId: string, principal: Principal) {
      const quote = await find(quoteId, principal);
      const shape = grantedShape('priceTrace', principal, quote);
      const rev = await prisma.quoteRevision.findUniqueOrThrow({ where: { quoteId_revision: { quoteId, revision: quote.currentRevision } } });
      if (!rev.priceResultId) throw new DomainError('price-stale', 'the current revision has not been priced');
      const row = await prisma.priceResult.findUniqueOrThrow({ where: { id: rev.priceResultId } });
      const trace = {
        quoteId, revision: rev.revision, priceResultId: row.id, fresh: rev.pricedMaterialVersion === rev.materialVersion,
        resultHash: row.resultHash, result: fromEvidence(row.result),
      };
      switch (shape) {
        case 'full': return { view: 'internal' as const, ...trace };
        case 'breakdown':
          // A customer sees the price of the offer as it stands, never a superseded one (the
          // quote view hides stale prices the same way).
          if (!trace.fresh && principal.roles.every((r) => r === 'customer')) throw new DomainError('price-stale', 'the quote is being revised; its price is not current');
          return priceBreakdown(trace);
      }
    },

    /**
     * One statement: the quote (tenant-scoped as `find`) with the approval module's evidence of
     * its current revision. Read before the caller's shape is decided; a refused caller gets none of it.
     */
    async approvalEvidence(quoteId: string, principal: Principal) {
      const [quote] = await db.$queryRaw<(QuoteOwnership & { id: string; currentRevision: number; evidence: unknown })[]>(Prisma.sql`
        SELECT q.id::text AS id, q.tenant_id AS "tenantId", q.owner_id AS "ownerId", q.team, q.account_id AS "accountId", q.current_revision AS "currentRevision",
          ${approvalEvidenceJson({ tenantId: Prisma.sql`q.tenant_id`, quoteId: Prisma.sql`q.id`, revision: Prisma.sql`q.current_revision` })} AS evidence
        FROM quote q WHERE q.id = ${quoteId}::uuid AND q.tenant_id = ${principal.tenantId}`);
      if (!quote) throw new DomainError('quote-not-found', `no quote ${quoteId}`);
      const shape = grantedShape('approvalEvidence', principal, quote);
      const evidence = { quoteId, revision: quote.currentRevision, ...approvalEvidenceFrom(quote.evidence) };
      switch (shape) {
        case 'full': return { view: 'internal' as const, ...evidence };
        case 'integration': return integrationApprovalEvidence(evidence);
      }
    },

    async document(quoteId: string, documentId: string, principal: Principal) {
      const quote = await find(quoteId, principal);
      grantedShape('document', principal, quote);
      const doc = await documents.get(principal.tenantId, documentId);
      if (doc.quoteId !== quoteId) throw new DomainError('document-not-found', `no document ${documentId} on quote ${quoteId}`);
      return doc;
    },
  };
}

export type QuoteViews = ReturnType<typeof createQuoteViews>;
