/**
 * The quote revision lifecycle as one table: every command names the states it may start from
 * and the state it leaves. Anything else is a 409 (never a silent no-op or a PUT /status).
 */
export const REVISION_STATES = ['draft', 'priced', 'submitted', 'approved', 'rejected', 'accepted', 'expired', 'withdrawn', 'superseded'] as const;
export type RevisionState = (typeof REVISION_STATES)[number];

export type QuoteCommand =
  | 'add-line' | 'configure-line' | 'price' | 'submit-for-approval' | 'approve' | 'reject'
  | 'generate-document' | 'accept' | 'revise' | 'withdraw' | 'expire';

type Transition = { from: readonly RevisionState[]; to: RevisionState | 'same' };

export const TRANSITIONS: Record<QuoteCommand, Transition> = {
  // Material changes: only before submission; they make the price stale (back to draft).
  'add-line': { from: ['draft', 'priced'], to: 'draft' },
  'configure-line': { from: ['draft', 'priced'], to: 'draft' },
  price: { from: ['draft', 'priced'], to: 'priced' },
  // Submission either needs approval (submitted) or is approved at once with evidence.
  'submit-for-approval': { from: ['priced'], to: 'submitted' },
  approve: { from: ['submitted'], to: 'same' },
  reject: { from: ['submitted'], to: 'rejected' },
  'generate-document': { from: ['approved'], to: 'same' },
  accept: { from: ['approved'], to: 'accepted' },
  // A change after submission is a new revision; the old one is superseded.
  revise: { from: ['draft', 'priced', 'submitted', 'approved', 'rejected', 'expired'], to: 'superseded' },
  withdraw: { from: ['draft', 'priced', 'submitted', 'approved', 'rejected'], to: 'withdrawn' },
  expire: { from: ['draft', 'priced', 'submitted', 'approved'], to: 'expired' },
};

export function allowed(command: QuoteCommand, state: RevisionState): boolean {
  return TRANSITIONS[command].from.includes(state);
}

export function nextState(command: QuoteCommand, state: RevisionState): RevisionState {
  const to = TRANSITIONS[command].to;
  return to === 'same' ? state : to;
}
