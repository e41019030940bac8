// Public surface of the document module: quote documents (PDF from a template version, bound to
// the sha256 of the quote's canonical material facts) and the check accept relies on.
export { createDocumentService } from './document.service';
export type { DocumentService, DocumentView, DocumentContent, DocumentVerification, DocumentCommandContext } from './document.service';
export { factsHash, canonicalFacts, quoteFactsIssues } from './quote-facts';
export type { QuoteMaterialFacts, QuoteLineFacts, QuoteCharge } from './quote-facts';
export { renderQuotePdf } from './quote-pdf';
export { latestTemplate, templateVersion, isTemplateKey, TEMPLATE_KEYS } from './templates';
export type { QuoteTemplate, TemplateKey } from './templates';
export const DOCUMENT_ERROR_CODES = ['document-not-found', 'document-stale'] as const;
export type DocumentErrorCode = (typeof DOCUMENT_ERROR_CODES)[number];
