import { randomUUID } from 'node:crypto';
import type { Actor } from '@cpq/contracts/event-envelope';
import type { PrismaClient, TransactionClient } from '@cpq/prisma';
import { DomainError } from '../../http/errors';
import { recordAudit } from '../audit';
import { canonicalFacts, factsDifferences, factsHash, sha256Hex, type QuoteMaterialFacts } from './quote-facts';
import { renderQuotePdf } from './quote-pdf';
import { latestTemplate, type TemplateKey } from './templates';

export type DocumentView = {
  documentId: string;
  quoteId: string;
  revision: number;
  templateKey: string;
  templateVersion: number;
  fileSha256: string;
  factsSha256: string;
  sizeBytes: number;
  /** ISO 8601. */
  createdAt: string;
  createdBy: string;
};

export type DocumentContent = DocumentView & { content: Buffer; contentType: 'application/pdf' };

export type DocumentVerification = {
  matches: boolean;
  /** The hash the document was printed for. */
  expectedFactsSha256: string;
  /** The hash of the facts the caller holds now. */
  actualFactsSha256: string;
  /** Where the facts differ (JSON paths, at most 20); empty when they match. */
  changedPaths: string[];
};

/** Who generates (`created_by`, the audit actor) and the quote command's correlation id. */
export type DocumentCommandContext = { actor: Actor; correlationId: string };

type Db = PrismaClient | TransactionClient;

type DocumentRow = {
  id: string; quoteId: string; revision: number; templateKey: string; templateVersion: number;
  fileSha256: string; factsSha256: string; sizeBytes: number; createdAt: Date; createdBy: string;
};

const toView = (row: DocumentRow): DocumentView => ({
  documentId: row.id, quoteId: row.quoteId, revision: row.revision, templateKey: row.templateKey,
  templateVersion: row.templateVersion, fileSha256: row.fileSha256, factsSha256: row.factsSha256,
  sizeBytes: row.sizeBytes, createdAt: row.createdAt.toISOString(), createdBy: row.createdBy,
});

const VIEW_SELECT = {
  id: true, quoteId: true, revision: true, templateKey: true, templateVersion: true, fileSha256: true,
  factsSha256: true, sizeBytes: true, createdAt: true, createdBy: true,
} as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type DocumentService = ReturnType<typeof createDocumentService>;

/**
 * Quote documents: print, store, read back, and check against the revision's current facts.
 * The quote module owns when a document is generated and what accept does with a mismatch;
 * this module owns the PDF, the hashes and the row.
 */
