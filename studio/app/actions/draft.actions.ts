'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import type { Draft, JsonObject, MetadataKind } from '@/lib/api';
import { callEngine } from '@/lib/engine-client';
import type { Problem } from '@/lib/problem';

export type SaveOutcome =
  | { ok: true; draft: Draft }
  | { ok: false; problem: Problem; theirs?: Draft };

const path = (kind: string, key: string) => `/metadata/drafts/${encodeURIComponent(kind)}/${encodeURIComponent(key)}`;

/** Creates a draft (a new item, or the copy of another). */
export async function createDraftAction(kind: MetadataKind, key: string, content: JsonObject): Promise<SaveOutcome> {
  const result = await callEngine<Draft>('POST', '/metadata/drafts', { body: { kind, key, content } });
  if (!result.ok) return { ok: false, problem: result.problem };
  revalidatePath('/workspace');
  return { ok: true, draft: result.data };
}

/**
 * Saves an edit against the version it was read at. When someone else saved in between, the
 * engine answers 409 version-conflict: the outcome carries their draft as it is now, so the
 * editor can show theirs and keep yours.
 */
export async function editDraftAction(kind: string, key: string, version: number, content: JsonObject): Promise<SaveOutcome> {
  const result = await callEngine<Draft>('POST', `${path(kind, key)}/commands/edit`, { body: { content }, ifMatch: version });
  if (result.ok) {
    revalidatePath('/workspace');
    return { ok: true, draft: result.data };
  }
  if (result.problem.code === 'version-conflict') {
    const theirs = await callEngine<Draft>('GET', path(kind, key));
    return { ok: false, problem: result.problem, ...(theirs.ok ? { theirs: theirs.data } : {}) };
  }
  return { ok: false, problem: result.problem };
}

/**
 * Deletes the draft and goes to the workspace from here: the answer of an action that revalidates
 * carries the current route rendered again, and the current route is the draft just deleted (its
 * page answered 404 when the client navigated only after the answer).
 */
export async function deleteDraftAction(kind: string, key: string, version: number): Promise<{ ok: false; problem: Problem }> {
  const result = await callEngine<undefined>('POST', `${path(kind, key)}/commands/delete`, { ifMatch: version });
  if (!result.ok) return { ok: false, problem: result.problem };
  revalidatePath('/workspace');
  redirect('/workspace');
}
