import { randomUUID } from 'node:crypto';
import type { ApprovalPolicyContent } from '@cpq/metadata';
import { DomainError } from '../../../http/errors';
import { defineFlow, type Flow } from '../../../lib/steps';
import { Prisma } from '@cpq/prisma';
import { approvalRecords, evaluateApprovalPolicy, requirementsInsert, type RequiredLevel } from '../../approval';
import { correlations, keyRecordedOf, keyRecordedStatement, startedOf, startedStatement, startingInsert } from '../../workflow';
import { businessKeyOf, currentBusinessKeySql, QUOTE_APPROVAL_PROCESS, type QuoteDeps } from '../quote.deps';
import { dealMetricsOf } from '../quote.deal-metrics';
import { durationMs, guard, requireEditor } from '../quote.guards';
import { conclude, currentPriceResult, done, finish, isoDate, lock, lockOpened, lockStatement, pinnedRelease, priceResultById } from '../quote.repository';
import { endProcess, outcomeUnknown, startApprovalProcess } from '../quote.workflow';
import type { CommandContext } from '../quote.types';
import { fromEvidence } from '../price-evidence';
import { refuseStaleChanges } from './change-quote.commands';

export type SubmitResult = { state: string; required: RequiredLevel[]; version: number };

type SubmitState = {
  quoteId: string;
  ctx: CommandContext;
  releaseId: string;
  result?: SubmitResult;
  /** Set by the first step when approval is needed. */
  pending?: {
    correlationId: string; businessKey: string; revision: number; required: RequiredLevel[]; dueAt: Date; escalationSla: string;
    /** Recorded by this run's first step (a reconciler's run finishes an intent whose start may have landed: it looks first). */
    firstAttempt?: boolean;
    /** Whether an intent of the key was recorded before this one (read by the first step with its lock). */
    otherIntentRecorded?: boolean;
  };
  processInstanceId?: string;
  workItemId?: string | null;
  /** This run started the instance (it did not find one by business key): only then may it end it. */
  startedHere?: boolean;
};

/**
 * Submission as steps (no Camunda call inside a transaction):
 * 1. record: revision submitted, requirements, correlation STARTING, QuoteSubmittedForApproval
 *    (or approved at once, with the evaluation as evidence, when nothing is required);
 * 2. start the quote-approval process, idempotent by business key;
 * 3. record: correlation RUNNING, ApprovalRequested with the first work item, the response.
 * A failure compensates backwards (instance deleted, revision back to priced with
 * QuoteSubmissionReverted); a crash between steps is finished by `recoverSubmissions`.
 */
