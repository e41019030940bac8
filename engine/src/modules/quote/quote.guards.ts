import type { ApprovalPolicyContent, ReleaseView } from '@cpq/metadata';
import { DomainError } from '../../http/errors';
import type { ManualDiscount } from '../pricing';
import { canEdit } from './quote.access';
import type { QuoteRow, RevisionRow } from './quote.repository';
import { allowed, type QuoteCommand, type RevisionState } from './quote.state';
import type { CommandContext, LineInput } from './quote.types';

const DEFAULT_VALID_DAYS = 30;

/** The transition table's verdict: a command not allowed from the revision's state is a 409. */
export function guard(command: QuoteCommand, revision: RevisionRow): void {
  if (!allowed(command, revision.state as RevisionState)) {
    throw new DomainError('quote-state', `cannot ${command} revision ${revision.revision}: it is ${revision.state}`);
  }
}

export function requireEditor(ctx: CommandContext, quote: QuoteRow): void {
  if (!canEdit(ctx.principal, quote)) throw new DomainError('forbidden', 'only the owner or their team may change this quote');
}

/**
 * A quote's validity comes from the release's commercial policy (`quoteValidityDays` of the
 * approval policy, 30 days when it says nothing); a rep may ask for less, never for more.
 */
export function validityDays(view: ReleaseView, requested?: number): number {
  const policy = view.list('approval-policy')[0]?.content as ApprovalPolicyContent | undefined;
  const max = policy?.quoteValidityDays ?? DEFAULT_VALID_DAYS;
  if (requested !== undefined && requested > max) {
    throw new DomainError('validation-failed', `the policy keeps quotes valid for at most ${max} days`, [
      { field: 'body/validDays', rule: 'policy.quoteValidityDays', message: `must be at most ${max}` },
    ]);
  }
  return requested ?? max;
}

/**
 * A manual discount as the pricing core takes it, with who granted it and under which
 * authority, snapshotted when it is entered (seed: manual discount preserves actor, authority,
 * reason); the approval policy then decides whether that authority suffices.
 */
export function manualDiscountRecord(input: NonNullable<LineInput['manualDiscount']>, ctx: CommandContext): ManualDiscount {
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
