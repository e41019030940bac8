import Link from 'next/link';
import type { Candidate } from '@/lib/api';
import { getEngine } from '@/lib/engine-client';
import { requirePrincipal } from '@/lib/session';
import { AdminOnly } from '@/components/admin-only';
import { CandidateFlow } from '@/components/candidate-flow';
import { ProblemView } from '@/components/problem-view';
import { when } from '@/components/format';
import { CandidateReview } from '@/components/review/candidate-review';

const STEPS = ['validated', 'in-review', 'approved', 'published'] as const;

export default async function CandidatePage({ params }: { params: Promise<{ id: string }> }) {
  const principal = await requirePrincipal();
  const { id } = await params;
  const result = await getEngine<Candidate>(`/metadata/release-candidates/${encodeURIComponent(id)}`);
  if (!result.ok) return <AdminOnly principal={principal}><ProblemView problem={result.problem} /></AdminOnly>;
  const c = result.data;
  const reached = STEPS.indexOf(c.state as (typeof STEPS)[number]);
  const authored = c.items.filter((i) => i.authors.includes(principal.userId));
  return (
    <AdminOnly principal={principal}>
      <p><Link href="/candidates">← Release candidates</Link></p>
      <h1>Candidate “{c.title}”</h1>
      <ol className="steps" aria-label="Progress">
        {STEPS.map((step, i) => (
          <li key={step} className={i < reached ? 'done' : i === reached ? 'current' : ''} aria-current={i === reached ? 'step' : undefined}>{i + 1}. {step}</li>
        ))}
      </ol>
      <p>
        State <strong data-testid="candidate-state">{c.state}</strong> · made by {c.createdBy} {when(c.createdAt)}
        {c.reviewRequestedBy ? ` · review requested by ${c.reviewRequestedBy}` : ''}
        {c.decidedBy ? ` · decided by ${c.decidedBy}` : ''}
        {c.decisionReason ? ` (“${c.decisionReason}”)` : ''} ·{' '}
        <span style={{ whiteSpace: 'nowrap' }}>version {c.version}</span>
      </p>
      <p className="muted">Share this page with the reviewer: candidate id <code data-testid="candidate-id">{c.candidateId}</code></p>

      <h2>Validation issues ({c.issues.length})</h2>
      {c.issues.length === 0 ? <p className="notice">No issues: every item is valid with the current release.</p> : (
        <table aria-label="Validation issues">
          <thead><tr><th>Item</th><th>Field</th><th>Rule</th><th>Message</th></tr></thead>
          <tbody>
            {c.issues.map((issue, i) => (
              <tr key={i}>
                <td><Link href={`/drafts/${issue.item.kind}/${issue.item.key}?pointer=${encodeURIComponent(issue.pointer)}&message=${encodeURIComponent(issue.message)}&rule=${encodeURIComponent(issue.code)}&candidate=${c.candidateId}`}>{issue.item.kind} / {issue.item.key}</Link></td>
                <td><code>{issue.pointer || '(whole item)'}</code></td>
                <td>{issue.code}</td>
                <td>{issue.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <CandidateReview candidate={c} />

      <CandidateFlow candidate={c} authoredByMe={authored.map((i) => `${i.kind}/${i.key}`)} />

      <h2>Items ({c.items.length})</h2>
      <table aria-label="Items">
        <thead><tr><th>Item</th><th>Authors</th><th>Content hash</th></tr></thead>
        <tbody>
          {c.items.map((i) => (
            <tr key={`${i.kind}/${i.key}`}><td>{i.kind} / {i.key}</td><td>{i.authors.join(', ')}</td><td><code title={i.contentHash}>{i.contentHash.slice(0, 12)}…</code></td></tr>
          ))}
        </tbody>
      </table>
    </AdminOnly>
  );
}
