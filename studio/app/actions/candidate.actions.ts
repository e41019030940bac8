'use server';

import { revalidatePath } from 'next/cache';
import type { Candidate, ReleaseHeader } from '@/lib/api';
import { callEngine } from '@/lib/engine-client';
import type { Problem } from '@/lib/problem';

export type CandidateOutcome = { ok: true; candidate: Candidate } | { ok: false; problem: Problem };
export type PublishOutcome = { ok: true; release: ReleaseHeader } | { ok: false; problem: Problem };

/** Snapshots the chosen drafts (all when none is chosen) and validates them with the current release. */
export async function createCandidateAction(title: string, items: { kind: string; key: string }[]): Promise<CandidateOutcome> {
  const result = await callEngine<Candidate>('POST', '/metadata/release-candidates', { body: { title, ...(items.length > 0 ? { items } : {}) } });
  return result.ok ? { ok: true, candidate: result.data } : { ok: false, problem: result.problem };
}

export type ReviewStep = 'request-review' | 'approve' | 'reject';

/** A review step of the candidate, against the version shown (a stale page gets the engine's 409). */
export async function reviewAction(candidateId: string, version: number, step: ReviewStep, reason?: string): Promise<CandidateOutcome> {
  const body = step === 'request-review' ? undefined : reason ? { reason } : step === 'approve' ? {} : undefined;
  const result = await callEngine<Candidate>('POST', `/metadata/release-candidates/${encodeURIComponent(candidateId)}/commands/${step}`, { body, ifMatch: version });
  revalidatePath(`/candidates/${candidateId}`);
  return result.ok ? { ok: true, candidate: result.data } : { ok: false, problem: result.problem };
}

export async function publishAction(candidateId: string, version: number): Promise<PublishOutcome> {
  const result = await callEngine<ReleaseHeader>('POST', `/metadata/release-candidates/${encodeURIComponent(candidateId)}/commands/publish`, { ifMatch: version });
  revalidatePath('/releases');
  return result.ok ? { ok: true, release: result.data } : { ok: false, problem: result.problem };
}
