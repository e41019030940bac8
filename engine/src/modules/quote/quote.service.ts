import { randomUUID } from 'node:crypto';
import type { ApprovalPolicyContent, ReleaseView } from '@cpq/metadata';
import type { PrismaClient, TransactionClient } from '@cpq/prisma';
import Decimal from 'decimal.js';
import { DomainError } from '../../http/errors';
import { evaluateApprovalPolicy, type DealMetrics, type RequiredLevel } from '../approval';
import { recordAudit } from '../audit';
import type { ReleaseViews } from '../catalog';
import { configure, type ConfigurationResult } from '../configuration';
import type { DocumentService, QuoteMaterialFacts } from '../document';
import { writeOutboxEvent } from '../outbox';
import { price, type ManualDiscount, type PriceResult } from '../pricing';
import { CamundaError, type CamundaClient } from '../workflow';
import { canEdit, canSee } from './quote.access';
import { allowed, nextState, type QuoteCommand, type RevisionState } from './quote.state';
import type { AcceptInput, CommandContext, LineInput, NewQuote } from './quote.types';

export const QUOTE_APPROVAL_PROCESS = 'quote-approval';
const DEFAULT_VALID_DAYS = 30;

type QuoteRow = Awaited<ReturnType<PrismaClient['quote']['findFirstOrThrow']>>;
type RevisionRow = Awaited<ReturnType<PrismaClient['quoteRevision']['findFirstOrThrow']>>;
type Loaded = { quote: QuoteRow; revision: RevisionRow };

export type QuoteServiceDeps = {
  prisma: PrismaClient;
  releases: ReleaseViews;
  camunda: CamundaClient;
  documents: DocumentService;
  log: { warn(o: object, m: string): void; error(o: object, m: string): void };
  /** Today, for validity and pricing dates (injected so tests can move time). */
  today?: () => string;
};

export const businessKeyOf = (tenantId: string, quoteId: string, revision: number) => `quote-approval:${tenantId}:${quoteId}:${revision}`;
const isoDate = (d: Date) => d.toISOString().slice(0, 10);
const addDays = (day: string, days: number) => isoDate(new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000));


const STANDARD_PHASES = new Set(['list', 'customer', 'volume-term']);

/**
 * What an approver authorises: the deviation from the standard price. Promotions, customer
 * terms and volume/term discounts come from the published (reviewed) pricing rules and need
 * no approval; the discount measured is the one off the price those rules give (the price
 * entering the manual phase) to the net price, over the term. Deal value = net term total.
 */
export function dealMetricsOf(result: PriceResult, termMonths: number): DealMetrics {
  let standard = new Decimal(0);
  for (const line of result.lines) {
    for (const charge of line.charges) {
      const factor = charge.chargeType === 'one-time' ? 1 : charge.period === 'annual' ? termMonths / 12 : termMonths;
      const standardSteps = charge.trace.filter((step) => STANDARD_PHASES.has(step.phase));
      const unit = standardSteps.length ? standardSteps[standardSteps.length - 1]!.amountOut : charge.unitListPrice;
      standard = standard.plus(new Decimal(unit).times(charge.quantity).times(factor));
    }
  }
  const net = new Decimal(result.totals.termTotal);
  const discount = standard.isZero() ? new Decimal(0) : new Decimal(1).minus(net.div(standard)).times(100);
  return { currency: result.currency, discountPercent: Decimal.max(discount, 0).toDecimalPlaces(2).toString(), dealValue: net.toFixed(2), termMonths };
}

