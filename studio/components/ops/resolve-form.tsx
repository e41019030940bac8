'use client';

import Link from 'next/link';
import { useState, useTransition } from 'react';
import type { FalloutAction, FalloutWorkItem, ResolveFallout } from '@/lib/order-api';
import type { Problem } from '@/lib/problem';
import { ProblemView } from '@/components/problem-view';
import { ACTION } from './fallout-words';

type Outcome = { ok: true; data: FalloutWorkItem } | { ok: false; problem: Problem };

/**
 * Resolves a fallout case with one of the actions it allows, an audit reason, and evidence when
 * the work was done by hand. The engine records the decision first and moves the fulfillment on
 * after; its refusal (an action the case does not allow, a case already resolved) is shown as it came.
 */
export function ResolveForm({ item, resolve }: { item: FalloutWorkItem; resolve: (body: ResolveFallout) => Promise<Outcome> }) {
  const [action, setAction] = useState<FalloutAction>(item.allowedActions[0] ?? 'retry');
  const [reason, setReason] = useState('');
  const [evidence, setEvidence] = useState('');
  const [problem, setProblem] = useState<Problem>();
  const [resolved, setResolved] = useState<FalloutWorkItem>();
  const [pending, start] = useTransition();
  if (resolved?.resolution) {
    return (
      <section className="notice" role="status" data-testid="fallout-outcome">
        <p><strong>Resolved: {resolved.resolution.action}</strong> by {resolved.resolution.resolvedBy}, “{resolved.resolution.reason}”.</p>
        <p><Link href="/ops">Back to the fallout inbox</Link></p>
      </section>
    );
  }
  const needsEvidence = action === 'resolve';
  return (
    <fieldset className="panel">
      <legend>Resolve</legend>
      <div role="radiogroup" aria-label="Recovery action">
        {item.allowedActions.map((a) => (
          <label key={a} className="radio">
            <input type="radio" name="fallout-action" value={a} checked={action === a} onChange={() => setAction(a)} /> {ACTION[a]}
          </label>
        ))}
      </div>
      <label htmlFor="fallout-reason">Reason (kept in the order&apos;s audit)</label>
      <textarea id="fallout-reason" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={2000} />
      {needsEvidence ? (
        <>
          <label htmlFor="fallout-evidence">Evidence of the work done by hand</label>
          <textarea id="fallout-evidence" rows={2} value={evidence} onChange={(e) => setEvidence(e.target.value)} maxLength={4000} />
        </>
      ) : null}
      <button type="button" disabled={pending || reason.trim() === '' || (needsEvidence && evidence.trim() === '')} onClick={() => start(async () => {
        setProblem(undefined);
        const result = await resolve({ action, reason: reason.trim(), ...(needsEvidence ? { evidence: evidence.trim() } : {}) });
        if (result.ok) setResolved(result.data);
        else setProblem(result.problem);
      })}>{pending ? 'Sending…' : 'Resolve the case'}</button>
      {problem ? <ProblemView problem={problem} /> : null}
    </fieldset>
  );
}
