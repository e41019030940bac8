import type { ApiSchema } from '@cpq/contracts/api-types';
import { METADATA_KINDS, registry } from '@cpq/metadata';
import type { OpenApiDocument } from '@cpq/contracts/openapi';
import type { PrismaClient } from '@cpq/prisma';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ROLES, requireRole, type AuthSettings, type Role } from '../../http/auth';
import { commandRoutes, type CommandContext } from '../../http/command-route';
import { contractRoutes } from '../../http/contract-routes';
import { DomainError } from '../../http/errors';
import { expectedVersion, principalOf, requireAuthentication } from '../../http/principal';
import type { DraftService, DraftView } from './draft.service';
import type { MetadataAudit } from './metadata-audit';
import { checkFeel } from './feel-check';
import { diffReleases } from './release-diff';
import type { CurrentReleasePointer, ReleaseItem, ReleaseSnapshot, ReleaseStore } from './release-store';
import type { ImpactSource, ReleaseService } from './release.service';

export type CatalogRoutesOptions = {
  contract: OpenApiDocument;
  auth: AuthSettings;
  prisma: PrismaClient;
  drafts: DraftService;
  releases: ReleaseService;
  store: ReleaseStore;
  pointer: CurrentReleasePointer;
  impact: ImpactSource;
  audit: MetadataAudit;
};

/**
 * DraftView and ReleaseItem type `content` as `unknown`; the contract says an object, which it
 * is (drafts are checked as objects on write). These bridge the two, in one place, until the
 * catalog's views take the contract's types.
 */
const asDraft = (draft: DraftView) => draft as ApiSchema<'Draft'>;
const asItem = (item: ReleaseItem) => item as ApiSchema<'ReleaseItem'>;
const asRelease = (snapshot: ReleaseSnapshot): ApiSchema<'Release'> => ({ ...snapshot, items: snapshot.items.map(asItem) });

type MetadataKind = ApiSchema<'MetadataKind'>;

/** Every role but the customer's may read published releases. */
const RELEASE_READERS: Role[] = ROLES.filter((role) => role !== 'customer');
type JsonObject = Record<string, unknown>;

const etagOf = (draft: { version: number }) => ({ etag: `"${draft.version}"` });
const withEtag = (reply: FastifyReply, draft: DraftView) => reply.headers(etagOf(draft)).send(draft);