export function submitFlow(deps: QuoteDeps): Flow<SubmitState> {
  const { inTransaction, inRawTransaction, releases, camunda, today } = deps;
  return defineFlow<SubmitState>('quote.submit-for-approval', [
    {
      name: 'record-submission',
      async invoke({ quoteId, ctx, releaseId }) {
        const view = await releases.get(ctx.principal.tenantId, releaseId);
        // Raw SQL on node-postgres (ADR 0014, 0017): the lock, the price evidence and whether the
        // revision's business key was ever used (the start's lookup, ADR 0013) with BEGIN, the
        // writes in the statement of the event, with the COMMIT.
        return inRawTransaction(async (tx, [locked = [], priced = [], keyRecorded]) => {
          const loaded = await lockOpened(tx, locked, quoteId, ctx, view.releaseId);
          requireEditor(ctx, loaded.quote);
          const { revision, quote } = loaded;
          // A material change after pricing sends the revision back to draft: say why.
          if (revision.state === 'draft' && revision.priceResultId && revision.pricedMaterialVersion !== revision.materialVersion) {
            throw new DomainError('price-stale', 'the quote changed after it was priced; price it again');
          }
          guard('submit-for-approval', revision);
          if (revision.pricedMaterialVersion !== revision.materialVersion || !revision.priceResultId) {
            throw new DomainError('price-stale', 'the quote changed after it was priced; price it again');
          }
          if (isoDate(revision.validUntil) < today()) throw new DomainError('quote-expired', `revision ${revision.revision} expired on ${isoDate(revision.validUntil)}`);
          await refuseStaleChanges(tx, loaded);
          const policy = view.list('approval-policy')[0];
          // Read with the lock; again by id if the lock had to be taken again (`lockOpened`'s fallback).
          const priceRow = (priced[0]?.id === revision.priceResultId ? priced[0] : (await tx.$queryRaw<Record<string, unknown>[]>(priceResultById(revision.priceResultId)))[0]);
          if (!priceRow) throw new Error(`price result ${revision.priceResultId} of quote ${quoteId} not found`);
          const metrics = dealMetricsOf(fromEvidence(priceRow.result), quote.termMonths);
          const evaluation = policy ? evaluateApprovalPolicy(policy.content as ApprovalPolicyContent, metrics) : { required: [], authorityLevel: 1, breaches: {} };
          const now = new Date();
          const where = Prisma.sql`WHERE quote_id = ${quoteId}::uuid AND revision = ${revision.revision}`;

          if (evaluation.required.length === 0) {
            const approved = Prisma.sql`
              UPDATE quote_revision SET state = 'approved', submitted_by = ${ctx.principal.userId}, submitted_at = ${now.toISOString()}::timestamptz,
                     approval_material_version = ${revision.materialVersion}, approved_price_result_id = ${revision.priceResultId}::uuid,
                     version = version + 1, updated_at = ${now.toISOString()}::timestamptz ${where}`;
            await finish(tx, loaded, ctx, 'QuoteSubmittedForApproval', { metrics, required: [] }, undefined, { also: [approved] });
            const result = await conclude(tx, loaded, ctx, 'QuoteApproved', { ownerId: quote.ownerId, evidence: { policy: policy?.key ?? null, metrics, approvals: 'none required' } },
              (version) => ({ state: 'approved', required: [], version }));
            return { result };
          }

          const escalationSla = (policy!.content as ApprovalPolicyContent).escalationSla;
          const dueAt = new Date(now.getTime() + durationMs(escalationSla));
          const submitted = Prisma.sql`
            UPDATE quote_revision SET state = 'submitted', submitted_by = ${ctx.principal.userId}, submitted_at = ${now.toISOString()}::timestamptz,
                   version = version + 1, updated_at = ${now.toISOString()}::timestamptz ${where}`;
          const businessKey = businessKeyOf(ctx.principal.tenantId, quoteId, revision.revision);
          const correlationId = randomUUID();
          // The requirements, the revision, the intent to start (STARTING) and the event: one statement.
          await finish(tx, loaded, ctx, 'QuoteSubmittedForApproval', { metrics, required: evaluation.required }, undefined, {
            also: [
              requirementsInsert(ctx.principal.tenantId, quoteId, revision.revision, evaluation.required, ctx.principal.userId, dueAt),
              submitted,
              startingInsert({
                id: correlationId, tenantId: ctx.principal.tenantId, domainType: 'QUOTE_REVISION', domainId: `${quoteId}:${revision.revision}`,
                processKey: QUOTE_APPROVAL_PROCESS, businessKey,
              }),
            ],
            last: true,
          });
          // Read after the lock, for the revision locked; unknown when the lock had to be taken again.
          const otherIntentRecorded = locked.length > 0 ? keyRecordedOf(keyRecorded) : undefined;
          return { pending: { correlationId, businessKey, revision: revision.revision, required: evaluation.required, dueAt, escalationSla, firstAttempt: true, otherIntentRecorded } };
        }, [lockStatement(quoteId, ctx), currentPriceResult(quoteId), keyRecordedStatement(currentBusinessKeySql(ctx.principal.tenantId, quoteId))], { tenantId: ctx.principal.tenantId });
      },
      async compensate({ quoteId, ctx, pending, processInstanceId }, failure) {
        if (!pending) return;
        const reverted = await inTransaction(async (tx) => {
          const loaded = await lock(tx, quoteId, withoutPrecondition(ctx));
          // Only the intent this flow recorded is undone: a revise in between already ended it.
          if (!(await correlations.setStatus(tx, pending.correlationId, 'CANCELLING', ['STARTING']))) return false;
          await approvalRecords.withdrawUndecided(tx, quoteId, pending.revision);
          await tx.quoteRevision.update({
            where: { quoteId_revision: { quoteId, revision: pending.revision } },
            data: { state: 'priced', submittedBy: null, submittedAt: null, version: { increment: 1 }, updatedAt: new Date() },
          });
          await finish(tx, loaded, ctx, 'QuoteSubmissionReverted', { reason: (failure as Error)?.message ?? 'the approval workflow could not start' });
          return true;
        });
        if (!reverted) return;
        // A start whose answer was lost (a timeout) may still have created the instance: end
        // whatever carries the business key. If Camunda is down, the row stays CANCELLING and
        // the reconciler ends it later.
        const ended = await endProcess(deps, { id: pending.correlationId, processInstanceId: null, businessKey: pending.businessKey, processKey: QUOTE_APPROVAL_PROCESS }, 'submission rolled back');
        // Found nothing, and the start got no answer: it may still land in Camunda after this
        // look (a request held in a queue). The row stays CANCELLING: the reconciler looks again
        // once the start has settled (its age, 30 s) and ends what it finds. Also while a new
        // submission of the revision is starting ('wait').
        if (ended === 'wait' || (ended === 0 && !processInstanceId && outcomeUnknown(failure))) return;
        await correlations.setStatus(deps.prisma, pending.correlationId, 'FAILED', ['CANCELLING']);
      },
    },
    {
      name: 'start-approval-process',
      async invoke({ ctx, quoteId, pending }) {
        if (!pending) return;
        // An instance of the key can exist only for an intent recorded before: a revision
        // submitted again after a failed submission, or this intent's own earlier start.
        const lookFirst = await deps.inRawStatement((db) => correlations.instanceMayExist(db, pending));
        return startApprovalProcess(camunda, {
          businessKey: pending.businessKey, tenantId: ctx.principal.tenantId, quoteId, revision: pending.revision,
          roles: pending.required.map((l) => l.role), escalationSla: pending.escalationSla,
        }, { lookFirst });
      },
      async compensate({ pending, processInstanceId, startedHere }) {
        // An instance found by business key belongs to whoever started it (a reconciler, or the
        // live flow the reconciler overtook): ending it here would strand a running approval.
        if (!pending || !processInstanceId || !startedHere) return;
        await endProcess(deps, { id: pending.correlationId, processInstanceId, businessKey: pending.businessKey, processKey: QUOTE_APPROVAL_PROCESS }, 'submission rolled back');
      },
    },
    {
      name: 'record-start',
      async invoke({ quoteId, ctx, pending, processInstanceId, workItemId }) {
        if (!pending) return;
        const unconditional = withoutPrecondition(ctx);
        // The lock and the correlation's STARTING -> RUNNING with BEGIN; the event and the answer with the COMMIT.
        return inRawTransaction(async (tx, [locked = [], started = []]) => {
          const loaded = await lockOpened(tx, locked, quoteId, unconditional);
          const outcome = startedOf(started);
          if (!outcome) {
            throw new DomainError('concurrent-update', 'the submission was cancelled while the approval workflow started (the quote was revised or withdrawn)');
          }
          const first = pending.required[0]!;
          // Recorded already by a reconciler that overtook this flow: its event stands, not a second one.
          if (outcome === 'already') return { result: await done(tx, ctx, { state: 'submitted', required: pending.required, version: loaded.quote.version }) };
          const result = await conclude(tx, loaded, ctx, 'ApprovalRequested', {
            level: first.level, role: first.role, workItemId: workItemId ?? null, dueAt: pending.dueAt.toISOString(), reasons: first.reasons,
          }, (version) => ({ state: 'submitted', required: pending.required, version }));
          return { result };
        }, [lockStatement(quoteId, unconditional), startedStatement(pending.correlationId, processInstanceId!)], { tenantId: ctx.principal.tenantId });
      },
    },
  ]);
}

