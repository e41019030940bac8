import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../http/auth';
import { createTestApp, type TestApp } from '../../../test/test-app';

type Json = Record<string, unknown>;

// The studio's FEEL editor calls this on every pause in typing: real HTTP on a listening engine,
// the contract's request validation and response validation (on outside production) included.
describe('POST /metadata/feel/evaluate: FEEL compiled and evaluated by the engine (real HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  let base = '';
  const tokens: Record<'admin' | 'rep', string> = { admin: '', rep: '' };
  const tenant = `feel-${Date.now().toString(36)}`;

  beforeAll(async () => {
    t = await createTestApp('feel_evaluate');
    await t.infrastructure.prisma.tenant.create({ data: { id: tenant, name: 'FEEL' } });
    tokens.admin = await issueToken(t.config.auth, { userId: 'ada', tenantId: tenant, roles: ['admin'] });
    tokens.rep = await issueToken(t.config.auth, { userId: 'rita', tenantId: tenant, roles: ['rep'] });
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  }, 120_000);
  afterAll(async () => t?.close());

  const post = async (body: unknown, as: keyof typeof tokens | null = 'admin', raw?: string) => {
    const res = await fetch(`${base}/metadata/feel/evaluate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(as ? { authorization: `Bearer ${tokens[as]}` } : {}) },
      body: raw ?? JSON.stringify(body),
    });
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: (await res.json()) as Json };
  };

  it('given a condition and sample values, when an admin checks it, then the engine answers the value and the names it reads', async () => {
    const res = await post({ expression: 'quantity >= 10 and access = "copper"', context: { quantity: 12, access: 'copper' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, dialect: 'expression', variables: ['quantity', 'access'], value: true, type: 'boolean', display: 'true' });
  });

  it('given an expression that does not parse, then 200 with the compile error at its offsets, worded as a candidate issue is', async () => {
    const res = await post({ expression: 'quantity >= ' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: false, dialect: 'expression', variables: [], error: { phase: 'compile', message: 'Incomplete <Comparison>', from: 12, to: 12 } });
  });

  it('tests unary tests against the input, and reports a failure on the sample values as an evaluate error', async () => {
    expect((await post({ expression: '< 10, [20..30]', dialect: 'unary-tests', input: 25 })).body).toMatchObject({ ok: true, value: true });
    const failed = await post({ expression: 'x > true', context: { x: 1 } });
    expect(failed.body).toMatchObject({ ok: false, variables: ['x'], error: { phase: 'evaluate', message: 'unsupported range: true..null' } });
  });

  it('stops an endless evaluation and stays responsive', async () => {
    const [endless, next] = await Promise.all([post({ expression: 'for i in 1..1.5 return i instance of number' }), post({ expression: '1 + 1' })]);
    // Stopped by the compiler's iteration budget or, failing that, by the check's time bound.
    expect(endless.body).toMatchObject({ ok: false, error: { phase: 'evaluate' } });
    expect(next.body).toMatchObject({ ok: true, value: 2 });
  });

  it.each([
    ['no expression', {}, 'body/expression'],
    ['an unknown dialect', { expression: '1', dialect: 'sql' }, 'body/dialect'],
    ['a context that is not an object', { expression: '1', context: [1, 2] }, 'body/context'],
    ['an expression longer than a FEEL field holds', { expression: '1'.repeat(4001) }, 'body/expression'],
    ['an unknown field', { expression: '1', variables: {} }, 'body/variables'],
  ])('refuses %s with 400 problem+json naming the field', async (_case, body, field) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.type).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 400, code: 'validation-failed' });
    expect((res.body.errors as { field: string }[]).map((e) => e.field)).toContain(field);
  });

  it('refuses malformed JSON with 400, a rep with 403, and no token with 401', async () => {
    const malformed = await post(undefined, 'admin', '{"expression": ');
    expect(malformed).toMatchObject({ status: 400, body: { code: 'malformed-body' } });
    expect((await post({ expression: '1' }, 'rep')).status).toBe(403);
    expect((await post({ expression: '1' }, null)).status).toBe(401);
  });
});
