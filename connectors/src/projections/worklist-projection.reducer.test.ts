import type { EventEnvelope } from '@cpq/contracts/event-envelope';
import { describe, expect, it } from 'vitest';
import { escalationOf, workChange } from './worklist-projection.reducer';

const at = (aggregateType: 'QUOTE' | 'ORDER', eventType: string, payload: Record<string, unknown>): EventEnvelope => ({
  eventId: 'e', eventType, eventVersion: 1, tenantId: 't', aggregateType, aggregateId: 'a', aggregateVersion: 1,
  occurredAt: '2026-12-04T10:00:00.000Z', correlationId: 'c', causationId: 'k', actor: { type: 'SYSTEM', id: 's' }, payload,
});

describe('worklist reducer (pure)', () => {
  it('opens an approval level for its role with its due time and reasons, and closes it or its whole revision', () => {
    expect(workChange(at('QUOTE', 'ApprovalRequested', { quoteId: 'q', revision: 2, level: 1, role: 'sales-manager', dueAt: '2026-12-06T10:00:00.000Z', workItemId: 'task-1', reasons: ['discount 15 %', 'term'] })))
      .toEqual({ kind: 'open', item: expect.objectContaining({ itemId: 'approval:q:2:1', kind: 'approval', role: 'sales-manager', quoteId: 'q', revision: 2, level: 1, workItemId: 'task-1', reason: 'discount 15 %; term', dueAt: '2026-12-06T10:00:00.000Z', openedAt: '2026-12-04T10:00:00.000Z', orderId: null }) });
    expect(workChange(at('QUOTE', 'ApprovalLevelApproved', { quoteId: 'q', revision: 2, level: 1, decisionId: 'd' }))).toEqual({ kind: 'close', itemId: 'approval:q:2:1' });
    for (const type of ['QuoteApproved', 'QuoteRejected', 'QuoteWithdrawn', 'QuoteExpired', 'QuoteSubmissionReverted', 'QuoteRevised']) {
      expect(workChange(at('QUOTE', type, { quoteId: 'q', revision: 2 }))).toEqual({ kind: 'close-approvals', quoteId: 'q', revision: 2 });
    }
  });

  it('marks an approval level escalated to another role, from ApprovalEscalated, at the time it occurred', () => {
    const payload = { quoteId: 'q', revision: 2, level: 1, role: 'sales-manager', to: 'finance', workItemId: 'task-1' };
    expect(workChange(at('QUOTE', 'ApprovalEscalated', payload))).toEqual({
      kind: 'escalate', itemId: 'approval:q:2:1', tenantId: 't', quoteId: 'q', revision: 2, level: 1, role: 'sales-manager',
      workItemId: 'task-1', escalatedTo: 'finance', escalatedAt: '2026-12-04T10:00:00.000Z',
    });
    // An item opened by its request is not escalated.
    expect(workChange(at('QUOTE', 'ApprovalRequested', { quoteId: 'q', revision: 2, level: 1, role: 'sales-manager', dueAt: '2026-12-06T10:00:00.000Z' })))
      .toMatchObject({ kind: 'open', item: { escalatedTo: null, escalatedAt: null, workItemId: null } });
  });

  it('refuses a malformed ApprovalEscalated (the consumer dead-letters it) instead of escalating an item of nothing', () => {
    const good = { quoteId: 'q', revision: 2, level: 1, role: 'sales-manager', to: 'finance', workItemId: 'task-1' };
    expect(() => workChange(at('QUOTE', 'ApprovalEscalated', {}))).toThrow(/ApprovalEscalated e: malformed payload \(quoteId, revision, level, role, to\)/);
    expect(() => workChange(at('QUOTE', 'ApprovalEscalated', { ...good, revision: '2' }))).toThrow(/\(revision\)/);
    expect(() => workChange(at('QUOTE', 'ApprovalEscalated', { ...good, level: 0 }))).toThrow(/\(level\)/);
    expect(() => workChange(at('QUOTE', 'ApprovalEscalated', { ...good, to: '' }))).toThrow(/\(to\)/);
    expect(() => workChange(at('QUOTE', 'ApprovalEscalated', { ...good, to: null }))).toThrow(/\(to\)/);
  });

  it('gives a fallout case to operators with its category, actions and SLA, and closes it when resolved', () => {
    expect(workChange(at('ORDER', 'FalloutCaseOpened', { orderId: 'o', caseId: 'c', stepKey: null, category: 'business-fallout', reason: 'stale', source: 'decomposition', slaDueAt: '2026-12-05T10:00:00.000Z', allowedActions: ['retry', 'cancel'] })))
      .toEqual({ kind: 'open', item: expect.objectContaining({ itemId: 'fallout:c', kind: 'fallout', role: 'ops', orderId: 'o', caseId: 'c', stepKey: null, category: 'business-fallout', allowedActions: ['retry', 'cancel'], dueAt: '2026-12-05T10:00:00.000Z', quoteId: null }) });
    expect(workChange(at('ORDER', 'FalloutCaseResolved', { orderId: 'o', caseId: 'c', action: 'cancel', resolvedBy: 'olga' }))).toEqual({ kind: 'close', itemId: 'fallout:c' });
    expect(workChange(at('ORDER', 'OrderPlanned', { orderId: 'o' }))).toEqual({ kind: 'none' });
  });

  it('says where an item stands against its SLA as of the time it is read', () => {
    const due = '2026-12-05T10:00:00.000Z';
    expect(escalationOf(due, new Date('2026-12-05T09:59:59.999Z'))).toBe('within-sla');
    expect(escalationOf(due, new Date(due))).toBe('breached');
  });
});
