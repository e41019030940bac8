'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import type { InstalledAsset } from '@/lib/account-api';
import type { Problem } from '@/lib/problem';
import type { NewQuote } from '@/lib/quote-api';
import { ProblemView } from '@/components/problem-view';
import { explain } from '@/components/quote/quote-problems';
import { InstalledBaseTable } from './installed-base-table';

type Outcome<T> = { ok: true; data: T } | { ok: false; problem: Problem };

/**
 * The installed base with what a rep does with it: pick assets and start a change quote (each
 * asset a line to reconfigure, disconnect or leave; new lines are adds) or a renewal (each asset
 * quoted again for a new term from its term end). The engine checks the assets (ADR 0022).
 */
export function InstalledBaseActions({ account, assets, names, create }: {
  account: { accountId: string; name: string; currency: string };
  assets: InstalledAsset[];
  names: Record<string, string>;
  /** createQuote with a basis (a bound server action in the studio, a stand-in in component tests). */
  create(quote: NewQuote): Promise<Outcome<{ quoteId: string }>>;
}) {
  const router = useRouter();
  const active = assets.filter((a) => a.state === 'active');
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [termMonths, setTermMonths] = useState('24');
  const [problem, setProblem] = useState<Problem>();
  const [pending, start] = useTransition();
  const termOk = /^\d{1,3}$/.test(termMonths) && Number(termMonths) >= 1;
  const toggle = (assetId: string) => setChosen((c) => {
    const next = new Set(c);
    if (next.has(assetId)) next.delete(assetId);
    else next.add(assetId);
    return next;
  });
  const startQuote = (kind: 'change' | 'renewal') => start(async () => {
    setProblem(undefined);
    const currency = active.find((a) => chosen.has(a.assetId))?.currency ?? account.currency;
    const result = await create({ accountId: account.accountId, customerName: account.name, currency, termMonths: Number(termMonths), basis: { kind, assetIds: [...chosen] } });
    if (result.ok) router.push(`/quotes/${result.data.quoteId}`);
    else setProblem(result.problem);
  });

  return (
    <>
      <InstalledBaseTable assets={assets} names={names} {...(active.length > 0 ? { select: { chosen, toggle } } : {})} />
      {active.length > 0 ? (
        <div className="row" role="group" aria-label="Quote the chosen assets">
          <div>
            <label htmlFor="quote-term">Term (months)</label>
            <input id="quote-term" type="number" min={1} max={120} value={termMonths} onChange={(e) => setTermMonths(e.target.value)} size={4} aria-describedby="quote-term-help" />
            <p id="quote-term-help" className="muted">A renewal&apos;s new term; in a change, the term of lines added (the assets keep theirs).</p>
          </div>
          <button type="button" disabled={pending || chosen.size === 0 || !termOk} onClick={() => startQuote('change')}>Change the chosen assets</button>
          <button type="button" className="secondary" disabled={pending || chosen.size === 0 || !termOk} onClick={() => startQuote('renewal')}>Renew the chosen assets</button>
          {chosen.size === 0 ? <p className="muted">Choose the assets to quote.</p> : null}
        </div>
      ) : null}
      {problem ? <ProblemView problem={problem} explanation={explain(problem)} /> : null}
    </>
  );
}
