import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../test/env';
import { applyMigrations, ensureDatabase, loadMigrations, MIGRATIONS_DIR } from './migrate';
import { createTestDatabase, serverUrl, type TestDatabase } from './test-database';

// Issue 8, item 7: the invariants the database holds whatever the code does, each tried by
// SQL (migrations 20261203100000..20261203103000).

const TENANT = 'guards';
const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

type Client = pg.Client;

/** A published release (quote rows pin one): a candidate and its release. */
async function insertRelease(client: Client): Promise<string> {
  const candidate = randomUUID();
  const release = randomUUID();
  await client.query(`INSERT INTO release_candidate (id, tenant_id, title, state, created_by) VALUES ($1, $2, 'r', 'published', 'ada')`, [candidate, TENANT]);
  await client.query(
    `INSERT INTO metadata_release (id, tenant_id, release_number, content_hash, candidate_id, item_count, published_by, approved_by)
     VALUES ($1, $2, 1, $3, $4, 1, 'ada', 'bob')`,
    [release, TENANT, 'a'.repeat(64), candidate],
  );
  await client.query(
    `INSERT INTO release_candidate_item (candidate_id, tenant_id, kind, key, content, content_hash, draft_version, authors) VALUES ($1, $2, 'offering', 'x', '{}', $3, 1, '{ada}')`,
    [candidate, TENANT, 'b'.repeat(64)],
  );
  await client.query(`INSERT INTO metadata_release_item (release_id, tenant_id, kind, key, content, content_hash) VALUES ($1, $2, 'offering', 'x', '{}', $3)`, [release, TENANT, 'b'.repeat(64)]);
  return release;
}

async function insertQuote(client: Client): Promise<string> {
  const quoteId = randomUUID();
  await client.query(
    `INSERT INTO quote (id, tenant_id, account_id, customer_name, owner_id, currency, term_months) VALUES ($1, $2, 'acct-1', 'Acme', 'rita', 'EUR', 24)`,
    [quoteId, TENANT],
  );
  return quoteId;
}

/** A document row that satisfies every CHECK of quote_document (hashes, size, facts owner). */
function documentRow(quoteId: string, revision: number, factsOverride?: Record<string, unknown>) {
  const content = Buffer.from(`%PDF-${randomBytes(4).toString('hex')}`);
  const facts = factsOverride ?? { tenantId: TENANT, quoteId, revision };
  return {
    id: randomUUID(), content, facts: JSON.stringify(facts), factsSha256: sha256(JSON.stringify(facts)), fileSha256: sha256(content),
  };
}

async function insertDocument(client: Client, quoteId: string, revision: number, factsOverride?: Record<string, unknown>): Promise<string> {
  const row = documentRow(quoteId, revision, factsOverride);
  await client.query(
    `INSERT INTO quote_document (id, tenant_id, quote_id, revision, template_key, template_version, file_sha256, facts_sha256, facts, content, size_bytes, created_by)
     VALUES ($1, $2, $3, $4, 'quote-standard', 1, $5, $6, $7, $8, $9, 'rita')`,
    [row.id, TENANT, quoteId, revision, row.fileSha256, row.factsSha256, row.facts, row.content, row.content.length],
  );
  return row.id;
}

/** A quote with a draft revision 1, one price result of material version 1 and one document. */
async function pricedQuote(client: Client, releaseId: string) {
  const quoteId = await insertQuote(client);
  await client.query(
    `INSERT INTO quote_revision (tenant_id, quote_id, revision, state, release_id, valid_until) VALUES ($1, $2, 1, 'draft', $3, DATE '2099-12-31')`,
    [TENANT, quoteId, releaseId],
  );
  const priceResultId = randomUUID();
  await client.query(
    `INSERT INTO price_result (id, tenant_id, quote_id, revision, material_version, release_id, result, result_hash, created_by)
     VALUES ($1, $2, $3, 1, 1, $4, '{}', $5, 'rita')`,
    [priceResultId, TENANT, quoteId, releaseId, 'c'.repeat(64)],
  );
  const documentId = await insertDocument(client, quoteId, 1);
  return { quoteId, priceResultId, documentId };
}

/** The columns of a fully consistent accepted revision; each case below breaks one thing. */
type RevisionColumns = {
  state: string; price_result_id: string | null; priced_material_version: number | null;
  approval_material_version: number | null; approved_price_result_id: string | null;
  document_id: string | null; accepted_by: string | null;
};

