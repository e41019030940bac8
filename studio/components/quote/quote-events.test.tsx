import { describe, expect, it } from 'vitest';
import { render } from 'vitest-browser-react';
import type { TimelineEntry } from '@/lib/quote-api';
import { quoteEventDetail } from './quote-events';
import { TimelineView } from './timeline-view';

const entry = (action: string, details: Record<string, unknown> = {}, actor = 'rita'): TimelineEntry => ({
  at: '2026-12-04T09:00:00Z', action: `quote.${action}`, actor: { type: 'USER', id: actor }, reason: null, revision: 1, details, correlationId: 'c',
});

describe('what a quote timeline entry was about', () => {
  it.each([
    ['QuoteLineAdded', { lineId: 'L1', offering: 'business-internet', quantity: 3, valid: true }, 'L1 business-internet × 3'],
    ['QuoteLineConfigured', { lineId: 'L2', offering: 'business-internet', quantity: 1, valid: false }, 'L2 business-internet × 1, invalid'],
    ['QuoteLineDisconnected', { lineId: 'L2', assetId: 'a-1' }, 'L2 (asset a-1)'],
    ['QuotePriced', { totals: { termTotal: '2144.40' } }, 'term total 2144.40'],
    ['QuoteRevised', { newRevision: 2 }, 'to revision 2'],
    ['QuoteSubmittedForApproval', { required: [{ level: 1, role: 'sales-manager' }, { level: 2, role: 'finance' }] }, 'needs sales-manager, then finance'],
    ['QuoteSubmittedForApproval', { required: [] }, 'no approval needed'],
    ['QuoteDocumentGenerated', { documentId: 'd-1' }, 'document d-1'],
    ['QuoteExpired', { validUntil: '2026-12-31' }, 'valid until 2026-12-31'],
  ])('%s names what it changed', (action, details, words) => {
    expect(quoteEventDetail(entry(action, details))).toBe(words);
  });

  it('says nothing more where the action says it all, or the details are missing', () => {
    expect(quoteEventDetail(entry('QuoteAccepted', { acceptedBy: 'rita' }))).toBe('');
    expect(quoteEventDetail(entry('QuotePriced'))).toBe('');
    expect(quoteEventDetail(entry('QuoteLineConfigured'))).toBe('');
  });

  it('the quote timeline shows it beside the action', async () => {
    const screen = await render(<TimelineView entries={[entry('QuoteLineConfigured', { lineId: 'L1', offering: 'business-internet', quantity: 2 }), entry('QuoteAccepted')]} />);
    const items = [...screen.getByTestId('timeline').element().querySelectorAll('li')].map((li) => li.textContent);
    expect(items).toHaveLength(2);
    expect(items[0]).toContain('Line configured (L1 business-internet × 2) by rita');
    expect(items[1]).toMatch(/Accepted by rita/);
  });
});
