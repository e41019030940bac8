import { createPrismaClient, type PrismaClient } from '@cpq/prisma';
import { createTestDatabase, type TestDatabase } from '@cpq/prisma/test-database';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../../test/env';
import { DomainError } from '../../http/errors';
import { createDocumentService, type DocumentService, type DocumentView } from './document.service';
import { canonicalFacts, factsHash, sha256Hex, type QuoteMaterialFacts } from './quote-facts';
import { renderQuotePdf } from './quote-pdf';
import { latestTemplate } from './templates';

const tenant = 'acme-docs';
const otherTenant = 'other-docs';
const anotherQuoteId = '7d8f2c1a-5b3e-4c9d-8e7f-6a5b4c3d2e1f';
const ctx = { actor: { type: 'USER' as const, id: 'rita' }, correlationId: 'corr-document-1' };

function facts(overrides: Partial<QuoteMaterialFacts> = {}): QuoteMaterialFacts {
  return {
    tenantId: tenant,
    quoteId: '2b7e1516-28ae-42d2-a6ab-f7158809cf4f',
    revision: 1,
    customer: { accountId: 'ACC-7', name: 'Globex Corporation' },
    currency: 'EUR',
    termMonths: 24,
    validUntil: '2026-12-31',
    releaseId: '6bc1bee2-2e40-4f96-b3e4-7a2a0e7d9a11',
    releaseNumber: 3,
    priceResultHash: 'c'.repeat(64),
    lines: [{
      lineId: 'line-1', offering: 'fibre-1000', offeringName: 'Fibre 1000', quantity: 2,
      configuration: { bandwidthMbps: 1000, router: 'premium' },
      charges: [
        { charge: 'setup', name: 'Setup', chargeType: 'one-time', unitNetPrice: '99.00', lineNet: '198.00', termTotal: '198.00' },
        { charge: 'access', name: 'Access', chargeType: 'recurring', period: 'monthly', unitNetPrice: '49.90', lineNet: '99.80', termTotal: '2395.20' },
      ],
    }],
    totals: { oneTime: '198.00', monthly: '99.80', annual: '0.00', termTotal: '2593.20' },
    ...overrides,
  };
}

/** The same object with every key order reversed (arrays keep their order: it is material). */
function reversedKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reversedKeys) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversedKeys(v)])) as T;
  }
  return value;
}

const domainCode = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  throw new Error('expected a DomainError');
};

