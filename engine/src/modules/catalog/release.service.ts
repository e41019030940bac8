import { randomUUID } from 'node:crypto';
import { createFeelCache } from '@cpq/metadata/feel';
import { createReleaseView, validateReleaseSet, type MetadataItem, type MetadataKind, type ReleaseView, type ValidationIssue } from '@cpq/metadata';
import type { PrismaClient, TransactionClient } from '@cpq/prisma';
import type { Principal } from '../../http/auth';
import { DomainError } from '../../http/errors';
import { recordAudit } from '../audit';
import { writeOutboxEvent } from '../outbox';
import { CamundaError, type CamundaClient } from '../workflow';
import { itemHash, releaseHash } from './content-hash';
import type { CommandContext } from './draft.service';
import { toHeader, type CurrentReleasePointer, type ReleaseHeader, type ReleaseItem, type ReleaseStore } from './release-store';

export type CandidateState = 'invalid' | 'validated' | 'in-review' | 'approved' | 'rejected' | 'published';

export type CandidateView = {
  candidateId: string; title: string; state: CandidateState; baseReleaseId: string | null;
  issues: ValidationIssue[]; createdBy: string; reviewRequestedBy: string | null; decidedBy: string | null;
  decisionReason: string | null; version: number; createdAt: string; updatedAt: string;
  items: { kind: string; key: string; contentHash: string; authors: string[] }[];
};

/** The only transitions a candidate may take; anything else is a 409. */
const TRANSITIONS: Record<string, { from: CandidateState[]; to: CandidateState }> = {
  'request-review': { from: ['validated'], to: 'in-review' },
  approve: { from: ['in-review'], to: 'approved' },
  reject: { from: ['in-review', 'approved'], to: 'rejected' },
  publish: { from: ['approved'], to: 'published' },
};

const actorOf = (p: Principal) => ({ type: 'USER' as const, id: p.userId });

/** What replays recent quotes against a candidate (the quote module provides it; the catalog never reads quotes). */
export type ImpactSource = (tenantId: string, candidate: ReleaseView) => Promise<ImpactEntry[]>;
export type ImpactEntry = { quoteId: string; revision: number; delta: string | null; invalidLines: unknown[]; newlyRequiredApprovals: string[]; error?: string };

export type ReleaseServiceDeps = {
  prisma: PrismaClient;
  camunda: CamundaClient;
  store: ReleaseStore;
  pointer: CurrentReleasePointer;
  log: { warn(o: object, m: string): void; error(o: object, m: string): void };
};

