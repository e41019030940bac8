// Prints a bearer token, two ways:
//
// `npm run token -- --user alice --tenant acme --roles admin[,rep] [--team t] [--account a] [--ttl 3600]`
//   a user token from the local issuer (development and tests only; there is no user login
//   yet), signed with AUTH_JWT_SECRET as the engine reads it (engine/src/config.ts).
//
// `npm run token -- --client workers --tenant acme`
//   a service token, asked of the running engine like any service principal does
//   (POST /auth/token, client credentials; ADR 0011), with the client's secret from
//   WORKER_CLIENT_SECRET (`npm run token` reads .run/secrets) or CLIENT_SECRET.
import { parseArgs } from 'node:util';
import { loadConfig } from '@cpq/engine/config';
import { issueToken, ROLES, type Role } from '@cpq/engine/http/auth';

const { values } = parseArgs({
  options: {
    user: { type: 'string' }, client: { type: 'string' }, tenant: { type: 'string' }, roles: { type: 'string' },
    team: { type: 'string' }, account: { type: 'string' }, ttl: { type: 'string' },
  },
});

if (values.client) {
  const secret = process.env.CLIENT_SECRET ?? (values.client === (process.env.WORKER_CLIENT_ID ?? 'workers') ? process.env.WORKER_CLIENT_SECRET : undefined);
  if (!values.tenant || !secret) {
    console.error('usage: CLIENT_SECRET=<secret> npm run token -- --client <id> --tenant <id>  (the workers\' secret is read from WORKER_CLIENT_SECRET)');
    process.exit(2);
  }
  const engineUrl = process.env.ENGINE_URL ?? `http://127.0.0.1:${process.env.ENGINE_PORT ?? '4000'}`;
  const response = await fetch(`${engineUrl}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: values.client, client_secret: secret, tenant: values.tenant }),
  });
  const body = (await response.json()) as { access_token?: string; detail?: string };
  if (!response.ok || !body.access_token) {
    console.error(`the engine refused: ${response.status} ${body.detail ?? JSON.stringify(body)}`);
    process.exit(1);
  }
  console.log(body.access_token);
  process.exit(0);
}

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