describe('quote documents on PostgreSQL', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  let sql: pg.Client;
  let documents: DocumentService;
  let doc: DocumentView;

  beforeAll(async () => {
    db = await createTestDatabase(testEnv.postgresUrl, 'document');
    prisma = createPrismaClient(db.url, { max: 4 });
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    await prisma.tenant.createMany({ data: [{ id: tenant, name: 'Acme' }, { id: otherTenant, name: 'Other' }] });
    // quote_document.quote_id references quote(id) (migration 20261203102000).
    const quote = { tenantId: tenant, accountId: 'ACC-7', customerName: 'Globex Corporation', ownerId: 'rita', currency: 'EUR', termMonths: 24 };
    await prisma.quote.createMany({ data: [{ ...quote, id: facts().quoteId }, { ...quote, id: anotherQuoteId }] });
    documents = createDocumentService(prisma);
    doc = await prisma.$transaction((tx) => documents.generate(tx, facts(), 'quote-standard', ctx));
  }, 120_000);
  afterAll(async () => {
    await sql?.end();
    await prisma?.$disconnect();
    await db?.drop();
  });

  describe('generate', () => {
    it('stores the PDF with the sha256 of the file and of the canonical facts, the template version and an audit record', async () => {
      const expectedPdf = await renderQuotePdf(facts(), latestTemplate('quote-standard'));
      expect(doc).toMatchObject({
        quoteId: facts().quoteId, revision: 1, templateKey: 'quote-standard', templateVersion: 1,
        factsSha256: factsHash(facts()), fileSha256: sha256Hex(expectedPdf), sizeBytes: expectedPdf.length, createdBy: 'rita',
      });
      const row = await prisma.quoteDocument.findUniqueOrThrow({ where: { id: doc.documentId } });
      expect(Buffer.from(row.content).equals(expectedPdf)).toBe(true);
      expect(row.facts).toEqual(JSON.parse(canonicalFacts(facts())));
      // Computed independently by PostgreSQL.
      const { rows } = await sql.query<{ hex: string }>(`SELECT encode(sha256(content), 'hex') AS hex FROM quote_document WHERE id = $1`, [doc.documentId]);
      expect(rows[0]?.hex).toBe(doc.fileSha256);

      const audit = await prisma.auditRecord.findMany({ where: { tenantId: tenant, action: 'quote.document.generated' } });
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({
        actorType: 'USER', actorId: 'rita', targetType: 'quote', targetId: facts().quoteId, correlationId: 'corr-document-1',
        details: { documentId: doc.documentId, revision: 1, templateVersion: 1, factsSha256: doc.factsSha256, fileSha256: doc.fileSha256 },
      });
    });

    it('commits with the caller\'s transaction or not at all', async () => {
      const before = await prisma.quoteDocument.count();
      const beforeAudit = await prisma.auditRecord.count();
      await expect(prisma.$transaction(async (tx) => {
        await documents.generate(tx, facts({ revision: 2 }), 'quote-standard', ctx);
        throw new Error('the quote command fails after generating');
      })).rejects.toThrow('the quote command fails');
      expect(await prisma.quoteDocument.count()).toBe(before);
      expect(await prisma.auditRecord.count()).toBe(beforeAudit);
    });

    it('refuses facts that break their contract and stores nothing', async () => {
      const before = await prisma.quoteDocument.count();
      const bad = facts();
      bad.lines[0]!.charges[0]!.lineNet = '198,00';
      await expect(prisma.$transaction((tx) => documents.generate(tx, bad, 'quote-standard', ctx))).rejects.toThrow(/lines\[0\]\.charges\[0\]\.lineNet/);
      expect(await prisma.quoteDocument.count()).toBe(before);
    });

    it('lists a quote\'s documents without their bytes', async () => {
      const second = await prisma.$transaction((tx) => documents.generate(tx, facts({ revision: 2 }), 'quote-standard', ctx));
      expect((await documents.list(tenant, facts().quoteId)).map((d) => [d.revision, d.documentId])).toEqual([[1, doc.documentId], [2, second.documentId]]);
      expect(await documents.list(tenant, facts().quoteId, 2)).toEqual([second]);
      expect(await documents.list(otherTenant, facts().quoteId)).toEqual([]);
      expect(await documents.list(tenant, 'not-a-uuid')).toEqual([]);
    });
  });

  describe('get', () => {
    it('returns the document and its bytes to its tenant', async () => {
      const got = await documents.get(tenant, doc.documentId);
      expect(got).toMatchObject({ ...doc, contentType: 'application/pdf' });
      expect(sha256Hex(got.content)).toBe(doc.fileSha256);
      expect(got.content.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    });

    it.each([
      ['another tenant', otherTenant, () => doc.documentId],
      ['an unknown id', tenant, () => '00000000-0000-4000-8000-000000000000'],
      ['an id that is no uuid', tenant, () => 'not-a-uuid'],
    ])('refuses %s with document-not-found', async (_label, tenantId, id) => {
      expect(await domainCode(documents.get(tenantId, id()))).toBe('document-not-found');
      expect(await domainCode(documents.verify(tenantId, id(), facts()))).toBe('document-not-found');
    });
  });

  describe('verify', () => {
    it('matches the same facts, whatever their key order', async () => {
      const reordered = reversedKeys(facts());
      expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(facts()));
      expect(canonicalFacts(reordered)).toBe(canonicalFacts(facts()));
      const result = await documents.verify(tenant, doc.documentId, reordered);
      expect(result).toEqual({ matches: true, expectedFactsSha256: doc.factsSha256, actualFactsSha256: doc.factsSha256, changedPaths: [] });
      expect(await documents.requireCurrent(tenant, doc.documentId, facts())).toEqual(doc);
    });

    it.each<[string, (f: QuoteMaterialFacts) => void, string]>([
      ['a price string', (f) => { f.lines[0]!.charges[1]!.unitNetPrice = '44.90'; }, 'lines[0].charges[1].unitNetPrice'],
      ['the same price written differently', (f) => { f.lines[0]!.charges[1]!.unitNetPrice = '49.9'; }, 'lines[0].charges[1].unitNetPrice'],
      ['a quantity', (f) => { f.lines[0]!.quantity = 3; }, 'lines[0].quantity'],
      ['a configuration value', (f) => { f.lines[0]!.configuration.router = 'basic'; }, 'lines[0].configuration.router'],
      ['the validity', (f) => { f.validUntil = '2027-01-31'; }, 'validUntil'],
      ['the price result', (f) => { f.priceResultHash = 'd'.repeat(64); }, 'priceResultHash'],
    ])('does not match after a material change of %s, and names it', async (_label, change, path) => {
      const current = facts();
      change(current);
      const result = await documents.verify(tenant, doc.documentId, current);
      expect(result).toEqual({ matches: false, expectedFactsSha256: doc.factsSha256, actualFactsSha256: factsHash(current), changedPaths: [path] });
      await expect(documents.requireCurrent(tenant, doc.documentId, current)).rejects.toMatchObject({ code: 'document-stale' });
    });

    it('works inside the caller\'s transaction', async () => {
      const result = await prisma.$transaction((tx) => documents.verify(tenant, doc.documentId, facts(), tx));
      expect(result.matches).toBe(true);
    });
  });

  describe('the table', () => {
    it.each([
      ['UPDATE', `UPDATE quote_document SET created_by = 'mallory' WHERE id = $1`],
      ['UPDATE of the facts hash', `UPDATE quote_document SET facts_sha256 = repeat('0', 64) WHERE id = $1`],
      ['DELETE', `DELETE FROM quote_document WHERE id = $1`],
    ])('refuses %s (restrict_violation 23001)', async (_label, statement) => {
      await expect(sql.query(statement, [doc.documentId])).rejects.toMatchObject({ code: '23001' });
      expect((await documents.get(tenant, doc.documentId)).fileSha256).toBe(doc.fileSha256);
    });

    it('refuses TRUNCATE', async () => {
      // CASCADE: quote_revision.document_id references the table, which alone refuses a plain TRUNCATE.
      await expect(sql.query('TRUNCATE quote_document CASCADE')).rejects.toMatchObject({ code: '23001' });
      expect(await prisma.quoteDocument.count({ where: { id: doc.documentId } })).toBe(1);
    });

    const insert = (overrides: Record<string, unknown>) => {
      const row: Record<string, unknown> = {
        id: '11111111-1111-4111-8111-111111111111', tenant_id: tenant, quote_id: facts().quoteId, revision: 1,
        template_key: 'quote-standard', template_version: 1, file_sha256: sha256Hex(Buffer.from('%PDF-x')),
        facts_sha256: factsHash(facts()), facts: canonicalFacts(facts()), content: Buffer.from('%PDF-x'), size_bytes: 6,
        created_by: 'rita', ...overrides,
      };
      const columns = Object.keys(row);
      return sql.query(`INSERT INTO quote_document (${columns.join(', ')}) VALUES (${columns.map((_c, i) => `$${i + 1}`).join(', ')})`, Object.values(row));
    };
    it.each([
      ['a file hash that is not the content\'s', { file_sha256: 'a'.repeat(64) }, '23514'],
      ['a size that is not the content\'s', { size_bytes: 7 }, '23514'],
      ['facts of another quote', { quote_id: anotherQuoteId }, '23514'],
      ['a quote that does not exist', { quote_id: '00000000-0000-4000-8000-000000000000', facts: canonicalFacts(facts({ quoteId: '00000000-0000-4000-8000-000000000000' })) }, '23503'],
      ['facts of another revision', { revision: 2 }, '23514'],
      ['an unknown tenant', { tenant_id: 'nobody', facts: canonicalFacts(facts({ tenantId: 'nobody' })) }, '23503'],
    ])('refuses a row with %s', async (_label, overrides, code) => {
      await expect(insert(overrides)).rejects.toMatchObject({ code });
    });
  });
});
