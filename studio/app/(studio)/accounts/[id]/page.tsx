import Link from 'next/link';
import type { Release } from '@/lib/api';
import type { Account, InstalledBase } from '@/lib/account-api';
import { getEngine } from '@/lib/engine-client';
import type { QuoteList } from '@/lib/quote-api';
import { offeringNames } from '@/lib/release-model';
import { requirePrincipal } from '@/lib/session';
import { when } from '@/components/format';
import { ProblemView } from '@/components/problem-view';
import { InstalledBaseActions } from '@/components/account/installed-base-actions';
import { InstalledBaseTable } from '@/components/account/installed-base-table';
import { createQuoteAction } from '@/app/actions/quote.actions';
import { StateBadge } from '@/components/quote/state-badge';

/**
 * One account: who it is (segment and channel decide what it may buy and which prices apply),
 * its contacts, its installed base (what its fulfilled orders installed) and its recent quotes.
 */
export default async function AccountPage({ params }: { params: Promise<{ id: string }> }) {
  const principal = await requirePrincipal();
  const { id } = await params;
  const account = await getEngine<Account>(`/accounts/${encodeURIComponent(id)}`);
  if (!account.ok) return <><p><Link href="/accounts">All accounts</Link></p><ProblemView problem={account.problem} /></>;
  const a = account.data;
  const [base, quotes, release] = await Promise.all([
    getEngine<InstalledBase>(`/installed-base?${new URLSearchParams({ accountId: a.accountId })}`),
    getEngine<QuoteList>(`/quotes?${new URLSearchParams({ accountId: a.accountId, limit: '10' })}`),
    getEngine<Release>('/metadata/releases/current'),
  ]);
  const names = release.ok ? offeringNames(release.data.items) : {};
  return (
    <>
      <p><Link href="/accounts">All accounts</Link></p>
      <div className="page-head">
        <h1>{a.name}</h1>
        {principal.roles.includes('rep') ? <Link className="button" href={`/quotes/new?${new URLSearchParams({ account: a.accountId })}`}>New quote</Link> : null}
      </div>
      <dl className="panel quote-header" aria-label="The account">
        <div><dt>Account</dt><dd>{a.accountId}</dd></div>
        <div><dt>Segment</dt><dd data-testid="account-segment">{a.segment}</dd></div>
        <div><dt>Channel</dt><dd>{a.channel}</dd></div>
        <div><dt>Currency</dt><dd>{a.currency}</dd></div>
        <div><dt>Billing account</dt><dd>{a.billingAccountId ?? 'none'}</dd></div>
        <div><dt>Status</dt><dd>{a.status}</dd></div>
      </dl>
      {a.contacts.length > 0 ? (
        <table aria-label="Contacts">
          <thead><tr><th>Contact</th><th>Role</th><th>Email</th><th>Phone</th></tr></thead>
          <tbody>{a.contacts.map((c, i) => <tr key={i}><td>{c.name}</td><td>{c.role ?? ''}</td><td>{c.email ?? ''}</td><td>{c.phone ?? ''}</td></tr>)}</tbody>
        </table>
      ) : null}
      <section className="panel" aria-labelledby="base-title">
        <h2 id="base-title">Installed base</h2>
        {!base.ok ? <ProblemView problem={base.problem} /> : principal.roles.includes('rep')
          ? <InstalledBaseActions account={a} assets={base.data.items} names={names} create={createQuoteAction} />
          : <InstalledBaseTable assets={base.data.items} names={names} />}
      </section>
      <section className="panel" aria-labelledby="quotes-title">
        <h2 id="quotes-title">Recent quotes</h2>
        {!quotes.ok ? <ProblemView problem={quotes.problem} /> : quotes.data.items.length === 0 ? <p className="muted">No quotes for this account yet.</p> : (
          <table aria-label="Quotes of the account">
            <thead><tr><th>Customer</th><th>State</th><th>Revision</th><th>Created</th></tr></thead>
            <tbody>
              {quotes.data.items.map((q) => (
                <tr key={q.quoteId}><td><Link href={`/quotes/${q.quoteId}`}>{q.customerName}</Link></td><td><StateBadge state={q.state} /></td><td>{q.currentRevision}</td><td>{when(q.createdAt)}</td></tr>
              ))}
            </tbody>
          </table>
        )}
        {quotes.ok && quotes.data.total > quotes.data.items.length ? <p><Link href={`/quotes?${new URLSearchParams({ account: a.accountId })}`}>All {quotes.data.total} quotes of this account</Link></p> : null}
      </section>
    </>
  );
}
