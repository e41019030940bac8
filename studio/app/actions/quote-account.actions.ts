'use server';

import { callEngine } from '@/lib/engine-client';
import type { Problem } from '@/lib/problem';

/** An account as the account API lists it (contracts/openapi/account-api.yaml), the fields the rep picks by. */
export type AccountChoice = { accountId: string; name: string; segment: string; channel: string; currency: string };

export type AccountSearch =
  | { available: true; items: AccountChoice[]; total: number }
  /** The engine has no account search (no account module): the rep types the account id. */
  | { available: false }
  | { available: true; problem: Problem };

/** The rep's account search (GET /accounts?q=: a name prefix or an exact id), by the engine. */
export async function searchAccountsAction(q: string): Promise<AccountSearch> {
  const query = new URLSearchParams({ limit: '10', ...(q.trim() ? { q: q.trim().slice(0, 200) } : {}) });
  const result = await callEngine<{ items: AccountChoice[]; total: number }>('GET', `/accounts?${query}`);
  if (result.ok) return { available: true, items: result.data.items, total: result.data.total };
  // 404 on the collection itself: the route does not exist on this engine (an id search never 404s).
  if (result.problem.status === 404) return { available: false };
  return { available: true, problem: result.problem };
}
