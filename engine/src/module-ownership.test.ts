import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// Issue 8, item 3: a module owns its tables. Each model in prisma/schema/*.prisma names its
// owner (`/// @owner <folder or file>`) and any declared co-owner (`/// @co-owner <path>: why`);
// this test scans the TypeScript of engine/ and connectors/ for Prisma model access
// (`<client>.<modelDelegate>.<method>(`) and raw SQL (tagged $queryRaw/$executeRaw/Prisma.sql
// templates, *Unsafe/raw/query calls) and fails when code outside a table's owners touches it.
//
// Exempt, because they are not a module's code path: test files (`*.test.ts`, which set up and
// inspect any table on purpose), test fixtures (`engine/test/`, `connectors/test/`, the root
// `test/`), build output, and `prisma/` itself (it owns the schema and migrations of every
// table). Not seen: SQL assembled in plain strings outside those calls, and dynamic delegate
// access (`tx[name]`); keep table access in the forms above so this test can see it.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCANNED = ['engine', 'connectors'];
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'generated', 'test']);

/**
 * Table access by code outside the table's owners, as it is today: `file -> table`. The test
 * fails on any access not listed here AND on any entry here that no longer happens, so the
 * list can only shrink. Moving code changes the file names: the failure says what to write.
 */
const KNOWN_VIOLATIONS: readonly string[] = [
  // The publish serialises release numbering with `SELECT ... FROM tenant ... FOR UPDATE`; the
  // tenant module's port should offer that lock.
  'engine/src/modules/catalog/release-publish.service.ts -> tenant',
];

export type Ownership = { model: string; delegate: string; owner: string; coOwners: string[] };
export type Access = { file: string; table: string; line: number; how: string };

// The methods of a Prisma model delegate (the calls that read or write its table).
const PRISMA_METHODS = new Set([
  'findUnique', 'findUniqueOrThrow', 'findFirst', 'findFirstOrThrow', 'findMany', 'create', 'createMany',
  'createManyAndReturn', 'update', 'updateMany', 'updateManyAndReturn', 'upsert', 'delete', 'deleteMany',
  'count', 'aggregate', 'groupBy',
]);
// Calls whose (first) argument, or tagged templates whose text, is SQL.
const SQL_TAG = /(\$queryRaw|\$executeRaw|\bPrisma\.sql|\bPrisma\.raw|^sql)$/;
const SQL_CALL = /(\$queryRawUnsafe|\$executeRawUnsafe|\bPrisma\.raw|\.query)$/;
// A table follows these keywords (FROM also covers DELETE FROM and UPDATE ... FROM), as a
// comma list of `[schema.]name [[AS] alias]`; an alias is never one of the keywords after it.
const NAME = '(?:"?[a-z_][a-z0-9_]*"?\\.)?"?[a-z_][a-z0-9_]*"?';
const ALIAS = '(?:\\s+(?:AS\\s+)?(?!(?:JOIN|WHERE|LEFT|RIGHT|INNER|OUTER|FULL|CROSS|NATURAL|LATERAL|ON|USING|SET|FOR|ORDER|GROUP|LIMIT|RETURNING|VALUES|SELECT|DEFAULT|OVERRIDING|UNION|HAVING|WINDOW|OFFSET)\\b)[a-z_][a-z0-9_]*)?';
const TABLE_AFTER = new RegExp(
  `\\b(?:FROM|JOIN|INTO|UPDATE|USING|TRUNCATE(?:\\s+TABLE)?|LOCK(?:\\s+TABLE)?)\\s+(?:ONLY\\s+)?(${NAME}${ALIAS}(?:\\s*,\\s*${NAME}${ALIAS})*)`,
  'gi',
);

/** Table -> owner, from the `@owner`/`@co-owner` doc lines of each model. */
export function readOwnership(files: [string, string][]): { tables: Map<string, Ownership>; problems: string[] } {
  const tables = new Map<string, Ownership>();
  const problems: string[] = [];
  for (const [file, content] of files) {
    for (const match of content.matchAll(/((?:^[ \t]*\/\/\/.*\n)*)^model (\w+) \{([\s\S]*?)^\}/gm)) {
      const [, doc = '', model = '', body = ''] = match;
      const table = /@@map\("([^"]+)"\)/.exec(body)?.[1] ?? model;
      const owners = [...doc.matchAll(/^[ \t]*\/\/\/\s*@owner\s+(\S+)\s*$/gm)].map((m) => m[1]!);
      const coOwnerLines = [...doc.matchAll(/^[ \t]*\/\/\/\s*@co-owner\s+(.*)$/gm)].map((m) => m[1]!);
      const coOwners: string[] = [];
      for (const line of coOwnerLines) {
        const co = /^(\S+?):\s+\S/.exec(line);
        if (co) coOwners.push(co[1]!);
        else problems.push(`${file}: model ${model}: "@co-owner ${line}" needs "<path>: <why>"`);
      }
      if (owners.length !== 1) {
        problems.push(`${file}: model ${model} needs exactly one "/// @owner <path>" line (found ${owners.length})`);
        continue;
      }
      for (const path of [...owners, ...coOwners]) {
        if (!existsSync(join(ROOT, path))) problems.push(`${file}: model ${model}: owner ${path} does not exist`);
      }
      tables.set(table, { model, delegate: model[0]!.toLowerCase() + model.slice(1), owner: owners[0]!, coOwners });
    }
  }
  return { tables, problems };
}

