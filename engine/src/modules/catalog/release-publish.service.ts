import { createHash } from 'node:crypto';
import type { ValidationIssue } from '@cpq/metadata';
import type { PrismaClient, TransactionClient } from '@cpq/prisma';
import { DomainError } from '../../http/errors';
import { defineFlow, defineStep, type StepLog } from '../../lib/steps';
import { recordAudit } from '../audit';
import { writeOutboxEvent } from '../outbox';
import { CamundaError, type CamundaClient } from '../workflow';
import { isModel, isRefusal, modelFiles, refusalIssues, type ModelItem } from './camunda-validation.service';
import { candidateRelease } from './candidate-content';
import { blockingErrors, invalidDetail } from './candidate-issues';
import { releaseHash } from './content-hash';
import { toHeader, type CurrentReleasePointer, type ReleaseHeader, type ReleaseItem, type ReleaseStore } from './release-store';

/** How long a publish may stay `publishing` before the reconciler takes it over (crashed process). */
export const PUBLISH_LEASE_MS = 120_000;
const TX = { maxWait: 10_000, timeout: 15_000 };

/** What the publish flow knows; each step adds its part. */
export type PublishState = {
  tenantId: string;
  candidateId: string;
  expectedVersion?: number;
  /** Who asked (the release's publishedBy) and the command (its events' causationId). */
  requestedBy: string;
  commandId: string;
  correlationId: string;
  /** Stores the command's answer for its Idempotency-Key in the recording transaction. */
  complete?: (tx: TransactionClient, result: unknown) => Promise<void>;
  /** Step 1 (reserve). */
  releaseId?: string;
  releaseNumber?: number;
  baseReleaseId?: string | null;
  approvedBy?: string;
  /** Step 2 (deploy). */
  items?: (ReleaseItem & { draftVersion?: number })[];
  deploymentId?: string | null;
  /** Step 3 (record). */
  header?: ReleaseHeader;
};

export type PublishDeps = {
  prisma: PrismaClient;
  camunda: CamundaClient;
  store: ReleaseStore;
  pointer: CurrentReleasePointer;
  log: StepLog;
};

