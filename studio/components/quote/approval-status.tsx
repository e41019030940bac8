import type { ApprovalEvidence, TimelineEntry } from '@/lib/quote-api';
import type { ApprovalPolicyContent } from '@/lib/release-model';
import { when } from '@/components/format';
import { DueTime } from './due-time';

export type LevelStatus = {
  level: number;
  role: string;
  name: string;
  reasons: string[];
  dueAt: string;
  state: 'approved' | 'rejected' | 'waiting' | 'queued';
  decision?: ApprovalEvidence['decisions'][number];
  /** Roles the open level was raised to by its SLA (or by hand), from the timeline. */
  escalatedTo: { to: string; at: string }[];
};

/**
 * Each required level of the current revision and where it stands: decided (by whom, when,
 * why), waiting (the role that holds it, its SLA, any escalation), or queued behind the level
 * before it. From the approval evidence and the timeline, the engine's records.
 */
export function levelStatuses(evidence: ApprovalEvidence, timeline: TimelineEntry[], policy: ApprovalPolicyContent | undefined, revisionState: string): LevelStatus[] {
  const names = new Map((policy?.levels ?? []).map((l) => [l.level, l.name]));
  let open = false;
  return [...evidence.requirements].sort((a, b) => a.level - b.level).map((r) => {
    const decision = [...evidence.decisions].reverse().find((d) => d.level === r.level);
    const escalatedTo = timeline
      .filter((e) => e.action === 'quote.ApprovalEscalated' && e.revision === evidence.revision && e.details.level === r.level)
      .map((e) => ({ to: String(e.details.to), at: e.at }));
    let state: LevelStatus['state'];
    if (decision) state = decision.outcome === 'approved' ? 'approved' : 'rejected';
    else if (!open && revisionState === 'submitted') {
      state = 'waiting';
      open = true;
    } else state = 'queued';
    return { level: r.level, role: r.role, name: names.get(r.level) ?? r.role, reasons: r.reasons, dueAt: r.dueAt, state, decision, escalatedTo };
  });
}

export function ApprovalStatus({ levels, revision }: { levels: LevelStatus[]; revision: number }) {
  return (
    <section className="panel" aria-labelledby="approval-title">
      <h2 id="approval-title">Approval of revision {revision}</h2>
      {levels.length === 0 ? <p className="muted" data-testid="no-approval-needed">No level above the rep&apos;s own was required.</p> : (
        <ol className="approval-levels">
          {levels.map((l) => (
            <li key={l.level} className={l.state === 'waiting' ? 'waiting' : l.decision ? `decided-${l.decision.outcome}` : ''} data-testid={`approval-level-${l.level}`}>
              <strong>Level {l.level}: {l.name}</strong> <span className="muted">(role <code>{l.role}</code>)</span>
              {' '}
              {l.state === 'approved' || l.state === 'rejected' ? (
                <span>{l.state} by <strong>{l.decision!.decidedBy}</strong> on {when(l.decision!.decidedAt)}{l.decision!.reason ? <>: “{l.decision!.reason}”</> : null}</span>
              ) : l.state === 'waiting' ? (
                <span>waiting for a <strong>{l.role}</strong>{l.escalatedTo.length > 0 ? <>, escalated to <strong>{l.escalatedTo.map((e) => e.to).join(', ')}</strong></> : null}; SLA <DueTime dueAt={l.dueAt} /></span>
              ) : (
                <span className="muted">after the level before it</span>
              )}
              {l.reasons.length > 0 ? <div className="muted">Required because {l.reasons.join('; ')}</div> : null}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
