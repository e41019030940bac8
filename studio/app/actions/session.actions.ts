'use server';

import { redirect } from 'next/navigation';
import { isRole, type Role } from '@/lib/roles';
import { signIn, signOut } from '@/lib/session';

export type SignInState = { error?: string };

const ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Signs in a local identity (development and tests): the engine's own issuer, no password. */
export async function signInAction(_state: SignInState, form: FormData): Promise<SignInState> {
  const userId = String(form.get('user') ?? '').trim();
  const tenantId = String(form.get('tenant') ?? '').trim();
  const roles = form.getAll('roles').map(String).filter(isRole) as Role[];
  if (!ID.test(userId)) return { error: 'User: lower-case letters, digits, dot, dash or underscore (1-64).' };
  if (!ID.test(tenantId)) return { error: 'Tenant: lower-case letters, digits, dot, dash or underscore (1-64).' };
  if (roles.length === 0) return { error: 'Pick at least one role.' };
  try {
    await signIn({ userId, tenantId, roles });
  } catch (error) {
    return { error: (error as Error).message };
  }
  redirect(roles.includes('admin') ? '/workspace' : '/releases');
}

export async function signOutAction(): Promise<void> {
  await signOut();
  redirect('/sign-in');
}
