import { randomUUID } from 'node:crypto';
import type { ApiSchema } from '@cpq/contracts/api-types';
import { createFeelCache } from '@cpq/metadata/feel';
import { createReleaseView, isBlocking, validateReleaseSet, type MetadataItem, type MetadataKind, type ReleaseView, type ValidationIssue } from '@cpq/metadata';
import type { PrismaClient, TransactionClient } from '@cpq/prisma';
import type { Principal } from '../../http/auth';
import { DomainError } from '../../http/errors';
import { recordAudit } from '../audit';
import type { CamundaClient } from '../workflow';
import { createCamundaValidation, isModel } from './camunda-validation.service';
import { candidateRelease } from './candidate-content';
import { diffCandidate } from './candidate-diff';
import { blockingErrors, invalidDetail, withSeverity, type CandidateIssue } from './candidate-issues';
import { itemHash, releaseHash } from './content-hash';
import type { CommandContext } from './draft.service';
import { diffReleases } from './release-diff';
import { createPublishFlow } from './release-publish.service';
import { mergeItems, type CurrentReleasePointer, type ReleaseHeader, type ReleaseItem, type ReleaseStore } from './release-store';

export type CandidateState = 'invalid' | 'validated' | 'in-review' | 'approved' | 'rejected' | 'publishing' | 'published';

export type CandidateView = {
  candidateId: string; title: string; state: CandidateState; baseReleaseId: string | null; rolledFromReleaseId: string | null;
  issues: CandidateIssue[]; createdBy: string; reviewRequestedBy: string | null; decidedBy: string | null;
  decisionReason: string | null; version: number; createdAt: string; updatedAt: string;
  items: { kind: string; key: string; contentHash: string; authors: string[] }[];
};

/** The only transitions a candidate may take; anything else is a 409. */
const TRANSITIONS: Record<string, { from: CandidateState[]; to: CandidateState }> = {
  'request-review': { from: ['validated'], to: 'in-review' },
  approve: { from: ['in-review'], to: 'approved' },
  reject: { from: ['in-review', 'approved'], to: 'rejected' },
};

const actorOf = (p: Principal) => ({ type: 'USER' as const, id: p.userId });
const idOf = (i: { kind: string; key: string }) => `${i.kind}\u0000${i.key}`;

/** What a new candidate is made of: its items as snapshotted (content, where from, who wrote them). */
type NewCandidate = {
  title: string; base: ReleaseHeader | undefined; issues: ValidationIssue[]; rolledFromReleaseId?: string;
  items: { kind: string; key: string; content: unknown; contentHash: string; draftVersion: number; authors: string[] }[];
  details: Record<string, unknown>;
};

/** What replays recent quotes against a candidate (the quote module provides it; the catalog never reads quotes). */
export type ImpactSource = (tenantId: string, candidate: ReleaseView) => Promise<ImpactEntry[]>;
export type ImpactEntry = ApiSchema<'QuoteImpact'>;

export type ReleaseServiceDeps = {
  prisma: PrismaClient;
  camunda: CamundaClient;
  store: ReleaseStore;
  pointer: CurrentReleasePointer;
  log: { warn(o: object, m: string): void; error(o: object, m: string): void };
};

