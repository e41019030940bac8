import { randomUUID } from 'node:crypto';
import type { ApprovalPolicyContent } from '@cpq/metadata';
import { poolOf, Prisma, type PrismaClient } from '@cpq/prisma';
import type { Principal } from '../../http/auth';
import { DomainError } from '../../http/errors';
import { createSqlTransactionRunner, queryLast, rawTx, type InSqlTransaction } from '../../lib/sql-transaction';
import { approvalRecords, authorityFor, decisionInsert, openLevelOf, openLevelOfRevision, openLevelStatement, requirementOfJson, type RequirementRecord } from '../approval';
import { actorsFrom, actorsOf, actorsStatement, auditInsert } from '../audit';
import type { ReleaseViews } from '../catalog';
import { outboxInsert } from '../outbox';
import { CamundaError, correlationsOfInstances, statusUpdate, type CamundaClient, type Correlation, type Task } from '../workflow';
import {
  bumpedVersion, decidedRevision, lockedQuoteOf, quoteLockStatement, revisionHeadOf, revisionRowOf, revisionStatement, runVersionedWrite, versionBump, type RevisionHead,
} from './quote.repository';
import type { CommandContext } from './quote.types';
import { workItemIdOf } from './quote.workflow';

export type WorkItemView = {
  workItemId: string; kind: 'quote-approval'; quoteId: string; revision: number; level: number; role: string;
  reasons: string[]; dueAt: string; createdAt: string; assignee: string | null; name: string | null;
};
type Ctx = Pick<CommandContext, 'principal' | 'correlationId' | 'complete' | 'answer' | 'read'> & { commandId?: string };
type Deps = {
  prisma: PrismaClient; camunda: CamundaClient; releases: ReleaseViews; log: { warn(o: object, m: string): void };
  /** The work items' transactions, in raw SQL on node-postgres (ADR 0014, 0017). */
  inRawTransaction?: InSqlTransaction;
};

/** Material changes whose authors may not approve the revision (four-eyes). */
const MATERIAL_ACTIONS = ['quote.QuoteCreated', 'quote.QuoteLineAdded', 'quote.QuoteLineConfigured', 'quote.QuotePriced', 'quote.QuoteSubmittedForApproval'];

const linkOf = (domainId: string) => {
  const [quoteId, revision] = domainId.split(':');
  return { quoteId: quoteId!, revision: Number(revision) };
};

// `linkOf` in SQL: the quote revision an approval process stands for (NULL for a correlation of
// another kind, whose domain id is no quote revision), computed as columns of the correlation rows
// `c`, which the joined query compares as they are. Row-level security keeps an expression with a
// function that is not leakproof (split_part, a cast) out of an index condition on the joined
// table: compared directly, each joined read was a scan of that table (the approval bench's
// PostgreSQL time per loop doubled). OFFSET 0 keeps the planner from folding the expressions back.
const LINK_COLUMNS = Prisma.sql`
  CASE WHEN c0."domainType" = 'QUOTE_REVISION' THEN split_part(c0."domainId", ':', 1)::uuid END AS "linkQuoteId",
  CASE WHEN c0."domainType" = 'QUOTE_REVISION' THEN split_part(c0."domainId", ':', 2)::int END AS "linkRevision"`;
const QUOTE_OF = Prisma.sql`c."linkQuoteId"`;
const REVISION_OF = Prisma.sql`c."linkRevision"`;
/** What a work item's read joins to its correlation: the open level of its revision (views), or the revision's head (a decision). */
const OPEN_LEVEL = openLevelOfRevision(QUOTE_OF, REVISION_OF);
const headOf = (tenantId: string) => revisionHeadOf(QUOTE_OF, REVISION_OF, tenantId);
type Linked<T> = { correlation: Correlation; quoteId: string; revision: number; joined: T | null };
type Read = NonNullable<CommandContext['read']>;

