import { describe, expect, it } from 'vitest';
import { render } from 'vitest-browser-react';
import type { TimelineEntry, WorkItem } from '@/lib/quote-api';
import { authorityRows } from './authority-table';
import { ChangesSince, changesSince } from './changes-since';
import { escalationOf } from './escalation';

const entry = (at: string, action: string, actor: string, revision: number | null, details: Record<string, unknown> = {}): TimelineEntry => ({
  at, action: `quote.${action}`, actor: { type: 'USER', id: actor }, reason: null, revision, details, correlationId: 'c',
});
const item: WorkItem = {
  workItemId: 't1', kind: 'quote-approval', quoteId: 'q1', revision: 2, level: 2, role: 'sales-manager', reasons: ['maxDiscountPercent 15 % exceeds 10 %'],
  dueAt: '2026-12-05T12:00:00Z', createdAt: '2026-12-03T12:00:00Z', assignee: null, name: 'Approve quote',
};

describe('the approver\'s evidence', () => {
  it('compares each measure the level limits with what the deal requests', () => {
    const rows = authorityRows(
      { currency: 'EUR', discountPercent: '27.50', dealValue: '1200.00', termMonths: 24 },
      { maxDiscountPercent: '25', maxDealValue: { amount: '250000.00', currency: 'EUR' }, maxTermMonths: 60, minMarginPercent: '15' },
    );
    expect(rows.map((r) => [r.measure, r.requested, r.limit, r.within])).toEqual([
      ['Discount off the standard price', '27.50 %', 'up to 25 %', false],
      ['Deal value over the term', '1200.00 EUR', 'up to 250000.00 EUR', true],
      ['Term', '24 months', 'up to 60 months', true],
      ['Margin', 'unknown (no costs in the price books)', 'at least 15 %', undefined],
    ]);
  });

  it('a limit in another currency is never within (no rates), as the engine decides', () => {
    expect(authorityRows({ currency: 'USD', discountPercent: '0', dealValue: '1.00', termMonths: 12 }, { maxDealValue: { amount: '9.00', currency: 'EUR' } })[0]!.within).toBe(false);
  });

  it('lists the material changes after the last decision, or to the revision when none was made', () => {
    const entries = [
      entry('2026-12-03T10:00:00Z', 'QuoteCreated', 'rita', 1),
      entry('2026-12-03T10:05:00Z', 'ApprovalRefused', 'sam', 1),
      entry('2026-12-03T10:10:00Z', 'QuoteRevised', 'rita', 1, { newRevision: 2 }),
      entry('2026-12-03T10:11:00Z', 'QuoteLineConfigured', 'rob', 2, { lineId: 'L1', quantity: 3 }),
      entry('2026-12-03T10:12:00Z', 'QuoteDocumentGenerated', 'rita', 2),
    ];
    const { since, changes } = changesSince(entries, 2);
    expect(since?.actor.id).toBe('sam');
    expect(changes.map((e) => `${e.actor.id} ${e.action}`)).toEqual(['rita quote.QuoteRevised', 'rob quote.QuoteLineConfigured']);
    expect(changesSince(entries.slice(2), 2).changes.map((e) => e.action)).toEqual(['quote.QuoteLineConfigured']);
  });

  it('says each change in words, not as the event\'s type', async () => {
    const screen = await render(<ChangesSince revision={2} entries={[
      entry('2026-12-03T10:05:00Z', 'ApprovalRefused', 'sam', 1),
      entry('2026-12-03T10:10:00Z', 'QuoteRevised', 'rita', 1, { newRevision: 2 }),
      entry('2026-12-03T10:11:00Z', 'QuoteLineConfigured', 'rob', 2, { lineId: 'L1', offering: 'business-internet', quantity: 3 }),
      entry('2026-12-03T10:12:00Z', 'QuoteSubmittedForApproval', 'rita', 2),
    ]} />);
    const items = screen.getByTestId('changes-since').getByRole('listitem');
    await expect.element(items.nth(0)).toHaveTextContent('2026-12-03 10:10 UTC rita: Revised: to revision 2');
    await expect.element(items.nth(1)).toHaveTextContent('2026-12-03 10:11 UTC rob: Line configured: L1 business-internet × 3');
    await expect.element(items.nth(2)).toHaveTextContent('2026-12-03 10:12 UTC rita: Submitted for approval');
  });

  it('says whether and to whom a level was escalated', () => {
    const escalated = [entry('2026-12-05T12:01:00Z', 'ApprovalEscalated', 'sla-timer', 2, { revision: 2, level: 2, to: 'finance' })];
    expect(escalationOf(item, ['sales-manager'], [])).toBe('not escalated');
    expect(escalationOf(item, ['sales-manager'], escalated)).toBe('escalated to finance');
    expect(escalationOf(item, ['finance'], escalated)).toBe('escalated to finance (why you see it)');
    expect(escalationOf(item, ['finance'], [entry('x', 'ApprovalEscalated', 'sla-timer', 1, { level: 2, to: 'finance' })])).toBe('escalated to one of your roles');
  });
});