export async function catalogRoutes(app: FastifyInstance, o: CatalogRoutesOptions): Promise<void> {
  requireAuthentication(app, o.auth);
  const route = contractRoutes(app, o.contract);
  const command = commandRoutes(app, o.contract, o.prisma);
  /** Drafts and candidates are for admins only. */
  const admin = <C extends CommandContext>(ctx: C): C => {
    requireRole(ctx.principal, 'admin');
    return ctx;
  };
  const adminTenant = (request: FastifyRequest) => {
    const principal = principalOf(request);
    requireRole(principal, 'admin');
    return principal.tenantId;
  };

  // Metadata kinds and their JSON Schemas: what drafts are checked against, served so that
  // clients (the studio's generated forms) use the engine's own schemas, never a copy. Readable
  // by every role of the tenant: the schemas describe the product, not the tenant's data.
  route('listMetadataKinds', async () => ({ items: METADATA_KINDS.map((kind) => ({ kind, title: registry[kind].title, schema: registry[kind].schema })) }));
  route('getMetadataKindSchema', async (request) => registry[request.params.kind].schema);

  // FEEL as the studio's editor checks it while the admin types: compile errors at their
  // offsets and the value on sample values, from the compiler candidates are validated with.
  route('evaluateFeel', async (request) => {
    adminTenant(request);
    return checkFeel(request.body);
  });

  // Drafts.
  command('createDraft', 201, (r, ctx) => o.drafts.create(r.body, admin(ctx)).then(asDraft), { headers: etagOf });
  route('listDrafts', async (request) => ({ items: (await o.drafts.list(adminTenant(request), request.query?.kind)).map(asDraft) }));
  route('getDraft', async (request, reply) => withEtag(reply, await o.drafts.get(adminTenant(request), request.params.kind, request.params.key)));
  command('editDraft', 200, (r, ctx) => o.drafts.edit(r.params.kind, r.params.key, expectedVersion(r, true), r.body.content, admin(ctx)).then(asDraft), { headers: etagOf });
  command('deleteDraft', 204, async (r, ctx) => {
    await o.drafts.remove(r.params.kind, r.params.key, expectedVersion(r, true), admin(ctx));
    return undefined;
  });

  // Release candidates.
  command('createReleaseCandidate', 201, (r, ctx) => o.releases.createCandidate(r.body, admin(ctx)));
  route('listReleaseCandidates', async (request) => ({ items: await o.releases.list(adminTenant(request), request.query?.state) }));
  route('getReleaseCandidate', async (request) => o.releases.view(adminTenant(request), request.params.candidateId));
  route('getReleaseCandidateImpact', async (request) => o.releases.impact(request.params.candidateId, adminTenant(request), o.impact));
  route('diffReleaseCandidate', async (request) => {
    const diff = await o.releases.diff(request.params.candidateId, adminTenant(request));
    return { ...diff, items: diff.items.map((i) => ({ ...i, kind: i.kind as MetadataKind, before: i.before as JsonObject | null, after: i.after as JsonObject | null })) };
  });
  command('requestReleaseReview', 200, (r, ctx) => o.releases.requestReview(r.params.candidateId, ctx.expectedVersion, admin(ctx)));
  command('approveReleaseCandidate', 200, (r, ctx) => o.releases.approve(r.params.candidateId, ctx.expectedVersion, r.body.reason, admin(ctx)));
  command('rejectReleaseCandidate', 200, (r, ctx) => o.releases.reject(r.params.candidateId, ctx.expectedVersion, r.body.reason, admin(ctx)));
  command('publishReleaseCandidate', 201, (r, ctx) => o.releases.publish(r.params.candidateId, ctx.expectedVersion, admin(ctx)));

  // Releases: readable by the tenant's staff (reps quote against them, approvers and ops read
  // what a quote was priced on), never by a customer user: pricing rules, floors and authority
  // limits are internal. A customer reads its quote's terms through the quote's customer view.
  const staffTenant = (request: FastifyRequest) => {
    const principal = principalOf(request);
    requireRole(principal, ...RELEASE_READERS);
    return principal.tenantId;
  };
  const snapshotOf = async (tenantId: string, releaseId: string) => {
    const header = await o.store.header(tenantId, releaseId);
    if (!header) throw new DomainError('release-not-found', `no release ${releaseId}`);
    return o.store.snapshot(header);
  };
  route('listReleases', async (request) => ({ items: await o.store.list(staffTenant(request)) }));
  route('getCurrentRelease', async (request) => {
    const header = await o.pointer.get(staffTenant(request));
    if (!header) throw new DomainError('release-not-found', 'nothing has been published yet');
    return asRelease(await o.store.snapshot(header));
  });
  route('getRelease', async (request) => asRelease(await snapshotOf(staffTenant(request), request.params.releaseId)));
  route('getReleaseItem', async (request) => {
    const { releaseId, kind, key } = request.params;
    const item = (await snapshotOf(staffTenant(request), releaseId)).items.find((i) => i.kind === kind && i.key === key);
    if (!item) throw new DomainError('release-item-not-found', `release ${releaseId} has no ${kind}/${key}`);
    return asItem(item);
  });
  // Roll forward: a candidate restoring an older release's content, reviewed and published like any other.
  command('rollForwardRelease', 201, (r, ctx) => o.releases.rollForward(r.params.releaseId, r.body?.title, admin(ctx)));
  // Audit: who changed what and when; internal evidence, for admins only.
  route('getReleaseAudit', async (request) => ({ items: await o.audit.ofRelease(adminTenant(request), request.params.releaseId) }));
  route('getItemAudit', async (request) => ({ items: await o.audit.ofItem(adminTenant(request), request.params.kind, request.params.key) }));
  route('diffReleases', async (request) => {
    const tenantId = staffTenant(request);
    const [from, to] = await Promise.all([snapshotOf(tenantId, request.query.from), snapshotOf(tenantId, request.params.releaseId)]);
    return { fromReleaseId: from.releaseId, toReleaseId: to.releaseId, ...diffReleases(from.items, to.items) };
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
