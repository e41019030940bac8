'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import type { Problem } from '@/lib/problem';
import { ProblemView } from '@/components/problem-view';
import { explain } from './quote-problems';

type Outcome = { ok: true } | { ok: false; problem: Problem };

/** Withdraws the current revision, with the reason the customer or the rep gave. */
export function WithdrawForm({ withdraw }: { withdraw: (reason: string) => Promise<Outcome> }) {
  const router = useRouter();
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<Problem>();
  const [pending, start] = useTransition();
  return (
    <div className="command">
      <label htmlFor="withdraw-reason">Reason to withdraw</label>
      <div className="row">
        <input id="withdraw-reason" value={reason} onChange={(e) => setReason(e.target.value)} maxLength={2000} />
        <button type="button" className="danger" disabled={pending || reason.trim() === ''} onClick={() => start(async () => {
          setProblem(undefined);
          const result = await withdraw(reason.trim());
          if (result.ok) router.refresh();
          else setProblem(result.problem);
        })}>{pending ? 'Withdrawing…' : 'Withdraw'}</button>
      </div>
      {problem ? <ProblemView problem={problem} explanation={explain(problem)} /> : null}
    </div>
  );
}
