import { METADATA_KINDS, registry } from '@cpq/metadata';
import { sampleCatalog } from '@cpq/metadata/samples';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../http/auth';
import { createTestApp, type TestApp } from '../../../test/test-app';

type Json = Record<string, unknown>;

describe('GET /metadata/kinds and /metadata/kinds/{kind}/schema: the engine serves its own schemas (real PostgreSQL)', () => {
  let t: TestApp;
  let rep: string;
  const tenant = `kinds-${Date.now().toString(36)}`;

  beforeAll(async () => {
    t = await createTestApp('metadata-kinds');
    await t.infrastructure.prisma.tenant.create({ data: { id: tenant, name: 'Kinds' } });
    rep = await issueToken(t.config.auth, { userId: 'rita', tenantId: tenant, roles: ['rep'] });
  }, 120_000);
  afterAll(async () => t?.close());

  const get = async (url: string, token: string | null = rep) => {
    const res = await t.app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: res.statusCode, body: res.json() as Json };
  };

  it('lists every kind of the registry, in its order, with its title and the very schema drafts are checked against', async () => {
    const res = await get('/metadata/kinds');
    expect(res.status).toBe(200);
    const items = res.body.items as { kind: string; title: string; schema: Json }[];
    expect(items.map((i) => i.kind)).toEqual(METADATA_KINDS);
    expect(items).toHaveLength(12);
    for (const item of items) {
      expect(item.title).toBe(registry[item.kind as keyof typeof registry].title);
      expect(item.schema).toEqual(registry[item.kind as keyof typeof registry].schema);
      expect(item.schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    }
  });

  it('serves one kind\'s schema; a client compiling it with ajv 2020-12 accepts a good item and names the field of a bad one', async () => {
    const res = await get('/metadata/kinds/price-book/schema');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(registry['price-book'].schema);
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    (addFormats as unknown as (instance: Ajv2020) => void)(ajv);
    const validate = ajv.compile(res.body);
    const book = sampleCatalog().find((i) => i.kind === 'price-book')!.content as Json;
    expect(validate(book), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...book, currency: 'euros' })).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toContain('/currency');
  });

  it('refuses an unknown kind with 400 naming params/kind, and a caller without a token with 401', async () => {
    const unknown = await get('/metadata/kinds/widget/schema');
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body.errors)).toContain('kind');
    expect((await get('/metadata/kinds', null)).status).toBe(401);
  });
});
