import { Prisma } from '@cpq/prisma';
import type { Principal } from '../../http/auth';
import { DomainError } from '../../http/errors';

export type OrderOwnership = { tenantId: string; ownerId: string; team: string | null; accountId: string };

const sameTeam = (p: Principal, o: OrderOwnership) => p.team !== undefined && o.team !== null && p.team === o.team;

/**
 * Who may see an order (seed section 11): the quote's owner and their team (reps, their sales
 * manager), finance, operations, admins and integrations for the whole tenant, a customer their
 * account's orders. Everyone else gets a 404: existence must not leak.
 */
export function canSeeOrder(p: Principal, o: OrderOwnership): boolean {
  if (p.tenantId !== o.tenantId) return false;
  if (p.roles.some((r) => r === 'admin' || r === 'finance' || r === 'ops' || r === 'integrator')) return true;
  if (p.roles.includes('sales-manager') && sameTeam(p, o)) return true;
  if (p.roles.includes('rep') && (o.ownerId === p.userId || sameTeam(p, o))) return true;
  return p.roles.includes('customer') && p.accountId === o.accountId;
}

/** Internal readers see plans, timelines and fallout; a customer sees the order itself only. */
export const isInternal = (p: Principal) => p.roles.some((r) => r !== 'customer');

/** Who may turn an accepted quote into an order: its owner or their team, admins, integrations. */
export function requireCreator(p: Principal, o: OrderOwnership): void {
  if (p.tenantId !== o.tenantId) throw new DomainError('quote-not-found', 'no such quote');
  if (p.roles.includes('admin') || p.roles.includes('integrator')) return;
  if ((p.roles.includes('rep') && o.ownerId === p.userId) || ((p.roles.includes('rep') || p.roles.includes('sales-manager')) && sameTeam(p, o))) return;
  throw new DomainError('forbidden', 'only the quote\'s owner or their team, an admin or an integration creates its order');
}

/** Who may cancel (seed section 11: actor authority): the owner's side, the customer, operations, admins. */
export function requireCanceller(p: Principal, o: OrderOwnership): void {
  if (p.roles.includes('admin') || p.roles.includes('ops')) return;
  if ((p.roles.includes('rep') && o.ownerId === p.userId) || ((p.roles.includes('rep') || p.roles.includes('sales-manager')) && sameTeam(p, o))) return;
  if (p.roles.includes('customer') && p.accountId === o.accountId) return;
  throw new DomainError('forbidden', 'only the owner\'s team, the customer, operations or an admin cancels an order');
}

/** Step commands and callbacks come from integrations (the workers, the target systems). */
export function requireIntegration(p: Principal): void {
  if (!p.roles.includes('integrator')) throw new DomainError('forbidden', 'step commands and callbacks are for integrations (role integrator)');
}

/** The fallout inbox is the operators'; admins may read it. */
export function requireOperator(p: Principal, reading = false): void {
  if (p.roles.includes('ops') || (reading && p.roles.includes('admin'))) return;
  throw new DomainError('forbidden', reading ? 'the fallout inbox is for ops and admins' : 'fallout is resolved by ops');
}

/** The same rule as canSeeOrder, as an SQL condition on `customer_order o` (for listings). */
export function orderVisibilitySql(p: Principal): Prisma.Sql {
  const tenant = Prisma.sql`o.tenant_id = ${p.tenantId}`;
  if (p.roles.some((r) => r === 'admin' || r === 'finance' || r === 'ops' || r === 'integrator')) return tenant;
  const or: Prisma.Sql[] = [];
  if (p.roles.includes('rep')) or.push(Prisma.sql`o.owner_id = ${p.userId}`);
  if ((p.roles.includes('rep') || p.roles.includes('sales-manager')) && p.team) or.push(Prisma.sql`o.team = ${p.team}`);
  if (p.roles.includes('customer') && p.accountId) or.push(Prisma.sql`o.account_id = ${p.accountId}`);
  return or.length ? Prisma.sql`${tenant} AND (${Prisma.join(or, ' OR ')})` : Prisma.sql`false`;
}
