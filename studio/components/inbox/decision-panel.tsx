'use client';

import Link from 'next/link';
import { useState, useTransition } from 'react';
import type { Problem } from '@/lib/problem';
import type { WorkItem } from '@/lib/quote-api';
import { ProblemView } from '@/components/problem-view';
import { explain } from '@/components/quote/quote-problems';

type Outcome<T> = { ok: true; data: T } | { ok: false; problem: Problem };
type Decision = { decisionId: string; state: string; level: number };
type Props = {
  item: WorkItem;
  userId: string;
  claim: () => Promise<Outcome<WorkItem>>;
  decide: (decision: 'approve' | 'reject', reason: string) => Promise<Outcome<Decision>>;
};

/**
 * Claim, then approve or reject with a reason. The engine checks the claim, the level's
 * authority and four-eyes; a refusal is shown with what it means, and the outcome of a
 * decision at once (the work item is gone from the inbox afterwards).
 */
export function DecisionPanel({ item, userId, claim, decide }: Props) {
  const [assignee, setAssignee] = useState(item.assignee);
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<Problem>();
  const [decided, setDecided] = useState<Decision & { outcome: 'approved' | 'rejected' }>();
  const [pending, start] = useTransition();

  if (decided) {
    return (
      <section className="notice" role="status" data-testid="decision-outcome">
        <p><strong>Level {decided.level} {decided.outcome}.</strong> The quote is now <strong>{decided.state}</strong>{decided.state === 'submitted' ? ': the next level is requested.' : '.'}</p>
        <p><Link href="/inbox">Back to the inbox</Link> · <Link href={`/quotes/${item.quoteId}`}>Open the quote</Link></p>
      </section>
    );
  }
  const run = (decision: 'approve' | 'reject') => start(async () => {
    setProblem(undefined);
    const result = await decide(decision, reason);
    if (result.ok) setDecided({ ...result.data, outcome: decision === 'approve' ? 'approved' : 'rejected' });
    else setProblem(result.problem);
  });
  return (
    <section className="panel" aria-labelledby="decide-title">
      <h2 id="decide-title">Decide level {item.level}</h2>
      <p data-testid="held-by">
        {assignee === null ? 'Nobody holds this item yet: claim it, or decide and it is claimed for you.' : assignee === userId ? 'You hold this item.' : `${assignee} holds this item: they decide it.`}
      </p>
      {assignee === null ? (
        <button type="button" className="secondary" disabled={pending} onClick={() => start(async () => {
          setProblem(undefined);
          const result = await claim();
          if (result.ok) setAssignee(result.data.assignee ?? userId);
          else setProblem(result.problem);
        })}>Claim</button>
      ) : null}
      <label htmlFor="decision-reason">Reason (required to reject)</label>
      <textarea id="decision-reason" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={2000} />
      <div className="row">
        <button type="button" disabled={pending} onClick={() => run('approve')}>{pending ? 'Sending…' : 'Approve'}</button>
        <button type="button" className="danger" disabled={pending || reason.trim() === ''} onClick={() => run('reject')}>Reject</button>
      </div>
      {problem ? <ProblemView problem={problem} explanation={explain(problem)} /> : null}
    </section>
  );
}
