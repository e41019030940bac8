'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState, useTransition } from 'react';
import { createQuoteAction } from '@/app/actions/quote.actions';
import { searchAccountsAction, type AccountChoice } from '@/app/actions/quote-account.actions';
import type { Problem } from '@/lib/problem';
import { ProblemView } from '@/components/problem-view';
import { FieldProblems } from './field-problems';
import './quote.css';

/** `account`: chosen already (the account page's "New quote"); the rep may still search another. */
type Props = { currencies: string[]; accountsAvailable: boolean; account?: AccountChoice };

/**
 * A new quote for an account. Where the engine has accounts (GET /accounts) the rep searches
 * them by name or id and picks one (its name and currency fill in); where it has none yet, the
 * rep types the account id as the CRM knows it and the customer's name.
 */
export function CreateQuoteForm({ currencies, accountsAvailable, account }: Props) {
  const router = useRouter();
  const [accountId, setAccountId] = useState(account?.accountId ?? '');
  const [customerName, setCustomerName] = useState(account?.name ?? '');
  const [currency, setCurrency] = useState(account?.currency ?? currencies[0] ?? 'EUR');
  const [termMonths, setTermMonths] = useState('24');
  const [validDays, setValidDays] = useState('');
  const [search, setSearch] = useState(account?.accountId ?? '');
  const [found, setFound] = useState<AccountChoice[]>([]);
  const [problem, setProblem] = useState<Problem>();
  const [pending, start] = useTransition();

  useEffect(() => {
    if (!accountsAvailable) return;
    let cancelled = false;
    const timer = setTimeout(() => {
      searchAccountsAction(search).then((r) => {
        if (cancelled) return;
        if (r.available && 'items' in r) setFound(r.items);
        else if (r.available && 'problem' in r) setProblem(r.problem);
      }, () => {});
    }, 250);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [search, accountsAvailable]);

  const pick = (a: AccountChoice) => {
    setAccountId(a.accountId);
    setCustomerName(a.name);
    setCurrency(a.currency);
  };

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    setProblem(undefined);
    start(async () => {
      const result = await createQuoteAction({
        accountId: accountId.trim(), customerName: customerName.trim(), currency: currency.trim().toUpperCase(), termMonths: Number(termMonths),
        ...(validDays.trim() ? { validDays: Number(validDays) } : {}),
      });
      if (result.ok) router.push(`/quotes/${result.data.quoteId}`);
      else setProblem(result.problem);
    });
  };

  return (
    <form className="panel" onSubmit={submit} aria-label="New quote" noValidate>
      {accountsAvailable ? (
        <fieldset style={{ margin: '0 0 12px' }}>
          <legend>Account</legend>
          <label htmlFor="account-search">Search accounts by name or id</label>
          <input id="account-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} aria-controls="account-results" />
          <ul id="account-results" className="account-results" aria-label="Accounts found">
            {found.map((a) => (
              <li key={a.accountId}>
                <button type="button" className={a.accountId === accountId ? '' : 'secondary'} aria-pressed={a.accountId === accountId} onClick={() => pick(a)}>
                  {a.name} <span className="muted">({a.accountId}, {a.segment}, {a.channel}, {a.currency})</span>
                </button>
              </li>
            ))}
            {found.length === 0 ? <li className="muted">No account matches.</li> : null}
          </ul>
        </fieldset>
      ) : (
        <p className="muted" data-testid="free-text-account">
          The engine keeps no accounts yet: type the customer&apos;s account id as your CRM knows it, and their name.
        </p>
      )}
      <div className="row">
        <div>
          <label htmlFor="accountId">Account id</label>
          <input id="accountId" value={accountId} onChange={(e) => setAccountId(e.target.value)} required readOnly={accountsAvailable} aria-describedby="accountId-problems" />
          <FieldProblems id="accountId-problems" problem={problem} field="body/accountId" />
        </div>
        <div>
          <label htmlFor="customerName">Customer name</label>
          <input id="customerName" value={customerName} onChange={(e) => setCustomerName(e.target.value)} required aria-describedby="customerName-problems" />
          <FieldProblems id="customerName-problems" problem={problem} field="body/customerName" />
        </div>
        <div>
          <label htmlFor="currency">Currency</label>
          <input id="currency" list="currencies" value={currency} onChange={(e) => setCurrency(e.target.value)} size={5} maxLength={3} required aria-describedby="currency-problems" />
          <datalist id="currencies">{currencies.map((c) => <option key={c} value={c} />)}</datalist>
          <FieldProblems id="currency-problems" problem={problem} field="body/currency" />
        </div>
        <div>
          <label htmlFor="termMonths">Term (months)</label>
          <input id="termMonths" type="number" min={1} max={120} value={termMonths} onChange={(e) => setTermMonths(e.target.value)} required aria-describedby="termMonths-problems" />
          <FieldProblems id="termMonths-problems" problem={problem} field="body/termMonths" />
        </div>
        <div>
          <label htmlFor="validDays">Valid for (days, optional)</label>
          <input id="validDays" type="number" min={1} max={365} value={validDays} onChange={(e) => setValidDays(e.target.value)} aria-describedby="validDays-problems" />
          <FieldProblems id="validDays-problems" problem={problem} field="body/validDays" />
        </div>
      </div>
      {problem ? <ProblemView problem={problem} /> : null}
      <button type="submit" disabled={pending} style={{ marginTop: 12 }}>{pending ? 'Creating…' : 'Create quote'}</button>
    </form>
  );
}
