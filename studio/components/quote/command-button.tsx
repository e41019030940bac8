'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import type { Problem } from '@/lib/problem';
import { ProblemView } from '@/components/problem-view';
import { explain } from './quote-problems';

type Run = () => Promise<{ ok: true } | { ok: false; problem: Problem }>;

/**
 * One lifecycle command behind a button (a server action bound to the quote and the version
 * shown): the page refreshes on success; a refusal is shown with its explanation.
 */
export function CommandButton({ label, busy, run, secondary, testId, disabled }: { label: string; busy: string; run: Run; secondary?: boolean; testId?: string; disabled?: boolean }) {
  const router = useRouter();
  const [problem, setProblem] = useState<Problem>();
  const [pending, start] = useTransition();
  return (
    <div className="command" data-testid={testId}>
      <button type="button" className={secondary ? 'secondary' : undefined} disabled={pending || disabled} onClick={() => start(async () => {
        setProblem(undefined);
        const result = await run();
        if (result.ok) router.refresh();
        else setProblem(result.problem);
      })}>{pending ? busy : label}</button>
      {problem ? <ProblemView problem={problem} explanation={explain(problem)} /> : null}
    </div>
  );
}