export function createReleaseService({ prisma, camunda, store, pointer, log }: ReleaseServiceDeps) {
  async function view(tenantId: string, candidateId: string, tx: TransactionClient | PrismaClient = prisma): Promise<CandidateView> {
    const row = await tx.releaseCandidate.findFirst({ where: { id: candidateId, tenantId } });
    if (!row) throw new DomainError('candidate-not-found', `no release candidate ${candidateId}`);
    const items = await tx.releaseCandidateItem.findMany({ where: { candidateId, tenantId }, orderBy: [{ kind: 'asc' }, { key: 'asc' }] });
    return {
      candidateId: row.id, title: row.title, state: row.state as CandidateState, baseReleaseId: row.baseReleaseId,
      issues: row.issues as ValidationIssue[], createdBy: row.createdBy, reviewRequestedBy: row.reviewRequestedBy,
      decidedBy: row.decidedBy, decisionReason: row.decisionReason, version: row.version,
      createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString(),
      items: items.map((i) => ({ kind: i.kind, key: i.key, contentHash: i.contentHash, authors: i.authors })),
    };
  }

  /** The candidate's items over the base release's: what the release would contain. */
  function merge(base: ReleaseItem[], changes: ReleaseItem[]): ReleaseItem[] {
    const id = (i: { kind: string; key: string }) => `${i.kind}\u0000${i.key}`;
    const merged = new Map(base.map((i) => [id(i), i]));
    for (const change of changes) merged.set(id(change), change);
    return [...merged.values()];
  }

  async function validate(changes: ReleaseItem[], base: ReleaseItem[]): Promise<ValidationIssue[]> {
    const feel = createFeelCache();
    const changed = new Set(changes.map((c) => `${c.kind}\u0000${c.key}`));
    return validateReleaseSet(
      changes.map((c) => ({ kind: c.kind as MetadataKind, key: c.key, content: c.content })),
      {
        base: base.filter((b) => !changed.has(`${b.kind}\u0000${b.key}`)).map((b) => ({ kind: b.kind as MetadataKind, key: b.key, content: b.content })) as MetadataItem[],
        compileFeel: (source, dialect) => feel.compile(source, dialect),
      },
    );
  }

  async function transition(
    command: keyof typeof TRANSITIONS, candidateId: string, expectedVersion: number | undefined, ctx: CommandContext,
    extra: (tx: TransactionClient, row: { createdBy: string }) => Promise<{ reason?: string | null; data?: Record<string, unknown> }>,
  ): Promise<CandidateView> {
    const { principal } = ctx;
    const rule = TRANSITIONS[command]!;
    return prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ id: string; state: string; version: number; created_by: string }[]>`
        SELECT id, state, version, created_by FROM release_candidate
         WHERE id = ${candidateId}::uuid AND tenant_id = ${principal.tenantId} FOR UPDATE`;
      const row = rows[0];
      if (!row) throw new DomainError('candidate-not-found', `no release candidate ${candidateId}`);
      if (expectedVersion !== undefined && row.version !== expectedVersion) {
        throw new DomainError('version-conflict', `candidate is at version ${row.version}, not ${expectedVersion}`);
      }
      if (!rule.from.includes(row.state as CandidateState)) {
        throw new DomainError('candidate-state', `cannot ${command} a candidate that is ${row.state} (allowed from: ${rule.from.join(', ')})`);
      }
      const { reason, data } = await extra(tx, { createdBy: row.created_by });
      await tx.releaseCandidate.update({
        where: { id: candidateId },
        data: { state: rule.to, version: { increment: 1 }, updatedAt: new Date(), ...data },
      });
      await recordAudit(tx, {
        tenantId: principal.tenantId, actor: actorOf(principal), action: `metadata.candidate.${command}`,
        target: { type: 'RELEASE_CANDIDATE', id: candidateId }, reason: reason ?? null, correlationId: ctx.correlationId,
        details: { from: row.state, to: rule.to },
      });
      return view(principal.tenantId, candidateId, tx);
    });
  }

  return {
    view: (tenantId: string, candidateId: string) => view(tenantId, candidateId),

    /** Drafts (all, or the ones named) validated together with the current release, snapshotted. */
    async createCandidate(input: { title: string; items?: { kind: string; key: string }[] }, ctx: CommandContext): Promise<CandidateView> {
      const { principal } = ctx;
      const drafts = await prisma.metadataDraft.findMany({ where: { tenantId: principal.tenantId } });
      const wanted = input.items ? new Set(input.items.map((i) => `${i.kind}\u0000${i.key}`)) : undefined;
      const chosen = wanted ? drafts.filter((d) => wanted.has(`${d.kind}\u0000${d.key}`)) : drafts;
      if (wanted && chosen.length !== wanted.size) {
        const found = new Set(chosen.map((d) => `${d.kind}\u0000${d.key}`));
        const missing = input.items!.map((i, index) => ({ ...i, index })).filter((i) => !found.has(`${i.kind}\u0000${i.key}`));
        throw new DomainError('draft-not-found', 'some named drafts do not exist', missing.map((m) => ({
          field: `body/items/${m.index}`, rule: 'exists', message: `no draft ${m.kind}/${m.key}`,
        })));
      }
      if (chosen.length === 0) throw new DomainError('no-drafts', 'there are no drafts to release');
      const base = await pointer.get(principal.tenantId);
      const baseItems = base ? (await store.snapshot(base)).items : [];
      const changes = chosen.map((d) => ({ kind: d.kind, key: d.key, content: d.content, contentHash: itemHash(d.content) }));
      const issues = await validate(changes, baseItems);
      const candidateId = randomUUID();
      await prisma.$transaction(async (tx) => {
        await tx.releaseCandidate.create({
          data: {
            id: candidateId, tenantId: principal.tenantId, title: input.title, state: issues.length ? 'invalid' : 'validated',
            baseReleaseId: base?.releaseId ?? null, issues: issues as object[], createdBy: principal.userId,
          },
        });
        await tx.releaseCandidateItem.createMany({
          data: chosen.map((d, i) => ({
            candidateId, tenantId: principal.tenantId, kind: d.kind, key: d.key, content: d.content as object,
            contentHash: changes[i]!.contentHash, draftVersion: d.version, authors: d.authors,
          })),
        });
        await recordAudit(tx, {
          tenantId: principal.tenantId, actor: actorOf(principal), action: 'metadata.candidate.created',
          target: { type: 'RELEASE_CANDIDATE', id: candidateId }, correlationId: ctx.correlationId,
          details: { items: chosen.length, issues: issues.length, baseReleaseId: base?.releaseId ?? null },
        });
      });
      return view(principal.tenantId, candidateId);
    },

    /**
     * Impact preview: the candidate as it would be released (base release overlaid by its
     * items) with recent quotes replayed against it. Nothing is written.
     */
    async impact(candidateId: string, tenantId: string, source: ImpactSource) {
      const candidate = await view(tenantId, candidateId);
      const base = candidate.baseReleaseId ? await store.header(tenantId, candidate.baseReleaseId) : undefined;
      const baseItems = base ? (await store.snapshot(base)).items : [];
      const changes = (await prisma.releaseCandidateItem.findMany({ where: { candidateId, tenantId } }))
        .map((i) => ({ kind: i.kind, key: i.key, content: i.content, contentHash: i.contentHash }));
      const items = merge(baseItems, changes);
      const candidateView = createReleaseView({ releaseId: `candidate:${candidateId}`, releaseNumber: 0, contentHash: releaseHash(items) }, items);
      const quotes = await source(tenantId, candidateView);
      return {
        candidateId, baseReleaseId: candidate.baseReleaseId, quotesReplayed: quotes.length,
        summary: {
          invalidConfigurations: quotes.filter((q) => q.invalidLines.length > 0).length,
          priceChanges: quotes.filter((q) => q.delta !== null && Number(q.delta) !== 0).length,
          newlyRequiredApprovals: quotes.filter((q) => q.newlyRequiredApprovals.length > 0).length,
          notPriceable: quotes.filter((q) => q.error !== undefined).length,
        },
        quotes,
      };
    },

    requestReview: (candidateId: string, expectedVersion: number | undefined, ctx: CommandContext) =>
      transition('request-review', candidateId, expectedVersion, ctx, async () => ({ data: { reviewRequestedBy: ctx.principal.userId } })),

    /** Four-eyes: the reviewer authored none of the candidate's items. */
    approve: (candidateId: string, expectedVersion: number | undefined, reason: string | undefined, ctx: CommandContext) =>
      transition('approve', candidateId, expectedVersion, ctx, async (tx) => {
        const items = await tx.releaseCandidateItem.findMany({ where: { candidateId, tenantId: ctx.principal.tenantId }, select: { kind: true, key: true, authors: true } });
        const authored = items.filter((i) => i.authors.includes(ctx.principal.userId));
        if (authored.length > 0) {
          throw new DomainError('four-eyes-violation', `${ctx.principal.userId} authored ${authored.map((i) => `${i.kind}/${i.key}`).join(', ')} and cannot approve this release`);
        }
        return { reason: reason ?? null, data: { decidedBy: ctx.principal.userId, decisionReason: reason ?? null } };
      }),

    reject: (candidateId: string, expectedVersion: number | undefined, reason: string, ctx: CommandContext) =>
      transition('reject', candidateId, expectedVersion, ctx, async () => ({ reason, data: { decidedBy: ctx.principal.userId, decisionReason: reason } })),

    /**
     * Publishes an approved candidate as the tenant's next release, all or nothing: under the
     * tenant's row lock (so numbers are gap-free and concurrent publishes serialise), checks
     * the candidate still builds on the current release, deploys the release's BPMN/DMN to
     * Camunda, writes the immutable release, its audit record and MetadataReleasePublished.
     * If anything after the deployment fails, the deployment is deleted again.
     */
    async publish(candidateId: string, expectedVersion: number | undefined, ctx: CommandContext): Promise<ReleaseHeader> {
      const { principal } = ctx;
      let deploymentId: string | undefined;
      try {
        const header = await prisma.$transaction(async (tx) => {
          await tx.$queryRaw`SELECT id FROM tenant WHERE id = ${principal.tenantId} FOR UPDATE`;
          const candidate = await tx.releaseCandidate.findFirst({ where: { id: candidateId, tenantId: principal.tenantId } });
          if (!candidate) throw new DomainError('candidate-not-found', `no release candidate ${candidateId}`);
          if (expectedVersion !== undefined && candidate.version !== expectedVersion) {
            throw new DomainError('version-conflict', `candidate is at version ${candidate.version}, not ${expectedVersion}`);
          }
          if (candidate.state !== 'approved') {
            throw new DomainError('candidate-state', `cannot publish a candidate that is ${candidate.state} (allowed from: approved)`);
          }
          const latestRow = await tx.metadataRelease.findFirst({ where: { tenantId: principal.tenantId }, orderBy: { releaseNumber: 'desc' } });
          if ((latestRow?.id ?? null) !== candidate.baseReleaseId) {
            throw new DomainError('candidate-stale', `release ${latestRow?.releaseNumber} was published after this candidate was validated; create a new candidate`);
          }
          const baseItems = latestRow ? await store.itemsFromDatabase(toHeader(latestRow)) : [];
          const changes = (await tx.releaseCandidateItem.findMany({ where: { candidateId, tenantId: principal.tenantId } }))
            .map((i) => ({ kind: i.kind, key: i.key, content: i.content, contentHash: i.contentHash, draftVersion: i.draftVersion }));
          const items = merge(baseItems, changes);
          const releaseNumber = (latestRow?.releaseNumber ?? 0) + 1;
          const releaseId = randomUUID();

          const models = items.filter((i) => i.kind === 'bpmn-model' || i.kind === 'dmn-model');
          if (models.length > 0) {
            try {
              const deployment = await camunda.deploy({
                name: `cpq-release-${principal.tenantId}-${releaseNumber}`,
                source: `cpq-release:${releaseId}`,
                tenantId: principal.tenantId,
                deployChangedOnly: false,
                files: models.map((m) => ({
                  name: `${m.key}.${m.kind === 'bpmn-model' ? 'bpmn' : 'dmn'}`,
                  content: (m.content as { xml: string }).xml,
                })),
              });
              deploymentId = deployment.id;
            } catch (error) {
              if (error instanceof CamundaError) {
                throw new DomainError('camunda-deployment-failed', error.message);
              }
              throw error;
            }
          }

          const row = await tx.metadataRelease.create({
            data: {
              id: releaseId, tenantId: principal.tenantId, releaseNumber, contentHash: releaseHash(items),
              candidateId, baseReleaseId: latestRow?.id ?? null, itemCount: items.length,
              publishedBy: principal.userId, approvedBy: candidate.decidedBy ?? '', camundaDeploymentId: deploymentId ?? null,
            },
          });
          await tx.metadataReleaseItem.createMany({
            data: items.map((i) => ({ releaseId, tenantId: principal.tenantId, kind: i.kind, key: i.key, content: i.content as object, contentHash: i.contentHash })),
          });
          await tx.releaseCandidate.update({ where: { id: candidateId }, data: { state: 'published', version: { increment: 1 }, updatedAt: new Date() } });
          // Drafts released as they were are done; drafts edited since the snapshot stay.
          for (const change of changes) {
            await tx.metadataDraft.deleteMany({ where: { tenantId: principal.tenantId, kind: change.kind, key: change.key, version: change.draftVersion } });
          }
          const header = toHeader(row);
          await recordAudit(tx, {
            tenantId: principal.tenantId, actor: actorOf(principal), action: 'metadata.release.published',
            target: { type: 'METADATA_RELEASE', id: releaseId }, correlationId: ctx.correlationId,
            details: { releaseNumber, contentHash: header.contentHash, candidateId, items: items.length, camundaDeploymentId: deploymentId ?? null },
          });
          await writeOutboxEvent(tx, {
            eventType: 'MetadataReleasePublished', tenantId: principal.tenantId, aggregateType: 'RELEASE', aggregateId: releaseId,
            aggregateVersion: releaseNumber, correlationId: ctx.correlationId, actor: actorOf(principal), payload: header,
          });
          return header;
        }, { timeout: 60_000, maxWait: 30_000 });
        pointer.advance(header);
        return header;
      } catch (error) {
        if (deploymentId) {
          await camunda.deleteDeployment(deploymentId).catch((e: Error) =>
            log.error({ err: e.message, deploymentId }, 'could not delete the Camunda deployment of a failed publish'),
          );
        }
        throw error;
      }
    },
  };
}

export type ReleaseService = ReturnType<typeof createReleaseService>;
