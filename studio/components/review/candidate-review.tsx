import Link from 'next/link';
import type { Candidate, CandidateDiff, Impact, KindInfo, ReleaseHeader } from '@/lib/api';
import { getEngine } from '@/lib/engine-client';
import { ProblemView } from '@/components/problem-view';
import { CandidateChanges } from './candidate-changes';
import { ImpactView } from './impact-view';

/**
 * What a reviewer reads before approving: the candidate against the current release (side by
 * side, item by item) and its impact on recent quotes (charts and table).
 */
export async function CandidateReview({ candidate }: { candidate: Candidate }) {
  const id = encodeURIComponent(candidate.candidateId);
  const [diff, impact, kinds, releases] = await Promise.all([
    getEngine<CandidateDiff>(`/metadata/release-candidates/${id}/diff`),
    getEngine<Impact>(`/metadata/release-candidates/${id}/impact`),
    getEngine<{ items: KindInfo[] }>('/metadata/kinds'),
    getEngine<{ items: ReleaseHeader[] }>('/metadata/releases'),
  ]);
  const numberOf = (releaseId: string | null) => (releases.ok ? releases.data.items.find((r) => r.releaseId === releaseId)?.releaseNumber : undefined);
  const current = diff.ok ? numberOf(diff.data.currentReleaseId) : undefined;
  const currentLabel = current ? `Current release (${current})` : 'No release yet';
  return (
    <>
      {candidate.rolledFromReleaseId ? (
        <p className="notice" data-testid="rolled-from">
          This candidate rolls forward to the content of <Link href={`/releases/${candidate.rolledFromReleaseId}`}>release {numberOf(candidate.rolledFromReleaseId) ?? ''}</Link>:
          its release would hold exactly that release&apos;s items.
        </p>
      ) : null}
      <h2>Changes against the current release</h2>
      {diff.ok && diff.data.baseReleaseId !== diff.data.currentReleaseId && candidate.state !== 'published' ? (
        <p className="conflict">Another release was published after this candidate was made: it is compared with the current release, and it cannot be published; make a new candidate.</p>
      ) : null}
      {!diff.ok ? <ProblemView problem={diff.problem} /> : !kinds.ok ? <ProblemView problem={kinds.problem} /> : candidate.state === 'published' ? (
        <p className="muted">Published: see its release for what it changed.</p>
      ) : <CandidateChanges diff={diff.data} kinds={kinds.data.items} currentLabel={currentLabel} />}
      <h2>Impact on recent quotes</h2>
      {!impact.ok ? <ProblemView problem={impact.problem} /> : <ImpactView impact={impact.data} />}
    </>
  );
}
