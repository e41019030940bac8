import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../test/env';
import { compareShapes, readSchemaFiles, shapeFromDatabase, shapeFromPrismaSchema } from './schema-drift';
import { createTestDatabase, type TestDatabase } from './test-database';

describe('schema.prisma and the migrated database', () => {
  let db: TestDatabase;
  beforeAll(async () => { db = await createTestDatabase(testEnv.postgresUrl, 'drift'); });
  afterAll(async () => { await db.drop(); });

  it('agree on tables, columns, types, nullability and unique indexes', async () => {
    const problems = compareShapes(await shapeFromPrismaSchema(), await shapeFromDatabase(db.url));
    expect(problems).toEqual([]);
  });

  it('a column changed in schema.prisma only is reported', async () => {
    const edited = readSchemaFiles().map(([, content]) => content).join('\n').replace('eventType        String    @map("event_type") @db.VarChar(120)', 'eventType        String?   @map("event_type") @db.VarChar(99)');
    const file = join(mkdtempSync(join(tmpdir(), 'drift-')), 'schema.prisma');
    writeFileSync(file, edited);
    const problems = compareShapes(await shapeFromPrismaSchema(file), await shapeFromDatabase(db.url));
    expect(problems).toEqual([
      'column outbox_event.event_type: schema.prisma says varchar(99), database has varchar(120)',
      'column outbox_event.event_type: schema.prisma says nullable, database has NOT NULL',
    ]);
  });

  it('a table, column or unique index added only by SQL is reported', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query('CREATE TABLE stray (id int PRIMARY KEY)');
    await client.query('ALTER TABLE tenant ADD COLUMN stray_column int');
    await client.query('CREATE UNIQUE INDEX uq_tenant_name ON tenant (name)');
    await client.end();
    const problems = compareShapes(await shapeFromPrismaSchema(), await shapeFromDatabase(db.url));
    expect(problems).toEqual(expect.arrayContaining([
      'column tenant.stray_column is in the database but not in schema.prisma',
      'unique index on tenant(name) is in the database but not in schema.prisma',
      'table stray is in the database but not in schema.prisma',
    ]));
  });
});
