import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalFacts, factsDifferences, factsHash, quoteFactsIssues, sha256Hex, type QuoteMaterialFacts } from './quote-facts';
import { configurationChunks, fillTerms, printable, renderQuotePdf } from './quote-pdf';
import { QUOTE_TEMPLATES, latestTemplate, templateVersion, type QuoteTemplate } from './templates';

const run = promisify(execFile);

function sampleFacts(overrides: Partial<QuoteMaterialFacts> = {}): QuoteMaterialFacts {
  return {
    tenantId: 'acme',
    quoteId: '7f0c2a8e-4b1d-4c55-9a8e-2f1e3d4c5b6a',
    revision: 2,
    customer: { accountId: 'ACC-0042', name: 'Müller & Söhne GmbH' },
    currency: 'EUR',
    termMonths: 36,
    validUntil: '2026-12-31',
    releaseId: '3d1c5a9e-1111-4222-8333-444455556666',
    releaseNumber: 7,
    priceResultHash: '9b2f4c0d1e6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e',
    lines: [
      {
        lineId: 'line-1',
        offering: 'fibre-business-1000',
        offeringName: 'Fibre Business 1000',
        quantity: 2,
        configuration: { bandwidthMbps: 1000, router: 'premium', staticIps: 4, sla: { hours: 4, weekend: true } },
        charges: [
          { charge: 'installation', name: 'Installation', chargeType: 'one-time', unitNetPrice: '99.00', lineNet: '198.00', termTotal: '198.00' },
          { charge: 'access', name: 'Access fee', chargeType: 'recurring', period: 'monthly', unitNetPrice: '49.90', lineNet: '99.80', termTotal: '3592.80' },
        ],
      },
      {
        lineId: 'line-2',
        offering: 'security-suite',
        offeringName: 'Managed Security Suite',
        quantity: 15,
        configuration: { tier: 'gold', seats: 15, addons: ['edr', 'mdr'] },
        charges: [
          { charge: 'licence', name: 'Licence', chargeType: 'recurring', period: 'annual', unitNetPrice: '120.00', lineNet: '1800.00', termTotal: '5400.00' },
        ],
      },
    ],
    totals: { oneTime: '198.00', monthly: '99.80', annual: '1800.00', termTotal: '9190.80' },
    ...overrides,
  };
}

const template = latestTemplate('quote-standard');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'quote-pdf-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let fileCount = 0;
/** The PDF's text as poppler reads it (`-layout` keeps each table row on one line). */
async function pdfText(pdf: Buffer, layout = false): Promise<string> {
  const file = join(dir, `q${fileCount++}.pdf`);
  await writeFile(file, pdf);
  const { stdout } = await run('pdftotext', [...(layout ? ['-layout'] : []), file, '-'], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}
async function pdfPages(pdf: Buffer): Promise<number> {
  const file = join(dir, `q${fileCount++}.pdf`);
  await writeFile(file, pdf);
  const { stdout } = await run('pdfinfo', [file]);
  return Number(/^Pages:\s+(\d+)/m.exec(stdout)?.[1]);
}

/** The same object with every key order reversed (arrays keep their order: it is material). */
function reversedKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reversedKeys) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversedKeys(v)])) as T;
  }
  return value;
}