describe('database guards', () => {
  let db: TestDatabase;
  let client: Client;
  let releaseId: string;

  beforeAll(async () => {
    db = await createTestDatabase(testEnv.postgresUrl, 'guards');
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query(`INSERT INTO tenant (id, name) VALUES ($1, 'Guards')`, [TENANT]);
    releaseId = await insertRelease(client);
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  /** Rewrites revision 1 of a fresh priced quote with these columns (material version 1). */
  async function setRevision(columns: (q: Awaited<ReturnType<typeof pricedQuote>>) => Partial<RevisionColumns>) {
    const q = await pricedQuote(client, releaseId);
    const accepted: RevisionColumns = {
      state: 'accepted', price_result_id: q.priceResultId, priced_material_version: 1, approval_material_version: 1,
      approved_price_result_id: q.priceResultId, document_id: q.documentId, accepted_by: 'cora',
    };
    const row = { ...accepted, ...columns(q) };
    await client.query(
      `UPDATE quote_revision SET state = $2, price_result_id = $3, priced_material_version = $4, approval_material_version = $5,
         approved_price_result_id = $6, document_id = $7, accepted_by = $8 WHERE quote_id = $1 AND revision = 1`,
      [q.quoteId, row.state, row.price_result_id, row.priced_material_version, row.approval_material_version,
        row.approved_price_result_id, row.document_id, row.accepted_by],
    );
    return q;
  }

  describe('freshness of quote_revision holds with NULLs', () => {
    it('a consistent accepted revision is allowed (the guards are not simply closed)', async () => {
      const q = await setRevision(() => ({}));
      const { rows } = await client.query(`SELECT state FROM quote_revision WHERE quote_id = $1`, [q.quoteId]);
      expect(rows).toEqual([{ state: 'accepted' }]);
    });

    it('an accepted revision with a document but no price and no approval is refused (the reported hole)', async () => {
      // Under the checks of 20261127083000 every comparison here was NULL, and NULL passes.
      await expect(setRevision(() => ({
        price_result_id: null, priced_material_version: null, approval_material_version: null, approved_price_result_id: null,
      }))).rejects.toMatchObject({ code: '23514' });
    });

    it.each<[string, (q: { priceResultId: string }) => Partial<RevisionColumns>, string]>([
      ['priced without a price result', () => ({ state: 'priced', price_result_id: null }), 'ck_quote_revision_price_fresh'],
      ['priced without a priced material version', () => ({ state: 'priced', priced_material_version: null }), 'ck_quote_revision_price_fresh'],
      ['submitted with a stale price', () => ({ state: 'submitted', priced_material_version: 0 }), 'ck_quote_revision_price_fresh'],
      ['submitted without a price result', () => ({ state: 'submitted', price_result_id: null, approved_price_result_id: null }), 'ck_quote_revision_price_fresh'],
      ['approved without an approved price result', () => ({ state: 'approved', approved_price_result_id: null }), 'ck_quote_revision_approval_fresh'],
      ['approved without an approval material version', () => ({ state: 'approved', approval_material_version: null }), 'ck_quote_revision_approval_fresh'],
      ['accepted without an approval material version', () => ({ approval_material_version: null }), 'ck_quote_revision_approval_fresh'],
      ['accepted with a stale approval', () => ({ approval_material_version: 7 }), 'ck_quote_revision_approval_fresh'],
      ['accepted without a document', () => ({ document_id: null }), 'ck_quote_revision_acceptance'],
      ['accepted without who accepted', () => ({ accepted_by: null }), 'ck_quote_revision_acceptance'],
    ])('refuses a revision %s (%s)', async (_label, columns, constraint) => {
      await expect(setRevision(columns)).rejects.toMatchObject({ code: '23514', constraint });
    });

    it('refuses an approval of another price result than the current one', async () => {
      const q = await pricedQuote(client, releaseId);
      const other = randomUUID();
      await client.query(
        `INSERT INTO price_result (id, tenant_id, quote_id, revision, material_version, release_id, result, result_hash, created_by)
         VALUES ($1, $2, $3, 1, 1, $4, '{}', $5, 'rita')`,
        [other, TENANT, q.quoteId, releaseId, 'd'.repeat(64)],
      );
      await expect(client.query(
        `UPDATE quote_revision SET state = 'approved', price_result_id = $2, priced_material_version = 1, approval_material_version = 1,
           approved_price_result_id = $3 WHERE quote_id = $1`,
        [q.quoteId, q.priceResultId, other],
      )).rejects.toMatchObject({ code: '23514', constraint: 'ck_quote_revision_approval_fresh' });
    });
  });

  describe('foreign keys', () => {
    it.each<[string, string, string]>([
      ['a price result that does not exist', 'price_result_id', 'fk_quote_revision_price_result'],
      ['an approved price result that does not exist', 'approved_price_result_id', 'fk_quote_revision_approved_price_result'],
      ['a document that does not exist', 'document_id', 'fk_quote_revision_document'],
    ])('a revision naming %s is refused', async (_label, column, constraint) => {
      const q = await pricedQuote(client, releaseId);
      await expect(client.query(`UPDATE quote_revision SET ${column} = $2 WHERE quote_id = $1`, [q.quoteId, randomUUID()]))
        .rejects.toMatchObject({ code: '23503', constraint });
    });

    it('a document of a quote that does not exist is refused', async () => {
      await expect(insertDocument(client, randomUUID(), 1)).rejects.toMatchObject({ code: '23503', constraint: 'fk_quote_document_quote' });
    });

    it('quote_document.quote_id is a NOT NULL uuid, so an id that is no uuid cannot be stored', async () => {
      const { rows } = await client.query(
        `SELECT data_type, is_nullable FROM information_schema.columns WHERE table_name = 'quote_document' AND column_name = 'quote_id'`,
      );
      expect(rows).toEqual([{ data_type: 'uuid', is_nullable: 'NO' }]);
      await expect(insertDocument(client, 'q-1', 1, { tenantId: TENANT, quoteId: 'q-1', revision: 1 })).rejects.toMatchObject({ code: '22P02' });
    });

    it('the facts of a document must name its tenant, quote and revision, also when a key is missing', async () => {
      const quoteId = await insertQuote(client);
      await expect(insertDocument(client, quoteId, 1, { tenantId: TENANT, revision: 1 }))
        .rejects.toMatchObject({ code: '23514', constraint: 'ck_quote_document_facts_owner' });
      await expect(insertDocument(client, quoteId, 1, { tenantId: TENANT, quoteId: randomUUID(), revision: 1 }))
        .rejects.toMatchObject({ code: '23514', constraint: 'ck_quote_document_facts_owner' });
      await expect(insertDocument(client, quoteId, 1, { tenantId: TENANT, quoteId: quoteId.toUpperCase(), revision: 1 })).resolves.toBeTruthy();
    });
  });

  describe('TRUNCATE', () => {
    it.each([
      'audit_record', 'metadata_release', 'metadata_release_item', 'release_candidate_item', 'price_result', 'outbox_event', 'quote_document',
    ])('of %s is refused, even with CASCADE, and the rows stay', async (table) => {
      await client.query(
        `INSERT INTO audit_record (tenant_id, actor_type, actor_id, action, target_type, target_id, correlation_id) VALUES ($1, 'USER', 'u', 'a', 't', 'x', 'c')`,
        [TENANT],
      );
      await client.query(
        `INSERT INTO outbox_event (event_id, event_type, event_version, tenant_id, aggregate_type, aggregate_id, aggregate_version, occurred_at, correlation_id, actor, payload, topic)
         VALUES (gen_random_uuid(), 'X', 1, $1, 'T', 'a', 1, now(), 'c', '{"type":"USER","id":"u"}', '{}', 't')`,
        [TENANT],
      );
      await pricedQuote(client, releaseId);
      const count = async () => Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
      const before = await count();
      expect(before).toBeGreaterThan(0);
      await expect(client.query(`TRUNCATE ${table} CASCADE`)).rejects.toMatchObject({ code: '23001' });
      expect(await count()).toBe(before);
    });

    it('of the tenants, cascading to the audit trail, is refused', async () => {
      await expect(client.query('TRUNCATE tenant CASCADE')).rejects.toMatchObject({ code: '23001' });
      expect((await client.query(`SELECT count(*) AS n FROM audit_record`)).rows[0].n).not.toBe('0');
    });

    it('is refused on every table whose rows refuse DELETE (the rule for tables to come)', async () => {
      // tgtype bits: 1 row, 8 delete, 32 truncate. Internal (foreign key) triggers are not ours.
      const { rows } = await client.query<{ table: string }>(`
        SELECT DISTINCT c.relname AS table
          FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND NOT t.tgisinternal AND t.tgtype & 1 = 1 AND t.tgtype & 8 = 8
           AND NOT EXISTS (SELECT 1 FROM pg_trigger u WHERE u.tgrelid = t.tgrelid AND NOT u.tgisinternal AND u.tgtype & 32 = 32)`);
      expect(rows.map((r) => r.table)).toEqual([]);
    });
  });

  it('large evidence documents are compressed with lz4 (the price command writes one on every call)', async () => {
    const { rows } = await client.query<{ column: string; compression: string }>(`
      SELECT c.relname || '.' || a.attname AS column, a.attcompression AS compression
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
       WHERE (c.relname, a.attname) IN (('price_result', 'result'), ('quote_line', 'configuration')) ORDER BY 1`);
    expect(rows).toEqual([{ column: 'price_result.result', compression: 'l' }, { column: 'quote_line.configuration', compression: 'l' }]);
  });
});

describe('quote_document.quote_id from varchar to uuid (expand, then contract)', () => {
  const name = `cpq_t_expand_p${process.pid}_${randomBytes(4).toString('hex')}`;
  const url = serverUrl(testEnv.postgresUrl, name);
  const dir = mkdtempSync(join(tmpdir(), 'migrations-expand-'));
  const EXPAND = '20261203101000_quote_document_quote_uuid_expand';
  const CONTRACT = '20261203102000_quote_document_quote_uuid_contract';
  let client: Client;

  /** Applies the migrations up to and including `last` (copied to a folder of their own). */
  const migrateTo = async (last: string) => {
    for (const m of loadMigrations().filter((m) => m.name <= last)) cpSync(join(MIGRATIONS_DIR, m.name), join(dir, m.name), { recursive: true });
    return applyMigrations(url, { dir });
  };

  beforeAll(async () => {
    await ensureDatabase(url);
    await migrateTo('20261203100000_quote_revision_guards');
    client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`INSERT INTO tenant (id, name) VALUES ($1, 'Guards')`, [TENANT]);
  });
  afterAll(async () => {
    await client?.end();
    const admin = new pg.Client({ connectionString: serverUrl(testEnv.postgresUrl, 'postgres') });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('expand refuses, with a list to resolve, while a document names no quote', async () => {
    const orphan = await insertDocument(client, randomUUID(), 1);
    await expect(migrateTo(EXPAND)).rejects.toThrow(/quote_document has 1 row\(s\) whose quote_id names no quote \(e\.g\. document [0-9a-f-]{36}\)/);
    // The document is evidence: it cannot be deleted to let the migration through...
    await expect(client.query(`DELETE FROM quote_document WHERE id = $1`, [orphan])).rejects.toMatchObject({ code: '23001' });
    // ...so here (a test database) its quote is restored instead.
    const { rows } = await client.query<{ quote_id: string }>(`SELECT quote_id FROM quote_document WHERE id = $1`, [orphan]);
    await client.query(
      `INSERT INTO quote (id, tenant_id, account_id, customer_name, owner_id, currency, term_months) VALUES ($1, $2, 'a', 'A', 'rita', 'EUR', 12)`,
      [rows[0]!.quote_id, TENANT],
    );
  });

  it('expand backfills the uuid column and keeps it in step with inserts through the old column', async () => {
    const quoteId = await insertQuote(client);
    const before = await insertDocument(client, quoteId, 1);
    expect((await migrateTo(EXPAND)).applied).toEqual([EXPAND]);
    const after = await insertDocument(client, quoteId, 2);
    const { rows } = await client.query(`SELECT id, quote_uuid::text FROM quote_document WHERE quote_id = $1 ORDER BY revision`, [quoteId]);
    expect(rows).toEqual([{ id: before, quote_uuid: quoteId }, { id: after, quote_uuid: quoteId }]);
    // The backfill went through the immutability trigger only inside the migration.
    await expect(client.query(`UPDATE quote_document SET created_by = 'x' WHERE id = $1`, [before])).rejects.toMatchObject({ code: '23001' });
    await expect(insertDocument(client, randomUUID(), 1)).rejects.toMatchObject({ code: '23503', constraint: 'fk_quote_document_quote' });
    const row = documentRow(quoteId, 3);
    await expect(client.query(
      `INSERT INTO quote_document (id, tenant_id, quote_id, quote_uuid, revision, template_key, template_version, file_sha256, facts_sha256, facts, content, size_bytes, created_by)
       VALUES ($1, $2, $3, $4, 3, 'quote-standard', 1, $5, $6, $7, $8, $9, 'rita')`,
      [row.id, TENANT, quoteId, randomUUID(), row.fileSha256, row.factsSha256, row.facts, row.content, row.content.length],
    )).rejects.toMatchObject({ code: '23514', message: expect.stringMatching(/disagree/) });
  });

  it('contract leaves one NOT NULL uuid quote_id with its FK, and the documents unchanged', async () => {
    const { rows: before } = await client.query(`SELECT id, quote_id, file_sha256 FROM quote_document ORDER BY id`);
    expect((await migrateTo(CONTRACT)).applied).toEqual([CONTRACT]);
    const { rows: after } = await client.query(`SELECT id, quote_id::text, file_sha256 FROM quote_document ORDER BY id`);
    expect(after).toEqual(before);
    const { rows: columns } = await client.query(
      `SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = 'quote_document' AND column_name LIKE 'quote%'`,
    );
    expect(columns).toEqual([{ column_name: 'quote_id', data_type: 'uuid', is_nullable: 'NO' }]);
    const { rows: triggers } = await client.query(`SELECT tgname FROM pg_trigger WHERE tgrelid = 'quote_document'::regclass AND NOT tgisinternal ORDER BY tgname`);
    expect(triggers.map((t) => t.tgname)).toEqual(['tg_quote_document_immutable', 'tg_quote_document_no_truncate']);
    await expect(insertDocument(client, randomUUID(), 1)).rejects.toMatchObject({ code: '23503', constraint: 'fk_quote_document_quote' });
  });
});
