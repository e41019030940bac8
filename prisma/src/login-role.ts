import pg from 'pg';
import { TENANT_ROLE } from './tenant-scope';

/**
 * What row-level security asks of the role the processes log in as (ADR 0023 addendum):
 * - it bypasses the policies (superuser, or BYPASSRLS), because the background roles (relay,
 *   projector, reconcilers, sweeps, consumers) work across tenants as that role, unscoped;
 * - it may switch to cpq_tenant (member of it), because every request's connections do
 *   (prisma/src/tenant-scope.ts).
 * A role that lacks the first sees no tenant row outside a request (the tables are FORCEd: it
 * fails closed); one that lacks the second fails every request at its first statement.
 */
export type LoginRoleState = { role: string; superuser: boolean; bypassesRls: boolean; mayBecomeTenant: boolean };

export async function loginRoleState(client: pg.ClientBase): Promise<LoginRoleState> {
  const { rows: [row] } = await client.query<LoginRoleState>(
    `SELECT r.rolname AS role, r.rolsuper AS superuser, r.rolsuper OR r.rolbypassrls AS "bypassesRls",
            r.rolsuper OR pg_has_role(r.oid, $1, 'MEMBER') AS "mayBecomeTenant"
       FROM pg_roles r WHERE r.rolname = session_user`,
    [TENANT_ROLE],
  );
  return row!;
}

export const loginRoleReady = (state: LoginRoleState) => state.bypassesRls && state.mayBecomeTenant;

/**
 * Makes the login role of `appUrl` ready, granting what it lacks through `adminUrl` (a superuser:
 * BYPASSRLS is a superuser's to give). Idempotent; nothing to do for a superuser login (the
 * platform's local `postgres`). Returns the state before and after.
 */
export async function prepareLoginRole(appUrl: string, adminUrl: string = appUrl): Promise<{ before: LoginRoleState; after: LoginRoleState }> {
  const app = new pg.Client({ connectionString: appUrl });
  await app.connect();
  try {
    const before = await loginRoleState(app);
    if (loginRoleReady(before)) return { before, after: before };
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      const role = admin.escapeIdentifier(before.role);
      if (!before.bypassesRls) await admin.query(`ALTER ROLE ${role} BYPASSRLS`);
      if (!before.mayBecomeTenant) await admin.query(`GRANT ${TENANT_ROLE} TO ${role}`);
    } finally {
      await admin.end();
    }
    return { before, after: await loginRoleState(app) };
  } finally {
    await app.end();
  }
}
