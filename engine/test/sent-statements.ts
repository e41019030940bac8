import { currentTenantScope } from '@cpq/prisma';
import pg from 'pg';

/**
 * Records every message the engine sends to PostgreSQL for one tenant (one per `client.query`: a
 * multi-statement text is one round trip), for tests that count statements or plan them: not the
 * work of background loops (across tenants), nor a pooled connection's switch into the tenant's
 * scope (prisma/src/tenant-scope.ts). `texts` and `statements` (with their values) are live arrays;
 * `viaPrisma` holds the texts Prisma's client sent (its driver adapter asks for rows as arrays).
 */
export function sentStatements(tenant: () => string | undefined) {
  const texts: string[] = [];
  // `named`: a prepared statement of the connection (PostgreSQL plans it generically after five runs); unnamed ones are planned each time.
  const statements: { text: string; values: unknown[]; named: boolean }[] = [];
  const viaPrisma = new Set<string>();
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  return {
    texts, statements, viaPrisma,
    clear() {
      texts.length = 0;
      statements.length = 0;
    },
    install() {
      proto.query = function recorded(this: unknown, ...args: unknown[]) {
        const first = args[0] as string | { text: string; values?: unknown[]; rowMode?: string; name?: string };
        const text = typeof first === 'string' ? first : first.text;
        const scope = tenant();
        if (scope !== undefined && currentTenantScope() === scope && !text.startsWith('SELECT set_config(\'role\'')) {
          texts.push(text);
          statements.push({
            text, values: typeof first === 'string' ? (Array.isArray(args[1]) ? args[1] as unknown[] : []) : (first.values ?? []),
            named: typeof first !== 'string' && Boolean(first.name),
          });
          if (typeof first !== 'string' && first.rowMode === 'array') viaPrisma.add(text);
        }
        return original.apply(this, args);
      };
    },
    restore() {
      proto.query = original;
    },
  };
}