describe('quote PDF', () => {
  it('given the same facts and template, when rendered twice (even with keys in another order), then the bytes are identical', async () => {
    const facts = sampleFacts();
    const first = await renderQuotePdf(facts, template);
    const second = await renderQuotePdf(structuredClone(facts), template);
    const reordered = await renderQuotePdf(reversedKeys(facts), template);

    expect(first.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(sha256Hex(second)).toBe(sha256Hex(first));
    expect(sha256Hex(reordered)).toBe(sha256Hex(first));
    expect(factsHash(reversedKeys(facts))).toBe(factsHash(facts));
  });

  it('carries no wall-clock time: the info dates come from validUntil and the /ID from the info', async () => {
    const pdf = (await renderQuotePdf(sampleFacts(), template)).toString('latin1');
    // Info values are indirect objects: /CreationDate n 0 R, /ModDate m 0 R.
    expect(pdf).toMatch(/\/CreationDate \d+ 0 R/);
    expect(pdf.match(/\(D:\d{14}Z\)/g)).toEqual(['(D:20261231000000Z)', '(D:20261231000000Z)']);
    expect(pdf).toContain(`(facts-sha256:${factsHash(sampleFacts())})`);
    expect(pdf).toMatch(/\/ID \[<[0-9a-f]{32}> <[0-9a-f]{32}>\]/);
    // Standard font, nothing embedded.
    expect(pdf).toContain('/BaseFont /Helvetica');
    expect(pdf).not.toContain('/FontFile');
  });

  const changes: [string, (f: QuoteMaterialFacts) => void][] = [
    ['a price string, same number ("49.90" -> "49.9")', (f) => { f.lines[0]!.charges[1]!.unitNetPrice = '49.9'; }],
    ['a line net', (f) => { f.lines[1]!.charges[0]!.lineNet = '1799.99'; }],
    ['a quantity', (f) => { f.lines[0]!.quantity = 3; }],
    ['a configuration value', (f) => { f.lines[0]!.configuration.router = 'standard'; }],
    ['a nested configuration value', (f) => { (f.lines[0]!.configuration.sla as { hours: number }).hours = 8; }],
    ['the customer name', (f) => { f.customer.name = 'Mueller & Soehne GmbH'; }],
    ['the validity', (f) => { f.validUntil = '2027-01-01'; }],
    ['the term', (f) => { f.termMonths = 24; }],
    ['the currency', (f) => { f.currency = 'CHF'; }],
    ['the revision', (f) => { f.revision = 3; }],
    ['the price result', (f) => { f.priceResultHash = `0${f.priceResultHash.slice(1)}`; }],
    ['a total', (f) => { f.totals.termTotal = '9190.81'; }],
    ['the order of the lines', (f) => { f.lines.reverse(); }],
    ['a line removed', (f) => { f.lines.pop(); }],
  ];
  it.each(changes)('given a change of %s, then the facts hash and the file both change', async (_label, change) => {
    const before = sampleFacts();
    const after = sampleFacts();
    change(after);
    expect(factsHash(after)).not.toBe(factsHash(before));
    const [a, b] = await Promise.all([renderQuotePdf(before, template), renderQuotePdf(after, template)]);
    expect(sha256Hex(b)).not.toBe(sha256Hex(a));
  });

  it('prints the customer, validity, each line\'s offering, quantity, configuration and prices exactly as given, totals and the facts hash', async () => {
    const facts = sampleFacts();
    const pdf = await renderQuotePdf(facts, template);
    const text = await pdfText(pdf);
    const layout = await pdfText(pdf, true);

    for (const expected of [
      'Müller & Söhne GmbH', 'Account ACC-0042', '2026-12-31', '36 months', 'EUR', '#7', facts.priceResultHash.slice(0, 20),
      '1. Fibre Business 1000', 'fibre-business-1000', '2. Managed Security Suite', 'security-suite',
      'bandwidthMbps: 1000', 'router: premium', 'sla: {"hours":4,"weekend":true}', 'addons: edr, mdr',
      `Facts SHA-256 ${factsHash(facts)}`, 'Template quote-standard v1', 'Page 1 of 1',
    ]) expect(text).toContain(expected);
    // One row per charge: name, billing, unit net, line net, term total, in that order.
    expect(layout).toMatch(/Installation\s+one-time\s+99\.00\s+198\.00\s+198\.00/);
    expect(layout).toMatch(/Access fee\s+monthly\s+49\.90\s+99\.80\s+3592\.80/);
    expect(layout).toMatch(/Licence\s+annual\s+120\.00\s+1800\.00\s+5400\.00/);
    expect(layout).toMatch(/1\. Fibre Business 1000\s+2\n/);
    expect(layout).toMatch(/2\. Managed Security Suite\s+15\n/);
    expect(layout).toMatch(/One-time total\s+198\.00 EUR/);
    expect(layout).toMatch(/Monthly total\s+99\.80 EUR/);
    expect(layout).toMatch(/Annual total\s+1800\.00 EUR/);
    expect(layout).toMatch(/Total over the term \(36 months\)\s+9190\.80 EUR/);
    expect(text).toContain('This offer is valid until 2026-12-31');
  });

  it.each([
    ['JPY', 0, { unit: '1200', line: '3600', term: '43200' }],
    ['KWD', 3, { unit: '12.345', line: '37.035', term: '1333.260' }],
    ['EUR', 2, { unit: '0.10', line: '0.30', term: '10.80' }],
  ])('prints %s amounts (%i decimals) unchanged', async (currency, _decimals, m) => {
    const facts = sampleFacts({
      currency,
      lines: [{
        lineId: 'l1', offering: 'seat', offeringName: 'Seat', quantity: 3, configuration: {},
        charges: [{ charge: 'fee', name: 'Fee', chargeType: 'recurring', period: 'monthly', unitNetPrice: m.unit, lineNet: m.line, termTotal: m.term }],
      }],
      totals: { oneTime: currency === 'KWD' ? '0.000' : '0', monthly: m.line, annual: '0', termTotal: m.term },
    });
    const layout = await pdfText(await renderQuotePdf(facts, template), true);
    expect(layout).toMatch(new RegExp(`Fee\\s+monthly\\s+${m.unit.replace('.', '\\.')}\\s+${m.line.replace('.', '\\.')}\\s+${m.term.replace('.', '\\.')}`));
    expect(layout).toContain(`Unit net (${currency})`);
    expect(layout).toMatch(new RegExp(`Monthly total\\s+${m.line.replace('.', '\\.')} ${currency}`));
    if (currency === 'KWD') expect(layout).toMatch(/One-time total\s+0\.000 KWD/);
  });

  it('renders a quote of 200 lines on many pages, every line and page footer present, within seconds', async () => {
    const lines = Array.from({ length: 200 }, (_, i) => ({
      lineId: `line-${i + 1}`,
      offering: `offering-${i + 1}`,
      offeringName: `Offering number ${i + 1}`,
      quantity: i + 1,
      configuration: { colour: 'blue', size: i % 3 === 0 ? 'large' : 'small', notes: 'x'.repeat(i % 7 === 0 ? 400 : 10) },
      charges: [
        { charge: 'setup', name: 'Setup', chargeType: 'one-time' as const, unitNetPrice: '10.00', lineNet: `${10 * (i + 1)}.00`, termTotal: `${10 * (i + 1)}.00` },
        { charge: 'run', name: 'Run', chargeType: 'recurring' as const, period: 'monthly' as const, unitNetPrice: '1.25', lineNet: `${(125 * (i + 1)) / 100}`, termTotal: '0' },
      ],
    }));
    const facts = sampleFacts({ lines });
    const started = performance.now();
    const pdf = await renderQuotePdf(facts, template);
    const elapsed = performance.now() - started;

    const pages = await pdfPages(pdf);
    const text = await pdfText(pdf);
    expect(pages).toBeGreaterThan(5);
    expect(elapsed).toBeLessThan(10_000);
    for (let i = 1; i <= 200; i++) expect(text).toContain(`${i}. Offering number ${i}\n`);
    for (let p = 1; p <= pages; p++) expect(text).toContain(`Page ${p} of ${pages}`);
    expect(text.split(`Facts SHA-256 ${factsHash(facts)}`).length - 1).toBe(pages);
    // A line cut by a page break is announced as continued on the next page.
    expect(text).toMatch(/\d+\. Offering number \d+ \(continued\)/);
  });

  it('prints characters the standard fonts lack as "?" while the facts keep them', async () => {
    const facts = sampleFacts({ customer: { accountId: 'ACC-1', name: 'Zürich Ltd \u2713 \u4e2d' } });
    const text = await pdfText(await renderQuotePdf(facts, template));
    expect(text).toContain('Zürich Ltd ? ?');
    expect(canonicalFacts(facts)).toContain('Zürich Ltd \u2713 \u4e2d');
    expect(printable('a\tb\u0001c \u20ac \u2026')).toBe('a b?c \u20ac \u2026');
  });

  it.each<[string, (f: QuoteMaterialFacts) => void, string]>([
    ['money as a number', (f) => { (f.lines[0]!.charges[0] as { lineNet: unknown }).lineNet = 198; }, 'lines[0].charges[0].lineNet'],
    ['money with a comma', (f) => { f.totals.monthly = '99,80'; }, 'totals.monthly'],
    ['no such day', (f) => { f.validUntil = '2026-02-30'; }, 'validUntil'],
    ['quantity 0', (f) => { f.lines[0]!.quantity = 0; }, 'lines[0].quantity'],
    ['recurring without period', (f) => { delete f.lines[0]!.charges[1]!.period; }, 'lines[0].charges[1].period'],
    ['one-time with a period', (f) => { f.lines[0]!.charges[0]!.period = 'monthly'; }, 'lines[0].charges[0].period'],
    ['duplicate line ids', (f) => { f.lines[1]!.lineId = 'line-1'; }, 'lines[1].lineId'],
    ['NaN in a configuration', (f) => { f.lines[0]!.configuration.x = Number.NaN; }, '$'],
    ['U+0000 in a configuration', (f) => { f.lines[0]!.configuration.x = 'a\u0000b'; }, '$'],
  ])('refuses facts with %s', async (_label, change, path) => {
    const facts = sampleFacts();
    change(facts);
    expect(quoteFactsIssues(facts).map((i) => i.split(':')[0])).toContain(path);
    await expect(renderQuotePdf(facts, template)).rejects.toThrow(/quote facts are not valid/);
  });
});

describe('quote facts', () => {
  it('hash is sha256 over RFC 8785 canonical JSON', () => {
    const facts = sampleFacts();
    expect(canonicalFacts(facts).startsWith('{"currency":"EUR","customer":{"accountId":"ACC-0042"')).toBe(true);
    expect(factsHash(facts)).toBe(sha256Hex(canonicalFacts(facts)));
    expect(factsHash(facts)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names the paths that differ', () => {
    const after = sampleFacts();
    after.lines[0]!.charges[1]!.unitNetPrice = '45.00';
    after.customer.name = 'Other';
    expect(factsDifferences(sampleFacts(), after)).toEqual(['customer.name', 'lines[0].charges[1].unitNetPrice']);
    expect(factsDifferences(sampleFacts(), sampleFacts({ lines: [] }))).toEqual(['lines.length']);
  });
});

describe('template registry', () => {
  // A shipped template version never changes (a customer may hold a document printed from
  // it): if one of these fails, revert the edit and add the next version instead.
  const SHIPPED: [string, number, string][] = [
    ['quote-standard', 1, '70bc15e595ce5999c2fb4aeed5962a5023846306380bd9ada6071daf1b68eaa9'],
  ];
  it.each(SHIPPED)('%s v%i is unchanged', (key, version, fingerprint) => {
    const t = templateVersion(key, version);
    expect(t).toBeDefined();
    expect(sha256Hex(canonicalJsonOf(t))).toBe(fingerprint);
  });

  it('prints the same PDF from quote-standard v1 as when it shipped (pdfkit or renderer changes show here)', async () => {
    const pdf = await renderQuotePdf(sampleFacts(), templateVersion('quote-standard', 1)!);
    expect(sha256Hex(pdf)).toBe('6f9bd3a3cfdbd57cb9f87919a8e24015360a8ef9daf817e53a077721ed319de1');
  });

  it.each(Object.values(QUOTE_TEMPLATES).flat().map((t): [string, number, QuoteTemplate] => [t.key, t.version, t]))(
    '%s v%i is well-formed: columns fill the page, terms use known placeholders, frozen',
    (_key, _version, t) => {
      const width = ({ A4: 595.28, LETTER: 612 } as const)[t.page.size] - t.page.margins.left - t.page.margins.right;
      const sum = t.columns.reduce((s, c) => s + c.width, 0);
      expect(Math.abs(sum - width)).toBeLessThan(1);
      for (const paragraph of t.terms) expect(() => fillTerms(paragraph, sampleFacts())).not.toThrow();
      expect(Object.isFrozen(t) && Object.isFrozen(t.columns) && Object.isFrozen(t.labels)).toBe(true);
    },
  );

  it('versions of a key are numbered 1..n in order; new documents use the last', () => {
    for (const versions of Object.values(QUOTE_TEMPLATES)) {
      expect(versions.map((t) => t.version)).toEqual(versions.map((_t, i) => i + 1));
    }
    expect(latestTemplate('quote-standard').version).toBe(QUOTE_TEMPLATES['quote-standard'].length);
    expect(templateVersion('quote-standard', 99)).toBeUndefined();
    expect(templateVersion('nope', 1)).toBeUndefined();
  });

  it('splits long configurations between entries and bounds each value', () => {
    const limits = { textChars: 50, valueChars: 20, chunkChars: 35 };
    const chunks = configurationChunks({ b: 'x'.repeat(30), a: 1, c: [1, 2], d: null }, limits);
    expect(chunks).toEqual(['a: 1; b: xxxxxxxxxxxxxxxxxxx\u2026', 'c: 1, 2; d: -']);
  });
});

function canonicalJsonOf(value: unknown): string {
  return canonicalFacts(value as QuoteMaterialFacts);
}
