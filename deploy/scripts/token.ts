// `npm run token -- --user alice --tenant acme --roles admin[,rep] [--team t] [--account a] [--ttl 3600]`
// prints a bearer token from the local issuer (development and tests only), signed with
// AUTH_JWT_SECRET as the engine reads it (engine/src/config.ts).
import { parseArgs } from 'node:util';
import { loadConfig } from '@cpq/engine/config';
import { issueToken, ROLES, type Role } from '@cpq/engine/http/auth';

const { values } = parseArgs({
  options: { user: { type: 'string' }, tenant: { type: 'string' }, roles: { type: 'string' }, team: { type: 'string' }, account: { type: 'string' }, ttl: { type: 'string' } },
});
const roles = (values.roles ?? '').split(',').filter(Boolean);
const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
if (!values.user || !values.tenant || roles.length === 0 || unknown.length > 0) {
  console.error(`usage: npm run token -- --user <id> --tenant <id> --roles <${ROLES.join('|')}>[,...]${unknown.length ? `\nunknown roles: ${unknown.join(', ')}` : ''}`);
  process.exit(2);
}
const config = loadConfig();
const token = await issueToken(config.auth, {
  userId: values.user, tenantId: values.tenant, roles: roles as Role[],
  ...(values.team ? { team: values.team } : {}), ...(values.account ? { accountId: values.account } : {}),
}, Number(values.ttl ?? 8 * 3600));
console.log(token);
