import { getEngine } from '@/lib/engine-client';
import type { Release } from '@/lib/api';
import { requirePrincipal } from '@/lib/session';
import { searchAccountsAction } from '@/app/actions/quote-account.actions';
import { CreateQuoteForm } from '@/components/quote/create-quote-form';
import { ProblemView } from '@/components/problem-view';

/** A new quote: the account (searched when the engine has accounts), currency and term; it is pinned to the current release. */
export default async function NewQuotePage({ searchParams }: { searchParams: Promise<{ account?: string }> }) {
  const principal = await requirePrincipal();
  if (!principal.roles.includes('rep')) {
    return <div role="alert" className="problem"><strong className="problem-title">Quotes are made by reps</strong><p>You are signed in with the roles {principal.roles.join(', ')}.</p></div>;
  }
  const { account: chosen } = await searchParams;
  const [current, accounts] = await Promise.all([getEngine<Release>('/metadata/releases/current'), searchAccountsAction(chosen ?? '')]);
  // Opened from an account's page: that account, as the engine found it by its id.
  const account = chosen && accounts.available && 'items' in accounts ? accounts.items.find((a) => a.accountId === chosen) : undefined;
  if (!current.ok) return <ProblemView problem={current.problem} explanation="A quote is pinned to the current release: nothing can be quoted before a release is published." />;
  // The currencies the release prices in (its price books), offered first.
  const currencies = [...new Set(current.data.items.filter((i) => i.kind === 'price-book').map((i) => String((i.content as { currency?: unknown }).currency ?? '')).filter(Boolean))].sort();
  return (
    <>
      <h1>New quote</h1>
      <p className="muted">Pinned to release {current.data.releaseNumber}, the current one: its offerings, rules and prices apply to every line.</p>
      <CreateQuoteForm currencies={currencies} accountsAvailable={accounts.available} {...(account ? { account } : {})} />
    </>
  );
}
