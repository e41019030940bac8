import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_AUDITED_VALUE } from './audit-changes';
import { cleanCamunda, publishRelease, sampleCatalogWithDefaultModels, tokensFor } from '../../../test/release-fixture';
import { createTestApp, type TestApp } from '../../../test/test-app';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies

describe('metadata audit: who changed an item or made a release, what and when (real PostgreSQL)', () => {
  let t: TestApp;
  let tokens: Record<string, string>;
  const tenant = `maud-${Date.now().toString(36)}`;
  const book = structuredClone(sampleCatalogWithDefaultModels().find((i) => i.kind === 'price-book')!) as Json;
  const model = structuredClone(sampleCatalogWithDefaultModels().find((i) => i.kind === 'bpmn-model')!) as Json;
  const bookUrl = `/metadata/items/price-book/${book.key}/audit`;
  let release1: Json;
  let release2: Json;

  const call = async (as: string, method: 'GET' | 'POST', url: string, payload?: unknown, headers: Record<string, string> = {}) => {
    const key: Record<string, string> = method === 'POST' ? { 'idempotency-key': `k-${randomUUID()}` } : {};
    const res = await t.app.inject({ method, url, payload: payload as Json, headers: { authorization: `Bearer ${tokens[as]}`, ...key, ...headers } });
    return { status: res.statusCode, body: (res.body ? res.json() : {}) as Json };
  };

  beforeAll(async () => {
    t = await createTestApp('metadata-audit');
    await t.infrastructure.prisma.tenant.create({ data: { id: tenant, name: 'Audit' } });
    release1 = await publishRelease(t.app, t.config, tenant);
    tokens = await tokensFor(t.config, {
      alice: { tenantId: tenant, roles: ['admin'] }, bob: { tenantId: tenant, roles: ['admin'] }, carol: { tenantId: tenant, roles: ['admin'] }, rita: { tenantId: tenant, roles: ['rep'] },
    });
    // alice drafts the published price book with a new installation price, then edits a monthly fee;
    // bob edits the BPMN model's name and XML (a large value: named, not copied).
    const changed = structuredClone(book);
    changed.content.entries[0].price = '149.00';
    expect((await call('alice', 'POST', '/metadata/drafts', changed)).status).toBe(201);
    changed.content.entries[1].rows[0].price = '45.00';
    expect((await call('alice', 'POST', `/metadata/drafts/price-book/${book.key}/commands/edit`, { content: changed.content }, { 'if-match': '"1"' })).status).toBe(200);
    expect((await call('bob', 'POST', '/metadata/drafts', model)).status).toBe(201);
    const xml = (model.content.xml as string).replace('</bpmn:definitions>', '<!-- reviewed --></bpmn:definitions>');
    expect((await call('bob', 'POST', `/metadata/drafts/bpmn-model/${model.key}/commands/edit`, { content: { ...model.content, name: 'Quote approval v2', xml } }, { 'if-match': '"1"' })).status).toBe(200);

    const candidate = await call('alice', 'POST', '/metadata/release-candidates', { title: 'Cheaper install' });
    expect(candidate.body.state, JSON.stringify(candidate.body.issues)).toBe('validated');
    const id = candidate.body.candidateId as string;
    expect((await call('alice', 'POST', `/metadata/release-candidates/${id}/commands/request-review`)).status).toBe(200);
    expect((await call('bob', 'POST', `/metadata/release-candidates/${id}/commands/approve`, { reason: 'fine' })).status).toBe(403); // bob authored the model
    expect((await call('carol', 'POST', `/metadata/release-candidates/${id}/commands/approve`, { reason: 'Install price agreed with sales' })).status).toBe(200);
    release2 = (await call('alice', 'POST', `/metadata/release-candidates/${id}/commands/publish`)).body;
    expect(release2.releaseNumber).toBe(2);
  }, 180_000);
  afterAll(async () => {
    await cleanCamunda(t.config.camundaUrl, [tenant]);
    await t?.close();
  });

  it('an item\'s history: its draft created and edited with the fields changed, by whom, and the releases that changed it, newest first', async () => {
    const res = await call('alice', 'GET', bookUrl);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const entries = res.body.items as Json[];
    expect(entries.map((e) => [e.action, e.actor.id])).toEqual([
      ['metadata.release.published', 'alice'],
      ['metadata.draft.edited', 'alice'],
      ['metadata.draft.created', 'alice'],
      ['metadata.release.published', 'fixture-reviewer'],
      ['metadata.draft.created', 'fixture-author'],
    ]);
    const [published2, edited, created, published1] = entries as [Json, Json, Json, Json];
    expect(published2).toMatchObject({ target: { type: 'METADATA_RELEASE', id: release2.releaseId }, details: { releaseNumber: 2 } });
    expect(published1.target.id).toBe(release1.releaseId);
    expect(created).toMatchObject({ target: { type: 'METADATA_DRAFT', id: `price-book/${book.key}` }, details: { version: 1, fromRelease: 1, more: 0 } });
    expect(created.details.changes).toEqual([{ pointer: '/entries/0/price', from: '199.00', to: '149.00' }]);
    expect(edited.details).toMatchObject({ fromVersion: 1, toVersion: 2, changes: [{ pointer: '/entries/1/rows/0/price', from: '49.00', to: '45.00' }] });
    for (const e of entries) expect(Date.parse(e.at)).not.toBeNaN();
    expect(Date.parse(entries[0]!.at)).toBeGreaterThanOrEqual(Date.parse(entries[1]!.at));
  });

  it('a large changed value (a model\'s XML) is named, not copied, in the record', async () => {
    const entries = (await call('bob', 'GET', `/metadata/items/bpmn-model/${model.key}/audit`)).body.items as Json[];
    const edited = entries.find((e) => e.action === 'metadata.draft.edited')!;
    expect(edited.actor.id).toBe('bob');
    expect(edited.details.changes).toEqual([{ pointer: '/name', from: 'Quote approval', to: 'Quote approval v2' }, { pointer: '/xml', large: true }]);
    expect(JSON.stringify(edited.details).length).toBeLessThan(MAX_AUDITED_VALUE * 4);
  });

  it('a release\'s history: its publish, its candidate\'s steps with the reviewer\'s comment, and the draft edits that went into it', async () => {
    const res = await call('alice', 'GET', `/metadata/releases/${release2.releaseId}/audit`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const entries = res.body.items as Json[];
    const steps = entries.map((e) => `${e.action} ${e.actor.id}`);
    expect(steps.slice(0, 5)).toEqual([
      'metadata.release.published alice',
      'metadata.release.publish-started alice',
      'metadata.candidate.approve carol',
      'metadata.candidate.request-review alice',
      'metadata.candidate.created alice',
    ]);
    expect(entries.find((e) => e.action === 'metadata.candidate.approve')!.reason).toBe('Install price agreed with sales');
    // Both items' drafts, and only their lives that went into this release (not release 1's fixture drafts).
    expect(steps.slice(5).sort()).toEqual([
      'metadata.draft.created alice', 'metadata.draft.created bob', 'metadata.draft.edited alice', 'metadata.draft.edited bob',
    ]);
    // Release 1: the fixture's candidate and its drafts; none of release 2's edits.
    const first = (await call('alice', 'GET', `/metadata/releases/${release1.releaseId}/audit`)).body.items as Json[];
    expect(first.every((e) => e.actor.id.startsWith('fixture-'))).toBe(true);
    expect(first.filter((e) => e.action === 'metadata.draft.created')).toHaveLength(sampleCatalogWithDefaultModels().length);
  });

  it.each([
    ['a rep reads an item\'s history', 'rita', bookUrl, 403, undefined],
    ['a rep reads a release\'s history', 'rita', '/metadata/releases/{r1}/audit', 403, undefined],
    ['an unknown release', 'alice', `/metadata/releases/${randomUUID()}/audit`, 404, undefined],
    ['a release id that is not a uuid', 'alice', '/metadata/releases/nope/audit', 400, 'params/releaseId'],
    ['an unknown kind', 'alice', '/metadata/items/gadget/x/audit', 400, 'params/kind'],
    ['a key that is not kebab-case', 'alice', '/metadata/items/price-book/Not_Kebab/audit', 400, 'params/key'],
  ])('%s is refused', async (_label, as, url, status, field) => {
    const res = await call(as, 'GET', url.replace('{r1}', release1.releaseId));
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    if (field) expect(res.body.errors.map((e: Json) => e.field)).toContain(field);
  });

  it('an item never drafted nor released has an empty history', async () => {
    const res = await call('alice', 'GET', '/metadata/items/bundle/never-made/audit');
    expect(res).toEqual({ status: 200, body: { items: [] } });
  });
});
