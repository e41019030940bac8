import { randomUUID } from 'node:crypto';
import { sampleCatalog } from '@cpq/metadata/samples';
import type { MetadataItem } from '@cpq/metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFlakyProxy, type FlakyProxy } from '../../../../test/services/flaky-proxy';
import { testEnv } from '../../../../test/env';
import { issueToken, type Principal } from '../../http/auth';
import { defineFlow, defineStep, FlowHalted } from '../../lib/steps';
import { createCamundaClient } from '../workflow';
import { cleanCamunda } from '../../../test/release-fixture';
import { createTestApp, type TestApp } from '../../../test/test-app';
import { releaseIdOf, type PublishState } from './release-publish.service';
import { createCurrentReleasePointer, createReleaseStore } from './release-store';
import { createReleaseService, type ReleaseService } from './release.service';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test bodies

const CREATE = { method: 'POST', path: /\/deployment\/create$/ };
const silent = { warn: () => {}, error: () => {} };

/**
 * The governed publish as steps against the real Camunda behind a flaky proxy: Camunda down,
 * slow and refusing at the deploy step, a crash between steps finished by the reconciler, and
 * concurrent publishes. After each failure the candidate is exactly as it was and a retry works.
 */
describe('publish as steps: no remote call in a transaction, compensation, reconciler (real PostgreSQL, Camunda)', () => {
  let t: TestApp;
  let proxy: FlakyProxy;
  /** A service whose Camunda client (through the proxy) gives up after 1.5 s. */
  let impatient: ReleaseService;
  const tenant = `steps-${Date.now().toString(36)}`;
  const tokens: Record<string, string> = {};
  const principals: Record<string, Principal> = {
    alice: { userId: 'alice', tenantId: tenant, roles: ['admin'] },
    bob: { userId: 'bob', tenantId: tenant, roles: ['admin'] },
  };

  beforeAll(async () => {
    proxy = await startFlakyProxy(testEnv.camundaUrl);
    t = await createTestApp('publish_steps', { env: { CAMUNDA_URL: proxy.url } });
    await t.infrastructure.prisma.tenant.create({ data: { id: tenant, name: 'Steps' } });
    for (const [name, principal] of Object.entries(principals)) tokens[name] = await issueToken(t.config.auth, principal);
    const store = createReleaseStore(t.infrastructure.prisma, t.infrastructure.redis, silent);
    impatient = createReleaseService({
      prisma: t.infrastructure.prisma, camunda: createCamundaClient(proxy.url, { timeoutMs: 1_500 }),
      store, pointer: createCurrentReleasePointer(store), log: silent,
    });
    await createDrafts(sampleCatalog());
    expect((await publish(await approvedCandidate('Base'))).status).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await proxy?.set({ kind: 'pass' });
    await cleanCamunda(testEnv.camundaUrl, [tenant]);
    await t?.close();
    await proxy?.stop();
  });

  const call = async (as: string, url: string, payload?: unknown, key: string = randomUUID()) => {
    const res = await t.app.inject({ method: 'POST', url, payload: payload as Json, headers: { authorization: `Bearer ${tokens[as]}`, 'idempotency-key': key } });
    return { status: res.statusCode, body: res.body ? (res.json() as Json) : {} };
  };
  const get = async (url: string) => (await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${tokens.alice}` } })).json() as Json;
  const createDrafts = async (items: MetadataItem[]) => {
    for (const item of items) expect((await call('alice', '/metadata/drafts', item)).status).toBe(201);
  };
  /** A price-book change by alice, approved by bob. */
  const changedPriceBook = async (validTo: string) => {
    const book = sampleCatalog().find((i) => i.kind === 'price-book')!;
    await createDrafts([{ ...book, content: { ...(book.content as Json), validTo } }]);
  };
  const approvedCandidate = async (title: string) => {
    const candidate = await call('alice', '/metadata/release-candidates', { title });
    expect(candidate.body.state, JSON.stringify(candidate.body)).toBe('validated');
    const id = candidate.body.candidateId as string;
    expect((await call('alice', `/metadata/release-candidates/${id}/commands/request-review`)).status).toBe(200);
    expect((await call('bob', `/metadata/release-candidates/${id}/commands/approve`, { reason: 'ok' })).status).toBe(200);
    return id;
  };
  const publish = (id: string, key?: string) => call('alice', `/metadata/release-candidates/${id}/commands/publish`, undefined, key);
  const ctx = (commandId: string = randomUUID()) => ({ principal: principals.alice!, correlationId: `test-${commandId}`, commandId });

  /** Camunda's own view (not through the proxy) of the deployments made for a candidate's release. */
  const deploymentsOf = async (candidateId: string) =>
    fetch(`${testEnv.camundaUrl}/deployment?source=${encodeURIComponent(`cpq-release:${releaseIdOf(candidateId)}`)}&tenantIdIn=${tenant}`)
      .then((r) => r.json() as Promise<{ id: string }[]>);
  /** Everything a publish may change. */
  const state = async (candidateId: string) => {
    const prisma = t.infrastructure.prisma;
    const candidate = await prisma.releaseCandidate.findUniqueOrThrow({ where: { id: candidateId } });
    return {
      candidate: { state: candidate.state, version: candidate.version },
      releases: await prisma.metadataRelease.count({ where: { tenantId: tenant } }),
      drafts: await prisma.metadataDraft.count({ where: { tenantId: tenant } }),
      events: await prisma.outboxEvent.count({ where: { tenantId: tenant, eventType: 'MetadataReleasePublished' } }),
      deployments: (await deploymentsOf(candidateId)).length,
    };
  };
  const auditActions = async (candidateId: string) =>
    (await t.infrastructure.prisma.auditRecord.findMany({ where: { tenantId: tenant, targetId: candidateId }, orderBy: { id: 'asc' } })).map((a) => a.action);
  /** Runs the publish flow and "kills the process" right after `step` committed: nothing is compensated. */
  const crash = async (candidateId: string, c: ReturnType<typeof ctx>, step: 'reserve' | 'deploy') => {
    const initial = { tenantId: tenant, candidateId, requestedBy: 'alice', commandId: c.commandId, correlationId: c.correlationId };
    await expect(impatient.publishFlow.run(initial, silent, { haltAfter: step })).rejects.toBeInstanceOf(FlowHalted);
  };
  const deployRequests = () => proxy.requests.filter((r) => r.method === 'POST' && CREATE.path.test(r.path)).length;

  describe('failures at the deploy step leave everything as it was', () => {
    let candidateId: string;
    let before: Awaited<ReturnType<typeof state>>;

    beforeAll(async () => {
      await changedPriceBook('2031-06-30');
      candidateId = await approvedCandidate('Price book validity');
      before = await state(candidateId);
      expect(before).toMatchObject({ candidate: { state: 'approved' }, releases: 1, deployments: 0 });
    });

    it('Camunda down (connection refused): 503 dependency-unavailable, intent recorded and undone', async () => {
      await proxy.set({ kind: 'refuse' });
      try {
        const res = await publish(candidateId);
        expect(res.status, JSON.stringify(res.body)).toBe(503);
        expect(res.body.code).toBe('dependency-unavailable');
      } finally {
        await proxy.set({ kind: 'pass' });
      }
      expect(await state(candidateId)).toEqual(before);
      expect(await auditActions(candidateId)).toEqual(expect.arrayContaining(['metadata.release.publish-started', 'metadata.release.publish-undone']));
    });

    it('Camunda answering 503 to the deployment: 503, nothing changed', async () => {
      await proxy.set({ kind: 'status', status: 503 }, CREATE);
      try {
        const res = await publish(candidateId);
        expect(res.status).toBe(503);
        expect(res.body.code).toBe('dependency-unavailable');
      } finally {
        await proxy.set({ kind: 'pass' });
      }
      expect(await state(candidateId)).toEqual(before);
    });

    it('Camunda slow (held past the client timeout, never reached): dependency-unavailable, nothing deployed', async () => {
      await proxy.set({ kind: 'delay', ms: 3_000 }, CREATE);
      try {
        await expect(impatient.publish(candidateId, undefined, ctx())).rejects.toMatchObject({ code: 'dependency-unavailable' });
        await new Promise((resolve) => setTimeout(resolve, 2_000)); // the held request is dropped, not forwarded late
      } finally {
        await proxy.set({ kind: 'pass' });
      }
      expect(proxy.requests.filter((r) => CREATE.path.test(r.path)).at(-1)?.outcome).toBe('abandoned');
      expect(await state(candidateId)).toEqual(before);
    });

    it('Camunda slow (deployed, answer lost): compensation finds the deployment by its key and deletes it', async () => {
      const sent = deployRequests();
      await proxy.set({ kind: 'delay', ms: 4_000, forward: 'first' }, CREATE);
      try {
        await expect(impatient.publish(candidateId, undefined, ctx())).rejects.toMatchObject({ code: 'dependency-unavailable' });
      } finally {
        await proxy.set({ kind: 'pass' });
      }
      expect(deployRequests()).toBe(sent + 1); // it did reach Camunda
      expect(await state(candidateId)).toEqual(before);
    });

    it('the recording step fails after the deployment: the deployment is deleted and the candidate is approved again', async () => {
      const [reserve, deploy] = impatient.publishFlow.steps;
      const failingRecord = defineStep<PublishState>({
        name: 'record', invoke: async () => { throw new Error('injected: the database went away'); },
      });
      const flow = defineFlow<PublishState>('catalog.publish.test', [reserve!, deploy!, failingRecord]);
      const c = ctx();
      await expect(flow.run({ tenantId: tenant, candidateId, requestedBy: 'alice', commandId: c.commandId, correlationId: c.correlationId }, silent))
        .rejects.toThrow(/injected/);
      expect(await state(candidateId)).toEqual(before);
    });

    it('after all that, a publish succeeds once: one release, one deployment, one event caused by the command', async () => {
      const key = `publish-${randomUUID()}`;
      const res = await publish(candidateId, key);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body).toMatchObject({ releaseId: releaseIdOf(candidateId), releaseNumber: 2 });
      expect(await state(candidateId)).toMatchObject({ candidate: { state: 'published', version: before.candidate.version + 1 }, releases: 2, events: before.events + 1, deployments: 1, drafts: 0 });
      const event = await t.infrastructure.prisma.outboxEvent.findFirstOrThrow({ where: { tenantId: tenant, aggregateId: res.body.releaseId } });
      expect(event.causationId).toBe(key);
      const [deployment] = await deploymentsOf(candidateId);
      expect(res.body.camundaDeploymentId).toBe(deployment!.id);
      // A replay of the same command answers the same release and deploys nothing.
      const sent = deployRequests();
      const replay = await publish(candidateId, key);
      expect(replay.status).toBe(201);
      expect(replay.body.releaseId).toBe(res.body.releaseId);
      expect(deployRequests()).toBe(sent);
    });
  });

  describe('a crash between steps is finished by the reconciler', () => {
    it('crash after the intent, Camunda down at first: the reconciler waits, then finishes — one release, one deployment, one event', async () => {
      await changedPriceBook('2032-01-31');
      const candidateId = await approvedCandidate('Crash after intent');
      const c = ctx(`crash-${randomUUID()}`);
      await crash(candidateId, c, 'reserve');
      expect((await state(candidateId)).candidate.state).toBe('publishing');
      const again = await publish(candidateId);
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('concurrent-update');

      expect(await impatient.reconcilePublishing()).toEqual({ finished: [], undone: [], left: [] }); // within its lease
      await proxy.set({ kind: 'refuse' });
      try {
        expect(await impatient.reconcilePublishing({ leaseMs: 0 })).toEqual({ finished: [], undone: [], left: [candidateId] });
      } finally {
        await proxy.set({ kind: 'pass' });
      }
      expect((await state(candidateId)).candidate.state).toBe('publishing');

      expect(await impatient.reconcilePublishing({ leaseMs: 0 })).toEqual({ finished: [candidateId], undone: [], left: [] });
      expect(await impatient.reconcilePublishing({ leaseMs: 0 })).toEqual({ finished: [], undone: [], left: [] });
      expect(await state(candidateId)).toMatchObject({ candidate: { state: 'published' }, releases: 3, deployments: 1 });
      const events = await t.infrastructure.prisma.outboxEvent.findMany({ where: { tenantId: tenant, aggregateId: releaseIdOf(candidateId) } });
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ causationId: c.commandId, aggregateVersion: 3n });
      const release = await get(`/metadata/releases/${releaseIdOf(candidateId)}`);
      expect(release).toMatchObject({ releaseNumber: 3, publishedBy: 'alice', approvedBy: 'bob' });
      expect((await get('/metadata/releases')).items.map((r: Json) => r.releaseNumber)).toEqual([3, 2, 1]);
    });

    it('crash after the deployment: the reconciler records the release on the same deployment (no second deploy)', async () => {
      await changedPriceBook('2032-02-29');
      const candidateId = await approvedCandidate('Crash after deploy');
      const c = ctx(`crash-${randomUUID()}`);
      await crash(candidateId, c, 'deploy');
      const [deployment] = await deploymentsOf(candidateId);
      const sent = deployRequests();
      expect(await impatient.reconcilePublishing({ leaseMs: 0 })).toEqual({ finished: [candidateId], undone: [], left: [] });
      expect(deployRequests()).toBe(sent);
      const release = await get(`/metadata/releases/${releaseIdOf(candidateId)}`);
      expect(release).toMatchObject({ releaseNumber: 4, camundaDeploymentId: deployment!.id });
      expect(await state(candidateId)).toMatchObject({ candidate: { state: 'published' }, releases: 4, deployments: 1 });
      expect(await t.infrastructure.prisma.outboxEvent.count({ where: { tenantId: tenant, aggregateId: release.releaseId } })).toBe(1);
    });

    it('a model Camunda refuses is caught before review (Camunda\'s parser runs on the candidate)', async () => {
      const model = sampleCatalog().find((i) => i.kind === 'bpmn-model')!;
      const xml = (model.content as { xml: string }).xml.replace(/ camunda:type="external" camunda:topic="[^"]+"/, '');
      await createDrafts([{ ...model, content: { ...(model.content as Json), xml } }]);
      const candidate = await call('alice', '/metadata/release-candidates', { title: 'A broken model' });
      expect(candidate.body.state).toBe('invalid');
      expect(candidate.body.issues.map((i: Json) => i.code)).toContain('bpmn.implementation');
      const refused = await call('alice', `/metadata/release-candidates/${candidate.body.candidateId}/commands/request-review`);
      expect(refused.status).toBe(409);
      expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'items/bpmn-model/quote-approval/xml', rule: 'bpmn.implementation' })]);
      await t.infrastructure.prisma.metadataDraft.deleteMany({ where: { tenantId: tenant } });
    });

    it('Camunda refusing the models at publish: 422 with its problems per item (element, line) in errors', async () => {
      const model = sampleCatalog().find((i) => i.kind === 'bpmn-model')!;
      await createDrafts([{ ...model, content: { ...(model.content as Json), name: 'Quote approval, refused at publish' } }]);
      const candidateId = await approvedCandidate('Refused at publish');
      const details = { 'quote-approval.bpmn': { errors: [{ message: 'refused for the test', line: 7, column: 3, mainElementId: 'record' }], warnings: [] } };
      await proxy.set({ kind: 'status', status: 400, body: JSON.stringify({ type: 'ParseException', message: 'ENGINE-09005 Could not parse BPMN process.', details }) }, CREATE);
      let res;
      try {
        res = await publish(candidateId);
      } finally {
        await proxy.set({ kind: 'pass' });
      }
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({
        code: 'camunda-deployment-failed',
        errors: [{ field: 'items/bpmn-model/quote-approval/xml', rule: 'camunda.parse', message: 'Camunda: element "record": refused for the test (line 7, column 3)' }],
      });
      expect((await state(candidateId)).candidate.state).toBe('approved');
      expect((await call('bob', `/metadata/release-candidates/${candidateId}/commands/reject`, { reason: 'refused' })).status).toBe(200);
      await t.infrastructure.prisma.metadataDraft.deleteMany({ where: { tenantId: tenant } });
    });

    it('crash, then Camunda refuses the models at the deploy: the reconciler undoes the intent and the candidate is approved again', async () => {
      const model = sampleCatalog().find((i) => i.kind === 'bpmn-model')!;
      await createDrafts([{ ...model, content: { ...(model.content as Json), name: 'Quote approval, renamed' } }]);
      const candidateId = await approvedCandidate('Crash, then refused');
      const c = ctx(`crash-${randomUUID()}`);
      await crash(candidateId, c, 'reserve');
      // Camunda's verdict on the deployment (validated models can still be refused, e.g. by a newer engine).
      await proxy.set({ kind: 'status', status: 400, body: JSON.stringify({ type: 'ParseException', message: 'refused for the test' }) }, CREATE);
      try {
        expect(await impatient.reconcilePublishing({ leaseMs: 0 })).toEqual({ finished: [], undone: [candidateId], left: [] });
      } finally {
        await proxy.set({ kind: 'pass' });
      }
      expect(await state(candidateId)).toMatchObject({ candidate: { state: 'approved' }, releases: 4, deployments: 0 });
      expect(await auditActions(candidateId)).toEqual(expect.arrayContaining(['metadata.release.publish-undone']));
      expect((await call('bob', `/metadata/release-candidates/${candidateId}/commands/reject`, { reason: 'broken model' })).status).toBe(200);
      await t.infrastructure.prisma.metadataDraft.deleteMany({ where: { tenantId: tenant } });
    });
  });

  describe('concurrent publishes', () => {
    it('two candidates at once serialise: one release, the other 409, numbers stay gap-free', async () => {
      await changedPriceBook('2033-03-31');
      const first = await approvedCandidate('Race A');
      const second = await approvedCandidate('Race B');
      const sent = deployRequests();
      const results = await Promise.all([first, second, first, second].map((id) => publish(id)));
      expect(results.filter((r) => r.status === 201), JSON.stringify(results.map((r) => r.body))).toHaveLength(1);
      const refused = results.filter((r) => r.status !== 201);
      expect(refused.map((r) => r.status)).toEqual([409, 409, 409]);
      for (const r of refused) expect(['concurrent-update', 'candidate-stale', 'candidate-state']).toContain(r.body.code);
      expect(deployRequests()).toBe(sent + 1);
      const winner = results.find((r) => r.status === 201)!.body;
      expect(winner.releaseNumber).toBe(5);
      const loser = winner.releaseId === releaseIdOf(first) ? second : first;
      expect((await publish(loser)).body.code).toBe('candidate-stale');
      expect((await get('/metadata/releases')).items.map((r: Json) => r.releaseNumber)).toEqual([5, 4, 3, 2, 1]);
      expect((await state(loser)).deployments).toBe(0);
    });
  });
});
