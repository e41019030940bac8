import type { ApprovalPolicyContent, ReleaseView } from '@cpq/metadata';
import type { PrismaClient } from '@cpq/prisma';
import Decimal from 'decimal.js';
import { evaluateApprovalPolicy } from '../approval';
import { configure } from '../configuration';
import { price, type ManualDiscount, type PriceResult } from '../pricing';
import { ChangeLineError, disconnectFeesOf, priceChange, type Baseline, type ChangePriceResult, type LineAction } from './change-pricing';
import { customerContext } from './commands/line.commands';
import { dealMetricsOf } from './quote.service';
import { pricedOptions } from './quote.line-options';
import type { LineOption } from './quote.repository';
import { fromEvidence } from './price-evidence';

export type QuoteImpact = {
  quoteId: string;
  revision: number;
  /** The quote's currency: the totals and the delta are in it. */
  currency: string;
  /**
   * What the totals are: new business's term total, a change's delta against the installed base
   * (ADR 0022), or a renewal's new term; before and after are always the same kind of figure.
   */
  basis: 'new' | 'change' | 'renewal';
  /** Net term total before (as priced) and after (against the candidate); null when not priceable. */
  termTotalBefore: string | null;
  termTotalAfter: string | null;
  delta: string | null;
  invalidLines: { lineId: string; offering: string; violations: string[] }[];
  approvalsBefore: string[];
  approvalsAfter: string[];
  newlyRequiredApprovals: string[];
  error?: string;
};

const policyOf = (view: ReleaseView) => view.list('approval-policy')[0]?.content as ApprovalPolicyContent | undefined;
const roles = (view: ReleaseView, result: PriceResult, termMonths: number) => {
  const policy = policyOf(view);
  return policy ? evaluateApprovalPolicy(policy, dealMetricsOf(result, termMonths)).required.map((l) => l.role) : [];
};

/** A stored line's options as configured (absent on lines without a bundle). */
const optionsOf = (configuration: unknown): LineOption[] | undefined => (configuration as { normalized?: { children?: LineOption[] } } | null)?.normalized?.children;

/**
 * Replays the tenant's most recent priced quote revisions against a candidate release: which
 * configurations become invalid, how prices move, and which approvals become newly required.
 * Pure evaluation on snapshots; nothing is written.
 */

export function createImpactReplay(prisma: PrismaClient) {
  return async function replay(tenantId: string, candidate: ReleaseView, current: (releaseId: string) => Promise<ReleaseView>, limit = 50): Promise<QuoteImpact[]> {
    const revisions = await prisma.quoteRevision.findMany({
      where: { tenantId, priceResultId: { not: null } }, orderBy: { updatedAt: 'desc' }, take: limit,
    });
    const impacts: QuoteImpact[] = [];
    for (const revision of revisions) {
      const quote = await prisma.quote.findUniqueOrThrow({ where: { id: revision.quoteId } });
      const lines = await prisma.quoteLine.findMany({ where: { quoteId: revision.quoteId, revision: revision.revision }, orderBy: { position: 'asc' } });
      const before = fromEvidence((await prisma.priceResult.findUniqueOrThrow({ where: { id: revision.priceResultId! } })).result);
      const basis = quote.basis === 'change' || quote.basis === 'renewal' ? quote.basis : 'new';
      const impact: QuoteImpact = {
        quoteId: revision.quoteId, revision: revision.revision, currency: quote.currency, basis, termTotalBefore: before.totals.termTotal, termTotalAfter: null, delta: null,
        invalidLines: [], approvalsBefore: roles(await current(revision.releaseId), before, quote.termMonths), approvalsAfter: [], newlyRequiredApprovals: [],
      };
      try {
        const { invalidLines, after } = replayOn(candidate, quote, basis, lines, before);
        impact.invalidLines = invalidLines;
        impact.termTotalAfter = after.totals.termTotal;
        impact.delta = new Decimal(after.totals.termTotal).minus(before.totals.termTotal).toFixed();
        impact.approvalsAfter = roles(candidate, after, quote.termMonths);
        impact.newlyRequiredApprovals = impact.approvalsAfter.filter((r) => !impact.approvalsBefore.includes(r));
      } catch (error) {
        impact.error = (error as Error).message;
      }
      impacts.push(impact);
    }
    return impacts;
  };
}

