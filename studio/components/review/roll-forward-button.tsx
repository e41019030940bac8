'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { rollForwardAction } from '@/app/actions/release.actions';
import type { Problem } from '@/lib/problem';
import { ProblemView } from '@/components/problem-view';

/**
 * Roll forward: a new candidate whose release has this release's content, opened for review.
 * Nothing is published until another admin approves it and it is published.
 */
export function RollForwardButton({ releaseId, releaseNumber, currentNumber }: { releaseId: string; releaseNumber: number; currentNumber: number }) {
  const router = useRouter();
  const [problem, setProblem] = useState<Problem>();
  const [pending, startTransition] = useTransition();
  const rollForward = () => {
    setProblem(undefined);
    startTransition(async () => {
      const outcome = await rollForwardAction(releaseId);
      if (!outcome.ok) setProblem(outcome.problem);
      else router.push(`/candidates/${outcome.candidate.candidateId}`);
    });
  };
  return (
    <section className="panel" aria-label="Roll forward">
      <h2>Roll forward to this release</h2>
      <p>
        Make a release candidate whose release {currentNumber + 1} would have release {releaseNumber}&apos;s content exactly (items added since are removed).
        It is validated, reviewed by another admin and published like any other candidate; your drafts are left as they are.
      </p>
      <button type="button" onClick={rollForward} disabled={pending}>{pending ? 'Making the candidate…' : `Make a candidate with release ${releaseNumber}'s content`}</button>
      {pending ? <p role="status" className="muted">Validating release {releaseNumber}&apos;s content against today&apos;s rules…</p> : null}
      {problem ? <ProblemView problem={problem} explanation={problem.code === 'release-unchanged' ? 'The current release already has this content.' : undefined} /> : null}
    </section>
  );
}
