/** The roles a token may carry (the contracts' bearer scheme names them). */
export const ROLES = ['admin', 'rep', 'sales-manager', 'finance', 'ops', 'customer', 'integrator'] as const;
export type Role = (typeof ROLES)[number];

/** `team` scopes reps and sales managers to their team's quotes; `accountId` is a customer user's account. */
export type Principal = { userId: string; tenantId: string; roles: Role[]; team?: string; accountId?: string };

export const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

/** What each role finds in the navigation: drafts and candidates are for admins (the engine refuses others). */
export function navigationFor(roles: readonly Role[]): { href: string; label: string }[] {
  const admin = roles.includes('admin');
  const seller = roles.some((r) => r === 'rep' || r === 'sales-manager' || r === 'finance' || r === 'admin');
  const approver = roles.some((r) => r === 'sales-manager' || r === 'finance');
  const customerOnly = roles.every((r) => r === 'customer');
  return [
    ...(seller ? [{ href: '/quotes', label: 'Quotes' }] : customerOnly ? [{ href: '/quotes', label: 'My quotes' }] : []),
    ...(approver ? [{ href: '/inbox', label: 'Inbox' }] : []),
    ...(seller ? [{ href: '/accounts', label: 'Accounts' }] : []),
    ...(roles.includes('ops') || admin ? [{ href: '/ops', label: 'Fallout' }] : []),
    ...(admin ? [{ href: '/workspace', label: 'Workspace' }, { href: '/candidates', label: 'Release candidates' }] : []),
    ...(customerOnly ? [] : [{ href: '/releases', label: 'Releases' }]),
  ];
}

/** Where a signed-in user starts: their own work first. */
export function homeFor(roles: readonly Role[]): string {
  if (roles.includes('admin')) return '/workspace';
  if (roles.includes('rep') || roles.every((r) => r === 'customer')) return '/quotes';
  if (roles.includes('sales-manager') || roles.includes('finance')) return '/inbox';
  if (roles.includes('ops')) return '/ops';
  return '/releases';
}