/** A stored quote line as the replay reads it. */
export type ReplayLine = {
  lineId: string; offering: string; quantity: number; selections: unknown; manualDiscount: unknown; configuration: unknown;
  action: string; assetId: string | null; assetVersion: number | null; baseline: unknown;
};
export type ReplayQuote = Parameters<typeof customerContext>[0] & { accountId: string; currency: string; termMonths: number };

/**
 * One priced revision against the candidate (pure): its lines configured again under the
 * candidate, the invalid ones named, and priced as the price command would price them there
 * (`before` is the stored result: its pricing date and, for a change or renewal, its change date).
 */
export function replayOn(candidate: ReleaseView, quote: ReplayQuote, basis: QuoteImpact['basis'], lines: readonly ReplayLine[], before: PriceResult): { invalidLines: QuoteImpact['invalidLines']; after: PriceResult } {
  // A change or renewal prices its add and modify lines only; the others count from their baseline (ADR 0022), as the price command does.
  const pricedLines = basis === 'new' ? lines : lines.filter((l) => l.action === 'add' || l.action === 'modify');
  const configured = pricedLines.map((line) => ({
    line,
    result: configure(candidate, {
      offering: line.offering, selections: line.selections as Record<string, unknown>,
      // The options as the rep left them, configured again under the candidate's bundle.
      ...(optionsOf(line.configuration) ? { children: optionsOf(line.configuration) } : {}),
      context: { quantity: line.quantity, termMonths: quote.termMonths, quoteOfferings: lines.filter((l) => l.lineId !== line.lineId).map((l) => l.offering), ...customerContext(quote) },
    }),
  }));
  const invalidLines = configured.filter((c) => !c.result.valid).map((c) => ({
    lineId: c.line.lineId, offering: c.line.offering, violations: c.result.violations.map((v) => `${v.ruleId}: ${v.message}`),
  }));
  const core = price(candidate, {
    currency: quote.currency, pricingDate: before.pricingDate, termMonths: quote.termMonths, customer: { accountId: quote.accountId, ...customerContext(quote) },
    lines: configured.map(({ line, result }) => ({
      lineId: line.lineId, offering: line.offering, quantity: line.quantity, characteristics: result.normalized.selections,
      ...(line.manualDiscount ? { manualDiscount: line.manualDiscount as unknown as ManualDiscount } : {}),
      ...pricedOptions(result.normalized.children),
    })),
  });
  // The change pricing counts the options the core priced: each line's children as configured under the candidate (a
  // candidate's new option with a default above 0 is on the line and pays its one-time charges, as a re-price would).
  const children = new Map(configured.map(({ line, result }) => [line.lineId, result.normalized.children]));
  const after = basis === 'new' ? core : changeAfter(core, lines, children, candidate, before, basis, quote);
  return { invalidLines, after };
}

/**
 * A change or renewal's figure against the candidate: the candidate's core result turned into
 * the delta against the same baselines, on the same change date as the stored result (so only
 * the release differs), with the candidate's disconnect fees and each priced line's options as
 * configured under the candidate (`children`, what the core priced). A line the change cannot price
 * (a term that ended) says so in the impact's error.
 */
function changeAfter(core: PriceResult, lines: readonly ReplayLine[], children: ReadonlyMap<string, readonly LineOption[]>,
  candidate: ReleaseView, before: PriceResult, basis: 'change' | 'renewal', quote: Parameters<typeof customerContext>[0] & { termMonths: number }): PriceResult {
  const stored = (before as Partial<ChangePriceResult>).change;
  if (!stored) throw new Error(`the ${basis} quote's stored price has no change section: its delta cannot be replayed`);
  try {
    return priceChange(core, lines.map((l) => ({
      lineId: l.lineId, offering: l.offering, action: l.action as LineAction, assetId: l.assetId, assetVersion: l.assetVersion, baseline: l.baseline as Baseline | null,
      // Priced lines: as configured under the candidate; the others (no-change, disconnect) are not priced and read no children.
      children: children.get(l.lineId) ?? optionsOf(l.configuration) ?? null,
    })), { basis, changeDate: stored.changeDate, termMonths: quote.termMonths, fees: disconnectFeesOf(candidate), customer: customerContext(quote) });
  } catch (error) {
    if (error instanceof ChangeLineError) throw new Error(`the ${basis} cannot be replayed: ${error.message}`, { cause: error });
    throw error;
  }
}

export type ImpactReplay = ReturnType<typeof createImpactReplay>;
