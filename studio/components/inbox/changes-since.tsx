import type { TimelineEntry } from '@/lib/quote-api';
import { eventWords, when } from '@/components/format';
import { quoteEventDetail } from '@/components/quote/quote-events';

const DECISIONS = new Set(['quote.ApprovalGranted', 'quote.ApprovalRefused']);
const MATERIAL = new Set(['quote.QuoteCreated', 'quote.QuoteLineAdded', 'quote.QuoteLineConfigured', 'quote.QuotePriced', 'quote.QuoteSubmittedForApproval', 'quote.QuoteRevised']);

/** The material changes after the quote's last approval decision (or, with none yet, to the revision decided). */
export function changesSince(entries: TimelineEntry[], revision: number): { since: TimelineEntry | undefined; changes: TimelineEntry[] } {
  const decisions = entries.filter((e) => DECISIONS.has(e.action));
  const since = decisions[decisions.length - 1];
  const after = since ? entries.filter((e) => e.at > since.at) : entries.filter((e) => e.revision === revision);
  return { since, changes: after.filter((e) => MATERIAL.has(e.action)) };
}

const detailText = quoteEventDetail;

/** Who changed what since the last decision: what the approver decides on that the last one did not see. */
export function ChangesSince({ entries, revision }: { entries: TimelineEntry[]; revision: number }) {
  const { since, changes } = changesSince(entries, revision);
  return (
    <section className="panel" aria-labelledby="changes-title">
      <h2 id="changes-title">{since ? `Changed since the last decision (${since.action.replace('quote.Approval', '').toLowerCase()} by ${since.actor.id}, ${when(since.at)})` : `Changes to revision ${revision} (no decision yet)`}</h2>
      {changes.length === 0 ? <p className="muted">Nothing.</p> : (
        <ol className="timeline" data-testid="changes-since">
          {changes.map((e, i) => <li key={i}><span className="muted">{when(e.at)}</span> <strong>{e.actor.id}</strong>: {eventWords(e.action)}{detailText(e) ? `: ${detailText(e)}` : ''}</li>)}
        </ol>
      )}
    </section>
  );
}