/**
 * If-Match holds for the first step only: that step raised the version itself, so a later step
 * (or the compensation) checking it again would refuse the flow's own submission.
 */
function withoutPrecondition(ctx: CommandContext): CommandContext {
  return { ...ctx, expectedVersion: undefined };
}

export function submitForApprovalCommand(deps: QuoteDeps) {
  const flow = submitFlow(deps);
  return async (quoteId: string, ctx: CommandContext): Promise<SubmitResult> => {
    // The first read: it claims the Idempotency-Key too, where the route defers the claim.
    const releaseId = ctx.read
      ? await pinnedRelease(ctx.read, quoteId, ctx.principal.tenantId)
      : await deps.inRawStatement((db) => pinnedRelease(db, quoteId, ctx.principal.tenantId));
    const haltAfter = deps.haltAfter?.(flow.name);
    const state = await flow.run({ quoteId, ctx, releaseId }, deps.log, haltAfter ? { haltAfter } : {});
    return state.result!;
  };
}

/**
 * The reconciler of submissions and cancellations that a crash (or an outage) left between
 * steps: a correlation still STARTING after `olderThanMs` is finished forward (the process is
 * started, idempotent by business key, and recorded) if its revision is still the current,
 * submitted one, and otherwise ended; one left CANCELLING is ended in Camunda. What Camunda
 * cannot do now stays as it is for the next run.
 */