/** A release's id follows from its candidate's (one release per candidate): retries and the reconciler name the same release. */
export function releaseIdOf(candidateId: string): string {
  const h = createHash('sha256').update(`cpq-release:${candidateId}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The idempotency key of a release's Camunda deployment. */
const deploymentSource = (releaseId: string) => `cpq-release:${releaseId}`;

/** Failures after which Camunda certainly holds no deployment of this attempt (nothing to clean up). */
const nothingDeployed = new WeakSet<object>();

const userActor = (id: string) => ({ type: 'USER' as const, id });

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`publish flow: ${what} missing from the state`);
  return value;
}

/**
 * A Camunda call that failed, as the problem the client gets and whether anything can have been
 * deployed. A refusal of the models lists Camunda's problems per item (element, line) in `errors`.
 */
function camundaFailure(error: unknown, doing: string, models: ModelItem[] = []): DomainError {
  if (error instanceof CamundaError) {
    // 4xx and 500 are Camunda's verdict on the models (parse errors answer 400 or 500); 502-504 a gateway's.
    const failure = isRefusal(error)
      ? new DomainError('camunda-deployment-failed', error.message, models.length ? blockingErrors(refusalIssues(error, models)) : [])
      : new DomainError('dependency-unavailable', `Camunda could not ${doing}: ${error.message}`);
    if (error.status !== 504) nothingDeployed.add(failure);
    return failure;
  }
  const cause = (error as { cause?: { code?: string } }).cause;
  const failure = new DomainError('dependency-unavailable', `Camunda could not ${doing}: ${(error as Error).message}${cause?.code ? ` (${cause.code})` : ''}`);
  // A refused connection sent nothing; a timeout or a reset may have deployed (unknown outcome).
  if (cause?.code === 'ECONNREFUSED') nothingDeployed.add(failure);
  return failure;
}

/**
 * The governed publish as steps (ADR 0007), no remote call inside a transaction:
 * 1. reserve: one short transaction under the tenant's row lock checks the candidate
 *    (approved, version, not stale, no other publish in flight) and records the intent
 *    (`publishing`, who, which command, since when) with its audit record;
 * 2. deploy: the release's BPMN/DMN to Camunda, idempotent by the deployment source
 *    `cpq-release:<releaseId>` (looked up before deploying), so a retry never deploys twice;
 * 3. record: one transaction writes the immutable release, moves the candidate to
 *    `published`, consumes the drafts, writes the audit record and MetadataReleasePublished.
 * A failure compensates in reverse: the deployment is deleted and the candidate put back to
 * `approved` (audited). A crash in between is finished or undone by `reconcile`.
 */
export function createPublishFlow({ prisma, camunda, store, pointer, log }: PublishDeps) {
  async function lockTenant(tx: TransactionClient, tenantId: string) {
    await tx.$queryRaw`SELECT id FROM tenant WHERE id = ${tenantId} FOR UPDATE`;
  }
  const latestRelease = (tx: TransactionClient, tenantId: string) =>
    tx.metadataRelease.findFirst({ where: { tenantId }, orderBy: { releaseNumber: 'desc' } });

  /** Deletes every deployment made under this release's key (none, after a clean failure). */
  async function removeDeployments(s: Readonly<PublishState>) {
    const releaseId = s.releaseId ?? releaseIdOf(s.candidateId);
    for (const d of await camunda.deploymentsBySource(deploymentSource(releaseId), s.tenantId)) await camunda.deleteDeployment(d.id);
  }

  /** Puts a `publishing` candidate back to `approved` (only the intent of this command), audited. */
  async function undoIntent(s: Readonly<PublishState>, reason: string, actor: { type: 'USER' | 'SYSTEM'; id: string }) {
    await prisma.$transaction(async (tx) => {
      const reverted = await tx.releaseCandidate.updateMany({
        where: { id: s.candidateId, tenantId: s.tenantId, state: 'publishing', publishCommandId: s.commandId },
        data: { state: 'approved', publishStartedAt: null },
      });
      if (reverted.count === 0) return;
      await recordAudit(tx, {
        tenantId: s.tenantId, actor, action: 'metadata.release.publish-undone',
        target: { type: 'RELEASE_CANDIDATE', id: s.candidateId }, reason, correlationId: s.correlationId,
        details: { releaseId: s.releaseId ?? releaseIdOf(s.candidateId), commandId: s.commandId },
      });
    }, TX);
  }

  const reserve = defineStep<PublishState>({
    name: 'reserve',
    async invoke(s) {
      return prisma.$transaction(async (tx) => {
        await lockTenant(tx, s.tenantId);
        const candidate = await tx.releaseCandidate.findFirst({ where: { id: s.candidateId, tenantId: s.tenantId } });
        if (!candidate) throw new DomainError('candidate-not-found', `no release candidate ${s.candidateId}`);
        if (s.expectedVersion !== undefined && candidate.version !== s.expectedVersion) {
          throw new DomainError('version-conflict', `candidate is at version ${candidate.version}, not ${s.expectedVersion}`);
        }
        if (candidate.state === 'publishing') {
          throw new DomainError('concurrent-update', 'this candidate is being published; retry shortly to see the outcome');
        }
        if (candidate.state === 'invalid') {
          const issues = candidate.issues as ValidationIssue[];
          throw new DomainError('candidate-state', invalidDetail('publish', issues), blockingErrors(issues));
        }
        if (candidate.state !== 'approved') {
          throw new DomainError('candidate-state', `cannot publish a candidate that is ${candidate.state} (allowed from: approved)`);
        }
        const latest = await latestRelease(tx, s.tenantId);
        if ((latest?.id ?? null) !== candidate.baseReleaseId) {
          throw new DomainError('candidate-stale', `release ${latest?.releaseNumber} was published after this candidate was validated; create a new candidate`);
        }
        const other = await tx.releaseCandidate.findFirst({ where: { tenantId: s.tenantId, state: 'publishing' }, select: { id: true } });
        if (other) {
          throw new DomainError('concurrent-update', `candidate ${other.id} of this tenant is being published; retry when it is done`);
        }
        const releaseId = releaseIdOf(s.candidateId);
        const releaseNumber = (latest?.releaseNumber ?? 0) + 1;
        // The version is not bumped: a failed publish leaves the candidate exactly as it was.
        await tx.releaseCandidate.update({
          where: { id: s.candidateId },
          data: {
            state: 'publishing', publishRequestedBy: s.requestedBy, publishCommandId: s.commandId,
            publishCorrelationId: s.correlationId, publishStartedAt: new Date(),
          },
        });
        await recordAudit(tx, {
          tenantId: s.tenantId, actor: userActor(s.requestedBy), action: 'metadata.release.publish-started',
          target: { type: 'RELEASE_CANDIDATE', id: s.candidateId }, correlationId: s.correlationId,
          details: { releaseId, releaseNumber, baseReleaseId: candidate.baseReleaseId, commandId: s.commandId },
        });
        return { releaseId, releaseNumber, baseReleaseId: candidate.baseReleaseId, approvedBy: candidate.decidedBy ?? '' };
      }, TX);
    },
    async compensate(s, failure) {
      // Whatever a timed-out deploy may have left is removed first; if Camunda cannot be asked,
      // this throws and the candidate stays `publishing` for the reconciler.
      if (!(typeof failure === 'object' && failure !== null && nothingDeployed.has(failure))) await removeDeployments(s);
      await undoIntent(s, (failure as Error)?.message ?? 'publish failed', userActor(s.requestedBy));
    },
  });

  const deploy = defineStep<PublishState>({
    name: 'deploy',
    async invoke(s) {
      const releaseId = need(s.releaseId, 'releaseId');
      // Read from PostgreSQL itself: what is published is the authority's copy, not the cache's.
      const { items } = await candidateRelease(prisma, store, s.tenantId, s.candidateId, (h) => store.itemsFromDatabase(h));
      const models = items.filter(isModel);
      if (models.length === 0) return { items, deploymentId: null };

      const source = deploymentSource(releaseId);
      let existing;
      try {
        existing = await camunda.deploymentsBySource(source, s.tenantId);
      } catch (error) {
        const failure = camundaFailure(error, 'be asked for the release\'s deployment');
        nothingDeployed.add(failure); // the deploy was not even attempted
        throw failure.code === 'camunda-deployment-failed' ? new DomainError('dependency-unavailable', failure.message) : failure;
      }
      if (existing[0]) return { items, deploymentId: existing[0].id };
      try {
        const deployment = await camunda.deploy({
          name: `cpq-release-${s.tenantId}-${need(s.releaseNumber, 'releaseNumber')}`,
          source,
          tenantId: s.tenantId,
          deployChangedOnly: false,
          files: modelFiles(models),
        });
        return { items, deploymentId: deployment.id };
      } catch (error) {
        throw camundaFailure(error, 'deploy the release\'s models', models);
      }
    },
    async compensate(s) {
      if (!s.deploymentId) return;
      await camunda.deleteDeployment(s.deploymentId).catch((error: unknown) => {
        if (error instanceof CamundaError && error.status === 404) return; // already gone
        throw error;
      });
    },
  });

  const record = defineStep<PublishState>({
    name: 'record',
    async invoke(s) {
      const releaseId = need(s.releaseId, 'releaseId');
      const releaseNumber = need(s.releaseNumber, 'releaseNumber');
      const items = need(s.items, 'items');
      const header = await prisma.$transaction(async (tx) => {
        await lockTenant(tx, s.tenantId);
        const candidate = await tx.releaseCandidate.findFirst({ where: { id: s.candidateId, tenantId: s.tenantId } });
        if (candidate?.state === 'published' && candidate.publishCommandId === s.commandId) {
          // Recorded already (the reconciler, or a retry of this command, got there first).
          const row = await tx.metadataRelease.findUniqueOrThrow({ where: { candidateId: s.candidateId } });
          const done = toHeader(row);
          await s.complete?.(tx, done);
          return done;
        }
        if (candidate?.state !== 'publishing' || candidate.publishCommandId !== s.commandId) {
          throw new DomainError('candidate-state', `the publish of candidate ${s.candidateId} was undone meanwhile (it is ${candidate?.state})`);
        }
        const latest = await latestRelease(tx, s.tenantId);
        if ((latest?.id ?? null) !== (s.baseReleaseId ?? null) || (latest?.releaseNumber ?? 0) + 1 !== releaseNumber) {
          throw new DomainError('candidate-stale', `release ${latest?.releaseNumber} was published after this candidate was validated; create a new candidate`);
        }
        const row = await tx.metadataRelease.create({
          data: {
            id: releaseId, tenantId: s.tenantId, releaseNumber, contentHash: releaseHash(items),
            candidateId: s.candidateId, baseReleaseId: s.baseReleaseId ?? null, itemCount: items.length,
            publishedBy: s.requestedBy, approvedBy: s.approvedBy ?? '', camundaDeploymentId: s.deploymentId ?? null,
          },
        });
        await tx.metadataReleaseItem.createMany({
          data: items.map((i) => ({ releaseId, tenantId: s.tenantId, kind: i.kind, key: i.key, content: i.content as object, contentHash: i.contentHash })),
        });
        await tx.releaseCandidate.update({ where: { id: s.candidateId }, data: { state: 'published', version: { increment: 1 }, updatedAt: new Date() } });
        // Drafts released as they were are done; drafts edited since the snapshot stay.
        for (const item of items) {
          if (item.draftVersion === undefined) continue;
          await tx.metadataDraft.deleteMany({ where: { tenantId: s.tenantId, kind: item.kind, key: item.key, version: item.draftVersion } });
        }
        const published = toHeader(row);
        await recordAudit(tx, {
          tenantId: s.tenantId, actor: userActor(s.requestedBy), action: 'metadata.release.published',
          target: { type: 'METADATA_RELEASE', id: releaseId }, correlationId: s.correlationId,
          details: { releaseNumber, contentHash: published.contentHash, candidateId: s.candidateId, items: items.length, camundaDeploymentId: s.deploymentId ?? null },
        });
        await writeOutboxEvent(tx, {
          eventType: 'MetadataReleasePublished', tenantId: s.tenantId, aggregateType: 'RELEASE', aggregateId: releaseId,
          aggregateVersion: releaseNumber, correlationId: s.correlationId, causationId: s.commandId,
          actor: userActor(s.requestedBy), payload: published,
        });
        await s.complete?.(tx, published);
        return published;
      }, TX);
      pointer.advance(header);
      return { header };
    },
  });

  const flow = defineFlow<PublishState>('catalog.publish', [reserve, deploy, record]);
  /** What finishes a publish whose intent is recorded (the reconciler, after a crash). */
  const finish = defineFlow<PublishState>('catalog.publish.finish', [deploy, record]);

  /** A retry of the command that published already gets the release it made (its key's answer may be lost in a crash). */
  async function alreadyPublished(s: PublishState): Promise<ReleaseHeader | undefined> {
    const candidate = await prisma.releaseCandidate.findFirst({ where: { id: s.candidateId, tenantId: s.tenantId }, select: { state: true, publishCommandId: true } });
    if (candidate?.state !== 'published' || candidate.publishCommandId !== s.commandId) return undefined;
    return prisma.$transaction(async (tx) => {
      const header = toHeader(await tx.metadataRelease.findUniqueOrThrow({ where: { candidateId: s.candidateId } }));
      await s.complete?.(tx, header);
      return header;
    }, TX);
  }

  return {
    flow,

    async publish(request: PublishState): Promise<ReleaseHeader> {
      const known = await alreadyPublished(request);
      if (known) return known;
      return need((await flow.run(request, log)).header, 'header');
    },

    /**
     * Finishes or undoes publishes left `publishing` past the lease (a crash between steps):
     * deploys idempotently and records the release, or, when Camunda refuses the models or the
     * candidate went stale, removes any deployment and puts the candidate back to `approved`.
     * While Camunda is unavailable the candidate stays `publishing` for the next run. Safe on
     * every instance at once: a candidate is claimed by renewing its lease atomically.
     */
    async reconcile(options: { leaseMs?: number } = {}): Promise<{ finished: string[]; undone: string[]; left: string[] }> {
      const leaseMs = options.leaseMs ?? PUBLISH_LEASE_MS;
      const outcome = { finished: [] as string[], undone: [] as string[], left: [] as string[] };
      const cutoff = new Date(Date.now() - leaseMs);
      const stalled = await prisma.releaseCandidate.findMany({ where: { state: 'publishing', publishStartedAt: { lte: cutoff } }, take: 50 });
      for (const row of stalled) {
        const claimed = await prisma.releaseCandidate.updateMany({
          where: { id: row.id, state: 'publishing', publishStartedAt: row.publishStartedAt },
          data: { publishStartedAt: new Date() },
        });
        if (claimed.count === 0) continue; // another instance took it
        const base = row.baseReleaseId ? await store.header(row.tenantId, row.baseReleaseId) : undefined;
        const s: PublishState = {
          tenantId: row.tenantId, candidateId: row.id, requestedBy: row.publishRequestedBy!, commandId: row.publishCommandId!,
          correlationId: row.publishCorrelationId!, releaseId: releaseIdOf(row.id), releaseNumber: (base?.releaseNumber ?? 0) + 1,
          baseReleaseId: row.baseReleaseId, approvedBy: row.decidedBy ?? '',
        };
        try {
          await finish.run(s, log);
          outcome.finished.push(row.id);
        } catch (failure) {
          if (failure instanceof DomainError && failure.code === 'dependency-unavailable') {
            outcome.left.push(row.id);
            continue;
          }
          try {
            await removeDeployments(s);
            await undoIntent(s, `reconciler: ${(failure as Error).message}`, { type: 'SYSTEM', id: 'catalog-reconciler' });
            outcome.undone.push(row.id);
          } catch (error) {
            log.error({ candidateId: row.id, err: (error as Error).message }, 'could not undo a stalled publish; next run retries');
            outcome.left.push(row.id);
          }
        }
      }
      return outcome;
    },
  };
}

export type PublishFlow = ReturnType<typeof createPublishFlow>;
