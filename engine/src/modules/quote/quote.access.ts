import type { Principal } from '../../http/auth';

export type QuoteOwnership = { tenantId: string; ownerId: string; team: string | null; accountId: string };

/**
 * Who may see a quote (seed section 11): a rep their own and their team's, a sales manager
 * their team's, finance and admins every quote of the tenant, a customer only quotes addressed
 * to their account. Everyone else gets a 404: existence must not leak.
 */
export function canSee(principal: Principal, quote: QuoteOwnership): boolean {
  if (principal.tenantId !== quote.tenantId) return false;
  const roles = principal.roles;
  // Integrations (workers, connectors) act for the whole tenant.
  if (roles.includes('admin') || roles.includes('finance') || roles.includes('integrator')) return true;
  const sameTeam = principal.team !== undefined && quote.team !== null && principal.team === quote.team;
  if (roles.includes('sales-manager') && sameTeam) return true;
  if (roles.includes('rep') && (quote.ownerId === principal.userId || sameTeam)) return true;
  if (roles.includes('customer') && principal.accountId === quote.accountId) return true;
  return false;
}

/** Who may change a quote before submission: its owner, or a rep/sales manager of its team. */
export function canEdit(principal: Principal, quote: QuoteOwnership): boolean {
  if (principal.tenantId !== quote.tenantId) return false;
  if (quote.ownerId === principal.userId && principal.roles.includes('rep')) return true;
  const sameTeam = principal.team !== undefined && quote.team !== null && principal.team === quote.team;
  return sameTeam && (principal.roles.includes('rep') || principal.roles.includes('sales-manager'));
}

/** A listing filter equal to canSee, for queries. */
export function visibilityFilter(principal: Principal): { tenantId: string; OR?: object[] } {
  const roles = principal.roles;
  if (roles.includes('admin') || roles.includes('finance') || roles.includes('integrator')) return { tenantId: principal.tenantId };
  const or: object[] = [];
  if (roles.includes('rep')) or.push({ ownerId: principal.userId });
  if ((roles.includes('rep') || roles.includes('sales-manager')) && principal.team) or.push({ team: principal.team });
  if (roles.includes('customer') && principal.accountId) or.push({ accountId: principal.accountId });
  return { tenantId: principal.tenantId, OR: or.length ? or : [{ id: '00000000-0000-0000-0000-000000000000' }] };
}
