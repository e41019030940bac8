import { Prisma, type PrismaClient } from '@cpq/prisma';
import type { Principal } from '../../http/auth';
import { DomainError } from '../../http/errors';
import type { DocumentService } from '../document';
import { canSee, visibilitySql } from './quote.access';
import type { QuoteView, RevisionView } from './quote.types';

const isoDate = (d: Date) => d.toISOString().slice(0, 10);

/** Read models of quotes, always through the caller's visibility (404 when not visible). */
export function createQuoteViews(prisma: PrismaClient, documents: DocumentService) {
  async function visible(quoteId: string, principal: Principal) {
    const quote = await prisma.quote.findFirst({ where: { id: quoteId, tenantId: principal.tenantId } });
    if (!quote || !canSee(principal, quote)) throw new DomainError('quote-not-found', `no quote ${quoteId}`);
    return quote;
  }

  async function revisionView(quoteId: string, revision: number): Promise<RevisionView> {
    const rev = await prisma.quoteRevision.findUniqueOrThrow({ where: { quoteId_revision: { quoteId, revision } } });
    const lines = await prisma.quoteLine.findMany({ where: { quoteId, revision }, orderBy: { position: 'asc' } });
    const priced = rev.priceResultId ? await prisma.priceResult.findUnique({ where: { id: rev.priceResultId } }) : null;
    return {
      revision: rev.revision, state: rev.state, releaseId: rev.releaseId, materialVersion: rev.materialVersion,
      priceResultId: rev.priceResultId, priceFresh: rev.priceResultId !== null && rev.pricedMaterialVersion === rev.materialVersion,
      approvalFresh: rev.approvalMaterialVersion === rev.materialVersion && rev.approvedPriceResultId === rev.priceResultId && rev.approvedPriceResultId !== null,
      validUntil: isoDate(rev.validUntil), documentId: rev.documentId, submittedBy: rev.submittedBy, acceptedBy: rev.acceptedBy,
      acceptedAt: rev.acceptedAt?.toISOString() ?? null,
      lines: lines.map((l) => ({
        lineId: l.lineId, position: l.position, offering: l.offering, quantity: l.quantity, selections: l.selections as Record<string, unknown>,
        configurationValid: l.configurationValid, configurationHash: l.configurationHash,
        violations: ((l.configuration as { violations?: unknown[] } | null)?.violations) ?? [], releaseId: l.releaseId, manualDiscount: l.manualDiscount,
      })),
      totals: (priced?.result as { totals?: unknown } | undefined)?.totals ?? null,
    };
  }

  async function quoteView(quoteId: string, principal: Principal, revision?: number): Promise<QuoteView> {
    const quote = await visible(quoteId, principal);
    return {
      quoteId: quote.id, accountId: quote.accountId, customerName: quote.customerName, ownerId: quote.ownerId, team: quote.team,
      currency: quote.currency, termMonths: quote.termMonths, currentRevision: quote.currentRevision, version: quote.version,
      createdAt: quote.createdAt.toISOString(), revision: await revisionView(quote.id, revision ?? quote.currentRevision),
    };
  }

  return {
    get: quoteView,

    /** Paged in the database: the state filter reads each quote's current revision. */
    async list(principal: Principal, filter: { state?: string; accountId?: string; limit: number; offset: number }) {
      const where = Prisma.sql`${visibilitySql(principal)}
        ${filter.accountId ? Prisma.sql`AND q.account_id = ${filter.accountId}` : Prisma.empty}
        ${filter.state ? Prisma.sql`AND r.state = ${filter.state}` : Prisma.empty}`;
      const from = Prisma.sql`FROM quote q JOIN quote_revision r ON r.quote_id = q.id AND r.revision = q.current_revision WHERE ${where}`;
      const [rows, counted] = await Promise.all([
        prisma.$queryRaw<{ id: string; account_id: string; customer_name: string; owner_id: string; currency: string; current_revision: number; state: string; created_at: Date }[]>`
          SELECT q.id, q.account_id, q.customer_name, q.owner_id, q.currency, q.current_revision, r.state, q.created_at
          ${from} ORDER BY q.created_at DESC, q.id LIMIT ${filter.limit} OFFSET ${filter.offset}`,
        prisma.$queryRaw<{ total: bigint }[]>`SELECT count(*) AS total ${from}`,
      ]);
      return {
        items: rows.map((q) => ({
          quoteId: q.id, accountId: q.account_id, customerName: q.customer_name, ownerId: q.owner_id, currency: q.currency.trim(),
          currentRevision: q.current_revision, state: q.state, createdAt: q.created_at.toISOString(),
        })),
        total: Number(counted[0]?.total ?? 0), limit: filter.limit, offset: filter.offset,
      };
    },

    /** Every command and decision, in order, with actor and reason. */
    async timeline(quoteId: string, principal: Principal) {
      await visible(quoteId, principal);
      const records = await prisma.auditRecord.findMany({ where: { tenantId: principal.tenantId, targetType: 'QUOTE', targetId: quoteId }, orderBy: { id: 'asc' } });
      return {
        quoteId,
        entries: records.map((r) => ({
          at: r.occurredAt.toISOString(), action: r.action, actor: { type: r.actorType, id: r.actorId }, reason: r.reason,
          revision: (r.details as { revision?: number }).revision ?? null, details: r.details as Record<string, unknown>, correlationId: r.correlationId,
        })),
      };
    },

    async priceTrace(quoteId: string, principal: Principal) {
      const quote = await visible(quoteId, principal);
      const rev = await prisma.quoteRevision.findUniqueOrThrow({ where: { quoteId_revision: { quoteId, revision: quote.currentRevision } } });
      if (!rev.priceResultId) throw new DomainError('price-stale', 'the current revision has not been priced');
      const row = await prisma.priceResult.findUniqueOrThrow({ where: { id: rev.priceResultId } });
      return { quoteId, revision: rev.revision, priceResultId: row.id, fresh: rev.pricedMaterialVersion === rev.materialVersion, resultHash: row.resultHash, result: row.result as Record<string, unknown> };
    },

    async approvalEvidence(quoteId: string, principal: Principal) {
      const quote = await visible(quoteId, principal);
      const revision = quote.currentRevision;
      const [requirements, decisions] = await Promise.all([
        prisma.approvalRequirement.findMany({ where: { quoteId, revision }, orderBy: { level: 'asc' } }),
        prisma.approvalDecision.findMany({ where: { quoteId, revision }, orderBy: { level: 'asc' } }),
      ]);
      return {
        quoteId, revision,
        requirements: requirements.map((r) => ({ level: r.level, role: r.role, reasons: r.reasons as string[], dueAt: r.dueAt.toISOString(), requestedBy: r.requestedBy })),
        decisions: decisions.map((d) => ({
          decisionId: d.id, level: d.level, role: d.role, outcome: d.outcome, decidedBy: d.decidedBy, reason: d.reason,
          authority: d.authority as Record<string, unknown>, priceResultId: d.priceResultId, materialVersion: d.materialVersion, decidedAt: d.decidedAt.toISOString(),
        })),
      };
    },

    async document(quoteId: string, documentId: string, principal: Principal) {
      await visible(quoteId, principal);
      const doc = await documents.get(principal.tenantId, documentId);
      if (doc.quoteId !== quoteId) throw new DomainError('document-not-found', `no document ${documentId} on quote ${quoteId}`);
      return doc;
    },
  };
}

export type QuoteViews = ReturnType<typeof createQuoteViews>;
