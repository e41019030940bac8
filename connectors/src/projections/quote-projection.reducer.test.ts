import type { EventEnvelope } from '@cpq/contracts/event-envelope';
import { describe, expect, it } from 'vitest';
import { reduceQuote, worklistChange, type QuoteRow } from './quote-projection.reducer';

let version = 0;
const at = (eventType: string, payload: Record<string, unknown>): EventEnvelope => ({
  eventId: `e${++version}`, eventType, eventVersion: 1, tenantId: 't', aggregateType: 'QUOTE', aggregateId: 'q1', aggregateVersion: version,
  occurredAt: `2026-12-03T10:00:${String(version).padStart(2, '0')}.000Z`, correlationId: 'c', causationId: 'k', actor: { type: 'SYSTEM', id: 's' },
  payload: { quoteId: 'q1', ...payload },
});
const fold = (events: EventEnvelope[]) => events.reduce<QuoteRow | undefined>(reduceQuote, undefined);

describe('quote read model reducer (pure)', () => {
  it('follows the lifecycle; a line makes a priced quote a draft again and drops its totals', () => {
    const row = fold([
      at('QuoteCreated', { revision: 1, accountId: 'a', ownerId: 'o', currency: 'EUR', termMonths: 12, releaseId: 'r1' }),
      at('QuoteLineAdded', { revision: 1 }), at('QuotePriced', { revision: 1, totals: { oneTime: '1.00' } }), at('QuoteLineAdded', { revision: 1 }),
    ]);
    expect(row).toMatchObject({ state: 'draft', lineCount: 2, totals: null, version: 4, updatedAt: '2026-12-03T10:00:04.000Z' });
    expect(reduceQuote(row, at('QuotePriced', { revision: 1, totals: { oneTime: '2.00' } }))).toMatchObject({ state: 'priced', totals: { oneTime: '2.00' } });
  });

  it('ignores events before QuoteCreated and events of an older revision after a revise (only the version moves)', () => {
    expect(reduceQuote(undefined, at('QuotePriced', { revision: 1 }))).toBeUndefined();
    const revised = fold([at('QuoteCreated', { revision: 1, accountId: 'a', ownerId: 'o', currency: 'EUR', termMonths: 12, releaseId: 'r1' }), at('QuoteRevised', { revision: 1, newRevision: 2, releaseId: 'r2' })]);
    expect(revised).toMatchObject({ revision: 2, state: 'draft', releaseId: 'r2' });
    expect(reduceQuote(revised, at('QuoteWithdrawn', { revision: 1 }))).toMatchObject({ revision: 2, state: 'draft' });
  });

  it('opens worklist items on ApprovalRequested and closes a level or the whole revision', () => {
    expect(worklistChange(at('ApprovalRequested', { revision: 1, level: 2, role: 'finance', dueAt: '2026-12-05T00:00:00.000Z' }))).toMatchObject({ kind: 'add', item: { level: 2, role: 'finance', workItemId: null } });
    expect(worklistChange(at('ApprovalLevelApproved', { revision: 1, level: 1 }))).toEqual({ kind: 'close-level', quoteId: 'q1', revision: 1, level: 1 });
    for (const type of ['QuoteApproved', 'QuoteRejected', 'QuoteWithdrawn', 'QuoteExpired', 'QuoteSubmissionReverted', 'QuoteRevised']) {
      expect(worklistChange(at(type, { revision: 3 }))).toEqual({ kind: 'close-revision', quoteId: 'q1', revision: 3 });
    }
    expect(worklistChange(at('QuotePriced', { revision: 1 }))).toEqual({ kind: 'none' });
  });
});
