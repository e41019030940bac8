'use server';

import { redirect } from 'next/navigation';
import { homeFor, isRole, type Role } from '@/lib/roles';
import { signIn, signOut } from '@/lib/session';

export type SignInState = { error?: string };

const ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** The quote contract's account id. */
const ACCOUNT = /^[A-Za-z0-9._-]{1,120}$/;

/** Signs in a local identity (development and tests): the engine's own issuer, no password. */
export async function signInAction(_state: SignInState, form: FormData): Promise<SignInState> {
  const userId = String(form.get('user') ?? '').trim();
  const tenantId = String(form.get('tenant') ?? '').trim();
  const roles = form.getAll('roles').map(String).filter(isRole) as Role[];
  if (!ID.test(userId)) return { error: 'User: lower-case letters, digits, dot, dash or underscore (1-64).' };
  if (!ID.test(tenantId)) return { error: 'Tenant: lower-case letters, digits, dot, dash or underscore (1-64).' };
  if (roles.length === 0) return { error: 'Pick at least one role.' };
  const team = String(form.get('team') ?? '').trim();
  const accountId = String(form.get('account') ?? '').trim();
  if (team && !ID.test(team)) return { error: 'Team: lower-case letters, digits, dot, dash or underscore (1-64).' };
  if (accountId && !ACCOUNT.test(accountId)) return { error: 'Account: letters, digits, dot, dash or underscore (1-120).' };
  if (roles.includes('customer') && !accountId) return { error: 'A customer user signs in for an account: name it.' };
  try {
    await signIn({ userId, tenantId, roles, ...(team ? { team } : {}), ...(accountId ? { accountId } : {}) });
  } catch (error) {
    return { error: (error as Error).message };
  }
  redirect(homeFor(roles));
}

export async function signOutAction(): Promise<void> {
  await signOut();
  redirect('/sign-in');
}
