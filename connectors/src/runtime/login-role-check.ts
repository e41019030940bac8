import { assertLoginRole, LoginRoleError, type LoginRoleNeeds } from '@cpq/prisma/login-role';

type Logger = { warn(details: object, message: string): void };

/**
 * A background role's start-up check of its database login (row-level security, ADR 0023): the
 * relay, the projector and the notifications work across tenants as the login role, which must
 * bypass RLS, or they see no tenant's rows and do nothing, silently. A login that lacks it throws
 * LoginRoleError (the process stops with its message, like a bad setting). While the database does
 * not answer, the check waits and asks again: the role can do nothing without it anyway.
 */
export async function requireLoginRole(pool: Parameters<typeof assertLoginRole>[0], needs: LoginRoleNeeds, logger: Logger, retryMs = 2000): Promise<void> {
  for (;;) {
    try {
      await assertLoginRole(pool, needs);
      return;
    } catch (error) {
      if (error instanceof LoginRoleError) throw error;
      logger.warn({ err: (error as Error).message }, 'database not reachable: its login role is checked once it answers');
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  }
}