export function createReleaseService({ prisma, camunda, store, pointer, log }: ReleaseServiceDeps) {
  const publishing = createPublishFlow({ prisma, camunda, store, pointer, log });
  const camundaParser = createCamundaValidation(camunda, log);

  async function view(tenantId: string, candidateId: string, tx: TransactionClient | PrismaClient = prisma): Promise<CandidateView> {
    const row = await tx.releaseCandidate.findFirst({ where: { id: candidateId, tenantId } });
    if (!row) throw new DomainError('candidate-not-found', `no release candidate ${candidateId}`);
    const items = await tx.releaseCandidateItem.findMany({ where: { candidateId, tenantId }, orderBy: [{ kind: 'asc' }, { key: 'asc' }] });
    return {
      candidateId: row.id, title: row.title, state: row.state as CandidateState, baseReleaseId: row.baseReleaseId, rolledFromReleaseId: row.rolledFromReleaseId,
      issues: withSeverity(row.issues as ValidationIssue[]), createdBy: row.createdBy, reviewRequestedBy: row.reviewRequestedBy,
      decidedBy: row.decidedBy, decisionReason: row.decisionReason, version: row.version,
      createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString(),
      items: items.map((i) => ({ kind: i.kind, key: i.key, contentHash: i.contentHash, authors: i.authors })),
    };
  }

  /**
   * The metadata validators over the set and the current release, then Camunda's own parser on
   * the changed BPMN/DMN that passed them (the base's models deployed already; a model our
   * validators refused is not sent).
   */
  async function validate(changes: ReleaseItem[], base: ReleaseItem[]): Promise<ValidationIssue[]> {
    const issues = await validateMetadata(changes, base);
    const refused = new Set(issues.filter(isBlocking).map((i) => `${i.item.kind}\u0000${i.item.key}`));
    const models = changes.filter((c) => isModel(c) && !refused.has(`${c.kind}\u0000${c.key}`));
    return [...issues, ...(await camundaParser.check(models))];
  }

  /**
   * A roll forward releases an older release's items as a whole: every item is validated again
   * with the validators of today (references resolve within the set alone), and Camunda parses
   * the models that differ from the current release (the others are deployed already).
   */
  async function validateWhole(items: ReleaseItem[], changed: ReleaseItem[]): Promise<ValidationIssue[]> {
    const issues = await validateMetadata(items, []);
    const refused = new Set(issues.filter(isBlocking).map((i) => `${i.item.kind}\u0000${i.item.key}`));
    return [...issues, ...(await camundaParser.check(changed.filter((c) => isModel(c) && !refused.has(idOf(c)))))];
  }

  /** Writes a new candidate, its items and its audit record in one transaction. */
  async function insertCandidate(c: NewCandidate, ctx: CommandContext): Promise<CandidateView> {
    const { principal } = ctx;
    const candidateId = randomUUID();
    return prisma.$transaction(async (tx) => {
      await tx.releaseCandidate.create({
        data: {
          id: candidateId, tenantId: principal.tenantId, title: c.title, state: c.issues.some(isBlocking) ? 'invalid' : 'validated',
          baseReleaseId: c.base?.releaseId ?? null, rolledFromReleaseId: c.rolledFromReleaseId ?? null, issues: c.issues as object[], createdBy: principal.userId,
        },
      });
      await tx.releaseCandidateItem.createMany({
        data: c.items.map((i) => ({
          candidateId, tenantId: principal.tenantId, kind: i.kind, key: i.key, content: i.content as object,
          contentHash: i.contentHash, draftVersion: i.draftVersion, authors: i.authors,
        })),
      });
      await recordAudit(tx, {
        tenantId: principal.tenantId, actor: actorOf(principal), action: 'metadata.candidate.created',
        target: { type: 'RELEASE_CANDIDATE', id: candidateId }, correlationId: ctx.correlationId,
        details: {
          items: c.items.length, issues: c.issues.filter(isBlocking).length, warnings: c.issues.filter((i) => !isBlocking(i)).length,
          baseReleaseId: c.base?.releaseId ?? null, ...c.details,
        },
      });
      const result = await view(principal.tenantId, candidateId, tx);
      await ctx.complete?.(tx, result);
      return result;
    });
  }

  async function validateMetadata(changes: ReleaseItem[], base: ReleaseItem[]): Promise<ValidationIssue[]> {
    const feel = createFeelCache();
    const changed = new Set(changes.map((c) => `${c.kind}\u0000${c.key}`));
    return validateReleaseSet(
      changes.map((c) => ({ kind: c.kind as MetadataKind, key: c.key, content: c.content })),
      {
        base: base.filter((b) => !changed.has(`${b.kind}\u0000${b.key}`)).map((b) => ({ kind: b.kind as MetadataKind, key: b.key, content: b.content })) as MetadataItem[],
        compileFeel: (source, dialect, options) => feel.compile(source, dialect, options),
      },
    );
  }

  async function transition(
    command: keyof typeof TRANSITIONS, candidateId: string, expectedVersion: number | undefined, ctx: CommandContext,
    extra: (tx: TransactionClient, row: { createdBy: string; rolledFromReleaseId: string | null }) => Promise<{ reason?: string | null; data?: Record<string, unknown> }>,
  ): Promise<CandidateView> {
    const { principal } = ctx;
    const rule = TRANSITIONS[command]!;
    return prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ id: string; state: string; version: number; created_by: string; rolled_from_release_id: string | null; issues: ValidationIssue[] }[]>`
        SELECT id, state, version, created_by, rolled_from_release_id, issues FROM release_candidate
         WHERE id = ${candidateId}::uuid AND tenant_id = ${principal.tenantId} FOR UPDATE`;
      const row = rows[0];
      if (!row) throw new DomainError('candidate-not-found', `no release candidate ${candidateId}`);
      if (expectedVersion !== undefined && row.version !== expectedVersion) {
        throw new DomainError('version-conflict', `candidate is at version ${row.version}, not ${expectedVersion}`);
      }
      if (row.state === 'invalid') throw new DomainError('candidate-state', invalidDetail(command, row.issues), blockingErrors(row.issues));
      if (!rule.from.includes(row.state as CandidateState)) {
        throw new DomainError('candidate-state', `cannot ${command} a candidate that is ${row.state} (allowed from: ${rule.from.join(', ')})`);
      }
      const { reason, data } = await extra(tx, { createdBy: row.created_by, rolledFromReleaseId: row.rolled_from_release_id });
      await tx.releaseCandidate.update({
        where: { id: candidateId },
        data: { state: rule.to, version: { increment: 1 }, updatedAt: new Date(), ...data },
      });
      await recordAudit(tx, {
        tenantId: principal.tenantId, actor: actorOf(principal), action: `metadata.candidate.${command}`,
        target: { type: 'RELEASE_CANDIDATE', id: candidateId }, reason: reason ?? null, correlationId: ctx.correlationId,
        details: { from: row.state, to: rule.to },
      });
      const result = await view(principal.tenantId, candidateId, tx);
      await ctx.complete?.(tx, result);
      return result;
    });
  }

  return {
    view: (tenantId: string, candidateId: string) => view(tenantId, candidateId),
    /** The tenant's candidates, newest first (at most 100), without items; what a reviewer looks through. */
    async list(tenantId: string, state?: CandidateState) {
      const rows = await prisma.releaseCandidate.findMany({ where: { tenantId, ...(state ? { state } : {}) }, orderBy: { createdAt: 'desc' }, take: 100 });
      return rows.map((row) => ({
        candidateId: row.id, title: row.title, state: row.state as CandidateState, createdBy: row.createdBy,
        reviewRequestedBy: row.reviewRequestedBy, decidedBy: row.decidedBy, issueCount: Array.isArray(row.issues) ? row.issues.length : 0,
        version: row.version, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString(),
      }));
    },

    /**
     * Drafts (all, or the ones named) validated together with the current release (and their
     * changed BPMN/DMN by Camunda's own parser, before the transaction), snapshotted: `invalid`
     * when any issue is an error, warnings do not block.
     */
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
      // The base is read from PostgreSQL, not the per-process pointer: another instance may have published.
      const base = await store.latest(principal.tenantId);
      const baseItems = base ? (await store.snapshot(base)).items : [];
      const changes = chosen.map((d) => ({ kind: d.kind, key: d.key, content: d.content, contentHash: itemHash(d.content) }));
      const issues = await validate(changes, baseItems);
      return insertCandidate({
        title: input.title, base, issues, details: {},
        items: chosen.map((d, i) => ({ ...changes[i]!, draftVersion: d.version, authors: d.authors })),
      }, ctx);
    },

    /**
     * Roll forward: a candidate whose release has an older release's content exactly. Its items
     * are that release's items that differ from the current release (the items added since are
     * removed by its release), snapshotted with the admin who asked as their author, so another
     * admin must approve it; validated like any candidate, then reviewed and published the same
     * way. No draft is read or consumed.
     */
    async rollForward(releaseId: string, title: string | undefined, ctx: CommandContext): Promise<CandidateView> {
      const { principal } = ctx;
      const target = await store.header(principal.tenantId, releaseId);
      if (!target) throw new DomainError('release-not-found', `no release ${releaseId}`);
      // A release exists (the target), so the tenant has a latest one; read from PostgreSQL, not the pointer.
      const base = (await store.latest(principal.tenantId))!;
      const [targetItems, baseItems] = await Promise.all([store.snapshot(target), store.snapshot(base)]).then((s) => s.map((r) => r.items));
      const diff = diffReleases(baseItems!, targetItems!);
      if (diff.added.length + diff.changed.length + diff.removed.length === 0) {
        throw new DomainError('release-unchanged', `release ${target.releaseNumber} has the content of the current release ${base.releaseNumber}: nothing to roll forward`);
      }
      const differing = new Set([...diff.added, ...diff.changed].map(idOf));
      const changes = targetItems!.filter((i) => differing.has(idOf(i)));
      const issues = await validateWhole(targetItems!, changes);
      return insertCandidate({
        title: title ?? `Roll forward to release ${target.releaseNumber}`, base, issues, rolledFromReleaseId: target.releaseId,
        // draft_version 0: the item comes from a release, not a draft (drafts start at 1; the publish consumes none).
        items: changes.map((i) => ({ kind: i.kind, key: i.key, content: i.content, contentHash: i.contentHash, draftVersion: 0, authors: [principal.userId] })),
        details: { rolledFromReleaseId: target.releaseId, rolledFromReleaseNumber: target.releaseNumber, removes: diff.removed.length },
      }, ctx);
    },

    /**
     * What the candidate changes in the current release, item by item with both contents (the
     * reviewer's side-by-side view). Compared with the current release: a candidate made from
     * drafts changes only its items, a roll forward also removes what its release lacks.
     */
    async diff(candidateId: string, tenantId: string) {
      const candidate = await view(tenantId, candidateId);
      const read = async (h: ReleaseHeader) => (await store.snapshot(h)).items;
      const release = await candidateRelease(prisma, store, tenantId, candidateId, read);
      const current = await store.latest(tenantId);
      const currentItems = current ? await read(current) : [];
      const released = release.rolledFromReleaseId ? release.items : mergeItems<ReleaseItem>(currentItems, release.changes);
      return { candidateId, baseReleaseId: candidate.baseReleaseId, currentReleaseId: current?.releaseId ?? null, items: diffCandidate(release.changes, released, currentItems) };
    },

    /**
     * Impact preview: the candidate as it would be released (base release overlaid by its
     * items) with recent quotes replayed against it. Nothing is written.
     */
    async impact(candidateId: string, tenantId: string, source: ImpactSource) {
      const candidate = await view(tenantId, candidateId);
      const { items } = await candidateRelease(prisma, store, tenantId, candidateId, async (h) => (await store.snapshot(h)).items);
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
      transition('approve', candidateId, expectedVersion, ctx, async (tx, row) => {
        // Who asked for a roll forward chose every item's content, even when it only removes items.
        if (row.rolledFromReleaseId && row.createdBy === ctx.principal.userId) {
          throw new DomainError('four-eyes-violation', `${ctx.principal.userId} asked for this roll forward and cannot approve it`);
        }
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
     * Publishes an approved candidate as the tenant's next release, as steps with no remote
     * call inside a transaction (reserve -> deploy to Camunda -> record; see
     * release-publish.service.ts and ADR 0007). Camunda refusing the models is a 422 and
     * Camunda unavailable a 503; either way the candidate is left as it was.
     */
    publish: (candidateId: string, expectedVersion: number | undefined, ctx: CommandContext): Promise<ReleaseHeader> =>
      publishing.publish({
        tenantId: ctx.principal.tenantId, candidateId, ...(expectedVersion !== undefined ? { expectedVersion } : {}),
        requestedBy: ctx.principal.userId, commandId: ctx.commandId, correlationId: ctx.correlationId,
        ...(ctx.complete ? { complete: ctx.complete } : {}),
      }),

    /** Finishes or undoes publishes a crash left half done (run by the engine's sweep). */
    reconcilePublishing: (options?: { leaseMs?: number }) => publishing.reconcile(options),

    /** The publish flow's steps, for tests that stop between them (a crash). */
    publishFlow: publishing.flow,
  };
}

export type ReleaseService = ReturnType<typeof createReleaseService>;
