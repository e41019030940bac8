import { randomUUID } from 'node:crypto';
import { listOperations, loadApiDocument, type JsonSchema, type OpenApiOperation } from '@cpq/contracts/openapi';
import { sampleCatalog } from '@cpq/metadata/samples';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, createTestApp, type TestApp } from '../../test/test-app';
import { issueToken } from './auth';

// Walks every mutating operation of the contracts: each is a command that declares the
// Idempotency-Key, answers 428 without one, and answers a replay with its first answer.
const doc = loadApiDocument();
const commands = listOperations(doc).filter(({ method, operation }) => method !== 'GET' && !(operation as OpenApiOperation & { 'x-not-a-command'?: string })['x-not-a-command']);

const specification = sampleCatalog().find((item) => item.kind === 'product-specification')!;
/** A body that passes each command's schema, so the request reaches the command itself. */
const BODIES: Record<string, unknown> = {
  createDraft: specification,
  editDraft: { content: specification.content },
  createReleaseCandidate: { title: 'Idempotency walk' },
  approveReleaseCandidate: { reason: 'fine' },
  rejectReleaseCandidate: { reason: 'not yet' },
  registerTenant: { tenantId: 'idem-walk-co', name: 'Idempotency Walk' },
  createQuote: { accountId: 'acct-1', customerName: 'Acme', currency: 'EUR', termMonths: 12 },
  createAccount: { accountId: 'idem-walk-account', name: 'Idempotency Walk', segment: 'smb', channel: 'direct', currency: 'EUR' },
  addQuoteLine: { offering: 'business-internet', quantity: 1, selections: {} },
  configureQuoteLine: { lineId: 'L1', quantity: 1, selections: {} },
  disconnectQuoteLine: { lineId: 'L1' },
  acceptQuote: { documentId: randomUUID() },
  withdrawQuote: { reason: 'customer left' },
  approveQuote: { reason: 'fine' },
  rejectQuote: { reason: 'too cheap' },
  createOrderFromAcceptedQuote: { quoteId: randomUUID() },
  requestOrderCancellation: { reason: 'customer changed their mind' },
  recordFulfillmentCallback: { externalReference: 'ext-1', requestKey: 'rk-1', outcome: 'completed' },
  recordStepOutcome: { requestKey: 'rk-1', outcome: 'completed' },
  recordStepCompensation: { outcome: 'compensated' },
  resolveFallout: { action: 'retry', reason: 'fixed upstream' },
};
/** Commands that need If-Match to reach their work. */
const IF_MATCH = new Set(['editDraft', 'deleteDraft']);

/** A path parameter value its schema accepts. */
function valueFor(schema: JsonSchema, name: string): string {
  if (schema.$ref === '#/components/schemas/MetadataKind') return specification.kind;
  if (schema.$ref === '#/components/schemas/ItemKey') return specification.key;
  if (schema.format === 'uuid') return randomUUID();
  if (schema.pattern === '^[A-Za-z0-9-]{1,64}$') return 'idem-walk-1';
  if (schema.pattern === '^[A-Za-z0-9][A-Za-z0-9._-]{0,139}$') return 'L1.reserve-access';
  throw new Error(`add a value for path parameter ${name} (${JSON.stringify(schema)}) to this test`);
}

function urlOf(path: string, operation: OpenApiOperation): string {
  const parameters = (operation.parameters ?? []).map((p) => ('$ref' in p ? doc.components.parameters?.[p.$ref.split('/').pop() ?? ''] : p));
  return path.replace(/\{([^}]+)\}/g, (_match, name: string) => {
    const parameter = parameters.find((p) => p?.in === 'path' && p.name === name);
    if (!parameter) throw new Error(`${operation.operationId}: no path parameter ${name}`);
    return valueFor(parameter.schema, name);
  });
}

