import { randomUUID } from 'node:crypto';
import type { MetadataItem } from '@cpq/metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanCamunda, publishRelease, sampleCatalogWithDefaultModels, tokensFor } from '../../../test/release-fixture';
import { createTestApp, type TestApp } from '../../../test/test-app';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies

/** The sample catalog's price book with Business Internet's second monthly fee row at `price`. */
function priceBookWith(price: string): MetadataItem {
  const book = structuredClone(sampleCatalogWithDefaultModels().find((i) => i.kind === 'price-book')!) as Json;
  book.content.entries.find((e: Json) => e.charge === 'monthly-fee' && e.offering === 'business-internet').rows[1].price = price;
  return book as MetadataItem;
}

describe('roll forward and the candidate diff: a candidate restoring an older release, reviewed and published like any other (real services)', () => {
  let t: TestApp;
  let tokens: Record<string, string>;
  const tenant = `roll-${Date.now().toString(36)}`;
  let release1: Json;
  let release2: Json;
  const spec = structuredClone(sampleCatalogWithDefaultModels().find((i) => i.kind === 'product-specification')!) as Json;
  const addedSpec = { ...spec, key: 'added-later', content: { ...spec.content, name: 'Added in release 2' } } as MetadataItem;

  const call = async (as: string, method: 'GET' | 'POST', url: string, payload?: unknown, headers: Record<string, string> = {}) => {
    const key: Record<string, string> = method === 'POST' ? { 'idempotency-key': `k-${randomUUID()}` } : {};
    const res = await t.app.inject({ method, url, payload: payload as Json, headers: { authorization: `Bearer ${tokens[as]}`, ...key, ...headers } });
    return { status: res.statusCode, body: (res.body ? res.json() : {}) as Json };
  };
  const approveAndPublish = async (candidateId: string, author: string, reviewer: string) => {
    expect((await call(author, 'POST', `/metadata/release-candidates/${candidateId}/commands/request-review`)).status).toBe(200);
    const approved = await call(reviewer, 'POST', `/metadata/release-candidates/${candidateId}/commands/approve`, { reason: 'ok' });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const published = await call(author, 'POST', `/metadata/release-candidates/${candidateId}/commands/publish`);
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    return published.body;
  };

  beforeAll(async () => {
    t = await createTestApp('roll-forward');
    await t.infrastructure.prisma.tenant.create({ data: { id: tenant, name: 'Roll' } });
    release1 = await publishRelease(t.app, t.config, tenant);
    tokens = await tokensFor(t.config, {
      alice: { tenantId: tenant, roles: ['admin'] }, bob: { tenantId: tenant, roles: ['admin'] }, rita: { tenantId: tenant, roles: ['rep'] },
    });
    // Release 2: a price rise and an item that release 1 did not have.
    for (const item of [priceBookWith('120.00'), addedSpec]) expect((await call('alice', 'POST', '/metadata/drafts', item)).status).toBe(201);
    const candidate = await call('alice', 'POST', '/metadata/release-candidates', { title: 'Price rise' });
    expect(candidate.body.state, JSON.stringify(candidate.body.issues)).toBe('validated');
    release2 = await approveAndPublish(candidate.body.candidateId, 'alice', 'bob');
  }, 180_000);
  afterAll(async () => {
    await cleanCamunda(t.config.camundaUrl, [tenant]);
    await t?.close();
  });

  it('a candidate from drafts: its diff against the current release has both contents and the field changed', async () => {
    expect((await call('alice', 'POST', '/metadata/drafts', priceBookWith('101.00'))).status).toBe(201);
    const candidate = await call('alice', 'POST', '/metadata/release-candidates', { title: 'Another rise', items: [{ kind: 'price-book', key: priceBookWith('1').key }] });
    expect(candidate.body.rolledFromReleaseId).toBeNull();
    const diff = await call('alice', 'GET', `/metadata/release-candidates/${candidate.body.candidateId}/diff`);
    expect(diff.status, JSON.stringify(diff.body)).toBe(200);
    expect(diff.body).toMatchObject({ candidateId: candidate.body.candidateId, baseReleaseId: release2.releaseId, currentReleaseId: release2.releaseId });
    expect(diff.body.items).toHaveLength(1);
    const [item] = diff.body.items;
    expect(item).toMatchObject({ kind: 'price-book', change: 'changed' });
    expect(item.changes).toEqual([expect.objectContaining({ from: '120.00', to: '101.00' })]);
    expect(item.changes[0].pointer).toMatch(/^\/entries\/\d+\/rows\/1\/price$/);
    expect(JSON.stringify(item.before)).toContain('"120.00"');
    expect(JSON.stringify(item.after)).toContain('"101.00"');

    expect((await call('rita', 'GET', `/metadata/release-candidates/${candidate.body.candidateId}/diff`)).status).toBe(403);
    expect((await call('alice', 'GET', `/metadata/release-candidates/${randomUUID()}/diff`)).status).toBe(404);
    // This draft stays a draft: the roll forward below neither reads nor consumes drafts.
  });

  it.each([
    ['a release id that is not a uuid', '/metadata/releases/not-a-uuid/roll-forward', {}, 400, 'params/releaseId'],
    ['an empty title', '/metadata/releases/{r1}/roll-forward', { title: '' }, 400, 'body/title'],
    ['an unknown property', '/metadata/releases/{r1}/roll-forward', { items: [] }, 400, 'body/items'],
  ])('%s is refused naming the field', async (_label, url, payload, status, field) => {
    const res = await call('alice', 'POST', url.replace('{r1}', release1.releaseId), payload);
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body.errors.map((e: Json) => e.field)).toContain(field);
  });

  it('refuses another role, a missing Idempotency-Key, an unknown release and the current content', async () => {
    const rep = await call('rita', 'POST', `/metadata/releases/${release1.releaseId}/roll-forward`);
    expect(rep.status).toBe(403);
    expect(rep.body.code).toBe('forbidden');
    const noKey = await t.app.inject({ method: 'POST', url: `/metadata/releases/${release1.releaseId}/roll-forward`, headers: { authorization: `Bearer ${tokens.alice}` } });
    expect(noKey.statusCode).toBe(428);
    const unknown = await call('alice', 'POST', `/metadata/releases/${randomUUID()}/roll-forward`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('release-not-found');
    const current = await call('alice', 'POST', `/metadata/releases/${release2.releaseId}/roll-forward`);
    expect(current.status).toBe(409);
    expect(current.body).toMatchObject({ code: 'release-unchanged', detail: expect.stringContaining('release 2') });
    expect(await t.infrastructure.prisma.releaseCandidate.count({ where: { tenantId: tenant, rolledFromReleaseId: { not: null } } })).toBe(0);
  });

  it('rolls forward to release 1: the candidate holds what differs, its diff shows the removal, four-eyes holds, and its release has release 1\'s content', async () => {
    const key = `roll-${randomUUID()}`;
    const rolled = await call('alice', 'POST', `/metadata/releases/${release1.releaseId}/roll-forward`, undefined, { 'idempotency-key': key });
    expect(rolled.status, JSON.stringify(rolled.body)).toBe(201);
    expect(rolled.body).toMatchObject({
      title: 'Roll forward to release 1', state: 'validated', rolledFromReleaseId: release1.releaseId, baseReleaseId: release2.releaseId, createdBy: 'alice',
    });
    // Only the price book differs in content; the item added by release 2 is removed by the release, not an item.
    expect(rolled.body.items, JSON.stringify(rolled.body.issues)).toEqual([expect.objectContaining({ kind: 'price-book', authors: ['alice'] })]);
    const replay = await call('alice', 'POST', `/metadata/releases/${release1.releaseId}/roll-forward`, undefined, { 'idempotency-key': key });
    expect(replay.body.candidateId).toBe(rolled.body.candidateId);

    const diff = await call('bob', 'GET', `/metadata/release-candidates/${rolled.body.candidateId}/diff`);
    expect(diff.body.items.map((i: Json) => [i.kind, i.key, i.change])).toEqual([['price-book', expect.any(String), 'changed'], ['product-specification', 'added-later', 'removed']]);
    expect(diff.body.items[0].changes).toEqual([expect.objectContaining({ from: '120.00', to: '99.00' })]);
    expect(diff.body.items[1]).toMatchObject({ after: null, before: { name: 'Added in release 2' } });

    const cid = rolled.body.candidateId;
    expect((await call('alice', 'POST', `/metadata/release-candidates/${cid}/commands/request-review`)).status).toBe(200);
    const own = await call('alice', 'POST', `/metadata/release-candidates/${cid}/commands/approve`, { reason: 'mine' });
    expect(own.status).toBe(403);
    expect(own.body.code).toBe('four-eyes-violation');
    expect((await call('bob', 'POST', `/metadata/release-candidates/${cid}/commands/approve`, { reason: 'back to 1' })).status).toBe(200);
    const published = await call('alice', 'POST', `/metadata/release-candidates/${cid}/commands/publish`);
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    expect(published.body).toMatchObject({ releaseNumber: 3, contentHash: release1.contentHash, itemCount: release1.itemCount, baseReleaseId: release2.releaseId });

    const current = await call('rita', 'GET', '/metadata/releases/current');
    expect(current.body.releaseNumber).toBe(3);
    expect(current.body.items.find((i: Json) => i.key === 'added-later')).toBeUndefined();
    const release1Items = (await call('rita', 'GET', `/metadata/releases/${release1.releaseId}`)).body.items;
    expect(current.body.items.map((i: Json) => [i.kind, i.key, i.contentHash])).toEqual(release1Items.map((i: Json) => [i.kind, i.key, i.contentHash]));
    // The draft made before the roll forward is still there: a roll forward consumes none.
    expect(await t.infrastructure.prisma.metadataDraft.count({ where: { tenantId: tenant, kind: 'price-book' } })).toBe(1);
  });

  it('a roll forward that only removes items has no item, and whoever asked for it still cannot approve it', async () => {
    expect((await call('bob', 'POST', '/metadata/drafts', addedSpec)).status).toBe(201);
    const adding = await call('bob', 'POST', '/metadata/release-candidates', { title: 'Add again', items: [{ kind: addedSpec.kind, key: addedSpec.key }] });
    const release4 = await approveAndPublish(adding.body.candidateId, 'bob', 'alice');
    const release3 = (await call('alice', 'GET', '/metadata/releases')).body.items.find((r: Json) => r.releaseNumber === 3);
    const rolled = await call('alice', 'POST', `/metadata/releases/${release3.releaseId}/roll-forward`, { title: 'Take it out' });
    expect(rolled.status, JSON.stringify(rolled.body)).toBe(201);
    expect(rolled.body).toMatchObject({ title: 'Take it out', items: [], baseReleaseId: release4.releaseId });
    const diff = await call('alice', 'GET', `/metadata/release-candidates/${rolled.body.candidateId}/diff`);
    expect(diff.body.items.map((i: Json) => [i.key, i.change])).toEqual([['added-later', 'removed']]);
    expect((await call('alice', 'POST', `/metadata/release-candidates/${rolled.body.candidateId}/commands/request-review`)).status).toBe(200);
    const own = await call('alice', 'POST', `/metadata/release-candidates/${rolled.body.candidateId}/commands/approve`);
    expect(own.status).toBe(403);
    expect(own.body).toMatchObject({ code: 'four-eyes-violation', detail: expect.stringContaining('roll forward') });
  });
});
