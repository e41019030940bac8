import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import internals from '@prisma/internals';
import pg from 'pg';
import { LEDGER_TABLE } from './migrate';

/** The schema folder: one .prisma file per owning module (Prisma's multi-file schema). */
export const SCHEMA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'schema');

/** The schema's files as [path, content] pairs, from a folder or a single file. */
export function readSchemaFiles(location = SCHEMA_DIR): [string, string][] {
  if (!statSync(location).isDirectory()) return [[location, readFileSync(location, 'utf8')]];
  return readdirSync(location)
    .filter((f) => f.endsWith('.prisma'))
    .sort()
    .map((f) => [join(location, f), readFileSync(join(location, f), 'utf8')]);
}

/** One column as both sides describe it, normalised to PostgreSQL's words. */
export type ColumnShape = { type: string; nullable: boolean };
export type TableShape = { columns: Map<string, ColumnShape>; uniques: Set<string> };
export type SchemaShape = Map<string, TableShape>;

// Prisma scalar -> PostgreSQL type when no @db attribute is given.
const DEFAULT_TYPES: Record<string, string> = {
  String: 'text', Int: 'integer', BigInt: 'bigint', Boolean: 'boolean', DateTime: 'timestamp(3)',
  Float: 'double precision', Decimal: 'numeric(65,30)', Json: 'jsonb', Bytes: 'bytea',
};

function nativeType(native: [string, string[]]): string {
  const [name, args] = native;
  const base: Record<string, string> = {
    VarChar: 'varchar', Char: 'char', Text: 'text', Uuid: 'uuid', Timestamptz: 'timestamptz',
    Timestamp: 'timestamp', Date: 'date', Integer: 'integer', BigInt: 'bigint', SmallInt: 'smallint',
    Decimal: 'numeric', JsonB: 'jsonb', Json: 'json', Boolean: 'boolean', DoublePrecision: 'double precision',
  };
  const type = base[name] ?? name.toLowerCase();
  return args.length ? `${type}(${args.join(',')})` : type;
}

type DmmfField = {
  name: string; dbName?: string | null; kind: string; type: string; isRequired: boolean;
  isList: boolean; nativeType?: [string, string[]] | null;
};
type DmmfIndex = { model: string; type: string; dbName?: string | null; fields: { name: string }[] };

/** What schema.prisma says the database looks like. */
export async function shapeFromPrismaSchema(location = SCHEMA_DIR): Promise<SchemaShape> {
  const { getDMMF } = internals as unknown as {
    getDMMF: (o: { datamodel: [string, string][] }) => Promise<{
      datamodel: { models: { name: string; dbName: string | null; fields: DmmfField[] }[]; indexes: DmmfIndex[] };
    }>;
  };
  const dmmf = await getDMMF({ datamodel: readSchemaFiles(location) });
  const shape: SchemaShape = new Map();
  for (const model of dmmf.datamodel.models) {
    const columnOf = new Map<string, string>();
    const columns = new Map<string, ColumnShape>();
    for (const field of model.fields) {
      if (field.kind !== 'scalar' && field.kind !== 'enum') continue;
      const column = field.dbName ?? field.name;
      columnOf.set(field.name, column);
      const type = field.nativeType ? nativeType(field.nativeType) : (DEFAULT_TYPES[field.type] ?? field.type);
      columns.set(column, { type: field.isList ? `${type}[]` : type, nullable: !field.isRequired });
    }
    const uniques = new Set<string>();
    for (const index of dmmf.datamodel.indexes.filter((i) => i.model === model.name)) {
      if (index.type !== 'unique' && index.type !== 'id') continue;
      uniques.add(index.fields.map((f) => columnOf.get(f.name) ?? f.name).join(','));
    }
    shape.set(model.dbName ?? model.name, { columns, uniques });
  }
  return shape;
}

/** What the migrated database actually has (public schema, ledger excluded). */
export async function shapeFromDatabase(connectionString: string): Promise<SchemaShape> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const columns = await client.query<{ table_name: string; column_name: string; type: string; nullable: boolean }>(`
      SELECT c.relname AS table_name, a.attname AS column_name,
             format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid AND c.relkind = 'r'
        JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
       WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relname <> $1`, [LEDGER_TABLE]);
    // Full (non-partial) unique indexes and primary keys; partial ones are SQL-only by design.
    const uniques = await client.query<{ table_name: string; columns: string }>(`
      SELECT c.relname AS table_name,
             string_agg(a.attname, ',' ORDER BY k.ord) AS columns
        FROM pg_index i
        JOIN pg_class c ON c.oid = i.indrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
        CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
       WHERE i.indisunique AND i.indpred IS NULL AND c.relname <> $1
       GROUP BY c.relname, i.indexrelid`, [LEDGER_TABLE]);
    const shape: SchemaShape = new Map();
    const table = (name: string) => {
      let t = shape.get(name);
      if (!t) shape.set(name, (t = { columns: new Map(), uniques: new Set() }));
      return t;
    };
    for (const row of columns.rows) {
      const type = row.type
        .replace('character varying', 'varchar')
        .replace(/^character\(/, 'char(')
        .replace(/^timestamp\((\d)\) with time zone$/, 'timestamptz($1)')
        .replace(/^timestamp with time zone$/, 'timestamptz')
        .replace(/^timestamp\((\d)\) without time zone$/, 'timestamp($1)')
        .replace(/^numeric\((\d+),(\d+)\)$/, 'numeric($1,$2)');
      table(row.table_name).columns.set(row.column_name, { type, nullable: row.nullable });
    }
    for (const row of uniques.rows) table(row.table_name).uniques.add(row.columns);
    return shape;
  } finally {
    await client.end();
  }
}

/** Every disagreement, as sentences; empty when the two agree. */
export function compareShapes(prismaShape: SchemaShape, dbShape: SchemaShape): string[] {
  const problems: string[] = [];
  for (const [name, expected] of prismaShape) {
    const actual = dbShape.get(name);
    if (!actual) { problems.push(`table ${name} is in schema.prisma but not in the database`); continue; }
    for (const [column, shape] of expected.columns) {
      const real = actual.columns.get(column);
      if (!real) { problems.push(`column ${name}.${column} is in schema.prisma but not in the database`); continue; }
      if (real.type !== shape.type) problems.push(`column ${name}.${column}: schema.prisma says ${shape.type}, database has ${real.type}`);
      if (real.nullable !== shape.nullable) problems.push(`column ${name}.${column}: schema.prisma says ${shape.nullable ? 'nullable' : 'NOT NULL'}, database has ${real.nullable ? 'nullable' : 'NOT NULL'}`);
    }
    for (const column of actual.columns.keys()) {
      if (!expected.columns.has(column)) problems.push(`column ${name}.${column} is in the database but not in schema.prisma`);
    }
    for (const unique of expected.uniques) {
      if (!actual.uniques.has(unique)) problems.push(`unique index on ${name}(${unique}) is in schema.prisma but not in the database`);
    }
    for (const unique of actual.uniques) {
      if (!expected.uniques.has(unique)) problems.push(`unique index on ${name}(${unique}) is in the database but not in schema.prisma`);
    }
  }
  for (const name of dbShape.keys()) {
    if (!prismaShape.has(name)) problems.push(`table ${name} is in the database but not in schema.prisma`);
  }
  return problems;
}
