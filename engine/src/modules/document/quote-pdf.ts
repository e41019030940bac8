import PDFDocument from 'pdfkit';
import { canonicalFacts, factsHash, quoteFactsIssues, type QuoteCharge, type QuoteMaterialFacts } from './quote-facts';
import { TERMS_PLACEHOLDERS, type ColumnId, type QuoteTemplate, type TermsPlaceholder } from './templates';

/**
 * Prints a quote from its material facts with one template version, as a PDF.
 *
 * Deterministic: the same facts (whatever their key order) and template give the same bytes,
 * so a document can be re-rendered and compared, and a test can pin its hash. That needs:
 * - the facts normalised first (canonical JSON parsed back), so object key order, e.g. of a
 *   configuration, cannot reorder what is printed;
 * - fixed document info: pdfkit stamps `CreationDate: new Date()` and derives the trailer /ID
 *   from an md5 of the info dictionary, so both dates are set from `validUntil` (midnight UTC)
 *   and /ID follows from the facts;
 * - the standard Helvetica fonts (AFM metrics bundled with pdfkit, no file read, no subset tag);
 * - `compress: false`: content streams are not run through the platform's zlib, whose output
 *   may differ between Node/zlib builds; the bytes depend on pdfkit and this file only.
 * Money strings are printed exactly as given (they are validated decimal strings, never parsed).
 */
export async function renderQuotePdf(facts: QuoteMaterialFacts, template: QuoteTemplate): Promise<Buffer> {
  const issues = quoteFactsIssues(facts);
  if (issues.length > 0) throw new Error(`quote facts are not valid: ${issues.slice(0, 10).join('; ')}`);
  switch (template.layout) {
    case 'lines-table/1':
      return linesTableV1(JSON.parse(canonicalFacts(facts)) as QuoteMaterialFacts, factsHash(facts), template);
    default:
      return assertNever(template.layout);
  }
}

function assertNever(value: never): never {
  throw new Error(`unknown template layout ${String(value)}`);
}

// WinAnsiEncoding (the standard fonts' encoding) holds Latin-1 plus these code points; any
// other character would print as a wrong glyph, so it prints as '?' (the facts keep it).
const WIN_ANSI_EXTRA = new Set([
  0x20ac, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x017d,
  0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x017e, 0x0178,
]);

/** Text as the standard fonts can print it: NFC, WinAnsi characters, no control characters. */
export function printable(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFC')) {
    const cp = ch.codePointAt(0) ?? 0;
    if ((cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff) || WIN_ANSI_EXTRA.has(cp)) out += ch;
    else if (cp === 0x09 || cp === 0x0a || cp === 0x0d) out += ' ';
    else out += '?';
  }
  return out;
}

const clip = (text: string, max: number) => ([...text].length > max ? `${[...text].slice(0, max - 1).join('')}\u2026` : text);

