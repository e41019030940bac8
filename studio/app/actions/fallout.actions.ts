'use server';

import { callEngine } from '@/lib/engine-client';
import type { FalloutWorkItem, ResolveFallout } from '@/lib/order-api';
import type { Problem } from '@/lib/problem';

export type Outcome<T> = { ok: true; data: T } | { ok: false; problem: Problem };

/** An operator resolves a fallout case with one of its allowed actions and an audit reason (POST /work-items/{id}/commands/resolve-fallout). */
export async function resolveFalloutAction(workItemId: string, body: ResolveFallout): Promise<Outcome<FalloutWorkItem>> {
  // No revalidation: the page that resolved shows the outcome it got; the inbox reads afresh on every visit.
  const result = await callEngine<FalloutWorkItem>('POST', `/work-items/${encodeURIComponent(workItemId)}/commands/resolve-fallout`, { body });
  return result.ok ? { ok: true, data: result.data } : { ok: false, problem: result.problem };
}