export function recoverWorkflowsCommand(deps: QuoteDeps) {
  const { prisma, releases, log } = deps;
  const flow = submitFlow(deps);
  const finishing = defineFlow<SubmitState>(`${flow.name}.recovery`, flow.steps.slice(1));
  return async (olderThanMs = 30_000): Promise<{ started: number; ended: number }> => {
    let started = 0;
    let ended = 0;
    for (const c of await correlations.stalled(prisma, 'QUOTE_REVISION', olderThanMs)) {
      try {
        if (!(await correlations.claimStalled(prisma, c))) continue;
        if (c.status === 'STARTING') {
          const [quoteId, revisionText] = c.domainId.split(':');
          const revision = Number(revisionText);
          const quote = await prisma.quote.findUnique({ where: { id: quoteId! }, select: { currentRevision: true } });
          const row = await prisma.quoteRevision.findUnique({ where: { quoteId_revision: { quoteId: quoteId!, revision } } });
          if (quote?.currentRevision === revision && row?.state === 'submitted') {
            const view = await releases.get(c.tenantId, row.releaseId);
            const escalationSla = (view.list('approval-policy')[0]?.content as ApprovalPolicyContent | undefined)?.escalationSla ?? 'P2D';
            const { requirements } = await approvalRecords.openLevel(prisma, quoteId!, revision);
            const ctx: CommandContext = { principal: { userId: 'system:reconciler', tenantId: c.tenantId, roles: ['admin'] }, correlationId: `reconcile-${c.id}`, commandId: `reconcile-${c.id}` };
            await finishing.run({
              quoteId: quoteId!, ctx, releaseId: row.releaseId,
              pending: {
                correlationId: c.id, businessKey: c.businessKey, revision, escalationSla, dueAt: requirements[0]?.dueAt ?? new Date(),
                required: requirements.map((r) => ({ level: r.level, role: r.role, name: r.role, reasons: r.reasons })),
              },
            }, log);
            started += 1;
            continue;
          }
          // Its revision moved on (revised, withdrawn, expired): end whatever was started.
          if (!(await correlations.setStatus(prisma, c.id, 'CANCELLING', ['STARTING']))) continue;
        }
        // A new submission of the revision still starting: its instance is not known yet; next run.
        if ((await endProcess(deps, c, 'reconciled: the domain intent ended')) === 'wait') continue;
        await correlations.setStatus(prisma, c.id, 'CANCELLED', ['CANCELLING']);
        ended += 1;
      } catch (error) {
        log.warn({ err: (error as Error).message, correlationId: c.id }, 'workflow reconciliation failed; next run retries');
      }
    }
    return { started, ended };
  };
}