function sqlText(node: ts.Node): string | undefined {
  if (ts.isNoSubstitutionTemplateLiteral(node) || ts.isStringLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return node.head.text + node.templateSpans.map((s) => ` ? ${s.literal.text}`).join('');
  return undefined;
}

/** The tables a piece of SQL names after FROM/JOIN/INTO/UPDATE/USING/TRUNCATE/LOCK. */
export function tablesInSql(sql: string, known: ReadonlySet<string>): string[] {
  const found = new Set<string>();
  const text = sql.replace(/--[^\n]*/g, ' ');
  for (const match of text.matchAll(TABLE_AFTER)) {
    for (const item of match[1]!.split(',')) {
      const name = item.trim().split(/\s+/)[0]!.replace(/"/g, '').split('.').pop()!.toLowerCase();
      if (known.has(name)) found.add(name);
    }
  }
  return [...found];
}

/** Every Prisma model access and every table named in raw SQL in one source file. */
export function scanSource(file: string, source: string, tables: ReadonlyMap<string, Ownership>): Access[] {
  const byDelegate = new Map([...tables].map(([table, o]) => [o.delegate, table]));
  const known = new Set(tables.keys());
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const accesses: Access[] = [];
  const lineOf = (node: ts.Node) => sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
  const sql = (node: ts.Node, text: string | undefined, how: string) => {
    for (const table of tablesInSql(text ?? '', known)) accesses.push({ file, table, line: lineOf(node), how });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression;
      const delegate = method.expression;
      if (PRISMA_METHODS.has(method.name.text) && ts.isPropertyAccessExpression(delegate) && byDelegate.has(delegate.name.text)) {
        // `set.delete(key)` is a collection, not a delegate: Prisma's delete takes an object.
        const first = node.arguments[0];
        if (method.name.text !== 'delete' || (first && ts.isObjectLiteralExpression(first))) {
          accesses.push({ file, table: byDelegate.get(delegate.name.text)!, line: lineOf(node), how: method.getText(sf) });
        }
      }
    }
    if (ts.isTaggedTemplateExpression(node) && SQL_TAG.test(node.tag.getText(sf))) {
      sql(node, sqlText(node.template), node.tag.getText(sf));
    }
    if (ts.isCallExpression(node) && SQL_CALL.test(node.expression.getText(sf)) && node.arguments[0]) {
      sql(node, sqlText(node.arguments[0]), node.expression.getText(sf));
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return accesses;
}

/** May this file touch this table? Owners and co-owners are folders (prefix) or files. */
export function mayTouch(file: string, ownership: Ownership): boolean {
  return [ownership.owner, ...ownership.coOwners].some((path) => file === path || file.startsWith(`${path}/`));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !/\.(test|e2e)\.tsx?$|\.d\.ts$/.test(entry.name) ? [path] : [];
  });
}

function schemaFiles(): [string, string][] {
  const dir = join(ROOT, 'prisma', 'schema');
  return readdirSync(dir).filter((f) => f.endsWith('.prisma')).sort()
    .map((f) => [relative(ROOT, join(dir, f)).split(sep).join('/'), readFileSync(join(dir, f), 'utf8')]);
}

const { tables, problems } = readOwnership(schemaFiles());
const accesses = SCANNED.flatMap(sourceFiles).flatMap((file) => scanSource(file, readFileSync(join(ROOT, file), 'utf8'), tables));
const violations = new Map<string, Access[]>();
for (const access of accesses) {
  if (mayTouch(access.file, tables.get(access.table)!)) continue;
  const key = `${access.file} -> ${access.table}`;
  violations.set(key, [...(violations.get(key) ?? []), access]);
}

describe('modules own their tables', () => {
  it('every model in prisma/schema names one owner that exists', () => {
    expect(problems).toEqual([]);
    expect(tables.size).toBeGreaterThan(15);
  });

  it('the scan sees the owners\' own access (it is not blind)', () => {
    const seen = new Set(accesses.map((a) => `${a.file} -> ${a.table}`));
    expect([...seen]).toEqual(expect.arrayContaining([
      'engine/src/modules/audit/audit.writer.ts -> audit_record',
      'engine/src/modules/outbox/outbox.writer.ts -> outbox_event',
      'connectors/src/outbox-relay/outbox-relay.ts -> outbox_event',
      'engine/src/http/idempotency.ts -> idempotency_record',
    ]));
  });

  it('no code touches a table of another module, beyond the known violations', () => {
    const unexpected = [...violations].filter(([key]) => !KNOWN_VIOLATIONS.includes(key))
      .map(([key, list]) => `${key} (${list.map((a) => `line ${a.line}: ${a.how}`).join('; ')})`);
    // Reach the owner through its port (engine/src/modules/<owner>/index.ts) instead.
    expect(unexpected).toEqual([]);
  });

  it('every known violation still happens (the list only shrinks: remove fixed ones)', () => {
    expect(KNOWN_VIOLATIONS.filter((key) => !violations.has(key))).toEqual([]);
    expect(new Set(KNOWN_VIOLATIONS).size).toBe(KNOWN_VIOLATIONS.length);
  });
});

describe('the table-access scanner', () => {
  const file = 'engine/src/modules/tenant/x.ts';
  const scan = (source: string) => scanSource(file, source, tables).map((a) => `${a.table} via ${a.how}`);

  it('finds model delegates and tables in raw SQL of every form', () => {
    expect(scan([
      'await tx.approvalDecision.create({ data });',
      'await prisma.quoteRevision.findMany();',
      'await db.workflowCorrelation.delete({ where: { id } });',
      'await tx.$queryRaw<{ id: string }[]>`SELECT a.id FROM audit_record a JOIN quote q ON q.id = a.target_id WHERE x = ${y}`;',
      'const f = Prisma.sql`FROM price_result p, "public"."quote_line" l`;',
      'await prisma.$executeRaw`INSERT INTO notification (id) VALUES (${id})`;',
      'await prisma.$executeRawUnsafe(\'UPDATE metadata_draft SET version = 2\');',
      'await prisma.$executeRaw`DELETE FROM inbox_message USING consumer_failure f`;',
      'await client.query(`TRUNCATE TABLE outbox_event`);',
    ].join('\n'))).toEqual([
      'approval_decision via tx.approvalDecision.create',
      'quote_revision via prisma.quoteRevision.findMany',
      'workflow_correlation via db.workflowCorrelation.delete',
      'audit_record via tx.$queryRaw', 'quote via tx.$queryRaw',
      'price_result via Prisma.sql', 'quote_line via Prisma.sql',
      'notification via prisma.$executeRaw',
      'metadata_draft via prisma.$executeRawUnsafe',
      'inbox_message via prisma.$executeRaw', 'consumer_failure via prisma.$executeRaw',
      'outbox_event via client.query',
    ]);
  });

  it('ignores what only looks like table access', () => {
    expect(scan([
      'const id = loaded.quote.id;',
      'patch.quote.delete(key);',
      'const text = "SELECT * FROM audit_record";',
      '// prisma.auditRecord.findMany() in a comment',
      'await tx.$queryRaw`SELECT id FROM due FOR UPDATE SKIP LOCKED`;',
    ].join('\n'))).toEqual([]);
  });

  it('reports a snippet that reaches into another module\'s table, and allows the owner', () => {
    const snippet = 'await tx.auditRecord.findMany({ where: {} });';
    const audit = tables.get('audit_record')!;
    expect(scanSource('engine/src/modules/quote/quote.views.ts', snippet, tables).filter((a) => !mayTouch(a.file, audit))).toHaveLength(1);
    expect(scanSource('engine/src/modules/audit/audit.queries.ts', snippet, tables).filter((a) => !mayTouch(a.file, audit))).toHaveLength(0);
    // A co-owner is allowed, a sibling with a shared prefix is not.
    expect(mayTouch('connectors/src/outbox-relay/outbox-relay.ts', tables.get('outbox_event')!)).toBe(true);
    expect(mayTouch('engine/src/modules/outbox-extra/x.ts', tables.get('outbox_event')!)).toBe(false);
  });

  it('refuses a model without an owner, with two owners, or a co-owner without a reason', () => {
    const { problems } = readOwnership([['x.prisma', [
      'model A {\n  id Int @id\n}',
      '/// @owner engine/src/modules/quote\n/// @owner engine/src/modules/audit\nmodel B {\n  id Int @id\n}',
      '/// @owner engine/src/modules/quote\n/// @co-owner connectors/src/outbox-relay\nmodel C {\n  id Int @id\n}',
      '/// @owner engine/src/modules/nowhere\nmodel D {\n  id Int @id\n}',
    ].join('\n\n')]]);
    expect(problems).toEqual([
      'x.prisma: model A needs exactly one "/// @owner <path>" line (found 0)',
      'x.prisma: model B needs exactly one "/// @owner <path>" line (found 2)',
      'x.prisma: model C: "@co-owner connectors/src/outbox-relay" needs "<path>: <why>"',
      'x.prisma: model D: owner engine/src/modules/nowhere does not exist',
    ]);
  });
});
