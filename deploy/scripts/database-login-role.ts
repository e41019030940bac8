// Row-level security's needs of the login role (ADR 0023 addendum): it must bypass the policies
// (the background roles work across tenants as it) and be a member of cpq_tenant (every request
// switches to it). Run by `npm run platform` after the migrations; idempotent. DATABASE_URL is
// the processes' login; DATABASE_ADMIN_URL a superuser that grants what it lacks (default: the same).
import { loginRoleReady, prepareLoginRole } from '@cpq/prisma/login-role';

const appUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/cpq';
const { before, after } = await prepareLoginRole(appUrl, process.env.DATABASE_ADMIN_URL ?? appUrl);
if (!loginRoleReady(after)) {
  console.error(`login role ${after.role}: bypasses row-level security ${after.bypassesRls}, member of cpq_tenant ${after.mayBecomeTenant}; set DATABASE_ADMIN_URL to a superuser`);
  process.exit(1);
}
const granted = loginRoleReady(before) ? 'nothing to grant' : 'granted BYPASSRLS and membership of cpq_tenant';
console.log(`login role ${after.role}: ${after.superuser ? 'superuser' : 'BYPASSRLS'}, may switch to cpq_tenant (${granted})`);
