'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { publishAction, reviewAction, type ReviewStep } from '@/app/actions/candidate.actions';
import type { Candidate, ReleaseHeader } from '@/lib/api';
import type { Problem } from '@/lib/problem';
import { ProblemView } from './problem-view';

const FOUR_EYES = 'The engine enforces four-eyes: an admin who authored any item of a candidate cannot approve it. Another admin must review it: send them this page\'s address.';

const explain = (problem: Problem) =>
  problem.code === 'four-eyes-violation' ? FOUR_EYES
    : problem.code === 'candidate-stale' ? 'Another release was published since this candidate was validated: make a new candidate from the drafts.'
      : problem.code === 'version-conflict' ? 'Someone acted on this candidate meanwhile: reload the page to see its state.'
        : undefined;

/** The next step of the governed publish, with the engine's refusal explained when it says no. */
export function CandidateFlow({ candidate, authoredByMe }: { candidate: Candidate; authoredByMe: string[] }) {
  const router = useRouter();
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<Problem>();
  const [release, setRelease] = useState<ReleaseHeader>();
  const [running, setRunning] = useState<string>();
  const [pending, startTransition] = useTransition();
  const c = candidate;

  const review = (step: ReviewStep, label: string) => {
    setProblem(undefined);
    setRunning(label);
    startTransition(async () => {
      const outcome = await reviewAction(c.candidateId, c.version, step, reason.trim() || undefined);
      setRunning(undefined);
      if (!outcome.ok) setProblem(outcome.problem);
      else router.refresh();
    });
  };
  const publish = () => {
    setProblem(undefined);
    setRunning('Publishing: checking the candidate against the current release, deploying its BPMN and DMN to Camunda, writing the release…');
    startTransition(async () => {
      const outcome = await publishAction(c.candidateId, c.version);
      setRunning(undefined);
      if (!outcome.ok) setProblem(outcome.problem);
      else {
        setRelease(outcome.release);
        router.refresh();
      }
    });
  };

  return (
    <section className="panel" aria-label="Next step">
      <h2>Next step</h2>
      {c.state === 'invalid' ? <p>Fix the issues above in the drafts, then make a new candidate.</p> : null}
      {c.state === 'validated' ? (
        <button type="button" onClick={() => review('request-review', 'Requesting review…')} disabled={pending}>Request review</button>
      ) : null}
      {c.state === 'in-review' || c.state === 'approved' ? (
        <>
          {authoredByMe.length > 0 ? <p className="explanation">You authored {authoredByMe.join(', ')}: another admin must approve this candidate (four-eyes).</p> : null}
          <label htmlFor="review-comment">Review comment</label>
          <textarea id="review-comment" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={2000} />
          <div className="row" style={{ marginTop: 8 }}>
            {c.state === 'in-review' ? <button type="button" onClick={() => review('approve', 'Approving…')} disabled={pending}>Approve</button> : null}
            <button type="button" className="danger" onClick={() => review('reject', 'Rejecting…')} disabled={pending || reason.trim() === ''} title="A rejection needs a comment">Reject</button>
            {c.state === 'approved' ? <button type="button" onClick={publish} disabled={pending}>Publish</button> : null}
          </div>
        </>
      ) : null}
      {c.state === 'rejected' ? <p>Rejected. Change the drafts and make a new candidate.</p> : null}
      {c.state === 'publishing' ? <p>A publish of this candidate is under way.</p> : null}
      {c.state === 'published' && !release ? <p className="notice">Published. See <Link href="/releases">the release history</Link>.</p> : null}
      {running ? (
        <div role="status" aria-live="polite" style={{ marginTop: 12 }}>
          <p>{running}</p>
          <div className="progress"><span /></div>
        </div>
      ) : null}
      {problem ? <ProblemView problem={problem} explanation={explain(problem)} /> : null}
      {release ? (
        <p role="status" className="notice" data-testid="published">
          Published release {release.releaseNumber} (hash <code>{release.contentHash.slice(0, 12)}…</code>, {release.itemCount} items
          {release.camundaDeploymentId ? `, Camunda deployment ${release.camundaDeploymentId}` : ''}). <Link href="/releases">Release history</Link>
        </p>
      ) : null}
    </section>
  );
}
