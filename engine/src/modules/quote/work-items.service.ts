import { randomUUID } from 'node:crypto';
import type { ApprovalPolicyContent } from '@cpq/metadata';
import type { PrismaClient, TransactionClient } from '@cpq/prisma';
import type { Principal } from '../../http/auth';
import { DomainError } from '../../http/errors';
import { authorityFor } from '../approval';
import { recordAudit } from '../audit';
import type { ReleaseViews } from '../catalog';
import { writeOutboxEvent } from '../outbox';
import { CamundaError, type CamundaClient, type Task } from '../workflow';

export type WorkItemView = {
  workItemId: string; kind: 'quote-approval'; quoteId: string; revision: number; level: number; role: string;
  reasons: string[]; dueAt: string; createdAt: string; assignee: string | null; name: string | null;
};
type Ctx = { principal: Principal; correlationId: string; complete?: (tx: TransactionClient, result: unknown) => Promise<void> };
type Deps = { prisma: PrismaClient; camunda: CamundaClient; releases: ReleaseViews; log: { warn(o: object, m: string): void } };

/** Material changes whose authors may not approve the revision (four-eyes). */
const MATERIAL_ACTIONS = ['quote.QuoteCreated', 'quote.QuoteLineAdded', 'quote.QuoteLineConfigured', 'quote.QuotePriced', 'quote.QuoteSubmittedForApproval'];

/**
 * Work items are Camunda user tasks seen through the domain: a task is shown only with the
 * approval requirement it stands for, and completing one is a domain command first (authority,
 * four-eyes, bound to the exact revision and price result), the Camunda task second. If the
 * completion fails after the decision committed, `reconcile` completes it later.
 */
