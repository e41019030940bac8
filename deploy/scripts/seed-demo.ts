export {};
// Demo data, loaded through the engine's API like any client would (so every row has its
// audit trail and events). Idempotent: an existing tenant is left as it is.
// A placeholder until the metadata issue brings the demo release.
const base = `http://${process.env.ENGINE_HOST ?? '127.0.0.1'}:${process.env.ENGINE_PORT ?? '4000'}`;
const token = process.env.PLATFORM_ADMIN_TOKEN ?? 'dev-platform-admin-token';

const res = await fetch(`${base}/admin/tenants`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-correlation-id': 'demo-seed' },
  body: JSON.stringify({ tenantId: 'demo', name: 'Demo Telco' }),
});
if (res.status === 201) console.log('registered tenant demo');
else if (res.status === 409) console.log('tenant demo already present');
else {
  console.error(`seeding failed: ${res.status} ${await res.text()}`);
  process.exit(1);
}
