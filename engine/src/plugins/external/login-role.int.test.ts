import { randomBytes } from 'node:crypto';
import { requireLoginRole } from '@cpq/connectors/runtime/login-role-check';
import { createPrismaClient, poolOf } from '@cpq/prisma';
import { checkLoginRoleAt, LOGIN_NEEDS, LoginRoleError } from '@cpq/prisma/login-role';
import { createTestDatabase, type TestDatabase } from '@cpq/prisma/test-database';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../../test/env';
import { loadConfig } from '../../config';
import { createInfrastructure } from './infrastructure';

// ADR 0023 addendum: every process role checks its database login once at start. The engine needs
// BYPASSRLS (its sweeps, reconcilers and order consumer work across tenants as the login) and
// membership of cpq_tenant (every request switches to it); the relay, the projector and the
// notifications the bypass only. Real PostgreSQL roles, made here with unique names and dropped.
describe('the start-up check of the database login role (real PostgreSQL)', () => {
  let db: TestDatabase;
  let admin: pg.Pool;
  const suffix = `${process.pid}_${randomBytes(3).toString('hex')}`;
  const roles = {
    plain: `login_plain_${suffix}`, // NOBYPASSRLS, not a member of cpq_tenant
    memberOnly: `login_member_${suffix}`, // NOBYPASSRLS, member of cpq_tenant
    bypassOnly: `login_bypass_${suffix}`, // BYPASSRLS, not a member
  };
  const urlOf = (role: string) => {
    const url = new URL(db.url);
    url.username = role;
    return url.toString();
  };
  const engineConfig = (databaseUrl: string) => loadConfig({
    NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: databaseUrl, REDIS_URL: testEnv.redisUrl,
    KAFKA_BROKERS: testEnv.kafkaBrokers.join(','), CAMUNDA_URL: testEnv.camundaUrl,
  });
  const refusal = async (work: Promise<unknown>) => {
    const error = await work.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(LoginRoleError);
    return (error as LoginRoleError).message;
  };

  beforeAll(async () => {
    db = await createTestDatabase(testEnv.postgresUrl, 'login_role');
    admin = new pg.Pool({ connectionString: db.url, max: 1 });
    await admin.query(`CREATE ROLE ${roles.plain} LOGIN NOSUPERUSER NOBYPASSRLS`);
    await admin.query(`CREATE ROLE ${roles.memberOnly} LOGIN NOSUPERUSER NOBYPASSRLS IN ROLE cpq_tenant`);
    await admin.query(`CREATE ROLE ${roles.bypassOnly} LOGIN NOSUPERUSER BYPASSRLS`);
  });
  afterAll(async () => {
    for (const role of Object.values(roles)) {
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role]).catch(() => {});
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
    }
    await admin.end();
    await db.drop();
  });

  it('the engine refuses a login without BYPASSRLS and outside cpq_tenant, naming both, the role and the fix', async () => {
    const message = await refusal(createInfrastructure(engineConfig(urlOf(roles.plain))));
    expect(message).toContain(`database login role "${roles.plain}" of DATABASE_URL cannot run the engine under row-level security (ADR 0023)`);
    expect(message).toContain('it does not bypass row-level security (neither superuser nor BYPASSRLS): the engine\'s sweeps, reconcilers and order consumer would see no tenant\'s rows');
    expect(message).toContain('it may not switch to cpq_tenant (not a member)');
    expect(message).toContain('DATABASE_ADMIN_URL=<a superuser> npx tsx deploy/scripts/database-login-role.ts');
    expect(message).toContain(`ALTER ROLE "${roles.plain}" BYPASSRLS; GRANT cpq_tenant TO "${roles.plain}";`);
  });

  it('the engine refuses a member of cpq_tenant without BYPASSRLS, and a BYPASSRLS login outside cpq_tenant, each for what it lacks', async () => {
    const noBypass = await refusal(createInfrastructure(engineConfig(urlOf(roles.memberOnly))));
    expect(noBypass).toContain('it does not bypass row-level security');
    expect(noBypass).not.toContain('may not switch');
    expect(noBypass).toContain(`ALTER ROLE "${roles.memberOnly}" BYPASSRLS;`);
    expect(noBypass).not.toContain('GRANT');
    const noSwitch = await refusal(createInfrastructure(engineConfig(urlOf(roles.bypassOnly))));
    expect(noSwitch).toContain('it may not switch to cpq_tenant');
    expect(noSwitch).not.toContain('does not bypass');
    expect(noSwitch).toContain(`GRANT cpq_tenant TO "${roles.bypassOnly}";`);
  });

  it('the clustered engine\'s primary refuses the same login before forking, and lets an unreachable database pass to its workers', async () => {
    expect(await refusal(checkLoginRoleAt(urlOf(roles.plain), LOGIN_NEEDS.engine))).toContain('does not bypass row-level security');
    const unreachable = new URL(db.url);
    unreachable.port = '1';
    expect(await checkLoginRoleAt(unreachable.toString(), LOGIN_NEEDS.engine)).toBeUndefined();
  });

  it('the background roles refuse a login without BYPASSRLS and need no membership of cpq_tenant', async () => {
    const warnings: string[] = [];
    const logger = { warn: (_details: object, message: string) => void warnings.push(message) };
    for (const [role, needs] of [[roles.plain, LOGIN_NEEDS.relay], [roles.memberOnly, LOGIN_NEEDS.projector], [roles.plain, LOGIN_NEEDS.notifications]] as const) {
      const prisma = createPrismaClient(urlOf(role), { max: 1 });
      try {
        const message = await refusal(requireLoginRole(poolOf(prisma), needs, logger));
        expect(message).toContain(`cannot run the ${needs.processRole} under row-level security`);
        expect(message).toContain(`the ${needs.processRole}'s ${needs.acrossTenants} would see no tenant's rows`);
        expect(message).not.toContain('cpq_tenant');
      } finally {
        await prisma.$disconnect();
      }
    }
    const relay = createPrismaClient(urlOf(roles.bypassOnly), { max: 1 });
    try {
      await requireLoginRole(poolOf(relay), LOGIN_NEEDS.relay, logger);
    } finally {
      await relay.$disconnect();
    }
    expect(warnings).toEqual([]);
  });

  it('the test login (a superuser, like the platform\'s postgres) passes: the engine starts and is ready', async () => {
    const infrastructure = await createInfrastructure(engineConfig(db.url));
    try {
      await infrastructure.checks.postgres();
    } finally {
      await infrastructure.close();
    }
    expect(await checkLoginRoleAt(db.url, LOGIN_NEEDS.engine)).toMatchObject({ superuser: true, bypassesRls: true, mayBecomeTenant: true });
  });
});