/**
 * Work items are Camunda user tasks seen through the domain: a task is shown only with the
 * approval requirement it stands for, and deciding one is a domain command first (claim,
 * authority, four-eyes, bound to the exact revision and price result), the Camunda task
 * completion second, outside the transaction. If the completion fails after the decision
 * committed, `reconcile` completes it later.
 */
export function createWorkItemService({ prisma, camunda, releases, log, ...rest }: Deps) {
  const inRawTransaction = rest.inRawTransaction ?? createSqlTransactionRunner(poolOf(prisma));
  // The approval loop's reads outside a transaction: raw SQL on the pool, past Prisma's client
  // (its query interpretation was a fifth of the engine's CPU in the approval bench).
  const db = rawTx(poolOf(prisma));
  const rawRead: Read = (sql) => db.$queryRaw(sql);

  async function fetchTask(workItemId: string): Promise<Task> {
    try {
      return await camunda.task(workItemId);
    } catch (error) {
      if (error instanceof CamundaError && error.status === 404) throw new DomainError('work-item-not-found', `no work item ${workItemId}`);
      throw new DomainError('dependency-unavailable', `the approval workflow could not be reached: ${(error as Error).message}`);
    }
  }

  /**
   * The correlations of process instances, each with what `lateral` finds for its quote revision
   * (at most one row, as JSON): one statement, whatever the number of instances. The workflow
   * and approval modules give their parts of it (their tables, their columns).
   */
  async function linked<T>(tenantId: string, processInstanceIds: string[], lateral: Prisma.Sql, read: Read = rawRead): Promise<Linked<T>[]> {
    if (processInstanceIds.length === 0) return [];
    const rows = await read<Correlation & { joined: T | null; linkQuoteId: unknown; linkRevision: unknown }>(Prisma.sql`
      SELECT c.*, to_jsonb(j) AS joined
      FROM (SELECT c0.*, ${LINK_COLUMNS} FROM (${correlationsOfInstances(tenantId, processInstanceIds)}) c0 OFFSET 0) c
      LEFT JOIN LATERAL (${lateral}) j ON true`);
    return rows.map(({ joined, linkQuoteId: _q, linkRevision: _r, ...correlation }) => ({ correlation, ...linkOf(correlation.domainId), joined }));
  }

  /**
   * The work item's task (Camunda) and its correlation with what `lateral` joins to it (one
   * statement, made through `read`: a command's first read, which may claim its Idempotency-Key).
   */
  async function load<T = Record<string, unknown>>(workItemId: string, principal: Principal, lateral: Prisma.Sql = OPEN_LEVEL, read?: Read) {
    const task = await fetchTask(workItemId);
    const [found] = task.tenantId === principal.tenantId ? await linked<T>(principal.tenantId, [task.processInstanceId], lateral, read) : [];
    if (!found) throw new DomainError('work-item-not-found', `no work item ${workItemId}`);
    return { task, ...found };
  }

  /** Tasks seen through the domain: one statement however many tasks there are. */
  async function views(tasks: Task[], principal: Principal, known?: Linked<Record<string, unknown>>[]): Promise<WorkItemView[]> {
    const mine = tasks.filter((t) => t.tenantId === principal.tenantId);
    if (mine.length === 0) return [];
    // What a caller read already (one work item's `load`) is not read again.
    const found = known ?? await linked<Record<string, unknown>>(principal.tenantId, mine.map((t) => t.processInstanceId), OPEN_LEVEL);
    const byInstance = new Map(found.map((l) => [l.correlation.processInstanceId, l]));
    return mine.flatMap((task) => {
      const link = byInstance.get(task.processInstanceId);
      const requirement: RequirementRecord | undefined = link?.joined ? requirementOfJson(link.joined) : undefined;
      if (!link || !requirement) return [];
      return [{
        workItemId: task.id, kind: 'quote-approval' as const, quoteId: link.quoteId, revision: link.revision, level: requirement.level,
        role: requirement.role, reasons: requirement.reasons, dueAt: requirement.dueAt.toISOString(),
        createdAt: new Date(task.created).toISOString(), assignee: task.assignee, name: task.name,
      }];
    });
  }

  async function get(workItemId: string, principal: Principal, read?: Read): Promise<{ item: WorkItemView; task: Task }> {
    const { task, ...found } = await load(workItemId, principal, OPEN_LEVEL, read);
    const [item] = await views([task], principal, [found]);
    if (!item || !(await offeredTo(task, item, principal))) throw new DomainError('work-item-not-found', `no work item ${workItemId}`);
    return { item, task };
  }

  /**
   * Who may see a work item is who finds it in their inbox: the level's role, the assignee, or a
   * group the task was offered to later (an escalation adds the next role as a candidate group).
   */
  async function offeredTo(task: Task, item: WorkItemView, principal: Principal): Promise<boolean> {
    if (principal.roles.includes(item.role as never) || task.assignee === principal.userId) return true;
    try {
      const groups = await camunda.candidateGroupsOf(task.id);
      return groups.some((group) => principal.roles.includes(group as never));
    } catch (error) {
      throw new DomainError('dependency-unavailable', `the approval workflow could not be reached: ${(error as Error).message}`);
    }
  }

  /**
   * The claim is Camunda's: claiming a task someone else holds fails there, atomically. A
   * decision needs the claim; an unclaimed item is claimed for the decider first.
   */
  async function claimFor(task: Task, userId: string): Promise<void> {
    if (task.assignee === userId) return;
    if (task.assignee) throw new DomainError('work-item-claimed', `${task.assignee} holds this work item; they decide it or release it`);
    try {
      await camunda.claimTask(task.id, userId);
    } catch (error) {
      if (error instanceof CamundaError && error.status < 500) {
        const now = await fetchTask(task.id);
        throw new DomainError('work-item-claimed', `${now.assignee ?? 'another approver'} claimed this work item first`);
      }
      throw new DomainError('dependency-unavailable', `the approval workflow could not be reached: ${(error as Error).message}`);
    }
  }

  /** Four-eyes: the owner, the submitter and whoever made a material change to the revision (`authors`) may not decide it. */
  function requireFourEyes(authors: { actorId: string; revision: number | null }[], principal: Principal, revision: number, quote: { ownerId: string }, submittedBy: string | null) {
    const changedBy = new Set(authors.filter((a) => a.revision === revision || a.revision === null).map((a) => a.actorId));
    changedBy.add(quote.ownerId);
    if (submittedBy) changedBy.add(submittedBy);
    if (changedBy.has(principal.userId)) {
      throw new DomainError('four-eyes-violation', `${principal.userId} requested or changed this revision and cannot decide it`);
    }
  }

  async function decide(workItemId: string, outcome: 'approved' | 'rejected', reason: string | undefined, ctx: Ctx) {
    const { principal } = ctx;
    // The task (Camunda), then its correlation and the revision's head in one statement.
    const { task, quoteId, revision, correlation, joined: head } = await load<RevisionHead>(workItemId, principal, headOf(principal.tenantId), ctx.read);
    const target = { tenantId: principal.tenantId, type: 'QUOTE', id: quoteId };
    // Everything Camunda and the catalog have to say is asked before the transaction.
    const policy = head ? (await releases.get(principal.tenantId, head.releaseId)).list('approval-policy')[0] : undefined;
    const claimedNow = task.assignee !== principal.userId;
    if (claimedNow) {
      // Whoever may not decide is refused before the claim is taken, so a refusal leaves no
      // claim behind. A decider who holds the claim already is checked once, in the transaction.
      const { requirement: open } = await approvalRecords.openLevel(db, quoteId, revision);
      if (open && !(policy && authorityFor(policy.content as ApprovalPolicyContent, principal.roles, open.level))) {
        throw new DomainError('approval-authority', `level ${open.level} needs the role ${open.role}`);
      }
      if (head) requireFourEyes(await actorsOf(db, target, MATERIAL_ACTIONS), principal, revision, head, head.submittedBy);
      await claimFor(task, principal.userId);
    }

    // One transaction in raw SQL (ADR 0014, 0017): the quote's lock, the revision, its levels and
    // the four-eyes authors are read with BEGIN in one round trip (each statement after the one
    // before, so the reads follow the lock); the decision, the revision's and the correlation's
    // new state, the quote's version, audit, event and the stored answer are one statement, sent
    // with the COMMIT.
    const opening = [quoteLockStatement(quoteId, principal.tenantId), revisionStatement(quoteId, revision), openLevelStatement(quoteId, revision), actorsStatement(target, MATERIAL_ACTIONS)];
    const result = await inRawTransaction(async (tx, [quoteRows = [], revisionRows = [], levelRows = [], authorRows = []]) => {
      const quote = lockedQuoteOf(quoteRows);
      const rev = revisionRowOf(revisionRows);
      if (!quote || !rev) throw new DomainError('quote-not-found', `no quote ${quoteId}`);
      if (quote.currentRevision !== revision || rev.state !== 'submitted') {
        throw new DomainError('quote-state', `revision ${revision} is ${rev.state}${quote.currentRevision !== revision ? ' and no longer current' : ''}: nothing to decide`);
      }
      if (rev.pricedMaterialVersion !== rev.materialVersion || !rev.priceResultId) throw new DomainError('price-stale', 'the revision changed after it was priced');
      const { requirement, requirements } = openLevelOf(levelRows);
      if (!requirement) throw new DomainError('quote-state', 'every level of this revision is already decided');
      const authority = policy ? authorityFor(policy.content as ApprovalPolicyContent, principal.roles, requirement.level) : undefined;
      if (!authority) throw new DomainError('approval-authority', `level ${requirement.level} needs the role ${requirement.role}`);
      requireFourEyes(actorsFrom(authorRows), principal, revision, quote, rev.submittedBy);
      const decisionId = randomUUID();
      const writes: Prisma.Sql[] = [decisionInsert({
        id: decisionId, tenantId: principal.tenantId, quoteId, revision, level: requirement.level, role: requirement.role, outcome,
        decidedBy: principal.userId, claimedBy: principal.userId, reason: reason ?? null,
        authority: { ...authority, roles: principal.roles, policy: policy!.key, policyVersion: policy!.contentHash },
        priceResultId: rev.priceResultId, materialVersion: rev.materialVersion, camundaTaskId: task.id,
      })];
      const last = requirement.level === requirements[requirements.length - 1]!.level;
      const state = outcome === 'rejected' ? 'rejected' : last ? 'approved' : rev.state;
      if (state !== rev.state) writes.push(decidedRevision(quoteId, rev, state as 'approved' | 'rejected'));
      if (state !== 'submitted') writes.push(statusUpdate(correlation.id, 'COMPLETED'));
      // The quote is locked: its next version is known, and the statement checks it.
      const version = quote.version + 1;
      const actor = { type: 'USER' as const, id: principal.userId };
      writes.push(auditInsert({
        tenantId: principal.tenantId, actor, action: `quote.Approval${outcome === 'approved' ? 'Granted' : 'Refused'}`,
        target: { type: 'QUOTE', id: quoteId }, reason: reason ?? null, correlationId: ctx.correlationId,
        details: { revision, level: requirement.level, role: requirement.role, decisionId, priceResultId: rev.priceResultId, authority, claimedBy: principal.userId },
      }));
      const eventType = state === 'approved' ? 'QuoteApproved' : state === 'rejected' ? 'QuoteRejected' : 'ApprovalLevelApproved';
      writes.push(outboxInsert({
        eventType, tenantId: principal.tenantId, aggregateType: 'QUOTE', aggregateId: quoteId, aggregateVersion: version,
        correlationId: ctx.correlationId, causationId: ctx.commandId ?? ctx.correlationId, actor,
        payload: { quoteId, revision, ownerId: quote.ownerId, level: requirement.level, decisionId, ...(reason ? { reason } : {}) },
      }).sql);
      const answer = { decisionId, state, level: requirement.level };
      // The answer for the Idempotency-Key in the same statement when the caller offers it (`conclude` does the same).
      const stored = ctx.answer?.(answer);
      await runVersionedWrite(tx, quoteId, version, stored ? [...writes, stored] : writes, stored !== undefined || !ctx.complete);
      if (!stored) await ctx.complete?.(tx, answer);
      return answer;
    }, opening, { tenantId: principal.tenantId }).catch(async (error: unknown) => {
      // Refused after the claim was taken for this decision: give the item back.
      if (claimedNow) await camunda.unclaimTask(task.id).catch(() => {});
      if (isUniqueViolation(error)) throw new DomainError('quote-state', `work item ${task.id} was already decided`);
      throw error;
    });
    // The decision and its answer have committed: what follows is Camunda's side, finished by
    // the reconciler if it fails now; it must not turn the committed answer into an error.
    try {
      const completion = await completeTask(result.decisionId, task.id, outcome === 'approved');
      if (result.state === 'submitted') await announceNextLevel(quoteId, revision, task, completion.nextWorkItemId, ctx);
    } catch (error) {
      log.warn({ err: (error as Error).message, decisionId: result.decisionId }, 'follow-up of a committed approval decision failed');
    }
    return result;
  }

  /**
   * Completes the decided task. `nextWorkItemId`: the work item the completion opened, as the
   * model's task listener recorded it (a variable that still names the completed task means none
   * was opened, or the model does not record it).
   */
  async function completeTask(decisionId: string, taskId: string, approved: boolean): Promise<{ completed: boolean; nextWorkItemId?: string }> {
    let nextWorkItemId: string | undefined;
    try {
      const variables = await camunda.completeTaskReturningVariables(taskId, { approved: { value: approved, type: 'Boolean' } });
      const recorded = workItemIdOf(variables);
      if (recorded !== taskId) nextWorkItemId = recorded;
    } catch (error) {
      // 404: the task is gone (completed by an earlier attempt): the decision stands either way.
      if (!(error instanceof CamundaError && error.status === 404)) {
        log.warn({ err: (error as Error).message, taskId, decisionId }, 'approval task not completed; the reconciler will retry');
        return { completed: false };
      }
    }
    await approvalRecords.taskCompleted(db, decisionId);
    return { completed: true, nextWorkItemId };
  }

  async function announceNextLevel(quoteId: string, revision: number, decided: Task, recorded: string | undefined, ctx: Ctx): Promise<void> {
    const next = recorded ? { id: recorded } : (await camunda.tasks({ processInstanceId: decided.processInstanceId }).catch(() => []))[0];
    const { requirement } = await approvalRecords.openLevel(db, quoteId, revision);
    if (!requirement) return;
    // The version raised with BEGIN, the event with the COMMIT.
    await inRawTransaction(async (tx, [bumped = []]) => {
      await queryLast(tx, outboxInsert({
        eventType: 'ApprovalRequested', tenantId: ctx.principal.tenantId, aggregateType: 'QUOTE', aggregateId: quoteId, aggregateVersion: bumpedVersion(bumped, quoteId),
        correlationId: ctx.correlationId, causationId: ctx.commandId ?? ctx.correlationId, actor: { type: 'SYSTEM', id: 'approval' },
        payload: { quoteId, revision, level: requirement.level, role: requirement.role, workItemId: next?.id ?? null, dueAt: requirement.dueAt.toISOString() },
      }).sql);
    }, [versionBump(quoteId)], { tenantId: ctx.principal.tenantId });
  }

  return {
    /** The caller's inbox: open approval tasks of their roles (or assigned to them), with SLA due times. */
    async list(principal: Principal): Promise<WorkItemView[]> {
      // One Camunda query: offered to one of the caller's roles, or assigned to them.
      const tasks = await camunda.inboxTasks({ candidateGroups: principal.roles, assignee: principal.userId, tenantId: principal.tenantId });
      const byId = new Map(tasks.map((t) => [t.id, t]));
      return (await views([...byId.values()], principal)).sort((a, b) => a.dueAt.localeCompare(b.dueAt));
    },

    get: async (workItemId: string, principal: Principal): Promise<WorkItemView> => (await get(workItemId, principal)).item,

    async claim(workItemId: string, ctx: Ctx): Promise<WorkItemView> {
      const { item, task } = await get(workItemId, ctx.principal, ctx.read);
      await claimFor(task, ctx.principal.userId);
      return { ...item, assignee: ctx.principal.userId };
    },

    approve: (workItemId: string, reason: string | undefined, ctx: Ctx) => decide(workItemId, 'approved', reason, ctx),
    reject: (workItemId: string, reason: string, ctx: Ctx) => decide(workItemId, 'rejected', reason, ctx),

    /**
     * Raises an open approval to the next role (the SLA timer's worker, or an approver by hand).
     * A level already decided (a timer firing late) changes nothing.
     */
    async escalate(workItemId: string, ctx: Ctx): Promise<{ escalated: boolean; to?: string }> {
      // The SLA timer's worker (integrator) or an admin for any item; an approver only for an item they may see.
      const system = ctx.principal.roles.includes('integrator') || ctx.principal.roles.includes('admin');
      if (!system) await get(workItemId, ctx.principal);
      const { task, quoteId, revision } = await load(workItemId, ctx.principal);
      const { requirement, requirements } = await approvalRecords.openLevel(db, quoteId, revision);
      if (!requirement) return { escalated: false };
      const higher = requirements.find((r) => r.level > requirement.level)?.role ?? 'finance';
      await camunda.addCandidateGroup(task.id, higher);
      // The audit and the fact on Kafka (worklists and notifications follow escalations from it).
      // The audit and the version raised with BEGIN, the event with the COMMIT.
      const audit = auditInsert({
        tenantId: ctx.principal.tenantId, actor: { type: 'USER', id: ctx.principal.userId }, action: 'quote.ApprovalEscalated',
        target: { type: 'QUOTE', id: quoteId }, correlationId: ctx.correlationId, details: { revision, level: requirement.level, to: higher },
      });
      await inRawTransaction(async (tx, [, bumped = []]) => {
        await queryLast(tx, outboxInsert({
          eventType: 'ApprovalEscalated', tenantId: ctx.principal.tenantId, aggregateType: 'QUOTE', aggregateId: quoteId, aggregateVersion: bumpedVersion(bumped, quoteId),
          correlationId: ctx.correlationId, causationId: ctx.commandId ?? ctx.correlationId, actor: { type: 'USER', id: ctx.principal.userId },
          payload: { quoteId, revision, level: requirement.level, role: requirement.role, to: higher, workItemId: task.id },
        }).sql);
      }, [audit, versionBump(quoteId)], { tenantId: ctx.principal.tenantId });
      return { escalated: true, to: higher };
    },

    /** Completes Camunda tasks whose domain decision committed but whose completion failed. */
    async reconcile(): Promise<number> {
      let completed = 0;
      for (const d of await approvalRecords.pendingTaskCompletions(prisma)) if ((await completeTask(d.id, d.camundaTaskId!, d.outcome === 'approved')).completed) completed += 1;
      return completed;
    },
  };
}

/**
 * A unique violation in the decision's transaction: another decision of the task or level
 * committed first. PostgreSQL's 23505 (node-postgres), or Prisma's message.
 */
function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if ((error as { code?: unknown }).code === '23505') return true;
  return /uq_approval_decision_task|Unique constraint/.test(`${error.message} ${JSON.stringify((error as { meta?: unknown }).meta ?? '')}`);
}

export type WorkItemService = ReturnType<typeof createWorkItemService>;
