/**
 * The registry of quote document templates. A template version is immutable: a customer may
 * hold a document printed from it, and the row records (key, version). Changing what a
 * template prints or how (a label, a column, a width, the terms, the layout routine) means
 * adding the next version to its list, never editing one that has shipped; quote-pdf.test.ts
 * pins a fingerprint of each shipped version and of a PDF printed from it, and fails when
 * either changes.
 *
 * A template is data only; `layout` names the routine in quote-pdf.ts that interprets it, so a
 * change of that routine's output is a new layout name as well.
 */

export type TemplateLayout = 'lines-table/1';

export type ColumnId = 'item' | 'quantity' | 'billing' | 'unitNet' | 'lineNet' | 'termTotal';

export type TemplateColumn = { id: ColumnId; label: string; width: number; align: 'left' | 'right' };

/** Placeholders a terms paragraph may use; quote-pdf.ts fills them from the facts. */
export const TERMS_PLACEHOLDERS = ['quoteId', 'revision', 'validUntil', 'termMonths', 'currency', 'releaseNumber'] as const;
export type TermsPlaceholder = (typeof TERMS_PLACEHOLDERS)[number];

export type QuoteTemplate = {
  key: string;
  version: number;
  layout: TemplateLayout;
  description: string;
  /** Points (1/72 in). The bottom margin holds the footer. */
  page: { size: 'A4' | 'LETTER'; margins: { top: number; bottom: number; left: number; right: number } };
  /** Standard PDF fonts only: nothing is read from disk and nothing is embedded. */
  fonts: { regular: 'Helvetica'; bold: 'Helvetica-Bold' };
  sizes: { title: number; heading: number; body: number; table: number; small: number };
  labels: {
    title: string;
    quote: string;
    revision: string;
    customer: string;
    account: string;
    validUntil: string;
    currency: string;
    term: string;
    months: string;
    release: string;
    priceResult: string;
    lines: string;
    configuration: string;
    continued: string;
    oneTime: string;
    monthly: string;
    annual: string;
    totals: { oneTime: string; monthly: string; annual: string; termTotal: string };
    terms: string;
    factsHash: string;
    template: string;
    page: string;
    of: string;
  };
  /** Column widths must add up to the page width between the margins. */
  columns: readonly TemplateColumn[];
  /** Money column labels get ` (<currency>)` appended. */
  moneyColumns: readonly ColumnId[];
  /**
   * Bounds that keep every table row shorter than a page. Configurations are printed as
   * `key: value; ...` paragraphs of at most `chunkChars` characters (split between entries),
   * each value cut to `valueChars`, and any other text (names) to `textChars`, with an ellipsis.
   * The facts, and so their hash, always keep the full values.
   */
  limits: { textChars: number; valueChars: number; chunkChars: number };
  /** Paragraphs; `{placeholder}` is filled from the facts (TERMS_PLACEHOLDERS). */
  terms: readonly string[];
};

const QUOTE_STANDARD_V1: QuoteTemplate = {
  key: 'quote-standard',
  version: 1,
  layout: 'lines-table/1',
  description: 'Standard quotation: customer, validity, one table row per charge of each line, totals, terms.',
  page: { size: 'A4', margins: { top: 48, bottom: 64, left: 40, right: 40 } },
  fonts: { regular: 'Helvetica', bold: 'Helvetica-Bold' },
  sizes: { title: 20, heading: 11, body: 9, table: 8, small: 7 },
  labels: {
    title: 'Quotation',
    quote: 'Quote',
    revision: 'Revision',
    customer: 'Customer',
    account: 'Account',
    validUntil: 'Valid until',
    currency: 'Currency',
    term: 'Term',
    months: 'months',
    release: 'Catalogue release',
    priceResult: 'Price result',
    lines: 'Lines',
    configuration: 'Configuration',
    continued: 'continued',
    oneTime: 'one-time',
    monthly: 'monthly',
    annual: 'annual',
    totals: { oneTime: 'One-time total', monthly: 'Monthly total', annual: 'Annual total', termTotal: 'Total over the term' },
    terms: 'Terms',
    factsHash: 'Facts SHA-256',
    template: 'Template',
    page: 'Page',
    of: 'of',
  },
  // A4 is 595.28 pt wide; 595.28 - 40 - 40 = 515.28.
  columns: [
    { id: 'item', label: 'Item', width: 200, align: 'left' },
    { id: 'quantity', label: 'Qty', width: 35, align: 'right' },
    { id: 'billing', label: 'Billing', width: 60, align: 'left' },
    { id: 'unitNet', label: 'Unit net', width: 70, align: 'right' },
    { id: 'lineNet', label: 'Line net', width: 70, align: 'right' },
    { id: 'termTotal', label: 'Term total', width: 80, align: 'right' },
  ],
  moneyColumns: ['unitNet', 'lineNet', 'termTotal'],
  limits: { textChars: 300, valueChars: 300, chunkChars: 900 },
  terms: [
    'This offer is valid until {validUntil} (inclusive) and is accepted only as revision {revision} of quote {quoteId}; any later change to its lines, configuration or prices requires a new revision and a new document.',
    'All amounts are net of taxes, in {currency}, as computed by the price result named above from catalogue release #{releaseNumber}. Recurring charges are billed for the committed term of {termMonths} months; the term total is the amount committed over that term.',
    'The facts SHA-256 in the footer identifies the exact commercial content of this document; acceptance is refused for a document whose facts no longer match the quote.',
  ],
};

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Every version of every template, oldest first: append, never edit or remove. */
export const QUOTE_TEMPLATES = deepFreeze({
  'quote-standard': [QUOTE_STANDARD_V1],
} as const satisfies Record<string, readonly QuoteTemplate[]>);

export type TemplateKey = keyof typeof QUOTE_TEMPLATES;

export const TEMPLATE_KEYS = Object.keys(QUOTE_TEMPLATES) as TemplateKey[];

export const isTemplateKey = (key: string): key is TemplateKey => Object.hasOwn(QUOTE_TEMPLATES, key);

/** The version new documents are printed from: the last one registered. */
export function latestTemplate(key: TemplateKey): QuoteTemplate {
  const versions: readonly QuoteTemplate[] = QUOTE_TEMPLATES[key];
  const latest = versions[versions.length - 1];
  if (!latest) throw new Error(`template ${key} has no version`);
  return latest;
}

/** A recorded (key, version), e.g. to explain a stored document; undefined when unknown. */
export function templateVersion(key: string, version: number): QuoteTemplate | undefined {
  if (!isTemplateKey(key)) return undefined;
  const versions: readonly QuoteTemplate[] = QUOTE_TEMPLATES[key];
  return versions.find((t) => t.version === version);
}
