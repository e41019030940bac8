import Link from 'next/link';
import { getEngine } from '@/lib/engine-client';
import type { QuoteView, Timeline, WorkItem } from '@/lib/quote-api';
import { requirePrincipal } from '@/lib/session';
import { claimAction } from '@/app/actions/inbox.actions';
import { ProblemView } from '@/components/problem-view';
import { CommandButton } from '@/components/quote/command-button';
import { DueTime } from '@/components/quote/due-time';
import { escalationOf } from '@/components/inbox/escalation';
import '@/components/quote/quote.css';

/**
 * The approver's inbox: the open approval work items of the caller's roles (and those assigned
 * to them), by role, soonest due first, each with its SLA countdown, whether it was escalated,
 * and who holds it. Read from the engine (GET /work-items), never from Camunda directly.
 */
export default async function InboxPage() {
  const principal = await requirePrincipal();
  const list = await getEngine<{ items: WorkItem[] }>('/work-items');
  if (!list.ok) return <><h1>Inbox</h1><ProblemView problem={list.problem} /></>;
  const items = list.data.items.slice(0, 50);
  // The quote each item is about, and its timeline for escalations: read as the approver may see them.
  const details = await Promise.all(items.map(async (item) => {
    const [quote, timeline] = await Promise.all([
      getEngine<QuoteView>(`/quotes/${item.quoteId}`),
      getEngine<Timeline>(`/quotes/${item.quoteId}/timeline`),
    ]);
    return { item, quote: quote.ok ? quote.data : undefined, escalation: escalationOf(item, principal.roles, timeline.ok ? timeline.data.entries : []) };
  }));
  const roles = [...new Set(items.map((i) => i.role))].sort();

  return (
    <>
      <h1>Inbox</h1>
      <p className="muted">Approvals waiting for your roles ({principal.roles.join(', ')}), soonest due first. Claim one to decide it; a claimed item is yours until you decide it.</p>
      {items.length === 0 ? <div className="panel" data-testid="inbox-empty"><p><strong>Nothing waits for you.</strong></p></div> : null}
      {roles.map((role) => (
        <section key={role} aria-labelledby={`role-${role}`}>
          <h2 id={`role-${role}`}>Level of the role {role}</h2>
          <table aria-label={`Work items for ${role}`}>
            <thead><tr><th>Quote</th><th>Level</th><th>Why</th><th>SLA</th><th>Escalation</th><th>Held by</th><th /></tr></thead>
            <tbody>
              {details.filter((d) => d.item.role === role).map(({ item, quote, escalation }) => (
                <tr key={item.workItemId} data-testid={`work-item-${item.quoteId}`}>
                  <td>
                    <Link href={`/inbox/${item.workItemId}`}>{quote ? quote.customerName : item.quoteId.slice(0, 8)}</Link>
                    <div className="muted">revision {item.revision}{quote ? `, ${quote.accountId}` : ''}</div>
                  </td>
                  <td>{item.level}</td>
                  <td>{item.reasons.join('; ')}</td>
                  <td><DueTime dueAt={item.dueAt} /></td>
                  <td data-testid="escalation">{escalation}</td>
                  <td>{item.assignee === null ? <span className="muted">unclaimed</span> : item.assignee === principal.userId ? <strong>you</strong> : item.assignee}</td>
                  <td>{item.assignee === null ? <CommandButton label="Claim" busy="Claiming…" secondary run={claimAction.bind(null, item.workItemId)} /> : null}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </>
  );
}
