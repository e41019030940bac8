import Link from 'next/link';
import { getEngine } from '@/lib/engine-client';
import type { AccountList } from '@/lib/account-api';
import { requirePrincipal } from '@/lib/session';
import { ProblemView } from '@/components/problem-view';

type Search = { q?: string; segment?: string; page?: string };
const PAGE_SIZE = 20;

/**
 * The tenant's accounts as the engine finds them (GET /accounts: a name prefix or an exact id,
 * a segment), paged by the engine. Each opens on its facts, installed base and quotes.
 */
export default async function AccountsPage({ searchParams }: { searchParams: Promise<Search> }) {
  await requirePrincipal();
  const { q = '', segment = '', page = '1' } = await searchParams;
  const pageNumber = Math.max(1, Number.parseInt(page, 10) || 1);
  const query = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String((pageNumber - 1) * PAGE_SIZE) });
  if (q.trim()) query.set('q', q.trim().slice(0, 200));
  if (segment.trim()) query.set('segment', segment.trim().slice(0, 60));
  const list = await getEngine<AccountList>(`/accounts?${query}`);
  const link = (n: number) => `/accounts?${new URLSearchParams({ ...(q ? { q } : {}), ...(segment ? { segment } : {}), page: String(n) })}`;
  return (
    <>
      <h1>Accounts</h1>
      <form className="panel row" role="search" aria-label="Find accounts">
        <div>
          <label htmlFor="q">Name or account id</label>
          <input id="q" name="q" defaultValue={q} placeholder="e.g. Acme or acct-1" />
        </div>
        <div>
          <label htmlFor="segment">Segment</label>
          <input id="segment" name="segment" defaultValue={segment} placeholder="e.g. enterprise" />
        </div>
        <button type="submit">Find</button>
      </form>
      {!list.ok ? <ProblemView problem={list.problem} /> : list.data.items.length === 0 ? (
        <div className="panel" data-testid="empty"><p><strong>No accounts{q || segment ? ' match this search' : ' yet'}.</strong></p></div>
      ) : (
        <>
          <table aria-label="Accounts">
            <thead><tr><th>Name</th><th>Account</th><th>Segment</th><th>Channel</th><th>Currency</th><th>Status</th></tr></thead>
            <tbody>
              {list.data.items.map((a) => (
                <tr key={a.accountId}>
                  <td><Link href={`/accounts/${encodeURIComponent(a.accountId)}`}>{a.name}</Link></td>
                  <td>{a.accountId}</td><td>{a.segment}</td><td>{a.channel}</td><td>{a.currency}</td><td>{a.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav className="row pager" aria-label="Pages of accounts">
            <span className="muted" data-testid="account-count">{list.data.offset + 1}–{list.data.offset + list.data.items.length} of {list.data.total}</span>
            {pageNumber > 1 ? <Link href={link(pageNumber - 1)}>Previous page</Link> : null}
            {list.data.offset + list.data.items.length < list.data.total ? <Link href={link(pageNumber + 1)}>Next page</Link> : null}
          </nav>
        </>
      )}
    </>
  );
}
