'use server';

import { revalidatePath } from 'next/cache';
import { callEngine } from '@/lib/engine-client';
import type { Problem, Result } from '@/lib/problem';
import type { WorkItem } from '@/lib/quote-api';

/**
 * The approver's commands on a work item (contracts/openapi/workflow-task-api.yaml): claim,
 * approve, reject, each with a fresh Idempotency-Key. The engine checks the claim, the level's
 * authority and four-eyes; its refusals come back as they are.
 */
export type Outcome<T> = { ok: true; data: T } | { ok: false; problem: Problem };
export type Decision = { decisionId: string; state: string; level: number };

const outcome = <T>(result: Result<T>): Outcome<T> => (result.ok ? { ok: true, data: result.data } : { ok: false, problem: result.problem });
const itemPath = (id: string) => `/work-items/${encodeURIComponent(id)}`;

export async function claimAction(workItemId: string): Promise<Outcome<WorkItem>> {
  const result = outcome(await callEngine<WorkItem>('POST', `${itemPath(workItemId)}/commands/claim`));
  revalidatePath('/inbox');
  return result;
}

export async function decideAction(workItemId: string, decision: 'approve' | 'reject', reason: string): Promise<Outcome<Decision>> {
  const body = reason.trim() ? { reason: reason.trim() } : decision === 'approve' ? {} : undefined;
  // No revalidation: a decided item is gone (404), so re-rendering the page that decided it would
  // replace the outcome the approver must see; the inbox reads the engine afresh on every visit.
  return outcome(await callEngine<Decision>('POST', `${itemPath(workItemId)}/commands/${decision}-quote`, { body }));
}
