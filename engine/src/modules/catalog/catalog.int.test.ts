import { randomUUID } from 'node:crypto';
import { sampleCatalog, quoteApprovalBpmn } from '@cpq/metadata/samples';
import type { MetadataItem } from '@cpq/metadata';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken, type Principal } from '../../http/auth';
import { buildApp } from '../../app';
import { createInfrastructure, createRedis } from '../../plugins/external/infrastructure';
import { startThrowawayRedis } from '../../../../test/services/redis-server';
import { cleanCamunda } from '../../../test/release-fixture';
import { createTestApp, type TestApp } from '../../../test/test-app';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test bodies

describe('governed publish: drafts -> candidate -> review -> release (real PostgreSQL, Redis, Kafka, Camunda)', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const tenant = `acme-${Date.now().toString(36)}`;
  const otherTenant = `other-${Date.now().toString(36)}`;

  beforeAll(async () => {
    t = await createTestApp('catalog');
    await t.infrastructure.prisma.tenant.createMany({ data: [{ id: tenant, name: 'Acme' }, { id: otherTenant, name: 'Other' }] });
    const people: Record<string, Principal> = {
      alice: { userId: 'alice', tenantId: tenant, roles: ['admin'] },
      bob: { userId: 'bob', tenantId: tenant, roles: ['admin'] },
      carol: { userId: 'carol', tenantId: tenant, roles: ['admin'] },
      rita: { userId: 'rita', tenantId: tenant, roles: ['rep'] },
      carl: { userId: 'carl', tenantId: tenant, roles: ['customer'], accountId: 'acct-1' },
      eve: { userId: 'eve', tenantId: otherTenant, roles: ['admin'] },
    };
    for (const [name, principal] of Object.entries(people)) tokens[name] = await issueToken(t.config.auth, principal);
  }, 120_000);
  afterAll(async () => {
    // Camunda keeps the deployments of this run's tenants: remove them.
    await cleanCamunda(t.config.camundaUrl, [tenant, otherTenant]);
    await t?.close();
  });

  const call = async (as: string, method: 'GET' | 'POST', url: string, payload?: unknown, headers: Record<string, string> = {}) => {
    // Every command carries an Idempotency-Key (a fresh one unless the test names it).
    const key: Record<string, string> = method === 'POST' ? { 'idempotency-key': randomUUID() } : {};
    const res = await t.app.inject({ method, url, payload: payload as Json, headers: { authorization: `Bearer ${tokens[as]}`, ...key, ...headers } });
    return { status: res.statusCode, body: res.body ? (res.json() as Json) : {}, headers: res.headers };
  };
  const createDrafts = async (as: string, items: MetadataItem[]) => {
    for (const item of items) {
      const res = await call(as, 'POST', '/metadata/drafts', item);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
  };
  const counts = async () => ({
    drafts: await t.infrastructure.prisma.metadataDraft.count({ where: { tenantId: tenant } }),
    releases: await t.infrastructure.prisma.metadataRelease.count({ where: { tenantId: tenant } }),
    audit: await t.infrastructure.prisma.auditRecord.count({ where: { tenantId: tenant } }),
  });
  /** author creates a candidate of all drafts, reviewer approves it. */
  const approvedCandidate = async (author: string, reviewer: string, title: string) => {
    const candidate = await call(author, 'POST', '/metadata/release-candidates', { title });
    expect(candidate.body.state, JSON.stringify(candidate.body.issues)).toBe('validated');
    expect((await call(author, 'POST', `/metadata/release-candidates/${candidate.body.candidateId}/commands/request-review`)).status).toBe(200);
    const approved = await call(reviewer, 'POST', `/metadata/release-candidates/${candidate.body.candidateId}/commands/approve`, { reason: 'looks right' });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    return candidate.body.candidateId as string;
  };

  let release1: Json;

  describe('drafts', () => {
    it('create, read with ETag, edit with If-Match, refuse a stale edit with 409', async () => {
      const spec = sampleCatalog().find((i) => i.kind === 'product-specification')!;
      const created = await call('alice', 'POST', '/metadata/drafts', spec);
      expect(created.status).toBe(201);
      expect(created.headers.etag).toBe('"1"');
      expect(created.body).toMatchObject({ kind: spec.kind, key: spec.key, version: 1, authors: ['alice'] });

      const edited = await call('bob', 'POST', `/metadata/drafts/${spec.kind}/${spec.key}/commands/edit`, { content: { ...(spec.content as Json), name: 'Renamed' } }, { 'if-match': '"1"' });
      expect(edited.status).toBe(200);
      expect(edited.body).toMatchObject({ version: 2, authors: ['alice', 'bob'], content: { name: 'Renamed' } });

      const stale = await call('alice', 'POST', `/metadata/drafts/${spec.kind}/${spec.key}/commands/edit`, { content: spec.content }, { 'if-match': '"1"' });
      expect(stale.status).toBe(409);
      expect(stale.body.code).toBe('version-conflict');
      const missing = await call('alice', 'POST', `/metadata/drafts/${spec.kind}/${spec.key}/commands/edit`, { content: spec.content });
      expect(missing.status).toBe(428);
      expect((await call('alice', 'GET', `/metadata/drafts/${spec.kind}/${spec.key}`)).body.content.name).toBe('Renamed');

      expect((await call('alice', 'POST', `/metadata/drafts/${spec.kind}/${spec.key}/commands/delete`, undefined, { 'if-match': '1' })).status).toBe(409);
      expect((await call('alice', 'POST', `/metadata/drafts/${spec.kind}/${spec.key}/commands/delete`, undefined, { 'if-match': '2' })).status).toBe(204);
      expect((await call('alice', 'GET', `/metadata/drafts/${spec.kind}/${spec.key}`)).status).toBe(404);
    });

    it('bad content gets 422 listing every problem, and nothing is written', async () => {
      const before = await counts();
      const res = await call('alice', 'POST', '/metadata/drafts', {
        kind: 'product-specification', key: 'broken', content: { characteristics: [{ key: 'x', valueType: 'colour' }], unexpected: true },
      });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('metadata-invalid');
      expect(res.body.errors.length).toBeGreaterThanOrEqual(2);
      for (const e of res.body.errors) expect(e.field).toMatch(/^body\/content/);
      expect(await counts()).toEqual(before);
    });

    it.each([
      ['an unknown kind', { kind: 'widget', key: 'x', content: {} }, 'body/kind'],
      ['a key with capitals', { kind: 'bundle', key: 'Bad_Key', content: {} }, 'body/key'],
      ['content that is not an object', { kind: 'bundle', key: 'x', content: 'text' }, 'body/content'],
    ])('%s is a 400 naming the field', async (_label, payload, field) => {
      const before = await counts();
      const res = await call('alice', 'POST', '/metadata/drafts', payload);
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: Json) => e.field)).toContain(field);
      expect(await counts()).toEqual(before);
    });

    it('oversized content is refused before it is parsed further', async () => {
      const res = await call('alice', 'POST', '/metadata/drafts', { kind: 'quote-screen-layout', key: 'huge', content: { offering: 'x', sections: [{ title: 'y'.repeat(900_000) }] } });
      expect([413, 422]).toContain(res.status);
    });

    it('only admins edit drafts; no token is a 401', async () => {
      expect((await call('rita', 'POST', '/metadata/drafts', sampleCatalog()[0])).status).toBe(403);
      const res = await t.app.inject({ method: 'GET', url: '/metadata/drafts' });
      expect(res.statusCode).toBe(401);
    });
  });

  describe('review and publish', () => {
    it('refuses approval by an author (four-eyes) and publish without review', async () => {
      await createDrafts('alice', sampleCatalog());
      const candidate = await call('alice', 'POST', '/metadata/release-candidates', { title: 'First catalog' });
      expect(candidate.status).toBe(201);
      expect(candidate.body.issues).toEqual([]);
      const id = candidate.body.candidateId;
      const early = await call('alice', 'POST', `/metadata/release-candidates/${id}/commands/publish`);
      expect(early.body.code).toBe('candidate-state');
      expect((await call('alice', 'POST', `/metadata/release-candidates/${id}/commands/approve`)).body.code).toBe('candidate-state');
      expect((await call('alice', 'POST', `/metadata/release-candidates/${id}/commands/request-review`)).status).toBe(200);
      const self = await call('alice', 'POST', `/metadata/release-candidates/${id}/commands/approve`);
      expect(self.status).toBe(403);
      expect(self.body.code).toBe('four-eyes-violation');
      expect((await call('rita', 'POST', `/metadata/release-candidates/${id}/commands/approve`)).status).toBe(403);
      expect((await call('eve', 'POST', `/metadata/release-candidates/${id}/commands/approve`)).status).toBe(404);
      expect((await call('bob', 'POST', `/metadata/release-candidates/${id}/commands/approve`, { reason: 'checked' })).body.state).toBe('approved');

      const published = await call('carol', 'POST', `/metadata/release-candidates/${id}/commands/publish`);
      expect(published.status, JSON.stringify(published.body)).toBe(201);
      release1 = published.body;
      expect(release1).toMatchObject({ releaseNumber: 1, tenantId: tenant, publishedBy: 'carol', approvedBy: 'bob', itemCount: sampleCatalog().length });
      expect(release1.contentHash).toMatch(/^[0-9a-f]{64}$/);
    });

    it('the release deployed its BPMN/DMN to Camunda, named by release, for the tenant', async () => {
      const deployment = await fetch(`${t.config.camundaUrl}/deployment/${release1.camundaDeploymentId}`).then((r) => r.json() as Promise<Json>);
      expect(deployment).toMatchObject({ name: `cpq-release-${tenant}-1`, tenantId: tenant, source: `cpq-release:${release1.releaseId}` });
      const definitions = await fetch(`${t.config.camundaUrl}/process-definition?deploymentId=${release1.camundaDeploymentId}`).then((r) => r.json() as Promise<Json[]>);
      expect(definitions.map((d) => d.key)).toContain('quote-approval');
    });

    it('wrote audit evidence for every step and MetadataReleasePublished to the outbox, and consumed the drafts', async () => {
      const actions = (await t.infrastructure.prisma.auditRecord.findMany({ where: { tenantId: tenant }, orderBy: { id: 'asc' } })).map((a) => `${a.action}:${a.actorId}`);
      expect(actions).toEqual(expect.arrayContaining([
        'metadata.candidate.created:alice', 'metadata.candidate.request-review:alice', 'metadata.candidate.approve:bob', 'metadata.release.published:carol',
      ]));
      const event = await t.infrastructure.prisma.outboxEvent.findFirstOrThrow({ where: { tenantId: tenant, eventType: 'MetadataReleasePublished' } });
      expect(event).toMatchObject({ aggregateType: 'RELEASE', aggregateId: release1.releaseId, topic: 'cpq.release.events' });
      expect(event.payload).toMatchObject({ releaseNumber: 1, contentHash: release1.contentHash });
      expect((await call('alice', 'GET', '/metadata/drafts')).body.items).toEqual([]);
    });

    it('every role of the tenant reads the release; another tenant cannot see it', async () => {
      const current = await call('rita', 'GET', '/metadata/releases/current');
      expect(current.status).toBe(200);
      expect(current.body.items).toHaveLength(sampleCatalog().length);
      const item = await call('rita', 'GET', `/metadata/releases/${release1.releaseId}/items/price-book/eur-list`);
      expect(item.body.content.currency).toBe('EUR');
      expect((await call('eve', 'GET', `/metadata/releases/${release1.releaseId}`)).status).toBe(404);
      expect((await call('eve', 'GET', '/metadata/releases/current')).status).toBe(404);
      expect((await call('eve', 'GET', '/metadata/releases')).body.items).toEqual([]);
    });

    it('a published release cannot be changed through the API, nor by SQL', async () => {
      for (const url of [`/metadata/releases/${release1.releaseId}`, `/metadata/releases/${release1.releaseId}/items/price-book/eur-list`]) {
        for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
          const res = await t.app.inject({ method, url, headers: { authorization: `Bearer ${tokens.alice}` }, payload: {} });
          expect(res.statusCode, `${method} ${url}`).toBe(405);
        }
      }
      const client = new pg.Client({ connectionString: t.db.url });
      await client.connect();
      try {
        await expect(client.query(`UPDATE metadata_release_item SET content = '{}' WHERE release_id = $1`, [release1.releaseId])).rejects.toMatchObject({ code: '23001' });
        await expect(client.query(`DELETE FROM metadata_release_item WHERE release_id = $1`, [release1.releaseId])).rejects.toMatchObject({ code: '23001' });
        await expect(client.query(`UPDATE metadata_release SET release_number = 99 WHERE id = $1`, [release1.releaseId])).rejects.toMatchObject({ code: '23001' });
        await expect(client.query(`DELETE FROM audit_record WHERE tenant_id = $1`, [tenant])).rejects.toMatchObject({ code: '23001' });
      } finally {
        await client.end();
      }
    });

    it('a second release: the diff names the changed field, the hash changes, the number is 2', async () => {
      const book = sampleCatalog().find((i) => i.kind === 'price-book')!;
      const content = structuredClone(book.content) as Json;
      content.validTo = '2031-12-31';
      await createDrafts('bob', [{ ...book, content }]);
      const id = await approvedCandidate('bob', 'alice', 'Price book validity');
      const published = await call('alice', 'POST', `/metadata/release-candidates/${id}/commands/publish`);
      expect(published.body).toMatchObject({ releaseNumber: 2, baseReleaseId: release1.releaseId });
      expect(published.body.contentHash).not.toBe(release1.contentHash);
      const diff = await call('rita', 'GET', `/metadata/releases/${published.body.releaseId}/diff?from=${release1.releaseId}`);
      expect(diff.body).toMatchObject({ added: [], removed: [], changed: [{ kind: 'price-book', key: 'eur-list', changes: [{ pointer: '/validTo', to: '2031-12-31' }] }] });
    });

    it('a BPMN that Camunda would refuse is caught before review, with every problem in each refusal, and leaves no release', async () => {
      const model = sampleCatalog().find((i) => i.kind === 'bpmn-model')!;
      // Valid BPMN 2.0, but Camunda requires an implementation on a service task.
      const xml = quoteApprovalBpmn.replace(/ camunda:type="external" camunda:topic="[^"]+"/, '');
      await createDrafts('alice', [{ ...model, content: { ...(model.content as Json), xml } }]);
      const before = await counts();
      const candidate = await call('alice', 'POST', '/metadata/release-candidates', { title: 'Broken model' });
      expect(candidate.body.state).toBe('invalid');
      expect(candidate.body.issues).toEqual([expect.objectContaining({
        item: { kind: 'bpmn-model', key: 'quote-approval' }, pointer: '/xml', code: 'bpmn.implementation', severity: 'error',
        message: expect.stringMatching(/^ServiceTask "record" has no implementation/),
      })]);
      const refused = await call('alice', 'POST', `/metadata/release-candidates/${candidate.body.candidateId}/commands/request-review`);
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({
        code: 'candidate-state',
        errors: [{ field: 'items/bpmn-model/quote-approval/xml', rule: 'bpmn.implementation', message: candidate.body.issues[0].message }],
      });
      expect(await counts()).toEqual({ ...before, audit: before.audit + 1 }); // the candidate's creation only
      await call('alice', 'POST', '/metadata/drafts/bpmn-model/quote-approval/commands/delete', undefined, { 'if-match': '1' });
    });

    it('two concurrent publishes: one wins, the other is stale; numbering stays gap-free', async () => {
      const book = sampleCatalog().find((i) => i.kind === 'price-book')!;
      await createDrafts('alice', [{ ...book, content: { ...(book.content as Json), validTo: '2032-12-31' } }]);
      const first = await approvedCandidate('alice', 'bob', 'Race A');
      const second = await approvedCandidate('alice', 'carol', 'Race B');
      const results = await Promise.all([first, second].map((id) => call('bob', 'POST', `/metadata/release-candidates/${id}/commands/publish`)));
      expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
      // Refused while the winner publishes (one publish in flight per tenant), or stale after it.
      expect(['concurrent-update', 'candidate-stale']).toContain(results.find((r) => r.status === 409)!.body.code);
      const numbers = (await call('alice', 'GET', '/metadata/releases')).body.items.map((r: Json) => r.releaseNumber);
      expect(numbers).toEqual([3, 2, 1]);
    });

    it('a candidate with a dangling reference is invalid, lists the issue, and cannot go to review', async () => {
      const offering = sampleCatalog().find((i) => i.kind === 'product-offering')!;
      await createDrafts('alice', [{ ...offering, key: 'orphan', content: { ...(offering.content as Json), specification: 'no-such-spec' } }]);
      const candidate = await call('alice', 'POST', '/metadata/release-candidates', { title: 'Orphan', items: [{ kind: 'product-offering', key: 'orphan' }] });
      expect(candidate.body.state).toBe('invalid');
      expect(candidate.body.issues).toEqual(expect.arrayContaining([expect.objectContaining({ item: { kind: 'product-offering', key: 'orphan' }, code: 'reference.unresolved' })]));
      expect((await call('alice', 'POST', `/metadata/release-candidates/${candidate.body.candidateId}/commands/request-review`)).status).toBe(409);
    });

    it('another tenant cannot reference this tenant\'s published items', async () => {
      const offering = sampleCatalog().find((i) => i.kind === 'product-offering' && i.key === 'business-internet')!;
      await createDrafts('eve', [offering]);
      const candidate = await call('eve', 'POST', '/metadata/release-candidates', { title: 'Borrowing' });
      expect(candidate.body.state).toBe('invalid');
      expect(candidate.body.issues.map((i: Json) => i.code)).toContain('reference.unresolved');
    });
  });

  describe('who reads releases', () => {
    it('a customer user reads no release (pricing rules, floors and authority limits are internal); a rep reads them all', async () => {
      const reads = [
        '/metadata/releases', '/metadata/releases/current', `/metadata/releases/${release1.releaseId}`,
        `/metadata/releases/${release1.releaseId}/items/product-offering/business-internet`,
        `/metadata/releases/${release1.releaseId}/diff?from=${release1.releaseId}`,
      ];
      for (const url of reads) {
        const customer = await call('carl', 'GET', url);
        expect(customer.status, url).toBe(403);
        expect(customer.body.detail, url).toMatch(/requires the role/);
        expect(JSON.stringify(customer.body), url).not.toMatch(/price|floor/i);
        expect((await call('rita', 'GET', url)).status, url).toBe(200);
      }
    });
  });

  describe('cache', () => {
    it('caches a release under tenant, release id and content hash', async () => {
      await call('rita', 'GET', `/metadata/releases/${release1.releaseId}`);
      const key = `cpq:${tenant}:release:${release1.releaseId}:${release1.contentHash}`;
      const ttl = await t.infrastructure.redis.ttl(key);
      expect(ttl).toBeGreaterThan(0);
    });

    it('with Redis down every read still succeeds from PostgreSQL with the same result', async () => {
      const expected = await call('rita', 'GET', `/metadata/releases/${release1.releaseId}`);
      // A second engine on the same database whose Redis is then stopped.
      const redisServer = await startThrowawayRedis();
      const infrastructure = await createInfrastructure(t.config, { redis: createRedis(redisServer.url) });
      const app = await buildApp({ config: t.config, infrastructure });
      try {
        await redisServer.stop();
        const res = await app.inject({ method: 'GET', url: `/metadata/releases/${release1.releaseId}`, headers: { authorization: `Bearer ${tokens.rita}` } });
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual(expected.body);
        const current = await app.inject({ method: 'GET', url: '/metadata/releases/current', headers: { authorization: `Bearer ${tokens.rita}` } });
        expect(current.json().releaseNumber).toBe(3);
      } finally {
        await app.close();
        await infrastructure.close();
        await redisServer.stop();
      }
    });
  });
});
