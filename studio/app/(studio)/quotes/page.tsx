import Link from 'next/link';
import { getEngine } from '@/lib/engine-client';
import { QUOTE_STATES, type QuoteList } from '@/lib/quote-api';
import { requirePrincipal } from '@/lib/session';
import { ProblemView } from '@/components/problem-view';
import { when } from '@/components/format';
import { StateBadge } from '@/components/quote/state-badge';
import { VALIDITY_FILTERS, validityRange, type ValidityFilter } from '@/components/quote/validity';

type Search = { state?: string; account?: string; validity?: string; page?: string };
const PAGE_SIZE = 20;

/**
 * The rep's quotes (what the engine lets the caller see), filtered and paged by the engine:
 * state and account as the list API takes them, validity as a range of the current revision's
 * last valid day. A customer user sees their account's quotes here, as the engine lists them.
 */
export default async function QuotesPage({ searchParams }: { searchParams: Promise<Search> }) {
  const principal = await requirePrincipal();
  const { state = '', account = '', validity = '', page = '1' } = await searchParams;
  const customer = principal.roles.every((r) => r === 'customer');
  const pageNumber = Math.max(1, Number.parseInt(page, 10) || 1);
  const query = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String((pageNumber - 1) * PAGE_SIZE) });
  if ((QUOTE_STATES as readonly string[]).includes(state)) query.set('state', state);
  if (account.trim()) query.set('accountId', account.trim());
  const range = validityRange(validity as ValidityFilter, new Date());
  if (range.from) query.set('validUntilFrom', range.from);
  if (range.to) query.set('validUntilTo', range.to);
  const list = await getEngine<QuoteList>(`/quotes?${query}`);
  const filtered = Boolean(state || account || validity);
  const link = (n: number) => `/quotes?${new URLSearchParams({ ...(state ? { state } : {}), ...(account ? { account } : {}), ...(validity ? { validity } : {}), page: String(n) })}`;

  return (
    <>
      <div className="page-head">
        <h1>{customer ? 'Your quotes' : 'Quotes'}</h1>
        {principal.roles.includes('rep') ? <Link className="button" href="/quotes/new">New quote</Link> : null}
      </div>
      <form className="panel row" role="search" aria-label="Filter quotes">
        <div>
          <label htmlFor="state">State</label>
          <select id="state" name="state" defaultValue={state}>
            <option value="">Any state</option>
            {QUOTE_STATES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </div>
        {customer ? null : (
          <div>
            <label htmlFor="account">Account id</label>
            <input id="account" name="account" defaultValue={account} placeholder="e.g. acct-1" />
          </div>
        )}
        {customer ? null : (
          <div>
            <label htmlFor="validity">Validity</label>
            <select id="validity" name="validity" defaultValue={validity}>
              {Object.entries(VALIDITY_FILTERS).map(([value, label]) => <option key={value} value={value}>{label}</option>)}
            </select>
          </div>
        )}
        <button type="submit">Filter</button>
      </form>
      {!list.ok ? <ProblemView problem={list.problem} /> : list.data.items.length === 0 ? (
        <div className="panel" data-testid="empty">
          <p><strong>No quotes{filtered ? ' match these filters' : ' yet'}.</strong></p>
          {principal.roles.includes('rep') && !filtered ? <p className="muted">Start one with “New quote”: pick the account, currency and term, then add lines from the current release.</p> : null}
        </div>
      ) : (
        <>
          <table aria-label="Quotes">
            <thead>
              <tr><th>Customer</th><th>Account</th><th>State</th><th>Revision</th>{customer ? null : <><th>Valid until</th><th>Owner</th></>}<th>Currency</th><th>Created</th></tr>
            </thead>
            <tbody>
              {list.data.items.map((q) => (
                <tr key={q.quoteId}>
                  <td><Link href={`/quotes/${q.quoteId}`}>{q.customerName}</Link></td>
                  <td>{q.accountId}</td>
                  <td><StateBadge state={q.state} /></td>
                  <td>{q.currentRevision}</td>
                  {customer ? null : <><td>{'validUntil' in q ? q.validUntil : ''}</td><td>{'ownerId' in q ? q.ownerId : ''}</td></>}
                  <td>{q.currency}</td>
                  <td>{when(q.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav className="row pager" aria-label="Pages of quotes">
            <span className="muted" data-testid="quote-count">
              {list.data.offset + 1}–{list.data.offset + list.data.items.length} of {list.data.total}
            </span>
            {pageNumber > 1 ? <Link href={link(pageNumber - 1)}>Previous page</Link> : null}
            {list.data.offset + list.data.items.length < list.data.total ? <Link href={link(pageNumber + 1)}>Next page</Link> : null}
          </nav>
        </>
      )}
    </>
  );
}
