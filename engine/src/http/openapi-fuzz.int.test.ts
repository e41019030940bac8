import { loadApiDocument, type JsonSchema, type OpenApiDocument } from '@cpq/contracts/openapi';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQuoteFixture, type QuoteFixture } from '../../test/quote-fixture';
import { brokenValueOf, deepJson, valueOf, type Components } from '../../test/schema-arbitrary';
import { ADMIN_TOKEN } from '../../test/test-app';
import { issueToken, ROLES } from './auth';
import { componentSchemas, findOperation, routeSchema } from './contract-routes';

// Issue 12, item 5: requests generated from the contract the engine serves (/openapi.json), for
// every operation: bodies shaped like the schema and broken in one place, random JSON, deep and
// huge JSON, malformed text, wrong content types; path, query and header values from the schema,
// real ids and garbage; Idempotency-Key and If-Match variants; valid, foreign, garbage and missing
// tokens. Two properties hold for every request: no answer >= 500, and no 2xx for a body the
// operation's schema refuses. Errors are problem+json. Runs through app.inject on one engine,
// FUZZ_CONCURRENCY at a time; FUZZ_RUNS_PER_OPERATION requests per operation (default 1000),
// FUZZ_SEED to replay a run.
const RUNS = Number(process.env.FUZZ_RUNS_PER_OPERATION ?? 1000);
const CONCURRENCY = Number(process.env.FUZZ_CONCURRENCY ?? 8);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2_147_483_647);

const CONTRACT = loadApiDocument();
const OPERATIONS = Object.values(CONTRACT.paths).flatMap((item) => Object.values(item).map((op) => op.operationId as string)).sort();

type Sample = { method: string; url: string; headers: Record<string, string>; payload?: string; body: { sent: boolean; value?: unknown; raw?: boolean } };

const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream'];
const garbageText = fc.oneof(
  fc.string({ maxLength: 30 }), fc.string({ unit: 'grapheme', maxLength: 30 }), fc.constant('x'.repeat(300)),
  fc.constantFrom('..', '%00', '\u0000', '../../etc/passwd', '-1', '0', '1e309', 'NaN', 'null', 'true', '[]', '{}', "' OR 1=1 --", '<script>', '\uFEFF', '🙂'),
);

function pool(limit: number) {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(job: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((resolve) => queue.push(resolve));
    active += 1;
    try {
      return await job();
    } finally {
      active -= 1;
      queue.shift()?.();
    }
  };
}