export function createWorkItemService({ prisma, camunda, releases, log }: Deps) {
  async function correlate(task: Task, tenantId: string) {
    if (task.tenantId !== tenantId) return undefined;
    const correlation = await prisma.workflowCorrelation.findFirst({ where: { tenantId, processInstanceId: task.processInstanceId } });
    if (!correlation) return undefined;
    const [quoteId, revision] = correlation.domainId.split(':');
    return { quoteId: quoteId!, revision: Number(revision), correlation };
  }

  async function openLevel(tx: TransactionClient | PrismaClient, quoteId: string, revision: number) {
    const [requirements, decisions] = await Promise.all([
      tx.approvalRequirement.findMany({ where: { quoteId, revision }, orderBy: { level: 'asc' } }),
      tx.approvalDecision.findMany({ where: { quoteId, revision } }),
    ]);
    const decided = new Set(decisions.map((d) => d.level));
    return { requirement: requirements.find((r) => !decided.has(r.level)), requirements };
  }

  async function load(workItemId: string, principal: Principal) {
    let task: Task;
    try {
      task = await camunda.task(workItemId);
    } catch (error) {
      if (error instanceof CamundaError && error.status === 404) throw new DomainError('work-item-not-found', `no work item ${workItemId}`);
      throw error;
    }
    const link = await correlate(task, principal.tenantId);
    if (!link) throw new DomainError('work-item-not-found', `no work item ${workItemId}`);
    return { task, ...link };
  }

  /** Tasks seen through the domain, in three queries however many tasks there are. */
  async function views(tasks: Task[], principal: Principal): Promise<WorkItemView[]> {
    const mine = tasks.filter((t) => t.tenantId === principal.tenantId);
    if (mine.length === 0) return [];
    const correlations = await prisma.workflowCorrelation.findMany({
      where: { tenantId: principal.tenantId, processInstanceId: { in: mine.map((t) => t.processInstanceId) } },
    });
    const linkOf = new Map(correlations.map((c) => {
      const [quoteId, revision] = c.domainId.split(':');
      return [c.processInstanceId, { quoteId: quoteId!, revision: Number(revision) }];
    }));
    const quoteIds = [...new Set([...linkOf.values()].map((l) => l.quoteId))];
    const [requirements, decisions] = await Promise.all([
      prisma.approvalRequirement.findMany({ where: { tenantId: principal.tenantId, quoteId: { in: quoteIds } }, orderBy: { level: 'asc' } }),
      prisma.approvalDecision.findMany({ where: { tenantId: principal.tenantId, quoteId: { in: quoteIds } }, select: { quoteId: true, revision: true, level: true } }),
    ]);
    const decided = new Set(decisions.map((d) => `${d.quoteId}:${d.revision}:${d.level}`));
    return mine.flatMap((task) => {
      const link = linkOf.get(task.processInstanceId);
      const requirement = link && requirements.find((r) => r.quoteId === link.quoteId && r.revision === link.revision && !decided.has(`${r.quoteId}:${r.revision}:${r.level}`));
      if (!link || !requirement) return [];
      return [{
        workItemId: task.id, kind: 'quote-approval' as const, quoteId: link.quoteId, revision: link.revision, level: requirement.level,
        role: requirement.role, reasons: requirement.reasons as string[], dueAt: requirement.dueAt.toISOString(),
        createdAt: new Date(task.created).toISOString(), assignee: task.assignee, name: task.name,
      }];
    });
  }

  async function decide(workItemId: string, outcome: 'approved' | 'rejected', reason: string | undefined, ctx: Ctx) {
    const { principal } = ctx;
    const { task, quoteId, revision, correlation } = await load(workItemId, principal);
    const result = await prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM quote WHERE id = ${quoteId}::uuid AND tenant_id = ${principal.tenantId} FOR UPDATE`;
      const quote = await tx.quote.findUniqueOrThrow({ where: { id: quoteId } });
      const rev = await tx.quoteRevision.findUniqueOrThrow({ where: { quoteId_revision: { quoteId, revision } } });
      if (quote.currentRevision !== revision || rev.state !== 'submitted') {
        throw new DomainError('quote-state', `revision ${revision} is ${rev.state}${quote.currentRevision !== revision ? ' and no longer current' : ''}: nothing to decide`);
      }
      if (rev.pricedMaterialVersion !== rev.materialVersion || !rev.priceResultId) throw new DomainError('price-stale', 'the revision changed after it was priced');
      const { requirement, requirements } = await openLevel(tx, quoteId, revision);
      if (!requirement) throw new DomainError('quote-state', 'every level of this revision is already decided');
      const policy = (await releases.get(principal.tenantId, rev.releaseId)).list('approval-policy')[0];
      const authority = policy ? authorityFor(policy.content as ApprovalPolicyContent, principal.roles, requirement.level) : undefined;
      if (!authority) throw new DomainError('approval-authority', `level ${requirement.level} needs the role ${requirement.role}`);
      const authors = await tx.auditRecord.findMany({
        where: { tenantId: principal.tenantId, targetType: 'QUOTE', targetId: quoteId, action: { in: MATERIAL_ACTIONS } },
        select: { actorId: true, details: true },
      });
      const changedBy = new Set(authors.filter((a) => (a.details as { revision?: number }).revision === revision || (a.details as { revision?: number }).revision === undefined).map((a) => a.actorId));
      changedBy.add(quote.ownerId);
      if (rev.submittedBy) changedBy.add(rev.submittedBy);
      if (changedBy.has(principal.userId)) {
        throw new DomainError('four-eyes-violation', `${principal.userId} requested or changed this revision and cannot decide it`);
      }
      const decisionId = randomUUID();
      await tx.approvalDecision.create({
        data: {
          id: decisionId, tenantId: principal.tenantId, quoteId, revision, level: requirement.level, role: requirement.role, outcome,
          decidedBy: principal.userId, reason: reason ?? null, authority: { ...authority, roles: principal.roles, policy: policy!.key, policyVersion: policy!.contentHash },
          priceResultId: rev.priceResultId, materialVersion: rev.materialVersion, camundaTaskId: task.id,
        },
      });
      const last = requirement.level === requirements[requirements.length - 1]!.level;
      const now = new Date();
      let state = rev.state;
      if (outcome === 'rejected') state = 'rejected';
      else if (last) state = 'approved';
      if (state !== rev.state) {
        await tx.quoteRevision.update({
          where: { quoteId_revision: { quoteId, revision } },
          data: {
            state,
            ...(state === 'approved' ? { approvalMaterialVersion: rev.materialVersion, approvedPriceResultId: rev.priceResultId } : {}),
            version: { increment: 1 }, updatedAt: now,
          },
        });
      }
      if (state !== 'submitted') {
        await tx.workflowCorrelation.update({ where: { id: correlation.id }, data: { status: 'COMPLETED', updatedAt: now } });
      }
      const updated = await tx.quote.update({ where: { id: quoteId }, data: { version: { increment: 1 }, updatedAt: now } });
      const actor = { type: 'USER' as const, id: principal.userId };
      await recordAudit(tx, {
        tenantId: principal.tenantId, actor, action: `quote.Approval${outcome === 'approved' ? 'Granted' : 'Refused'}`,
        target: { type: 'QUOTE', id: quoteId }, reason: reason ?? null, correlationId: ctx.correlationId,
        details: { revision, level: requirement.level, role: requirement.role, decisionId, priceResultId: rev.priceResultId, authority },
      });
      const eventType = state === 'approved' ? 'QuoteApproved' : state === 'rejected' ? 'QuoteRejected' : 'ApprovalLevelApproved';
      await writeOutboxEvent(tx, {
        eventType, tenantId: principal.tenantId, aggregateType: 'QUOTE', aggregateId: quoteId, aggregateVersion: updated.version,
        correlationId: ctx.correlationId, actor,
        payload: { quoteId, revision, ownerId: quote.ownerId, level: requirement.level, decisionId, ...(reason ? { reason } : {}) },
      });
      await ctx.complete?.(tx, { decisionId, state, level: requirement.level });
      return { decisionId, state, level: requirement.level, last, version: updated.version, ownerId: quote.ownerId };
    });
    await completeTask(result.decisionId, task.id, outcome === 'approved');
    if (result.state === 'submitted') await announceNextLevel(quoteId, revision, task.processInstanceId, ctx);
    return { decisionId: result.decisionId, state: result.state, level: result.level };
  }

  async function completeTask(decisionId: string, taskId: string, approved: boolean): Promise<boolean> {
    try {
      await camunda.completeTask(taskId, { approved: { value: approved, type: 'Boolean' } });
    } catch (error) {
      // 404: the task is gone (completed by an earlier attempt): the decision stands either way.
      if (!(error instanceof CamundaError && error.status === 404)) {
        log.warn({ err: (error as Error).message, taskId, decisionId }, 'approval task not completed; the reconciler will retry');
        return false;
      }
    }
    await prisma.approvalDecision.update({ where: { id: decisionId }, data: { taskCompletedAt: new Date() } });
    return true;
  }

  async function announceNextLevel(quoteId: string, revision: number, processInstanceId: string, ctx: Ctx): Promise<void> {
    const next = (await camunda.tasks({ processInstanceId }))[0];
    const { requirement } = await openLevel(prisma, quoteId, revision);
    if (!requirement) return;
    await prisma.$transaction(async (tx) => {
      const quote = await tx.quote.update({ where: { id: quoteId }, data: { version: { increment: 1 } } });
      await writeOutboxEvent(tx, {
        eventType: 'ApprovalRequested', tenantId: ctx.principal.tenantId, aggregateType: 'QUOTE', aggregateId: quoteId, aggregateVersion: quote.version,
        correlationId: ctx.correlationId, actor: { type: 'SYSTEM', id: 'approval' },
        payload: { quoteId, revision, level: requirement.level, role: requirement.role, workItemId: next?.id ?? null, dueAt: requirement.dueAt.toISOString() },
      });
    });
  }

  return {
    /** The caller's inbox: open approval tasks of their roles (or assigned to them), with SLA due times. */
    async list(principal: Principal): Promise<WorkItemView[]> {
      const [tasks, assigned] = await Promise.all([
        camunda.tasksForGroups({ candidateGroups: principal.roles, tenantId: principal.tenantId }),
        camunda.tasks({ assignee: principal.userId }),
      ]);
      const byId = new Map([...tasks, ...assigned].map((t) => [t.id, t]));
      return (await views([...byId.values()], principal)).sort((a, b) => a.dueAt.localeCompare(b.dueAt));
    },

    async get(workItemId: string, principal: Principal): Promise<WorkItemView> {
      const { task } = await load(workItemId, principal);
      const [item] = await views([task], principal);
      if (!item || (!principal.roles.includes(item.role as never) && task.assignee !== principal.userId)) {
        throw new DomainError('work-item-not-found', `no work item ${workItemId}`);
      }
      return item;
    },

    async claim(workItemId: string, ctx: Ctx): Promise<WorkItemView> {
      const item = await this.get(workItemId, ctx.principal);
      if (item.assignee && item.assignee !== ctx.principal.userId) throw new DomainError('conflict', `already claimed by ${item.assignee}`);
      if (!item.assignee) await camunda.claimTask(workItemId, ctx.principal.userId);
      return { ...item, assignee: ctx.principal.userId };
    },

    approve: (workItemId: string, reason: string | undefined, ctx: Ctx) => decide(workItemId, 'approved', reason, ctx),
    reject: (workItemId: string, reason: string, ctx: Ctx) => decide(workItemId, 'rejected', reason, ctx),

    /**
     * Raises an open approval to the next role (the SLA timer's worker, or an approver by hand).
     * A level already decided (a timer firing late) changes nothing.
     */
    async escalate(workItemId: string, ctx: Ctx): Promise<{ escalated: boolean; to?: string }> {
      const { task, quoteId, revision } = await load(workItemId, ctx.principal);
      const { requirement, requirements } = await openLevel(prisma, quoteId, revision);
      if (!requirement) return { escalated: false };
      const higher = requirements.find((r) => r.level > requirement.level)?.role ?? 'finance';
      await camunda.addCandidateGroup(task.id, higher);
      await prisma.$transaction((tx) => recordAudit(tx, {
        tenantId: ctx.principal.tenantId, actor: { type: 'USER', id: ctx.principal.userId }, action: 'quote.ApprovalEscalated',
        target: { type: 'QUOTE', id: quoteId }, correlationId: ctx.correlationId, details: { revision, level: requirement.level, to: higher },
      }));
      return { escalated: true, to: higher };
    },

    /** Completes Camunda tasks whose domain decision committed but whose completion failed. */
    async reconcile(): Promise<number> {
      const pending = await prisma.approvalDecision.findMany({ where: { taskCompletedAt: null, camundaTaskId: { not: null } } });
      let done = 0;
      for (const d of pending) if (await completeTask(d.id, d.camundaTaskId!, d.outcome === 'approved')) done += 1;
      return done;
    },
  };
}

export type WorkItemService = ReturnType<typeof createWorkItemService>;
