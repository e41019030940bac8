import type { TimelineEntry } from '@/lib/quote-api';
import { eventWords, when } from '@/components/format';
import { quoteEventDetail } from './quote-events';

/** Every command and decision on the quote, in order, with who, why and on which revision. */
export function TimelineView({ entries }: { entries: TimelineEntry[] }) {
  return (
    <section className="panel" aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      <ol className="timeline" data-testid="timeline">
        {entries.map((e, i) => (
          <li key={i}>
            <span className="muted">{when(e.at)}</span> <strong title={e.action}>{eventWords(e.action)}</strong>{quoteEventDetail(e) ? <> ({quoteEventDetail(e)})</> : null} by {e.actor.id}
            {e.revision !== null ? <span className="muted"> (revision {e.revision})</span> : null}
            {e.reason ? <>: “{e.reason}”</> : null}
          </li>
        ))}
      </ol>
    </section>
  );
}
