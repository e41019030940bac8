import Link from 'next/link';
import type { Release } from '@/lib/api';
import { getEngine } from '@/lib/engine-client';
import type { ApprovalEvidence, PriceTraceView, QuoteView, Timeline, WorkItem } from '@/lib/quote-api';
import { approvalPolicyOf, offeringNames } from '@/lib/release-model';
import { requirePrincipal } from '@/lib/session';
import { claimAction, decideAction } from '@/app/actions/inbox.actions';
import { ProblemView } from '@/components/problem-view';
import { AuthorityTable, type DealMetrics } from '@/components/inbox/authority-table';
import { ChangesSince } from '@/components/inbox/changes-since';
import { DecisionPanel } from '@/components/inbox/decision-panel';
import { escalationOf } from '@/components/inbox/escalation';
import { ApprovalStatus, levelStatuses } from '@/components/quote/approval-status';
import { DueTime } from '@/components/quote/due-time';
import { LinesTable } from '@/components/quote/lines-table';
import { PricingView } from '@/components/quote/pricing-view';
import { QuoteHeader } from '@/components/quote/quote-header';
import { explain } from '@/components/quote/quote-problems';

/**
 * One approval work item with the evidence to decide it: what is requested against what the
 * level may approve, the price and its trace, the policy and release that required it, who
 * changed what since the last decision; then claim and decide.
 */
export default async function WorkItemPage({ params }: { params: Promise<{ workItemId: string }> }) {
  const principal = await requirePrincipal();
  const { workItemId } = await params;
  let found = await getEngine<WorkItem>(`/work-items/${encodeURIComponent(workItemId)}`);
  if (!found.ok && found.problem.status === 404) {
    // An item escalated to one of the caller's roles is in their inbox, but the engine's
    // GET /work-items/{id} answers only for the level's own role or the assignee: take it from the list.
    const inbox = await getEngine<{ items: WorkItem[] }>('/work-items');
    const listed = inbox.ok ? inbox.data.items.find((i) => i.workItemId === workItemId) : undefined;
    if (listed) found = { ok: true, data: listed };
  }
  if (!found.ok) return <><p><Link href="/inbox">Back to the inbox</Link></p><ProblemView problem={found.problem} explanation={explain(found.problem)} /></>;
  const item = found.data;
  const [quoteRead, trace, evidence, timeline] = await Promise.all([
    getEngine<QuoteView>(`/quotes/${item.quoteId}`),
    getEngine<PriceTraceView>(`/quotes/${item.quoteId}/price-trace`),
    getEngine<ApprovalEvidence>(`/quotes/${item.quoteId}/approval-evidence`),
    getEngine<Timeline>(`/quotes/${item.quoteId}/timeline`),
  ]);
  if (!quoteRead.ok) return <ProblemView problem={quoteRead.problem} explanation={explain(quoteRead.problem)} />;
  const quote = quoteRead.data;
  if (quote.view !== 'internal') return <div role="alert" className="problem"><strong className="problem-title">This view is for sellers and approvers</strong></div>;
  const release = await getEngine<Release>(`/metadata/releases/${quote.revision.releaseId}`);
  const items = release.ok ? release.data.items : [];
  const policy = approvalPolicyOf(items);
  const entries = timeline.ok ? timeline.data.entries : [];
  // The measures the policy was evaluated on at submission (the submission's own record).
  const submitted = [...entries].reverse().find((e) => e.action === 'quote.QuoteSubmittedForApproval' && e.revision === item.revision);
  const metrics = (submitted?.details as { metrics?: DealMetrics } | undefined)?.metrics;

  return (
    <>
      <p><Link href="/inbox">Back to the inbox</Link></p>
      <h1>Approve level {item.level} for {quote.customerName}</h1>
      <div className="panel" data-testid="work-item-summary">
        <p>
          <strong>{item.name ?? 'Approval'}</strong>, revision {item.revision}, level {item.level} (role <code>{item.role}</code>), SLA <DueTime dueAt={item.dueAt} />, {escalationOf(item, principal.roles, entries)}.
        </p>
        <p>Required because {item.reasons.join('; ')}.</p>
        <p className="muted" data-testid="policy-and-release">
          Required by the approval policy {policy ? <><code>{policy.key}</code> ({policy.content.name}, version <code title={policy.contentHash}>{policy.contentHash.slice(0, 12)}…</code>)</> : 'of the release'}
          {' '}of release {release.ok ? release.data.releaseNumber : quote.revision.releaseId} (<code>{quote.revision.releaseId.slice(0, 8)}</code>), the release the quote is pinned to.
        </p>
      </div>
      <div className="quote-grid">
        <div>
          <AuthorityTable metrics={metrics} policy={policy} level={item.level} roles={principal.roles} />
          <ChangesSince entries={entries} revision={item.revision} />
        </div>
        <DecisionPanel item={item} userId={principal.userId} claim={claimAction.bind(null, item.workItemId)} decide={decideAction.bind(null, item.workItemId)} />
      </div>
      {evidence.ok ? <ApprovalStatus revision={item.revision} levels={levelStatuses(evidence.data, entries, policy?.content, quote.revision.state)} /> : <ProblemView problem={evidence.problem} />}
      <QuoteHeader quote={quote} releaseNumber={release.ok ? release.data.releaseNumber : undefined} />
      <h2>Lines</h2>
      <LinesTable quoteId={quote.quoteId} lines={quote.revision.lines} names={offeringNames(items)} editable={false} />
      {trace.ok ? <PricingView quote={quote} trace={trace.data} items={items} names={offeringNames(items)} /> : <ProblemView problem={trace.problem} explanation={explain(trace.problem)} />}
    </>
  );
}