export function createDocumentService(prisma: PrismaClient) {
  /**
   * Prints the facts with the template's latest version and stores the document in the
   * caller's transaction (with its audit record), so it commits with the quote command that
   * asked for it or not at all.
   */
  async function generate(tx: TransactionClient, facts: QuoteMaterialFacts, templateKey: TemplateKey, ctx: DocumentCommandContext): Promise<DocumentView> {
    // renderQuotePdf refuses facts that break their contract (quoteFactsIssues): they are built
    // by the quote module, not sent by a client, so a broken one is a bug there (500).
    const template = latestTemplate(templateKey);
    const content = await renderQuotePdf(facts, template);
    const created = await tx.quoteDocument.create({
      data: {
        id: randomUUID(),
        tenantId: facts.tenantId,
        quoteId: facts.quoteId,
        revision: facts.revision,
        templateKey: template.key,
        templateVersion: template.version,
        fileSha256: sha256Hex(content),
        factsSha256: factsHash(facts),
        facts: JSON.parse(canonicalFacts(facts)) as object,
        content: new Uint8Array(content),
        sizeBytes: content.length,
        createdBy: ctx.actor.id,
      },
      select: VIEW_SELECT,
    });
    const view = toView(created);
    await recordAudit(tx, {
      tenantId: facts.tenantId,
      actor: ctx.actor,
      action: 'quote.document.generated',
      target: { type: 'quote', id: facts.quoteId },
      details: {
        documentId: view.documentId, revision: view.revision, templateKey: view.templateKey,
        templateVersion: view.templateVersion, fileSha256: view.fileSha256, factsSha256: view.factsSha256,
        sizeBytes: view.sizeBytes,
      },
      correlationId: ctx.correlationId,
    });
    return view;
  }

  /** The document and its PDF bytes, for its tenant only (another tenant's id: not found). */
  async function get(tenantId: string, documentId: string, db: Db = prisma): Promise<DocumentContent> {
    const found = UUID.test(documentId)
      ? await db.quoteDocument.findFirst({ where: { id: documentId, tenantId }, select: { ...VIEW_SELECT, content: true } })
      : null;
    if (!found) throw new DomainError('document-not-found', `no quote document ${documentId}`);
    const content = Buffer.from(found.content);
    // The table CHECKs the hash on insert and refuses updates; this guards the read path.
    if (sha256Hex(content) !== found.fileSha256) throw new Error(`quote document ${documentId} does not match its file hash`);
    return { ...toView(found), content, contentType: 'application/pdf' };
  }

  async function check(db: Db, tenantId: string, documentId: string, currentFacts: QuoteMaterialFacts) {
    const found = UUID.test(documentId)
      ? await db.quoteDocument.findFirst({ where: { id: documentId, tenantId }, select: { ...VIEW_SELECT, facts: true } })
      : null;
    if (!found) throw new DomainError('document-not-found', `no quote document ${documentId}`);
    // The stored facts must still be the facts the hash was taken of (evidence, not trust).
    if (factsHash(found.facts as QuoteMaterialFacts) !== found.factsSha256) {
      throw new Error(`quote document ${documentId} does not match its facts hash`);
    }
    const actual = factsHash(currentFacts);
    const matches = actual === found.factsSha256;
    const verification: DocumentVerification = {
      matches,
      expectedFactsSha256: found.factsSha256,
      actualFactsSha256: actual,
      changedPaths: matches ? [] : factsDifferences(found.facts, JSON.parse(canonicalFacts(currentFacts))),
    };
    return { view: toView(found), verification };
  }

  /**
   * Does the document still show these facts? A hash comparison over canonical JSON: key
   * order does not matter, any change of a material value does. Pass the transaction when
   * verifying inside one (accept).
   */
  async function verify(tenantId: string, documentId: string, currentFacts: QuoteMaterialFacts, db: Db = prisma): Promise<DocumentVerification> {
    return (await check(db, tenantId, documentId, currentFacts)).verification;
  }

  /** `verify` that throws `document-stale` (409) on a mismatch: accept's guard in one call. */
  async function requireCurrent(tenantId: string, documentId: string, currentFacts: QuoteMaterialFacts, db: Db = prisma): Promise<DocumentView> {
    const { view, verification } = await check(db, tenantId, documentId, currentFacts);
    if (!verification.matches) {
      throw new DomainError(
        'document-stale',
        `quote document ${documentId} was printed for other facts (changed: ${verification.changedPaths.join(', ')})`,
      );
    }
    return view;
  }

  /** A quote's documents (of one revision, if given), oldest first; metadata only, no bytes. */
  async function list(tenantId: string, quoteId: string, revision?: number, db: Db = prisma): Promise<DocumentView[]> {
    // quote_id is a uuid column: an id that is no uuid names no quote (rather than a 22P02).
    if (!UUID.test(quoteId)) return [];
    const rows = await db.quoteDocument.findMany({
      where: { tenantId, quoteId, ...(revision === undefined ? {} : { revision }) },
      orderBy: [{ revision: 'asc' }, { createdAt: 'asc' }, { id: 'asc' }],
      select: VIEW_SELECT,
    });
    return rows.map(toView);
  }

  return { generate, get, verify, requireCurrent, list };
}
