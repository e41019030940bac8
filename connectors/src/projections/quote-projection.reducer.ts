import type { EventEnvelope } from '@cpq/contracts/event-envelope';

/** One row of the quote read model: a quote as a list screen or a report needs it. */
export type QuoteRow = {
  tenantId: string; quoteId: string; revision: number; state: string;
  accountId: string; ownerId: string; currency: string; termMonths: number; releaseId: string;
  lineCount: number; totals: Record<string, unknown> | null; documentId: string | null;
  /** The aggregate version of the last event applied, and when it occurred. */
  version: number; updatedAt: string;
};

/** One open approval level of a submitted revision: the worklist of approvers. */
export type WorklistItem = {
  tenantId: string; quoteId: string; revision: number; level: number; role: string;
  dueAt: string; workItemId: string | null; requestedAt: string;
};

/** What one event changes in the worklist. */
export type WorklistChange =
  | { kind: 'add'; item: WorklistItem }
  | { kind: 'close-level'; quoteId: string; revision: number; level: number }
  | { kind: 'close-revision'; quoteId: string; revision: number }
  | { kind: 'none' };

type Payload = Record<string, unknown>;
const num = (p: Payload, key: string) => Number(p[key]);
const str = (p: Payload, key: string) => String(p[key]);

/**
 * The quote read model as a pure fold over the quote's events (seed section 9: projections are
 * derived and can be rebuilt from the log). `undefined` before QuoteCreated; an event of an older
 * revision than the row's changes nothing (a revise moved on). Deterministic: replaying the same
 * events in order gives the same row, which is what makes a rebuild from offset zero safe.
 */
export function reduceQuote(row: QuoteRow | undefined, event: EventEnvelope): QuoteRow | undefined {
  const p = event.payload as Payload;
  const touched = (next: Partial<QuoteRow>): QuoteRow | undefined =>
    row && { ...row, ...next, version: event.aggregateVersion, updatedAt: event.occurredAt };
  if (event.eventType === 'QuoteCreated') {
    return {
      tenantId: event.tenantId, quoteId: str(p, 'quoteId'), revision: num(p, 'revision'), state: 'draft',
      accountId: str(p, 'accountId'), ownerId: str(p, 'ownerId'), currency: str(p, 'currency'), termMonths: num(p, 'termMonths'),
      releaseId: str(p, 'releaseId'), lineCount: 0, totals: null, documentId: null, version: event.aggregateVersion, updatedAt: event.occurredAt,
    };
  }
  if (!row) return undefined;
  if (event.eventType === 'QuoteRevised') {
    return touched({ revision: num(p, 'newRevision'), state: 'draft', totals: null, documentId: null, ...(p.releaseId ? { releaseId: str(p, 'releaseId') } : {}) });
  }
  if (typeof p.revision === 'number' && p.revision !== row.revision) return touched({});
  switch (event.eventType) {
    case 'QuoteLineAdded': return touched({ state: 'draft', lineCount: row.lineCount + 1, totals: null });
    case 'QuoteLineConfigured': return touched({ state: 'draft', totals: null });
    case 'QuotePriced': return touched({ state: 'priced', totals: (p.totals as Record<string, unknown>) ?? null });
    case 'QuoteSubmittedForApproval': return touched({ state: 'submitted' });
    case 'QuoteSubmissionReverted': return touched({ state: 'priced' });
    case 'QuoteApproved': return touched({ state: 'approved' });
    case 'QuoteRejected': return touched({ state: 'rejected' });
    case 'QuoteDocumentGenerated': return touched({ documentId: str(p, 'documentId') });
    case 'QuoteAccepted': return touched({ state: 'accepted' });
    case 'QuoteWithdrawn': return touched({ state: 'withdrawn' });
    case 'QuoteExpired': return touched({ state: 'expired' });
    default: return touched({});
  }
}

/** The worklist's part of an event: a level requested, decided, or the revision's approval over. */
export function worklistChange(event: EventEnvelope): WorklistChange {
  const p = event.payload as Payload;
  switch (event.eventType) {
    case 'ApprovalRequested':
      return {
        kind: 'add',
        item: {
          tenantId: event.tenantId, quoteId: str(p, 'quoteId'), revision: num(p, 'revision'), level: num(p, 'level'), role: str(p, 'role'),
          dueAt: str(p, 'dueAt'), workItemId: typeof p.workItemId === 'string' ? p.workItemId : null, requestedAt: event.occurredAt,
        },
      };
    case 'ApprovalLevelApproved':
      return { kind: 'close-level', quoteId: str(p, 'quoteId'), revision: num(p, 'revision'), level: num(p, 'level') };
    case 'QuoteApproved': case 'QuoteRejected': case 'QuoteWithdrawn': case 'QuoteExpired': case 'QuoteSubmissionReverted': case 'QuoteRevised':
      return { kind: 'close-revision', quoteId: str(p, 'quoteId'), revision: num(p, 'revision') };
    default:
      return { kind: 'none' };
  }
}
