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
export type LoginRoleState = { role: string; superuser: boolean; bypassesRls: boolean; mayBecomeTenant: boolean; tenantRoleExists: boolean };

/**
 * The login role's attributes, read from pg_roles for `session_user` (the role the connection
 * logged in as: `current_user` is cpq_tenant while a connection serves a tenant scope).
 */
export async function loginRoleState(client: Pick<pg.ClientBase, 'query'>): Promise<LoginRoleState> {
  const { rows: [row] } = await client.query<LoginRoleState>(
    `SELECT r.rolname AS role, r.rolsuper AS superuser, r.rolsuper OR r.rolbypassrls AS "bypassesRls",
            t.oid IS NOT NULL AS "tenantRoleExists",
            CASE WHEN r.rolsuper THEN true WHEN t.oid IS NULL THEN false ELSE pg_has_role(r.oid, t.oid, 'MEMBER') END AS "mayBecomeTenant"
       FROM pg_roles r LEFT JOIN pg_roles t ON t.rolname = $1 WHERE r.rolname = session_user`,
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

/** What a process role needs of its login: every one bypasses RLS; the engine also switches to cpq_tenant. */
export type LoginRoleNeeds = {
  /** The process role, named in the refusal: engine, relay, projector, notifications, ... */
  processRole: string;
  /** What it does across tenants as the login role, named in the refusal. */
  acrossTenants: string;
  /** It serves requests, whose connections switch to cpq_tenant (the engine). */
  switchesToTenant: boolean;
};

/** What each process role that touches the tenant tables needs of the login (the ADR 0023 addendum). */
export const LOGIN_NEEDS = {
  engine: { processRole: 'engine', acrossTenants: 'sweeps, reconcilers and order consumer', switchesToTenant: true },
  relay: { processRole: 'relay', acrossTenants: 'outbox polling', switchesToTenant: false },
  projector: { processRole: 'projector', acrossTenants: 'read-model updates', switchesToTenant: false },
  projectionRebuild: { processRole: 'projection rebuild', acrossTenants: 'read-model copies', switchesToTenant: false },
  notifications: { processRole: 'notifications role', acrossTenants: 'notification consumer and dispatcher', switchesToTenant: false },
} as const satisfies Record<string, LoginRoleNeeds>;

/** The command that makes a login ready (ADR 0023 addendum); `npm run platform` runs it after the migrations. */
export const LOGIN_ROLE_FIX = 'DATABASE_URL=<this login> DATABASE_ADMIN_URL=<a superuser> npx tsx deploy/scripts/database-login-role.ts';

/** A process refuses to start on a login role row-level security cannot work with. */
export class LoginRoleError extends Error {
  constructor(readonly state: LoginRoleState, readonly problems: string[], needs: LoginRoleNeeds) {
    const role = `"${state.role.replaceAll('"', '""')}"`;
    const grants = [
      ...(state.bypassesRls ? [] : [`ALTER ROLE ${role} BYPASSRLS;`]),
      ...(problems.some((p) => p.startsWith('it may not switch')) ? [`GRANT ${TENANT_ROLE} TO ${role};`] : []),
    ];
    super(
      `database login role ${role} of DATABASE_URL cannot run the ${needs.processRole} under row-level security (ADR 0023):\n- ${problems.join('\n- ')}\n`
      + `Fix: ${LOGIN_ROLE_FIX} (npm run platform runs it after the migrations)`
      + (grants.length > 0 ? `, or as a superuser: ${grants.join(' ')}` : ''),
    );
    this.name = 'LoginRoleError';
  }
}

/** What the login of `state` lacks for `needs`, one sentence each (empty: ready). */
export function loginRoleProblems(state: LoginRoleState, needs: LoginRoleNeeds): string[] {
  const problems: string[] = [];
  if (!state.bypassesRls) {
    problems.push(`it does not bypass row-level security (neither superuser nor BYPASSRLS): the ${needs.processRole}'s ${needs.acrossTenants} would see no tenant's rows`);
  }
  if (needs.switchesToTenant && !state.tenantRoleExists) {
    problems.push(`the role ${TENANT_ROLE} does not exist: the migrations have not run on this database server (npm run db:migrate)`);
  } else if (needs.switchesToTenant && !state.mayBecomeTenant) {
    problems.push(`it may not switch to ${TENANT_ROLE} (not a member): every request switches to it and would fail at its first statement`);
  }
  return problems;
}

/**
 * The start-up check of a process role (once, before it works): reads the login role and, for a
 * role that serves requests, makes the switch to cpq_tenant once in a rolled back transaction (the
 * catalog says member; the switch itself is the proof). Throws LoginRoleError naming what is
 * missing and the fix; any other error (the database unreachable) is thrown as it is, for the
 * caller to decide. `pool` is a role's pool, used outside any tenant scope (the login role).
 */
export async function assertLoginRole(pool: pg.Pool, needs: LoginRoleNeeds): Promise<LoginRoleState> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    const state = await loginRoleState(client);
    const problems = loginRoleProblems(state, needs);
    if (problems.length === 0 && needs.switchesToTenant) {
      await client.query('BEGIN');
      try {
        await client.query(`SELECT set_config('role', '${TENANT_ROLE}', true)`);
      } catch (error) {
        problems.push(`it may not switch to ${TENANT_ROLE} (${(error as Error).message}): every request switches to it and would fail at its first statement`);
      } finally {
        await client.query('ROLLBACK');
      }
    }
    if (problems.length > 0) throw new LoginRoleError(state, problems, needs);
    return state;
  } catch (error) {
    if (!(error instanceof LoginRoleError)) broken = error as Error;
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * `assertLoginRole` on a connection of its own to `url` (the clustered engine's primary, which
 * has no pool): throws LoginRoleError; undefined when the database did not answer (its workers
 * check again).
 */
export async function checkLoginRoleAt(url: string, needs: LoginRoleNeeds): Promise<LoginRoleState | undefined> {
  const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 5000 });
  pool.on('error', () => {});
  try {
    return await assertLoginRole(pool, needs);
  } catch (error) {
    if (error instanceof LoginRoleError) throw error;
    return undefined;
  } finally {
    await pool.end().catch(() => {});
  }
}