describe('generated requests from /openapi.json: no 5xx, no accepted invalid body (real engine)', () => {
  let f: QuoteFixture;
  let served: OpenApiDocument;
  let ajv: Ajv;
  const ids: Record<string, string[]> = {};
  let tokens: { staff: string; single: string[]; foreign: string; customer: string; metrics: string };

  beforeAll(async () => {
    f = await createQuoteFixture('fuzz');
    const served_ = await f.t.app.inject({ method: 'GET', url: '/openapi.json' });
    served = served_.json() as OpenApiDocument;
    ajv = new Ajv({ allErrors: false, strict: false, useDefaults: true, coerceTypes: false, removeAdditional: false });
    (addFormats as unknown as (a: Ajv) => void)(ajv);
    for (const schema of componentSchemas(served)) ajv.addSchema(schema);
    // Real ids, so that valid-shaped requests reach the domain and not only the 404s.
    const { quoteId, documentId } = await f.acceptableQuote();
    const draft = await f.pricedQuote();
    const release = (await f.call('ada', 'GET', '/metadata/releases/current')).body;
    Object.assign(ids, {
      quoteId: [quoteId, draft], documentId: [documentId], releaseId: [release.releaseId ?? release.id].filter(Boolean),
      kind: ['offering', 'price-book', 'bpmn-model'], key: ['business-internet'], accountId: ['acct-1', 'acct-2'], tenantId: [f.tenant, f.otherTenant],
    });
    const all = ROLES.filter((r) => r !== 'customer');
    tokens = {
      staff: await issueToken(f.t.config.auth, { userId: 'fuzz-staff', tenantId: f.tenant, roles: [...all], team: 'north' }),
      single: await Promise.all(ROLES.map((role) => issueToken(f.t.config.auth, { userId: `fuzz-${role}`, tenantId: f.tenant, roles: [role], team: 'north', accountId: 'acct-1' }))),
      foreign: await issueToken(f.t.config.auth, { userId: 'fuzz-eve', tenantId: f.otherTenant, roles: [...all], team: 'north' }),
      customer: await issueToken(f.t.config.auth, { userId: 'fuzz-cora', tenantId: f.tenant, roles: ['customer'], accountId: 'acct-1' }),
      metrics: f.t.config.metricsToken,
    };
  }, 180_000);
  afterAll(async () => {
    await f?.close();
  });

  it('serves the contract the engine was built from', () => {
    const servedOps = Object.values(served.paths).flatMap((item) => Object.values(item).map((op) => op.operationId)).sort();
    expect(servedOps).toEqual(OPERATIONS);
  });

  function requestsFor(operationId: string): fc.Arbitrary<Sample> {
    const { method, path, operation } = findOperation(served, operationId);
    const route = routeSchema(served, operationId);
    const components = served.components.schemas as Components;
    const paramSchema = (part: 'params' | 'querystring') => (route.schema[part] as JsonSchema | undefined)?.properties as Record<string, JsonSchema> | undefined ?? {};
    const security = JSON.stringify(operation.security ?? []);
    const goodToken = security.includes('platformAdmin') ? ADMIN_TOKEN : security.includes('metricsScrape') ? tokens.metrics : tokens.staff;
    const authorization = fc.oneof(
      { weight: 8, arbitrary: fc.constant(`Bearer ${goodToken}`) },
      { weight: 2, arbitrary: fc.constantFrom(...tokens.single, tokens.customer).map((t) => `Bearer ${t}`) },
      { weight: 1, arbitrary: fc.constant(`Bearer ${tokens.foreign}`) },
      { weight: 1, arbitrary: garbageText.map((g) => `Bearer ${g}`) },
      { weight: 1, arbitrary: fc.constantFrom('', 'Basic dXNlcjpwYXNz', `bearer ${goodToken}`, `Bearer ${goodToken}x`) },
    );
    const pathValues = Object.entries(paramSchema('params')).map(([name, schema]) => fc.oneof(
      { weight: 3, arbitrary: ids[name]?.length ? fc.constantFrom(...ids[name]!) : valueOf(schema as never, components) },
      { weight: 2, arbitrary: valueOf(schema as never, components) },
      { weight: 1, arbitrary: garbageText },
    ).map((v) => [name, encodeURIComponent(String(v))] as const));
    const queryValues = Object.entries(paramSchema('querystring')).map(([name, schema]) => fc.option(fc.oneof(
      { weight: 3, arbitrary: valueOf(schema as never, components) },
      { weight: 1, arbitrary: garbageText },
    ).map((v) => [name, Array.isArray(v) ? v.join(',') : String(v)] as [string, string]), { nil: undefined, freq: 2 }));
    const extraQuery = fc.option(fc.tuple(fc.constantFrom('unknown', 'limit', 'cursor', 'q'), garbageText) as fc.Arbitrary<[string, string]>, { nil: undefined, freq: 4 });
    const bodySchema = route.schema.body as JsonSchema | undefined;
    const body: fc.Arbitrary<Sample['body']> = bodySchema
      ? fc.oneof(
        { weight: 5, arbitrary: valueOf(bodySchema as never, components).map((value) => ({ sent: true, value })) },
        { weight: 5, arbitrary: brokenValueOf(bodySchema as never, components).map((value) => ({ sent: true, value })) },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => ({ sent: true, value })) },
        { weight: 1, arbitrary: fc.integer({ min: 20, max: 400 }).map((d) => ({ sent: true, value: deepJson(d), raw: true })) },
        { weight: 1, arbitrary: fc.constantFrom('{"a":', '{,}', 'nul', '\u0000', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', `"${'x'.repeat(70_000)}"`).map((value) => ({ sent: true, value, raw: true })) },
        { weight: 1, arbitrary: fc.constant({ sent: false }) },
      )
      : fc.oneof({ weight: 4, arbitrary: fc.constant({ sent: false }) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((value) => ({ sent: true, value })) });
    const idempotencyKey = fc.option(fc.oneof(
      { weight: 6, arbitrary: fc.uuid() },
      { weight: 1, arbitrary: garbageText },
      { weight: 1, arbitrary: fc.constant(`k-${'a'.repeat(250)}`) },
    ), { nil: undefined, freq: 8 });
    const ifMatch = fc.option(fc.oneof(
      fc.integer({ min: 0, max: 5 }).map((v) => `"${v}"`), fc.integer({ min: 0, max: 5 }).map((v) => `W/"${v}"`), fc.integer({ min: -3, max: 5 }).map(String),
      fc.constantFrom('"abc"', '*', '"1.5"', '"99999999999999999999"', '""', 'W/', '"1", "2"', '"-0"', '"0x10"', '" 1"'), garbageText,
    ), { nil: undefined, freq: 3 });
    const contentType = fc.oneof({ weight: 10, arbitrary: fc.constant(CONTENT_TYPES[0]!) }, { weight: 3, arbitrary: fc.constantFrom(...CONTENT_TYPES.slice(1)) }, { weight: 1, arbitrary: fc.constant(undefined) });

    return fc.record({ authorization, path: fc.tuple(...pathValues), query: fc.tuple(...queryValues), extraQuery, body, idempotencyKey, ifMatch, contentType }).map((r) => {
      const url = r.path.reduce((u, [name, value]) => u.replace(`{${name}}`, value), path);
      const query = new URLSearchParams([...r.query.filter((q) => q !== undefined), ...(r.extraQuery ? [r.extraQuery] : [])]).toString();
      const headers: Record<string, string> = {};
      if (r.authorization) headers.authorization = r.authorization;
      if (r.idempotencyKey !== undefined) headers['idempotency-key'] = r.idempotencyKey;
      if (r.ifMatch !== undefined) headers['if-match'] = r.ifMatch;
      if (r.body.sent && r.contentType) headers['content-type'] = r.contentType;
      const payload = r.body.sent ? (r.body.raw ? String(r.body.value) : JSON.stringify(r.body.value)) : undefined;
      return { method, url: query ? `${url}?${query}` : url, headers, ...(payload !== undefined ? { payload } : {}), body: r.body };
    });
  }

  /** Whether the operation's schema takes the body as sent (the server's ajv settings; the server validates a copy-free parse). */
  function bodyIsValid(validate: ValidateFunction, sample: Sample, required: boolean): boolean {
    if (!sample.body.sent || sample.payload === undefined || sample.payload.trim() === '') return !required && validate({});
    let parsed: unknown;
    try {
      parsed = JSON.parse(sample.payload);
    } catch {
      return false;
    }
    return validate(parsed);
  }

  it.each(OPERATIONS)('%s', async (operationId) => {
    const samples = fc.sample(requestsFor(operationId), { numRuns: RUNS, seed: SEED });
    const { operation } = findOperation(served, operationId);
    const bodySchema = routeSchema(served, operationId).schema.body;
    const validate = bodySchema ? ajv.compile(bodySchema) : undefined;
    const run = pool(CONCURRENCY);
    const found: string[] = [];
    const statuses = new Map<number, number>();
    await Promise.all(samples.map((sample) => run(async () => {
      const res = await f.t.app.inject({ method: sample.method as 'GET', url: sample.url, headers: sample.headers, ...(sample.payload !== undefined ? { payload: sample.payload } : {}) });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      const shown = () => `${sample.method} ${sample.url} ${JSON.stringify({ ...sample.headers, authorization: sample.headers.authorization?.slice(0, 20) })} ${(sample.payload ?? '').slice(0, 300)} -> ${res.statusCode} ${res.body.slice(0, 300)}`;
      // The readiness probe says 503 while a dependency answers slowly (its contract's answer,
      // seen on a loaded CI run): that is the probe working, not an error of the engine.
      if (res.statusCode === 503 && operationId === 'getReadiness') return;
      if (res.statusCode >= 500) found.push(`5xx: ${shown()}`);
      else if (res.statusCode >= 400 && !String(res.headers['content-type']).includes('application/problem+json')) found.push(`not problem+json: ${shown()}`);
      else if (res.statusCode < 300 && validate && !bodyIsValid(validate, sample, operation.requestBody?.required === true)) {
        found.push(`accepted an invalid body: ${shown()}`);
      }
    })));
    expect(found, `${operationId} (FUZZ_SEED=${SEED}; statuses ${JSON.stringify(Object.fromEntries(statuses))})`).toEqual([]);
  }, 600_000);

});
