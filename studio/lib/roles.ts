/** The roles a token may carry (the contracts' bearer scheme names them). */
export const ROLES = ['admin', 'rep', 'sales-manager', 'finance', 'ops', 'customer', 'integrator'] as const;
export type Role = (typeof ROLES)[number];

export type Principal = { userId: string; tenantId: string; roles: Role[] };

export const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

/** What each role finds in the navigation: drafts and candidates are for admins (the engine refuses others). */
export function navigationFor(roles: readonly Role[]): { href: string; label: string }[] {
  const admin = roles.includes('admin');
  return [
    ...(admin ? [{ href: '/workspace', label: 'Workspace' }, { href: '/candidates', label: 'Release candidates' }] : []),
    { href: '/releases', label: 'Releases' },
  ];
}
