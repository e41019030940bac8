import type { EventEnvelope } from '@cpq/contracts/event-envelope';

/**
 * Operators resolve fallout cases (the order API's resolveFallout is theirs alone: the
 * authorization matrix); FalloutCaseOpened names no role, so the worklist gives every case to them.
 */
export const FALLOUT_ROLE = 'ops';

/** One open item of somebody's worklist: an approval level awaiting a decision, or a fallout case. */
export type WorkItem = {
  /** `approval:<quoteId>:<revision>:<level>` or `fallout:<caseId>`. */
  itemId: string;
  kind: 'approval' | 'fallout';
  tenantId: string;
  /** Who works it: the approval level's role, or operators for fallout. */
  role: string;
  quoteId: string | null; revision: number | null; level: number | null; workItemId: string | null;
  orderId: string | null; caseId: string | null; stepKey: string | null; category: string | null; source: string | null;
  allowedActions: string[] | null;
  /** The approval's reasons (joined) or the case's reason. */
  reason: string | null;
  /** When the event that opened it occurred, and its SLA due time. */
  openedAt: string; dueAt: string;
  /**
   * An approval offered to another role as well (ApprovalEscalated: its SLA passed, or an
   * approver raised it), and when; the level's role still holds it. Null when not escalated.
   */
  escalatedTo: string | null; escalatedAt: string | null;
};

/** What one event changes in the worklist. */
export type WorkChange =
  | { kind: 'open'; item: WorkItem }
  | { kind: 'close'; itemId: string }
  | { kind: 'close-approvals'; quoteId: string; revision: number }
  /**
   * An approval level escalated to another role. Kept even when its item is not open (yet): the
   * engine may escalate a level before its ApprovalRequested is written (announceNextLevel runs
   * after the decision's commit), so the item opened later is shown escalated.
   */
  | { kind: 'escalate'; itemId: string; tenantId: string; quoteId: string; revision: number; level: number; role: string;
      workItemId: string | null; escalatedTo: string; escalatedAt: string }
  | { kind: 'none' };

type Payload = Record<string, unknown>;
const str = (p: Payload, key: string) => String(p[key]);
const strOrNull = (p: Payload, key: string) => (typeof p[key] === 'string' ? (p[key] as string) : null);
export const approvalItemId = (quoteId: string, revision: number, level: number) => `approval:${quoteId}:${revision}:${level}`;
export const falloutItemId = (caseId: string) => `fallout:${caseId}`;

const none = {
  quoteId: null, revision: null, level: null, workItemId: null, orderId: null, caseId: null, stepKey: null, category: null, source: null, allowedActions: null,
  escalatedTo: null, escalatedAt: null,
};

const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
const isPositiveInteger = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 1;

/**
 * ApprovalEscalated's change, or an error naming what is malformed: the handler then fails, the
 * consumer retries and dead-letters the event and goes on (like any event its store cannot take),
 * rather than escalating an item `approval:undefined:NaN:NaN`.
 */
function escalation(event: EventEnvelope, p: Payload): WorkChange {
  const wrong = [
    ...(isText(p.quoteId) ? [] : ['quoteId']), ...(isPositiveInteger(p.revision) ? [] : ['revision']), ...(isPositiveInteger(p.level) ? [] : ['level']),
    ...(isText(p.role) ? [] : ['role']), ...(isText(p.to) ? [] : ['to']),
  ];
  if (wrong.length > 0) throw new Error(`ApprovalEscalated ${event.eventId}: malformed payload (${wrong.join(', ')})`);
  const [quoteId, revision, level] = [p.quoteId as string, p.revision as number, p.level as number];
  return {
    kind: 'escalate', itemId: approvalItemId(quoteId, revision, level), tenantId: event.tenantId, quoteId, revision, level, role: p.role as string,
    workItemId: strOrNull(p, 'workItemId'), escalatedTo: p.to as string, escalatedAt: event.occurredAt,
  };
}

/**
 * The worklist's part of an event, from both topics: an approval level opens with
 * ApprovalRequested, is offered to another role as well with ApprovalEscalated, and closes when it
 * is approved (ApprovalLevelApproved) or its revision's approval ends (approved, rejected,
 * withdrawn, expired, reverted, revised); a fallout case opens
 * with FalloutCaseOpened and closes with FalloutCaseResolved (an order's cancellation resolves its
 * open cases, each with that event). Pure and deterministic, like the other reducers.
 */
export function workChange(event: EventEnvelope): WorkChange {
  const p = event.payload as Payload;
  switch (event.eventType) {
    case 'ApprovalRequested': {
      const quoteId = str(p, 'quoteId');
      const [revision, level] = [Number(p.revision), Number(p.level)];
      const reasons = Array.isArray(p.reasons) ? p.reasons.map(String) : [];
      return {
        kind: 'open',
        item: {
          ...none, itemId: approvalItemId(quoteId, revision, level), kind: 'approval', tenantId: event.tenantId, role: str(p, 'role'),
          quoteId, revision, level, workItemId: strOrNull(p, 'workItemId'), reason: reasons.length > 0 ? reasons.join('; ') : null,
          openedAt: event.occurredAt, dueAt: str(p, 'dueAt'),
        },
      };
    }
    case 'ApprovalEscalated':
      return escalation(event, p);
    case 'ApprovalLevelApproved':
      return { kind: 'close', itemId: approvalItemId(str(p, 'quoteId'), Number(p.revision), Number(p.level)) };
    case 'QuoteApproved': case 'QuoteRejected': case 'QuoteWithdrawn': case 'QuoteExpired': case 'QuoteSubmissionReverted': case 'QuoteRevised':
      return { kind: 'close-approvals', quoteId: str(p, 'quoteId'), revision: Number(p.revision) };
    case 'FalloutCaseOpened':
      return {
        kind: 'open',
        item: {
          ...none, itemId: falloutItemId(str(p, 'caseId')), kind: 'fallout', tenantId: event.tenantId, role: FALLOUT_ROLE,
          orderId: str(p, 'orderId'), caseId: str(p, 'caseId'), stepKey: strOrNull(p, 'stepKey'), category: str(p, 'category'), source: str(p, 'source'),
          allowedActions: Array.isArray(p.allowedActions) ? p.allowedActions.map(String) : [], reason: str(p, 'reason'),
          openedAt: event.occurredAt, dueAt: str(p, 'slaDueAt'),
        },
      };
    case 'FalloutCaseResolved':
      return { kind: 'close', itemId: falloutItemId(str(p, 'caseId')) };
    default:
      return { kind: 'none' };
  }
}

/**
 * Where an open item stands against its SLA, as of `now`: derived when read, because time moves
 * without an event. An approval past its due time is where the approval process's SLA timer
 * escalates it (adds the next role as a candidate); to whom is the item's `escalatedTo`, from
 * ApprovalEscalated (ADR 0020, addendum).
 */
export function escalationOf(dueAt: string | Date, now: Date): 'within-sla' | 'breached' {
  return new Date(dueAt).getTime() <= now.getTime() ? 'breached' : 'within-sla';
}