export function createQuoteService(deps: QuoteServiceDeps) {
  const { prisma, releases, camunda, documents, log } = deps;
  const today = deps.today ?? (() => isoDate(new Date()));
  const actorOf = (ctx: CommandContext) => ({ type: ctx.principal.roles.includes('customer') ? ('CUSTOMER' as const) : ('USER' as const), id: ctx.principal.userId });

  /** Loads and row-locks the quote and its current revision, checking visibility and version. */
  async function lock(tx: TransactionClient, quoteId: string, ctx: CommandContext): Promise<Loaded> {
    const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM quote WHERE id = ${quoteId}::uuid AND tenant_id = ${ctx.principal.tenantId} FOR UPDATE`;
    const quote = rows.length ? await tx.quote.findUnique({ where: { id: quoteId } }) : null;
    if (!quote || !canSee(ctx.principal, quote)) throw new DomainError('quote-not-found', `no quote ${quoteId}`);
    if (ctx.expectedVersion !== undefined && quote.version !== ctx.expectedVersion) {
      throw new DomainError('version-conflict', `quote is at version ${quote.version}, not ${ctx.expectedVersion}; read it again`);
    }
    const revision = await tx.quoteRevision.findUniqueOrThrow({ where: { quoteId_revision: { quoteId, revision: quote.currentRevision } } });
    return { quote, revision };
  }

  function guard(command: QuoteCommand, revision: RevisionRow): void {
    if (!allowed(command, revision.state as RevisionState)) {
      throw new DomainError('quote-state', `cannot ${command} revision ${revision.revision}: it is ${revision.state}`);
    }
  }

  function requireEditor(ctx: CommandContext, quote: QuoteRow): void {
    if (!canEdit(ctx.principal, quote)) throw new DomainError('forbidden', 'only the owner or their team may change this quote');
  }

  /** Bumps the quote version, records audit and the event: every command ends here. */
  async function finish(tx: TransactionClient, loaded: Loaded, ctx: CommandContext, eventType: string, payload: Record<string, unknown>, reason?: string): Promise<number> {
    const updated = await tx.quote.update({ where: { id: loaded.quote.id }, data: { version: { increment: 1 }, updatedAt: new Date() } });
    await recordAudit(tx, {
      tenantId: ctx.principal.tenantId, actor: actorOf(ctx), action: `quote.${eventType}`,
      target: { type: 'QUOTE', id: loaded.quote.id }, reason: reason ?? null, correlationId: ctx.correlationId,
      details: { revision: loaded.revision.revision, ...payload },
    });
    await writeOutboxEvent(tx, {
      eventType, tenantId: ctx.principal.tenantId, aggregateType: 'QUOTE', aggregateId: loaded.quote.id,
      aggregateVersion: updated.version, correlationId: ctx.correlationId, actor: actorOf(ctx),
      payload: { quoteId: loaded.quote.id, revision: loaded.revision.revision, ...payload },
    });
    return updated.version;
  }

  /** Configures against the revision's release; a typed input error becomes a 422 in the error handler. */
  function configureLine(view: ReleaseView, line: LineInput, quote: QuoteRow, otherOfferings: string[]): ConfigurationResult {
    return configure(view, {
      offering: line.offering,
      selections: line.selections,
      context: { quantity: line.quantity, termMonths: quote.termMonths, quoteOfferings: otherOfferings },
    });
  }

  async function linesOf(tx: TransactionClient | PrismaClient, quoteId: string, revision: number) {
    return tx.quoteLine.findMany({ where: { quoteId, revision }, orderBy: { position: 'asc' } });
  }

  /** Material facts of a revision: what a document shows and acceptance binds to. */
  async function materialFacts(tx: TransactionClient | PrismaClient, loaded: Loaded): Promise<QuoteMaterialFacts> {
    const { quote, revision } = loaded;
    if (!revision.priceResultId) throw new DomainError('price-stale', 'the revision has no price');
    const priceRow = await tx.priceResult.findUniqueOrThrow({ where: { id: revision.priceResultId } });
    const result = priceRow.result as unknown as PriceResult;
    const view = await releases.get(quote.tenantId, revision.releaseId);
    const lines = await linesOf(tx, quote.id, revision.revision);
    return {
      tenantId: quote.tenantId, quoteId: quote.id, revision: revision.revision,
      customer: { accountId: quote.accountId, name: quote.customerName },
      currency: quote.currency, termMonths: quote.termMonths, validUntil: isoDate(revision.validUntil),
      releaseId: view.releaseId, releaseNumber: view.releaseNumber, priceResultHash: priceRow.resultHash,
      lines: lines.map((line) => {
        const priced = result.lines.find((l) => l.lineId === line.lineId);
        const offering = view.get('product-offering', line.offering);
        return {
          lineId: line.lineId, offering: line.offering, offeringName: offering?.content.name ?? line.offering, quantity: line.quantity,
          configuration: ((line.configuration as { normalized?: { selections?: Record<string, unknown> } } | null)?.normalized?.selections) ?? {},
          charges: (priced?.charges ?? []).map((c) => ({
            charge: c.charge, name: offering?.content.charges.find((oc) => oc.key === c.charge)?.name ?? c.charge,
            chargeType: c.chargeType, ...(c.period ? { period: c.period } : {}),
            unitNetPrice: c.unitNetPrice, lineNet: c.lineNet, termTotal: c.termTotal,
          })),
        };
      }),
      totals: { oneTime: result.totals.oneTime, monthly: result.totals.monthly, annual: result.totals.annual, termTotal: result.totals.termTotal },
    };
  }

  return {
    materialFacts: (loaded: Loaded) => materialFacts(prisma, loaded),

    async create(input: NewQuote, ctx: CommandContext): Promise<{ quoteId: string; version: number }> {
      const { principal } = ctx;
      if (!principal.roles.includes('rep') && !principal.roles.includes('sales-manager')) {
        throw new DomainError('forbidden', 'only reps and sales managers create quotes');
      }
      const view = await releases.get(principal.tenantId);
      const validDays = validityDays(view, input.validDays);
      const quoteId = randomUUID();
      return prisma.$transaction(async (tx) => {
        const quote = await tx.quote.create({
          data: {
            id: quoteId, tenantId: principal.tenantId, accountId: input.accountId, customerName: input.customerName,
            ownerId: principal.userId, team: principal.team ?? null, currency: input.currency, termMonths: input.termMonths,
          },
        });
        const revision = await tx.quoteRevision.create({
          data: {
            tenantId: principal.tenantId, quoteId, revision: 1, state: 'draft', releaseId: view.releaseId,
            validUntil: new Date(`${addDays(today(), validDays)}T00:00:00Z`),
          },
        });
        const version = await finish(tx, { quote, revision }, ctx, 'QuoteCreated', {
          accountId: input.accountId, ownerId: principal.userId, releaseId: view.releaseId, currency: input.currency, termMonths: input.termMonths,
        });
        return done(tx, ctx, { quoteId, version });
      });
    },

    /** Adds a configured line (configuration runs now, against the revision's pinned release). */
    async addLine(quoteId: string, line: LineInput, ctx: CommandContext): Promise<{ lineId: string; valid: boolean; version: number }> {
      return prisma.$transaction(async (tx) => {
        const loaded = await lock(tx, quoteId, ctx);
        requireEditor(ctx, loaded.quote);
        guard('add-line', loaded.revision);
        const existing = await linesOf(tx, quoteId, loaded.revision.revision);
        const view = await releases.get(ctx.principal.tenantId, loaded.revision.releaseId);
        const result = configureLine(view, line, loaded.quote, existing.map((l) => l.offering));
        const lineId = `L${existing.length + 1}`;
        await tx.quoteLine.create({
          data: {
            tenantId: ctx.principal.tenantId, quoteId, revision: loaded.revision.revision, lineId, position: existing.length + 1,
            offering: line.offering, quantity: line.quantity, selections: line.selections as object, configuration: result as unknown as object,
            configurationHash: result.resultHash, configurationValid: result.valid, releaseId: loaded.revision.releaseId,
            manualDiscount: line.manualDiscount ? (manualDiscountRecord(line.manualDiscount, ctx) as object) : undefined,
          },
        });
        await materialChange(tx, loaded, 'add-line');
        const version = await finish(tx, loaded, ctx, 'QuoteLineAdded', { lineId, offering: line.offering, quantity: line.quantity, valid: result.valid });
        return done(tx, ctx, { lineId, valid: result.valid, version });
      });
    },

    async configureLine(quoteId: string, lineId: string, line: Omit<LineInput, 'offering'>, ctx: CommandContext): Promise<{ lineId: string; valid: boolean; version: number }> {
      return prisma.$transaction(async (tx) => {
        const loaded = await lock(tx, quoteId, ctx);
        requireEditor(ctx, loaded.quote);
        guard('configure-line', loaded.revision);
        const existing = await linesOf(tx, quoteId, loaded.revision.revision);
        const current = existing.find((l) => l.lineId === lineId);
        if (!current) throw new DomainError('line-not-found', `revision ${loaded.revision.revision} has no line ${lineId}`);
        const view = await releases.get(ctx.principal.tenantId, loaded.revision.releaseId);
        const result = configureLine(view, { ...line, offering: current.offering }, loaded.quote, existing.filter((l) => l.lineId !== lineId).map((l) => l.offering));
        await tx.quoteLine.update({
          where: { quoteId_revision_lineId: { quoteId, revision: loaded.revision.revision, lineId } },
          data: {
            quantity: line.quantity, selections: line.selections as object, configuration: result as unknown as object,
            configurationHash: result.resultHash, configurationValid: result.valid,
            manualDiscount: line.manualDiscount ? (manualDiscountRecord(line.manualDiscount, ctx) as object) : undefined,
          },
        });
        await materialChange(tx, loaded, 'configure-line');
        const version = await finish(tx, loaded, ctx, 'QuoteLineConfigured', { lineId, quantity: line.quantity, valid: result.valid });
        return done(tx, ctx, { lineId, valid: result.valid, version });
      });
    },

    /** Prices every line against the pinned release; the result is immutable evidence. */
    async price(quoteId: string, ctx: CommandContext): Promise<{ priceResultId: string; totals: PriceResult['totals']; version: number }> {
      return prisma.$transaction(async (tx) => {
        const loaded = await lock(tx, quoteId, ctx);
        requireEditor(ctx, loaded.quote);
        guard('price', loaded.revision);
        const lines = await linesOf(tx, quoteId, loaded.revision.revision);
        const invalid = lines.filter((l) => !l.configurationValid);
        if (invalid.length > 0) {
          throw new DomainError('configuration-invalid', `lines ${invalid.map((l) => l.lineId).join(', ')} are not validly configured`,
            invalid.map((l) => ({ field: `lines/${l.lineId}`, rule: 'configuration.valid', message: 'fix the configuration before pricing' })));
        }
        const view = await releases.get(ctx.principal.tenantId, loaded.revision.releaseId);
        const priceResultId = randomUUID();
        const result = price(view, {
          currency: loaded.quote.currency, pricingDate: today(), termMonths: loaded.quote.termMonths,
          customer: { accountId: loaded.quote.accountId },
          lines: lines.map((l) => ({
            lineId: l.lineId, offering: l.offering, quantity: l.quantity,
            characteristics: ((l.configuration as { normalized?: { selections?: Record<string, unknown> } } | null)?.normalized?.selections) ?? {},
            ...(l.manualDiscount ? { manualDiscount: l.manualDiscount as unknown as ManualDiscount } : {}),
          })),
        }, { resultId: priceResultId });
        await tx.priceResult.create({
          data: {
            id: priceResultId, tenantId: ctx.principal.tenantId, quoteId, revision: loaded.revision.revision,
            materialVersion: loaded.revision.materialVersion, releaseId: loaded.revision.releaseId,
            result: result as unknown as object, resultHash: result.resultHash, createdBy: ctx.principal.userId,
          },
        });
        await tx.quoteRevision.update({
          where: { quoteId_revision: { quoteId, revision: loaded.revision.revision } },
          data: { state: nextState('price', loaded.revision.state as RevisionState), priceResultId, pricedMaterialVersion: loaded.revision.materialVersion, version: { increment: 1 }, updatedAt: new Date() },
        });
        const version = await finish(tx, loaded, ctx, 'QuotePriced', { priceResultId, resultHash: result.resultHash, totals: result.totals });
        return done(tx, ctx, { priceResultId, totals: result.totals, version });
      });
    },

    /**
     * Evaluates the pinned release's approval policy on the current price. Nothing required:
     * approved at once, with the evaluation as evidence. Otherwise the quote-approval process
     * starts (business key quote-approval:<tenant>:<quote>:<revision>) inside the transaction:
     * if Camunda refuses or is down, nothing is written; if the commit fails after the start,
     * the process instance is deleted again.
     */
    async submit(quoteId: string, ctx: CommandContext): Promise<{ state: string; required: RequiredLevel[]; version: number }> {
      let startedInstance: string | undefined;
      try {
        return await prisma.$transaction(async (tx) => {
          const loaded = await lock(tx, quoteId, ctx);
          requireEditor(ctx, loaded.quote);
          const { revision, quote } = loaded;
          // A material change after pricing sends the revision back to draft: say why.
          if (revision.state === 'draft' && revision.priceResultId && revision.pricedMaterialVersion !== revision.materialVersion) {
            throw new DomainError('price-stale', 'the quote changed after it was priced; price it again');
          }
          guard('submit-for-approval', loaded.revision);
          if (revision.pricedMaterialVersion !== revision.materialVersion || !revision.priceResultId) {
            throw new DomainError('price-stale', 'the quote changed after it was priced; price it again');
          }
          if (isoDate(revision.validUntil) < today()) throw new DomainError('quote-expired', `revision ${revision.revision} expired on ${isoDate(revision.validUntil)}`);
          const view = await releases.get(ctx.principal.tenantId, revision.releaseId);
          const policy = view.list('approval-policy')[0];
          const priceRow = await tx.priceResult.findUniqueOrThrow({ where: { id: revision.priceResultId } });
          const metrics = dealMetricsOf(priceRow.result as unknown as PriceResult, quote.termMonths);
          const evaluation = policy ? evaluateApprovalPolicy(policy.content as ApprovalPolicyContent, metrics) : { required: [], authorityLevel: 1, breaches: {} };
          const now = new Date();
          const key = { quoteId_revision: { quoteId, revision: revision.revision } };

          if (evaluation.required.length === 0) {
            await tx.quoteRevision.update({
              where: key,
              data: {
                state: 'approved', submittedBy: ctx.principal.userId, submittedAt: now, approvalMaterialVersion: revision.materialVersion,
                approvedPriceResultId: revision.priceResultId, version: { increment: 1 }, updatedAt: now,
              },
            });
            await finish(tx, loaded, ctx, 'QuoteSubmittedForApproval', { metrics, required: [] });
            const version = await finish(tx, loaded, ctx, 'QuoteApproved', { ownerId: quote.ownerId, evidence: { policy: policy?.key ?? null, metrics, approvals: 'none required' } });
            return done(tx, ctx, { state: 'approved', required: [], version });
          }

          const sla = (policy!.content as ApprovalPolicyContent).escalationSla;
          const dueAt = new Date(now.getTime() + durationMs(sla));
          await tx.approvalRequirement.createMany({
            data: evaluation.required.map((level) => ({
              tenantId: ctx.principal.tenantId, quoteId, revision: revision.revision, level: level.level, role: level.role,
              reasons: level.reasons, requestedBy: ctx.principal.userId, dueAt,
            })),
          });
          await tx.quoteRevision.update({
            where: key,
            data: { state: 'submitted', submittedBy: ctx.principal.userId, submittedAt: now, version: { increment: 1 }, updatedAt: now },
          });
          const businessKey = businessKeyOf(ctx.principal.tenantId, quoteId, revision.revision);
          const correlationId = randomUUID();
          await tx.workflowCorrelation.create({
            data: { id: correlationId, tenantId: ctx.principal.tenantId, domainType: 'QUOTE_REVISION', domainId: `${quoteId}:${revision.revision}`, processKey: QUOTE_APPROVAL_PROCESS, businessKey, status: 'STARTING' },
          });
          let instance;
          try {
            instance = await camunda.startProcessByKey(QUOTE_APPROVAL_PROCESS, {
              businessKey, tenantId: ctx.principal.tenantId,
              // References only: the truth stays in PostgreSQL.
              variables: {
                quoteId: { value: quoteId, type: 'String' },
                revision: { value: revision.revision, type: 'Integer' },
                requiredLevels: { value: JSON.stringify(evaluation.required.map((l) => l.role)), type: 'Json' },
                approverRole: { value: evaluation.required[evaluation.required.length - 1]!.role, type: 'String' },
                escalationSla: { value: sla, type: 'String' },
              },
            });
          } catch (error) {
            if (error instanceof CamundaError || (error as Error).name === 'TimeoutError' || (error as { cause?: unknown }).cause) {
              throw new DomainError('dependency-unavailable', `the approval workflow could not start: ${(error as Error).message}`);
            }
            throw error;
          }
          startedInstance = instance.id;
          await tx.workflowCorrelation.update({ where: { id: correlationId }, data: { processInstanceId: instance.id, status: 'RUNNING', updatedAt: new Date() } });
          const tasks = await camunda.tasks({ processInstanceId: instance.id });
          await finish(tx, loaded, ctx, 'QuoteSubmittedForApproval', { metrics, required: evaluation.required, processInstanceId: instance.id });
          const first = evaluation.required[0]!;
          const version = await finish(tx, loaded, ctx, 'ApprovalRequested', {
            level: first.level, role: first.role, workItemId: tasks[0]?.id ?? null, dueAt: dueAt.toISOString(), reasons: first.reasons,
          });
          return done(tx, ctx, { state: 'submitted', required: evaluation.required, version });
        }, { timeout: 30_000, maxWait: 15_000 });
      } catch (error) {
        if (startedInstance) {
          await camunda.deleteProcessInstance(startedInstance, 'submission rolled back').catch((e: Error) =>
            log.error({ err: e.message, processInstanceId: startedInstance }, 'could not delete the process instance of a failed submission'));
        }
        throw error;
      }
    },

    async generateDocument(quoteId: string, ctx: CommandContext): Promise<{ documentId: string; fileSha256: string; factsSha256: string; version: number }> {
      return prisma.$transaction(async (tx) => {
        const loaded = await lock(tx, quoteId, ctx);
        requireEditor(ctx, loaded.quote);
        guard('generate-document', loaded.revision);
        const facts = await materialFacts(tx, loaded);
        const document = await documents.generate(tx, facts, 'quote-standard', { actor: actorOf(ctx), correlationId: ctx.correlationId });
        await tx.quoteRevision.update({
          where: { quoteId_revision: { quoteId, revision: loaded.revision.revision } },
          data: { documentId: document.documentId, version: { increment: 1 }, updatedAt: new Date() },
        });
        const version = await finish(tx, loaded, ctx, 'QuoteDocumentGenerated', { documentId: document.documentId, fileSha256: document.fileSha256, factsSha256: document.factsSha256 });
        return done(tx, ctx, { documentId: document.documentId, fileSha256: document.fileSha256, factsSha256: document.factsSha256, version });
      });
    },

    /**
     * Acceptance (seed section 5): an approved, current, unexpired revision whose price and
     * approval are fresh, with a document whose facts hash still matches the revision. By the
     * customer of the account, or by a rep on their behalf with recorded evidence.
     */
    async accept(quoteId: string, input: AcceptInput, ctx: CommandContext): Promise<{ state: string; version: number }> {
      return prisma.$transaction(async (tx) => {
        const loaded = await lock(tx, quoteId, ctx);
        const { quote, revision } = loaded;
        const isCustomer = ctx.principal.roles.includes('customer') && ctx.principal.accountId === quote.accountId;
        if (!isCustomer) {
          requireEditor(ctx, quote);
          if (!input.onBehalfOf) throw new DomainError('acceptance-evidence-required', 'record how the customer accepted (onBehalfOf.evidence)', [{ field: 'body/onBehalfOf', rule: 'required', message: 'is required when a rep accepts' }]);
        }
        const accepted = await tx.quoteRevision.findFirst({ where: { quoteId, state: 'accepted' } });
        if (accepted) throw new DomainError('already-accepted', `revision ${accepted.revision} of this quote is already accepted`);
        guard('accept', revision);
        if (isoDate(revision.validUntil) < today()) throw new DomainError('quote-expired', `revision ${revision.revision} expired on ${isoDate(revision.validUntil)}`);
        if (revision.pricedMaterialVersion !== revision.materialVersion) throw new DomainError('price-stale', 'the price is older than the last material change');
        if (revision.approvalMaterialVersion !== revision.materialVersion || revision.approvedPriceResultId !== revision.priceResultId) {
          throw new DomainError('approval-stale', 'the approval does not cover the current revision and price');
        }
        if (!revision.documentId) throw new DomainError('document-required', 'generate the quote document first');
        if (input.documentId !== revision.documentId) throw new DomainError('document-stale', 'this is not the current document of the revision');
        const check = await documents.verify(ctx.principal.tenantId, revision.documentId, await materialFacts(tx, loaded));
        if (!check.matches) throw new DomainError('document-stale', `the document shows facts ${check.expectedFactsSha256}, the revision now has ${check.actualFactsSha256}`);
        await tx.quoteRevision.update({
          where: { quoteId_revision: { quoteId, revision: revision.revision } },
          data: {
            state: 'accepted', acceptedBy: ctx.principal.userId, acceptedAt: new Date(),
            acceptanceEvidence: { byCustomer: isCustomer, ...(input.onBehalfOf ? { onBehalfOf: input.onBehalfOf } : {}), documentId: revision.documentId, factsSha256: check.actualFactsSha256 },
            version: { increment: 1 }, updatedAt: new Date(),
          },
        });
        const version = await finish(tx, loaded, ctx, 'QuoteAccepted', { ownerId: quote.ownerId, accountId: quote.accountId, acceptedBy: ctx.principal.userId, documentId: revision.documentId });
        return done(tx, ctx, { state: 'accepted', version });
      });
    },

    /** A new revision carrying the lines over; the old one is superseded (and its workflow ended). */
    async revise(quoteId: string, ctx: CommandContext): Promise<{ revision: number; version: number }> {
      const ended: string[] = [];
      const result = await prisma.$transaction(async (tx) => {
        const loaded = await lock(tx, quoteId, ctx);
        requireEditor(ctx, loaded.quote);
        guard('revise', loaded.revision);
        const { revision } = loaded;
        const next = revision.revision + 1;
        const view = await releases.get(ctx.principal.tenantId);
        await tx.quoteRevision.update({ where: { quoteId_revision: { quoteId, revision: revision.revision } }, data: { state: 'superseded', version: { increment: 1 }, updatedAt: new Date() } });
        await tx.quoteRevision.create({
          data: { tenantId: ctx.principal.tenantId, quoteId, revision: next, state: 'draft', releaseId: view.releaseId, validUntil: new Date(`${addDays(today(), validityDays(view))}T00:00:00Z`) },
        });
        const lines = await linesOf(tx, quoteId, revision.revision);
        for (const line of lines) {
          // Re-configured against the current release: the new revision is pinned to it.
          const result = configureLine(view, { offering: line.offering, quantity: line.quantity, selections: line.selections as Record<string, unknown> }, loaded.quote, lines.filter((l) => l.lineId !== line.lineId).map((l) => l.offering));
          await tx.quoteLine.create({
            data: {
              tenantId: ctx.principal.tenantId, quoteId, revision: next, lineId: line.lineId, position: line.position, offering: line.offering,
              quantity: line.quantity, selections: line.selections as object, configuration: result as unknown as object,
              configurationHash: result.resultHash, configurationValid: result.valid, releaseId: view.releaseId,
              manualDiscount: line.manualDiscount ?? undefined,
            },
          });
        }
        const active = await tx.workflowCorrelation.findMany({ where: { tenantId: ctx.principal.tenantId, domainId: `${quoteId}:${revision.revision}`, status: { in: ['STARTING', 'STARTED', 'RUNNING'] } } });
        for (const correlation of active) {
          await tx.workflowCorrelation.update({ where: { id: correlation.id }, data: { status: 'CANCELLED', updatedAt: new Date() } });
          if (correlation.processInstanceId) ended.push(correlation.processInstanceId);
        }
        await tx.quote.update({ where: { id: quoteId }, data: { currentRevision: next } });
        const version = await finish(tx, loaded, ctx, 'QuoteRevised', { newRevision: next, releaseId: view.releaseId });
        return done(tx, ctx, { revision: next, version });
      });
      for (const id of ended) await camunda.deleteProcessInstance(id, 'quote revised').catch((e: Error) => log.warn({ err: e.message, id }, 'could not end the superseded approval process'));
      return result;
    },

    async withdraw(quoteId: string, reason: string, ctx: CommandContext): Promise<{ state: string; version: number }> {
      return prisma.$transaction(async (tx) => {
        const loaded = await lock(tx, quoteId, ctx);
        requireEditor(ctx, loaded.quote);
        guard('withdraw', loaded.revision);
        await tx.quoteRevision.update({ where: { quoteId_revision: { quoteId, revision: loaded.revision.revision } }, data: { state: 'withdrawn', version: { increment: 1 }, updatedAt: new Date() } });
        const version = await finish(tx, loaded, ctx, 'QuoteWithdrawn', { reason }, reason);
        return done(tx, ctx, { state: 'withdrawn', version });
      });
    },

    /** The expiry timer's sweep: revisions past their validity, still open, become expired. */
    async expireDue(): Promise<number> {
      const due = await prisma.quoteRevision.findMany({
        where: { validUntil: { lt: new Date(`${today()}T00:00:00Z`) }, state: { in: ['draft', 'priced', 'submitted', 'approved'] } },
        select: { quoteId: true, revision: true, tenantId: true },
      });
      let expired = 0;
      for (const r of due) {
        const system = { principal: { userId: 'system:expiry', tenantId: r.tenantId, roles: ['admin' as const] }, correlationId: `expiry-${r.quoteId}` };
        await prisma.$transaction(async (tx) => {
          const loaded = await lock(tx, r.quoteId, system);
          if (loaded.revision.revision !== r.revision || !allowed('expire', loaded.revision.state as RevisionState)) return;
          await tx.quoteRevision.update({ where: { quoteId_revision: { quoteId: r.quoteId, revision: r.revision } }, data: { state: 'expired', version: { increment: 1 }, updatedAt: new Date() } });
          await finish(tx, loaded, system, 'QuoteExpired', { validUntil: isoDate(loaded.revision.validUntil) });
          expired += 1;
        });
      }
      return expired;
    },
  };

  /** A material change makes the price and any approval stale: back to draft, version up. */
  async function materialChange(tx: TransactionClient, loaded: Loaded, command: QuoteCommand): Promise<void> {
    await tx.quoteRevision.update({
      where: { quoteId_revision: { quoteId: loaded.quote.id, revision: loaded.revision.revision } },
      data: { state: nextState(command, loaded.revision.state as RevisionState), materialVersion: { increment: 1 }, version: { increment: 1 }, updatedAt: new Date() },
    });
  }
}

/**
 * A quote's validity comes from the release's commercial policy (`quoteValidityDays` of the
 * approval policy, 30 days when it says nothing); a rep may ask for less, never for more.
 */
function validityDays(view: ReleaseView, requested?: number): number {
  const policy = view.list('approval-policy')[0]?.content as ApprovalPolicyContent | undefined;
  const allowed = policy?.quoteValidityDays ?? DEFAULT_VALID_DAYS;
  if (requested !== undefined && requested > allowed) {
    throw new DomainError('validation-failed', `the policy keeps quotes valid for at most ${allowed} days`, [
      { field: 'body/validDays', rule: 'policy.quoteValidityDays', message: `must be at most ${allowed}` },
    ]);
  }
  return requested ?? allowed;
}

/** Ends a command's transaction: its answer is stored for the Idempotency-Key in the same commit. */
async function done<T>(tx: TransactionClient, ctx: CommandContext, result: T): Promise<T> {
  await ctx.complete?.(tx, result);
  return result;
}

/**
 * A manual discount as the pricing core takes it, with who granted it and under which
 * authority, snapshotted when it is entered (seed: manual discount preserves actor, authority,
 * reason); the approval policy then decides whether that authority suffices.
 */
function manualDiscountRecord(input: NonNullable<LineInput['manualDiscount']>, ctx: CommandContext): ManualDiscount {
  const authority = ctx.principal.roles.find((r) => r !== 'customer') ?? 'none';
  const base = { actor: ctx.principal.userId, reason: input.reason, authority };
  return input.percent !== undefined ? { ...base, percent: input.percent } : { ...base, amount: input.amount ?? '0' };
}

/** ISO 8601 durations of the policy's SLA (P2D, PT4H, PT30S ...) in milliseconds. */
export function durationMs(iso: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(iso);
  if (!m) return 2 * 86_400_000;
  const [, d, h, min, s] = m;
  return (((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60 + Number(s ?? 0)) * 1000;
}

export type QuoteService = ReturnType<typeof createQuoteService>;