describe('every command of the contracts takes an Idempotency-Key (real PostgreSQL)', () => {
  let t: TestApp;
  let adminToken: string;
  const tenant = `idem-${Date.now().toString(36)}`;

  beforeAll(async () => {
    t = await createTestApp('command-route');
    await t.infrastructure.prisma.tenant.create({ data: { id: tenant, name: 'Idem' } });
    adminToken = await issueToken(t.config.auth, { userId: 'idem-admin', tenantId: tenant, roles: ['admin'] });
  });
  afterAll(async () => { await t?.close(); });

  const send = (method: string, url: string, operationId: string, key?: string) =>
    t.app.inject({
      method: method as 'POST',
      url,
      headers: {
        authorization: `Bearer ${operationId === 'registerTenant' ? ADMIN_TOKEN : adminToken}`,
        ...(key ? { 'idempotency-key': key } : {}),
        ...(IF_MATCH.has(operationId) ? { 'if-match': '"1"' } : {}),
      },
      ...(BODIES[operationId] !== undefined ? { payload: BODIES[operationId] as object } : {}),
    });

  it('finds the commands of every module, and a valid body for each that needs one', () => {
    const ids = commands.map((c) => c.operation.operationId);
    expect(ids).toEqual(expect.arrayContaining(['createDraft', 'publishReleaseCandidate', 'approveReleaseCandidate', 'registerTenant', 'createQuote', 'acceptQuote', 'claimWorkItem']));
    const missing = commands.filter((c) => c.operation.requestBody?.required && BODIES[c.operation.operationId] === undefined).map((c) => c.operation.operationId);
    expect(missing, 'add a valid body for these commands to BODIES').toEqual([]);
  });

  describe.each(commands.map((c) => [c.operation.operationId, c] as const))('%s', (operationId, { method, path, operation }) => {
    it('declares the Idempotency-Key header and its 428 in the contract', () => {
      const refs = (operation.parameters ?? []).map((p) => ('$ref' in p ? p.$ref : p.name));
      expect(refs).toContain('#/components/parameters/IdempotencyKey');
      expect(Object.keys(operation.responses)).toContain('428');
    });

    it('without a key: 428 naming the header, and nothing runs', async () => {
      const before = await t.infrastructure.prisma.auditRecord.count();
      const res = await send(method, urlOf(path, operation), operationId);
      expect(res.statusCode, res.body).toBe(428);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ code: 'idempotency-key-required', errors: [{ field: 'headers/idempotency-key', rule: 'required' }] });
      expect(await t.infrastructure.prisma.auditRecord.count()).toBe(before);
    });

    it('a replay gets the first answer (status, body) and runs nothing again', async () => {
      const url = urlOf(path, operation);
      const key = `walk-${randomUUID()}`;
      const first = await send(method, url, operationId, key);
      expect(first.statusCode, first.body).toBeLessThan(500);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const audit = await t.infrastructure.prisma.auditRecord.count();
      const events = await t.infrastructure.prisma.outboxEvent.count();
      const replay = await send(method, url, operationId, key);
      expect(replay.statusCode).toBe(first.statusCode);
      // The same answer; a problem carries each request's own correlation id.
      const { correlationId: _first, ...firstBody } = (first.body ? first.json() : {}) as Record<string, unknown>;
      const { correlationId: _replay, ...replayBody } = (replay.body ? replay.json() : {}) as Record<string, unknown>;
      expect(replayBody).toEqual(firstBody);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.headers.etag).toBe(first.headers.etag);
      expect(await t.infrastructure.prisma.auditRecord.count()).toBe(audit);
      expect(await t.infrastructure.prisma.outboxEvent.count()).toBe(events);
    });
  });

  it('effects happen once: a replayed draft creation and tenant registration are the first answers (201), with one row each', async () => {
    expect(await t.infrastructure.prisma.metadataDraft.count({ where: { tenantId: tenant, kind: specification.kind, key: specification.key } })).toBe(1);
    expect(await t.infrastructure.prisma.tenant.count({ where: { id: 'idem-walk-co' } })).toBe(1);
    expect(await t.infrastructure.prisma.outboxEvent.count({ where: { aggregateId: 'idem-walk-co', eventType: 'TenantRegistered' } })).toBe(1);
  });
});
