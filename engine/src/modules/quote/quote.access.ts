import { Prisma } from '@cpq/prisma';
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

/** The same rule as canSee, as an SQL condition on `quote q` (for listings). */
export function visibilitySql(principal: Principal): Prisma.Sql {
  const roles = principal.roles;
  const tenant = Prisma.sql`q.tenant_id = ${principal.tenantId}`;
  if (roles.includes('admin') || roles.includes('finance') || roles.includes('integrator')) return tenant;
  const or: Prisma.Sql[] = [];
  if (roles.includes('rep')) or.push(Prisma.sql`q.owner_id = ${principal.userId}`);
  if ((roles.includes('rep') || roles.includes('sales-manager')) && principal.team) or.push(Prisma.sql`q.team = ${principal.team}`);
  if (roles.includes('customer') && principal.accountId) or.push(Prisma.sql`q.account_id = ${principal.accountId}`);
  return or.length ? Prisma.sql`${tenant} AND (${Prisma.join(or, ' OR ')})` : Prisma.sql`false`;
}
