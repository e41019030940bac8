import Link from 'next/link';
import { getEngine } from '@/lib/engine-client';
import type { FalloutWorkItem } from '@/lib/order-api';
import { requirePrincipal } from '@/lib/session';
import { when } from '@/components/format';
import { ProblemView } from '@/components/problem-view';
import { CATEGORY } from '@/components/ops/fallout-words';
import { DueTime } from '@/components/quote/due-time';
import '@/components/quote/quote.css';

/**
 * The operators' fallout inbox: cases the order work could not finish on its own (category,
 * reason, the step, its SLA and the recovery actions the case allows), open ones first by SLA,
 * as the engine lists them (GET /fallout-work-items, ops and admins).
 */
export default async function FalloutInboxPage({ searchParams }: { searchParams: Promise<{ state?: string }> }) {
  const principal = await requirePrincipal();
  const { state = 'open' } = await searchParams;
  const query = state === 'open' || state === 'resolved' ? `?state=${state}` : '';
  const list = await getEngine<{ items: FalloutWorkItem[] }>(`/fallout-work-items${query}`);
  return (
    <>
      <h1>Fallout</h1>
      <p className="muted">Order work that stopped and needs an operator ({principal.roles.join(', ')}): each case says why, by when, and what may be done.</p>
      <form className="panel row" role="search" aria-label="Filter fallout cases">
        <div>
          <label htmlFor="state">Cases</label>
          <select id="state" name="state" defaultValue={state}>
            <option value="open">Open</option>
            <option value="resolved">Resolved</option>
            <option value="all">All</option>
          </select>
        </div>
        <button type="submit">Show</button>
      </form>
      {!list.ok ? <ProblemView problem={list.problem} /> : list.data.items.length === 0 ? (
        <div className="panel" data-testid="fallout-empty"><p><strong>No {state === 'all' ? '' : `${state} `}fallout cases.</strong></p></div>
      ) : (
        <table aria-label="Fallout cases">
          <thead><tr><th>Case</th><th>Category</th><th>Order step</th><th>Reason</th><th>SLA</th><th>Allowed actions</th><th>State</th></tr></thead>
          <tbody>
            {list.data.items.map((c) => (
              <tr key={c.workItemId} data-testid={`fallout-${c.orderId}`}>
                <td><Link href={`/ops/${c.workItemId}`}>{c.source} {when(c.createdAt)}</Link></td>
                <td><strong>{c.category}</strong><div className="muted">{CATEGORY[c.category]}</div></td>
                <td><code>{c.orderId.slice(0, 8)}</code>{c.stepKey ? <> · {c.stepKey}</> : <span className="muted"> · the whole order</span>}</td>
                <td>{c.reason}</td>
                <td>{c.state === 'open' ? <DueTime dueAt={c.slaDueAt} /> : when(c.slaDueAt)}</td>
                <td>{c.allowedActions.join(', ')}</td>
                <td>{c.state}{c.resolution ? <div className="muted">{c.resolution.action} by {c.resolution.resolvedBy}</div> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
