import type { TimelineEntry } from '@/lib/quote-api';

type Details = {
  lineId?: string; offering?: string; quantity?: number; valid?: boolean; assetId?: string | null;
  totals?: { termTotal?: string }; newRevision?: number; documentId?: string; validUntil?: string;
  required?: { level?: number; role?: string }[]; level?: number; role?: string; to?: string;
};

/**
 * What a quote timeline entry was about, in a few words from its details (the line and its
 * offering, the total priced, the revision it moved to): '' when the action says it all.
 * The quote's own timeline and the approver's "changed since" list read it alike.
 */
export function quoteEventDetail(e: Pick<TimelineEntry, 'action' | 'details'>): string {
  const d = e.details as Details;
  switch (e.action) {
    case 'quote.QuoteLineAdded':
    case 'quote.QuoteLineConfigured':
      return `${d.lineId ?? ''}${d.offering ? ` ${d.offering}` : ''}${d.quantity !== undefined ? ` × ${d.quantity}` : ''}${d.valid === false ? ', invalid' : ''}`.trim();
    case 'quote.QuoteLineDisconnected':
      return `${d.lineId ?? ''}${d.assetId ? ` (asset ${d.assetId})` : ''}`.trim();
    case 'quote.QuotePriced':
      return d.totals?.termTotal ? `term total ${d.totals.termTotal}` : '';
    case 'quote.QuoteRevised':
      return d.newRevision ? `to revision ${d.newRevision}` : '';
    case 'quote.QuoteSubmittedForApproval':
      return Array.isArray(d.required) && d.required.length > 0
        ? `needs ${d.required.map((r) => r.role ?? `level ${r.level}`).join(', then ')}`
        : Array.isArray(d.required) ? 'no approval needed' : '';
    case 'quote.QuoteDocumentGenerated':
      return d.documentId ? `document ${d.documentId}` : '';
    case 'quote.QuoteExpired':
      return d.validUntil ? `valid until ${d.validUntil}` : '';
    default:
      return '';
  }
}
