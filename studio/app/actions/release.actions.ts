'use server';

import { revalidatePath } from 'next/cache';
import type { Candidate } from '@/lib/api';
import { callEngine } from '@/lib/engine-client';
import type { CandidateOutcome } from './candidate.actions';

/**
 * A candidate whose release has an older release's content (the engine's roll forward); it is
 * then reviewed and published like any other (four-eyes: another admin approves it).
 */
export async function rollForwardAction(releaseId: string, title?: string): Promise<CandidateOutcome> {
  const result = await callEngine<Candidate>('POST', `/metadata/releases/${encodeURIComponent(releaseId)}/roll-forward`, { body: title ? { title } : {} });
  revalidatePath('/candidates');
  return result.ok ? { ok: true, candidate: result.data } : { ok: false, problem: result.problem };
}
