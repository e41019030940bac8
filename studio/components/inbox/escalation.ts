import type { TimelineEntry, WorkItem } from '@/lib/quote-api';

/**
 * Whether an open level was raised beyond its role: by its SLA timer's worker or by hand (the
 * timeline's ApprovalEscalated for this revision and level), or, seen from an approver who does
 * not hold the level's role, that it reached them by escalation.
 */
export function escalationOf(item: WorkItem, roles: readonly string[], timeline: TimelineEntry[]): string {
  const raised = timeline.filter((e) => e.action === 'quote.ApprovalEscalated' && e.revision === item.revision && e.details.level === item.level);
  const to = [...new Set(raised.map((e) => String(e.details.to)))];
  if (to.length > 0) return `escalated to ${to.join(', ')}${roles.includes(item.role) ? '' : ' (why you see it)'}`;
  if (!roles.includes(item.role)) return 'escalated to one of your roles';
  return 'not escalated';
}
