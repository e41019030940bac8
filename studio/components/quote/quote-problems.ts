import type { Problem } from '@/lib/problem';

/**
 * What an engine refusal of a quote command means for the person who met it, and what to do
 * next, by the problem's stable code (engine/src/http/errors.ts). The engine's own title and
 * detail are shown as well; this says it in the user's terms.
 */
const EXPLANATIONS: Record<string, string> = {
  'price-stale': 'The quote changed after it was priced (a line, a quantity or a discount), so its price no longer covers it. Price it again, then continue.',
  'approval-stale': 'The approval was given for another version of this quote or another price. The quote needs a fresh submission and approval before it can be accepted.',
  'quote-expired': 'The quote is past its last valid day. Revise it: the new revision gets a new validity and is priced against the current release.',
  'document-stale': 'The quote document no longer matches the quote’s material facts (lines, prices, terms). Generate the document again and send the customer the new one.',
  'document-required': 'Acceptance is against a document the customer saw: generate the quote document first.',
  'already-accepted': 'Another revision of this quote is already accepted; a quote is accepted once.',
  'acceptance-evidence-required': 'When you accept for the customer, record how they accepted (channel and evidence).',
  'quote-state': 'The quote’s revision is not in a state that allows this step (the page may be out of date: reload it).',
  'configuration-invalid': 'A line breaks a configuration rule. Open the line, apply a suggested fix, then price again.',
  'configuration-input': 'The engine cannot evaluate this configuration as entered.',
  'pricing-input': 'The release cannot price this quote as it is (no price for a value, or no price book in this currency).',
  'version-conflict': 'Someone changed this quote since you opened it. Reload the page to see their change, then repeat yours.',
  'concurrent-update': 'Another command changed this quote at the same moment. Try again.',
  'four-eyes-violation': 'Four-eyes: whoever owns, submitted or materially changed this revision cannot approve it. Another approver of the required role has to decide.',
  'approval-authority': 'Your roles do not include the one this approval level needs; an approver who holds it decides.',
  'work-item-claimed': 'Another approver has claimed this work item; they decide it, or release it to the inbox.',
  'work-item-not-found': 'The work item is gone: it was decided, escalated away from your roles, or its quote was revised or withdrawn.',
  forbidden: 'Only the quote’s owner or their team may change it.',
  'quote-not-found': 'You cannot see this quote: it does not exist or belongs to another team or account.',
  'dependency-unavailable': 'The approval workflow (Camunda) could not be reached; nothing was changed. Try again shortly.',
  'account-unknown': 'The engine knows no active account with this id: pick one from the account search.',
  // Quotes against the installed base (ADR 0022).
  'asset-unknown': 'The account has no such installed asset (any more): reload the account to see its installed base as it is now.',
  'asset-not-active': 'An order has changed this asset since the page was opened: it is no longer active, so there is nothing to change or renew. Reload the account to see its installed base as it is now.',
  'asset-currency': 'The asset is billed in another currency than the quote: a change or renewal quote is in the asset’s currency.',
  'term-ended': 'The asset’s committed term has ended: renew it instead of changing it.',
  'asset-stale': 'An order has changed an asset this quote changes since the quote was made, so the quote no longer describes what the customer has. Make a new change quote from the account’s installed base as it is now.',
  'line-disconnected': 'This line already disconnects its asset: it takes no configuration and cannot be disconnected again.',
  'line-not-asset': 'This line adds something new: only a line of an installed asset can be disconnected.',
  'order-exists': 'The accepted revision already has its order (one order per accepted revision): reload the page to open it.',
  'quote-not-accepted': 'Only an accepted revision becomes an order.',
};

/** The code of a problem: its `code`, else the last segment of its `type` URI. */
export function codeOf(problem: Problem): string | undefined {
  return problem.code ?? problem.type?.split('/').filter(Boolean).pop();
}

export function explain(problem: Problem): string | undefined {
  const code = codeOf(problem);
  return code ? EXPLANATIONS[code] : undefined;
}
