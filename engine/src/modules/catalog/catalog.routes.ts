import type { OpenApiDocument } from '@cpq/contracts/openapi';
import type { MetadataKind } from '@cpq/metadata';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { requireRole, type AuthSettings } from '../../http/auth';
import { routeSchema } from '../../http/contract-routes';
import { DomainError } from '../../http/errors';
import { commandIdOf } from '../../http/idempotency';
import { expectedVersion, principalOf, requireAuthentication } from '../../http/principal';
import type { DraftService, DraftView } from './draft.service';
import { diffReleases } from './release-diff';
import type { CurrentReleasePointer, ReleaseStore } from './release-store';
import type { ImpactSource, ReleaseService } from './release.service';

export type CatalogRoutesOptions = {
  contract: OpenApiDocument;
  auth: AuthSettings;
  drafts: DraftService;
  releases: ReleaseService;
  store: ReleaseStore;
  pointer: CurrentReleasePointer;
  impact: ImpactSource;
};

type DraftParams = { kind: MetadataKind; key: string };
type CandidateParams = { candidateId: string };
type ReleaseParams = { releaseId: string };

const withEtag = (reply: FastifyReply, draft: DraftView) => reply.header('etag', `"${draft.version}"`).send(draft);

export async function catalogRoutes(app: FastifyInstance, o: CatalogRoutesOptions): Promise<void> {
  requireAuthentication(app, o.auth);
  const route = (operationId: string) => routeSchema(o.contract, operationId);
  const ctx = (request: Parameters<typeof principalOf>[0]) => ({ principal: principalOf(request), correlationId: String(request.id), commandId: commandIdOf(request) });
  const admin = (request: Parameters<typeof principalOf>[0]) => {
    const c = ctx(request);
    requireRole(c.principal, 'admin');
    return c;
  };

  // Drafts (admins only).
  app.route<{ Body: { kind: MetadataKind; key: string; content: unknown } }>({
    ...route('createDraft'),
    handler: async (request, reply) => withEtag(reply.status(201), await o.drafts.create(request.body, admin(request))),
  });
  app.route<{ Querystring: { kind?: MetadataKind } }>({
    ...route('listDrafts'),
    handler: async (request) => ({ items: await o.drafts.list(admin(request).principal.tenantId, request.query.kind) }),
  });
  app.route<{ Params: DraftParams }>({
    ...route('getDraft'),
    handler: async (request, reply) => withEtag(reply, await o.drafts.get(admin(request).principal.tenantId, request.params.kind, request.params.key)),
  });
  app.route<{ Params: DraftParams; Body: { content: unknown } }>({
    ...route('editDraft'),
    handler: async (request, reply) => {
      const c = admin(request);
      const draft = await o.drafts.edit(request.params.kind, request.params.key, expectedVersion(request, true), request.body.content, c);
      return withEtag(reply, draft);
    },
  });
  app.route<{ Params: DraftParams }>({
    ...route('deleteDraft'),
    handler: async (request, reply) => {
      const c = admin(request);
      await o.drafts.remove(request.params.kind, request.params.key, expectedVersion(request, true), c);
      return reply.status(204).send();
    },
  });

  // Release candidates (admins only).
  app.route<{ Body: { title: string; items?: { kind: string; key: string }[] } }>({
    ...route('createReleaseCandidate'),
    handler: async (request, reply) => reply.status(201).send(await o.releases.createCandidate(request.body, admin(request))),
  });
  app.route<{ Params: CandidateParams }>({
    ...route('getReleaseCandidate'),
    handler: async (request) => o.releases.view(admin(request).principal.tenantId, request.params.candidateId),
  });
  app.route<{ Params: CandidateParams }>({
    ...route('getReleaseCandidateImpact'),
    handler: async (request) => o.releases.impact(request.params.candidateId, admin(request).principal.tenantId, o.impact),
  });
  app.route<{ Params: CandidateParams }>({
    ...route('requestReleaseReview'),
    handler: async (request) => o.releases.requestReview(request.params.candidateId, expectedVersion(request, false), admin(request)),
  });
  app.route<{ Params: CandidateParams; Body: { reason?: string } | undefined }>({
    ...route('approveReleaseCandidate'),
    handler: async (request) => o.releases.approve(request.params.candidateId, expectedVersion(request, false), request.body?.reason, admin(request)),
  });
  app.route<{ Params: CandidateParams; Body: { reason: string } }>({
    ...route('rejectReleaseCandidate'),
    handler: async (request) => o.releases.reject(request.params.candidateId, expectedVersion(request, false), request.body.reason, admin(request)),
  });
  app.route<{ Params: CandidateParams }>({
    ...route('publishReleaseCandidate'),
    handler: async (request, reply) => reply.status(201).send(await o.releases.publish(request.params.candidateId, expectedVersion(request, false), admin(request))),
  });

  // Releases: readable by every role of the tenant (reps quote against them).
  const snapshotOf = async (tenantId: string, releaseId: string) => {
    const header = await o.store.header(tenantId, releaseId);
    if (!header) throw new DomainError('release-not-found', `no release ${releaseId}`);
    return o.store.snapshot(header);
  };
  app.route({
    ...route('listReleases'),
    handler: async (request) => ({ items: await o.store.list(principalOf(request).tenantId) }),
  });
  app.route({
    ...route('getCurrentRelease'),
    handler: async (request) => {
      const header = await o.pointer.get(principalOf(request).tenantId);
      if (!header) throw new DomainError('release-not-found', 'nothing has been published yet');
      return o.store.snapshot(header);
    },
  });
  app.route<{ Params: ReleaseParams }>({
    ...route('getRelease'),
    handler: async (request) => snapshotOf(principalOf(request).tenantId, request.params.releaseId),
  });
  app.route<{ Params: ReleaseParams & DraftParams }>({
    ...route('getReleaseItem'),
    handler: async (request) => {
      const { releaseId, kind, key } = request.params;
      const item = (await snapshotOf(principalOf(request).tenantId, releaseId)).items.find((i) => i.kind === kind && i.key === key);
      if (!item) throw new DomainError('release-item-not-found', `release ${releaseId} has no ${kind}/${key}`);
      return item;
    },
  });
  app.route<{ Params: ReleaseParams; Querystring: { from: string } }>({
    ...route('diffReleases'),
    handler: async (request) => {
      const tenantId = principalOf(request).tenantId;
      const [from, to] = await Promise.all([snapshotOf(tenantId, request.query.from), snapshotOf(tenantId, request.params.releaseId)]);
      return { fromReleaseId: from.releaseId, toReleaseId: to.releaseId, ...diffReleases(from.items, to.items) };
    },
  });
  // Published releases are immutable: no verb but GET exists for them, and saying so beats a 404.
  app.route({
    method: ['PUT', 'PATCH', 'DELETE', 'POST'],
    url: '/metadata/releases/*',
    handler: async () => {
      throw new DomainError('method-not-allowed', 'published releases are immutable; change the drafts and publish a new release');
    },
  });
}
