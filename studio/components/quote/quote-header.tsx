import Link from 'next/link';
import type { Quote } from '@/lib/quote-api';
import { when } from '@/components/format';
import { StateBadge } from './state-badge';

/** Who the quote is for and on which terms: account, currency, term, revision state, validity, release. */
export function QuoteHeader({ quote, releaseNumber }: { quote: Quote; releaseNumber?: number }) {
  const r = quote.revision;
  return (
    <dl className="panel quote-header" aria-label="Quote terms">
      <div><dt>Customer</dt><dd data-testid="customer-name">{quote.customerName}</dd></div>
      <div><dt>Account</dt><dd><Link href={`/accounts/${encodeURIComponent(quote.accountId)}`}>{quote.accountId}</Link></dd></div>
      {quote.basis && quote.basis !== 'new' ? <div><dt>Basis</dt><dd data-testid="quote-basis">{quote.basis === 'change' ? 'a change of the installed base' : 'a renewal of the installed base'}</dd></div> : null}
      <div><dt>State</dt><dd><StateBadge state={r.state} /> revision {r.revision}</dd></div>
      <div><dt>Valid until</dt><dd data-testid="valid-until">{r.validUntil}</dd></div>
      <div><dt>Currency</dt><dd>{quote.currency}</dd></div>
      <div><dt>Term</dt><dd>{quote.termMonths} months</dd></div>
      <div><dt>Owner</dt><dd>{quote.ownerId}{quote.team ? ` (team ${quote.team})` : ''}</dd></div>
      <div><dt>Release</dt><dd>{releaseNumber !== undefined ? `release ${releaseNumber}` : <code>{r.releaseId.slice(0, 8)}</code>}</dd></div>
      <div><dt>Price</dt><dd>{r.priceResultId ? (r.priceFresh ? 'priced, current' : 'stale: price again') : 'not priced'}</dd></div>
      <div><dt>Approval</dt><dd>{r.approvalFresh ? 'covers this revision' : r.state === 'submitted' ? 'in approval' : 'none yet'}</dd></div>
      <div><dt>Created</dt><dd>{when(quote.createdAt)}</dd></div>
      <div><dt>Version</dt><dd>{quote.version}</dd></div>
    </dl>
  );
}
