import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';

/**
 * Row-level security's switch for everything that runs on our pool (ADR 0023 and its addendum).
 *
 * Code that acts for one tenant runs inside `runInTenantScope(tenantId, ...)`; every connection
 * it takes from the pool (Prisma's queries and transactions, the raw-SQL hot paths, plain
 * `pool.query`) is switched, before it is handed over, to the role `cpq_tenant` with
 * `app.tenant_id` set, so the tenant tables' policy shows it that tenant's rows only, whatever
 * its WHERE clause says. `runInTenantScope(NO_TENANT, ...)` is the same role with no tenant:
 * no tenant row at all (what an HTTP request gets before or without a principal).
 *
 * Outside any scope, or inside `runAcrossTenants(...)`, a connection is the login role, which
 * bypasses row-level security (superuser, or BYPASSRLS in production): the relay, the projector,
 * the reconcilers and sweeps work across tenants that way, and say so by never entering a scope.
 *
 * The switch is made per connection at checkout, and only when the connection's current scope
 * differs from the one wanted (one round trip then; none when a pooled connection already served
 * the same tenant). It is session-level on purpose: the connection keeps it until its next
 * checkout re-checks it, and no statement of a scope runs before its switch completed.
 */
export const TENANT_ROLE = 'cpq_tenant';
/** The scope of a request without a tenant: the tenant role, seeing no tenant's rows. */
export const NO_TENANT = '';

type Scope = { tenantId: string | undefined };

// One store per process even if this module is loaded twice (bundles, test runners).
const STORE_KEY = Symbol.for('cpq.tenant-scope');
const store: AsyncLocalStorage<Scope> = ((globalThis as Record<symbol, unknown>)[STORE_KEY] ??= new AsyncLocalStorage<Scope>()) as AsyncLocalStorage<Scope>;

/** Runs `work` (and everything it starts) for one tenant: the pool's connections see its rows only. */
export function runInTenantScope<T>(tenantId: string, work: () => T): T {
  return store.run({ tenantId }, work);
}

/** Runs `work` as the login role, across tenants: the explicit bypass for platform work started inside a scope. */
export function runAcrossTenants<T>(work: () => T): T {
  return store.run({ tenantId: undefined }, work);
}

/** The tenant the current code acts for: a tenant id, NO_TENANT, or undefined (across tenants). */
export function currentTenantScope(): string | undefined {
  return store.getStore()?.tenantId;
}

const SCOPE = Symbol('cpq.connection-scope');
type ScopedClient = pg.PoolClient & { [SCOPE]?: string };

/** The statement that puts a session in a scope (tenant id, NO_TENANT) or back to the login role (undefined). */
function switchStatement(tenantId: string | undefined): pg.QueryConfig {
  return tenantId === undefined
    ? { text: `SELECT set_config('role', 'none', false), set_config('app.tenant_id', '', false)` }
    : { text: `SELECT set_config('role', '${TENANT_ROLE}', false), set_config('app.tenant_id', $1, false)`, values: [tenantId] };
}

type ConnectCallback = (error: Error | undefined, client: pg.PoolClient | undefined, release: (error?: Error | boolean) => void) => void;

/**
 * A pg.Pool whose checkout puts the connection in the caller's tenant scope. `pool.query`,
 * Prisma's adapter and our transaction runners all take connections through `connect`, so there is
 * no path to a tenant table that skips it.
 */
export class TenantScopedPool extends pg.Pool {
  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | void {
    // Read now, in the caller's context: the pool may hand the connection over from another one.
    const wanted = currentTenantScope();
    const scoped = super.connect().then(async (client: ScopedClient) => {
      guardWhileCheckedOut(client);
      if (client[SCOPE] === wanted) return client;
      try {
        await client.query(switchStatement(wanted));
      } catch (error) {
        // A connection whose scope is unknown is never reused.
        client.release(error as Error);
        throw error;
      }
      if (wanted === undefined) delete client[SCOPE];
      else client[SCOPE] = wanted;
      return client;
    });
    if (!callback) return scoped;
    scoped.then((client) => callback(undefined, client, (error) => client.release(error)), (error: Error) => callback(error, undefined, () => {}));
  }
}

/**
 * pg-pool takes its error listener off a connection it hands out, so a connection that dies while
 * checked out (a backend terminated by a failover or restart: 57P01) emits an 'error' nobody
 * hears, which ends the process. Found by the failover drill (engine/src/drills/
 * postgres-failover-drill.int.test.ts) on the raw-SQL transactions. The statement in flight
 * rejects with the error anyway, and its holder releases the connection with it (not reused), so
 * the event itself needs no action: it is heard until the release.
 */
function guardWhileCheckedOut(client: pg.PoolClient): void {
  const ignore = () => {};
  client.on('error', ignore);
  const release = client.release.bind(client);
  client.release = (error?: Error | boolean) => {
    client.removeListener('error', ignore);
    return release(error);
  };
}