/** A configuration value as printed: scalars as written, lists joined, objects as canonical JSON. */
function configValue(value: unknown): string {
  if (value === null) return '-';
  if (Array.isArray(value)) return value.map(configValue).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** `key: value; ...` paragraphs of at most `chunkChars`, split between entries only. */
export function configurationChunks(configuration: Record<string, unknown>, limits: QuoteTemplate['limits']): string[] {
  const entries = Object.keys(configuration)
    .sort()
    .filter((key) => configuration[key] !== undefined)
    .map((key) => `${clip(key, limits.valueChars)}: ${clip(configValue(configuration[key]), limits.valueChars)}`);
  const chunks: string[] = [];
  let current = '';
  for (const entry of entries) {
    if (current && current.length + 2 + entry.length > limits.chunkChars) {
      chunks.push(current);
      current = '';
    }
    current = current ? `${current}; ${entry}` : entry;
  }
  if (current) chunks.push(current);
  return chunks;
}

/** Fills `{placeholder}`s of a terms paragraph; an unknown placeholder is a template bug. */
export function fillTerms(text: string, facts: QuoteMaterialFacts): string {
  const values: Record<TermsPlaceholder, string> = {
    quoteId: facts.quoteId,
    revision: String(facts.revision),
    validUntil: facts.validUntil,
    termMonths: String(facts.termMonths),
    currency: facts.currency,
    releaseNumber: String(facts.releaseNumber),
  };
  return text.replace(/\{([A-Za-z]+)\}/g, (_match, name: string) => {
    if (!(TERMS_PLACEHOLDERS as readonly string[]).includes(name)) throw new Error(`unknown terms placeholder {${name}}`);
    return values[name as TermsPlaceholder];
  });
}

const billingOf = (charge: QuoteCharge, t: QuoteTemplate): string =>
  charge.chargeType === 'one-time' ? t.labels.oneTime : charge.period === 'annual' ? t.labels.annual : t.labels.monthly;

type Cell = { x: number; width: number; text: string; align?: 'left' | 'right'; bold?: boolean; size: number; color?: string };
type Row = Cell[];

const PAD = 2;
const TEXT = '#000000';
const MUTED = '#555555';

function linesTableV1(f: QuoteMaterialFacts, hash: string, t: QuoteTemplate): Promise<Buffer> {
  // Midnight UTC of the last valid day: a fixed value that belongs to the facts.
  const stamp = new Date(`${f.validUntil}T00:00:00.000Z`);
  const title = `${t.labels.quote} ${f.quoteId} ${t.labels.revision.toLowerCase()} ${f.revision}`;
  const doc = new PDFDocument({
    size: t.page.size,
    margins: t.page.margins,
    bufferPages: true,
    compress: false,
    font: t.fonts.regular,
    info: {
      Title: printable(title),
      Subject: printable(`${t.labels.title} for ${f.customer.name}`),
      Keywords: `facts-sha256:${hash}`,
      Creator: `cpq document ${t.key} v${t.version}`,
      Producer: 'PDFKit',
      CreationDate: stamp,
      ModDate: stamp,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const { margins } = t.page;
  const left = margins.left;
  const right = doc.page.width - margins.right;
  const contentWidth = right - left;
  const contentBottom = () => doc.page.height - margins.bottom;
  const colX = {} as Record<ColumnId, number>;
  const colW = {} as Record<ColumnId, number>;
  let cx = left;
  for (const column of t.columns) {
    colX[column.id] = cx;
    colW[column.id] = column.width;
    cx += column.width;
  }
  const align = (id: ColumnId) => t.columns.find((c) => c.id === id)?.align ?? 'left';
  const text = (s: string) => printable(clip(s, t.limits.textChars));
  const col = (id: ColumnId, s: string, extra: Partial<Cell> = {}): Cell =>
    ({ x: colX[id], width: colW[id], text: s, align: align(id), size: t.sizes.table, ...extra });

  const setFont = (cell: Pick<Cell, 'bold' | 'size'>) => doc.font(cell.bold ? t.fonts.bold : t.fonts.regular).fontSize(cell.size);
  const cellHeight = (cell: Cell) => (cell.text ? setFont(cell).heightOfString(cell.text, { width: cell.width - 2 * PAD }) : 0);
  const rowHeight = (row: Row) => Math.max(0, ...row.map(cellHeight)) + 2 * PAD;
  let y = margins.top;

  const drawRow = (row: Row) => {
    const height = rowHeight(row);
    for (const cell of row) {
      if (!cell.text) continue;
      setFont(cell).fillColor(cell.color ?? TEXT).text(cell.text, cell.x + PAD, y + PAD, { width: cell.width - 2 * PAD, align: cell.align ?? 'left' });
    }
    y += height;
  };
  const rule = (weight: number, color = MUTED) => {
    doc.save().moveTo(left, y).lineTo(right, y).lineWidth(weight).strokeColor(color).stroke().restore();
  };

  // --- heading --------------------------------------------------------------------------------
  const half = contentWidth / 2;
  const headTop = y;
  drawRow([{ x: left, width: half, text: t.labels.title, bold: true, size: t.sizes.title }]);
  const titleBottom = y;
  y = headTop;
  drawRow([{ x: left + half, width: half, text: text(`${t.labels.quote} ${f.quoteId}`), bold: true, align: 'right', size: t.sizes.heading }]);
  drawRow([{ x: left + half, width: half, text: `${t.labels.revision} ${f.revision}`, align: 'right', size: t.sizes.body }]);
  y = Math.max(y, titleBottom) + 6;
  rule(0.75);
  y += 8;

  // --- customer and validity ------------------------------------------------------------------
  const customer: Row = [
    { x: left, width: half, text: t.labels.customer, bold: true, size: t.sizes.heading },
  ];
  const customerName: Row = [{ x: left, width: half, text: text(f.customer.name), bold: true, size: t.sizes.body }];
  const customerAccount: Row = [{ x: left, width: half, text: text(`${t.labels.account} ${f.customer.accountId}`), size: t.sizes.body }];
  const details: [string, string, number?][] = [
    [t.labels.validUntil, f.validUntil],
    [t.labels.currency, f.currency],
    [t.labels.term, `${f.termMonths} ${t.labels.months}`],
    [t.labels.release, `#${f.releaseNumber} (${f.releaseId})`, t.sizes.small],
    [t.labels.priceResult, f.priceResultHash, t.sizes.small],
  ];
  const top = y;
  for (const row of [customer, customerName, customerAccount]) drawRow(row);
  const leftBottom = y;
  y = top;
  const labelWidth = 90;
  for (const [label, value, size] of details) {
    drawRow([
      { x: left + half, width: labelWidth, text: label, bold: true, size: t.sizes.body },
      { x: left + half + labelWidth, width: half - labelWidth, text: text(value), size: size ?? t.sizes.body },
    ]);
  }
  y = Math.max(y, leftBottom) + 10;

  // --- lines ----------------------------------------------------------------------------------
  const header: Row = t.columns.map((c) => col(c.id, t.moneyColumns.includes(c.id) ? `${c.label} (${f.currency})` : c.label, { bold: true }));
  const drawHeader = () => {
    drawRow(header);
    rule(0.5);
    y += 2;
  };
  const newPage = (continued?: Row) => {
    doc.addPage();
    y = margins.top;
    drawHeader();
    if (continued) drawRow(continued);
  };
  const fits = (height: number) => y + height <= contentBottom();

  setFont({ bold: true, size: t.sizes.heading }).fillColor(TEXT).text(t.labels.lines, left, y, { width: contentWidth });
  y += 18;
  drawHeader();

  f.lines.forEach((line, i) => {
    const name = `${i + 1}. ${line.offeringName}`;
    const head: Row = [col('item', text(name), { bold: true }), col('quantity', String(line.quantity))];
    const key: Row = [col('item', text(line.offering), { size: t.sizes.small, color: MUTED })];
    const indent = 10;
    const configuration = configurationChunks(line.configuration, t.limits).map((chunk, n): Row => [{
      x: left + indent, width: contentWidth - indent, size: t.sizes.small, color: MUTED,
      text: printable(n === 0 ? `${t.labels.configuration}: ${chunk}` : chunk),
    }]);
    const charges = line.charges.map((c): Row => [
      { ...col('item', text(c.name)), x: colX.item + indent, width: colW.item - indent },
      col('billing', billingOf(c, t)),
      col('unitNet', c.unitNetPrice),
      col('lineNet', c.lineNet),
      col('termTotal', c.termTotal),
    ]);
    const rows = [...configuration, ...charges];
    // Keep the line's heading with its first row: no heading orphaned at the foot of a page.
    if (!fits(rowHeight(head) + rowHeight(key) + (rows[0] ? rowHeight(rows[0]) : 0))) newPage();
    drawRow(head);
    drawRow(key);
    const continued: Row = [col('item', text(`${name} (${t.labels.continued})`), { bold: true, color: MUTED })];
    for (const row of rows) {
      if (!fits(rowHeight(row))) newPage(continued);
      drawRow(row);
    }
    y += 2;
    rule(0.25, '#bbbbbb');
    y += 2;
  });

  // --- totals ---------------------------------------------------------------------------------
  const totals: [string, string][] = [
    [t.labels.totals.oneTime, f.totals.oneTime],
    [t.labels.totals.monthly, f.totals.monthly],
    [t.labels.totals.annual, f.totals.annual],
    [`${t.labels.totals.termTotal} (${f.termMonths} ${t.labels.months})`, f.totals.termTotal],
  ];
  const valueWidth = 110;
  const totalRows = totals.map(([label, value]): Row => [
    { x: right - valueWidth - 220, width: 220, text: printable(label), bold: true, align: 'right', size: t.sizes.body },
    { x: right - valueWidth, width: valueWidth, text: `${value} ${f.currency}`, bold: true, align: 'right', size: t.sizes.body },
  ]);
  const totalsHeight = totalRows.reduce((sum, row) => sum + rowHeight(row), 8);
  if (!fits(totalsHeight)) {
    doc.addPage();
    y = margins.top;
  }
  y += 8;
  for (const row of totalRows) drawRow(row);
  y += 14;

  // --- terms ----------------------------------------------------------------------------------
  const termsHeading: Row = [{ x: left, width: contentWidth, text: t.labels.terms, bold: true, size: t.sizes.heading }];
  const paragraphs = t.terms.map((p): Row => [{ x: left, width: contentWidth, text: printable(fillTerms(p, f)), size: t.sizes.body }]);
  for (const [n, row] of [termsHeading, ...paragraphs].entries()) {
    const keep = n === 0 && paragraphs[0] ? rowHeight(paragraphs[0]) : 0;
    if (!fits(rowHeight(row) + keep)) {
      doc.addPage();
      y = margins.top;
    }
    drawRow(row);
    y += 3;
  }

  // --- footer on every page -------------------------------------------------------------------
  const range = doc.bufferedPageRange();
  for (let p = range.start; p < range.start + range.count; p++) {
    doc.switchToPage(p);
    // The footer sits in the bottom margin: lift the margin while writing it, or pdfkit would
    // take the text for an overflow and open a page.
    const bottomMargin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    y = doc.page.height - bottomMargin + 12;
    rule(0.5);
    y += 4;
    drawRow([{ x: left, width: contentWidth, text: `${t.labels.factsHash} ${hash}`, size: t.sizes.small, color: MUTED }]);
    drawRow([
      { x: left, width: contentWidth * 0.75, text: text(`${title} - ${t.labels.template} ${t.key} v${t.version}`), size: t.sizes.small, color: MUTED },
      { x: left + contentWidth * 0.75, width: contentWidth * 0.25, text: `${t.labels.page} ${p - range.start + 1} ${t.labels.of} ${range.count}`, align: 'right', size: t.sizes.small, color: MUTED },
    ]);
    doc.page.margins.bottom = bottomMargin;
  }

  doc.end();
  return done;
}
