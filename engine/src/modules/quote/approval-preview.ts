import type { BodyOf, ResponseOf } from '@cpq/contracts/api-types';
import type { ApprovalPolicyContent } from '@cpq/metadata';
import type { PrismaClient } from '@cpq/prisma';
import type { Principal } from '../../http/auth';
import { DomainError } from '../../http/errors';
import { evaluateApprovalPolicy } from '../approval';
import type { ReleaseViews } from '../catalog';
import { price, type ManualDiscount } from '../pricing';
import { customerContext } from './commands/line.commands';
import { canEdit, canSee } from './quote.access';
import type { Baseline, LineAction } from './change-pricing';
import { changePriced } from './commands/price-quote.command';
import { dealMetricsOf } from './quote.deal-metrics';
import { manualDiscountRecord } from './quote.guards';
import { pricedOptions } from './quote.line-options';
import type { LineOption } from './quote.repository';

export type ApprovalPreviewInput = BodyOf<'previewQuoteApproval'>;
export type ApprovalPreview = ResponseOf<'previewQuoteApproval'>;

type Deps = { prisma: PrismaClient; releases: ReleaseViews; today: () => string };

/**
 * The answer the rep needs while typing a manual discount (issue 10, item 3): would the quote
 * need approval with it, and from whom. The current revision is priced against its pinned
 * release exactly as the price command prices it (normalized selections, the quote's segment
 * and channel, today's date), with the discounts to try instead of the stored ones, and the
 * release's approval policy decides as submission decides (`dealMetricsOf`,
 * `evaluateApprovalPolicy`). A read: nothing is written, no lock is taken.
 */
/** The configuration document's normalized values and options (what the price command reads of it). */
const normalizedOf = (configuration: unknown) => (configuration as { normalized?: { selections?: Record<string, unknown>; children?: LineOption[] } } | null)?.normalized;

export function createApprovalPreview({ prisma, releases, today }: Deps) {
  return async (quoteId: string, input: ApprovalPreviewInput, principal: Principal): Promise<ApprovalPreview> => {
    const quote = await prisma.quote.findFirst({ where: { id: quoteId, tenantId: principal.tenantId } });
    if (!quote || !canSee(principal, quote)) throw new DomainError('quote-not-found', `no quote ${quoteId}`);
    // A tool for whoever edits the quote: approvers and customers have nothing to try here.
    if (!canEdit(principal, quote)) throw new DomainError('forbidden', 'only the owner or their team may try discounts on this quote');
    const revision = await prisma.quoteRevision.findUniqueOrThrow({ where: { quoteId_revision: { quoteId, revision: quote.currentRevision } } });
    const lines = await prisma.quoteLine.findMany({ where: { quoteId, revision: revision.revision }, orderBy: { position: 'asc' } });

    const tried = new Map<string, ApprovalPreviewInput['lines'][number]['manualDiscount']>();
    input.lines.forEach((l, i) => {
      if (!lines.some((line) => line.lineId === l.lineId)) {
        throw new DomainError('line-not-found', `revision ${revision.revision} has no line ${l.lineId}`, [
          { field: `body/lines/${i}/lineId`, rule: 'line.exists', message: `no line ${l.lineId} on the current revision` },
        ]);
      }
      if (l.manualDiscount && (l.manualDiscount.percent === undefined) === (l.manualDiscount.amount === undefined)) {
        throw new DomainError('validation-failed', 'a manual discount is a percent or an amount, exactly one', [
          { field: `body/lines/${i}/manualDiscount`, rule: 'oneOf', message: 'give percent or amount, not both or neither' },
        ]);
      }
      tried.set(l.lineId, l.manualDiscount);
    });
    // A change or renewal prices its add and modify lines and counts the others from their baseline (ADR 0022), as the price command does.
    const changing = quote.basis === 'change' || quote.basis === 'renewal';
    const pricedLines = changing ? lines.filter((l) => l.action === 'add' || l.action === 'modify') : lines;
    const invalid = pricedLines.filter((l) => !l.configurationValid);
    if (invalid.length > 0) {
      throw new DomainError('configuration-invalid', `lines ${invalid.map((l) => l.lineId).join(', ')} are not validly configured`,
        invalid.map((l) => ({ field: `lines/${l.lineId}`, rule: 'configuration.valid', message: 'fix the configuration before pricing' })));
    }

    const view = await releases.get(principal.tenantId, revision.releaseId);
    const discountOf = (lineId: string, stored: unknown): ManualDiscount | undefined => {
      if (!tried.has(lineId)) return (stored ?? undefined) as ManualDiscount | undefined;
      const next = tried.get(lineId);
      return next ? manualDiscountRecord({ ...next, reason: next.reason ?? 'preview' }, { principal, correlationId: 'preview', commandId: 'preview' }) : undefined;
    };
    // A PricingInputError (no price for a value, no book in the currency) is a 422 at the edge.
    const core = price(view, {
      currency: quote.currency, pricingDate: today(), termMonths: quote.termMonths,
      customer: { accountId: quote.accountId, ...customerContext(quote) },
      lines: pricedLines.map((l) => {
        const discount = discountOf(l.lineId, l.manualDiscount);
        return {
          lineId: l.lineId, offering: l.offering, quantity: l.quantity,
          characteristics: normalizedOf(l.configuration)?.selections ?? {},
          ...(discount ? { manualDiscount: discount } : {}),
          ...pricedOptions(normalizedOf(l.configuration)?.children),
        };
      }),
    });
    const result = changing ? changePriced(core, lines.map((l) => ({
      lineId: l.lineId, offering: l.offering, action: l.action as LineAction, assetId: l.assetId, assetVersion: l.assetVersion, baseline: l.baseline as Baseline | null,
      children: normalizedOf(l.configuration)?.children ?? null,
    })), view, { basis: quote.basis as 'change' | 'renewal', changeDate: today(), termMonths: quote.termMonths, customer: customerContext(quote) }) : core;

    const policy = view.list('approval-policy')[0];
    const metrics = dealMetricsOf(result, quote.termMonths);
    const evaluation = policy ? evaluateApprovalPolicy(policy.content as ApprovalPolicyContent, metrics) : { required: [], authorityLevel: 1 };
    return {
      quoteId, revision: revision.revision, releaseId: revision.releaseId,
      policy: policy ? { key: policy.key, version: policy.contentHash, name: (policy.content as ApprovalPolicyContent).name } : null,
      metrics, required: evaluation.required, authorityLevel: evaluation.authorityLevel,
      totals: result.totals as unknown as Record<string, unknown>,
    };
  };
}

export type ApprovalPreviewService = ReturnType<typeof createApprovalPreview>;
