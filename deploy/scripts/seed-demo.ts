// Demo data, loaded through the engine's API like any client would (so every row has its
// audit trail and events). Idempotent: an existing tenant is left as it is, and a tenant whose
// current release holds this checkout's demo catalog gets nothing new.
//
// 1. registers tenant `demo` (platform admin token);
// 2. if `demo` has no release yet (GET /metadata/releases/current -> 404 release-not-found), or
//    its current release's items differ from deploy/demo/demo-release.ts (an update pulled since):
//    admin `ada` creates or edits every item as a draft, gathers them in a release candidate and
//    requests review; admin `ben` (who authored nothing: four-eyes) approves; `ada` publishes the
//    release (1, or the next), whose BPMN/DMN the engine deploys to Camunda.
// 3. the demo accounts (deploy/demo/demo-accounts.ts), created by `ada`; existing ones are kept.
//
// Drafts left by an interrupted run are reused (and brought back to the demo content).
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { loadConfig } from '@cpq/engine/config';
import { issueToken, type Principal } from '@cpq/engine/http/auth';
import { demoAccounts } from '../demo/demo-accounts';
import { demoCatalog } from '../demo/demo-release';

const TENANT = 'demo';
const AUTHOR: Principal = { userId: 'ada', tenantId: TENANT, roles: ['admin'] };
const REVIEWER: Principal = { userId: 'ben', tenantId: TENANT, roles: ['admin'] };

const base = `http://${process.env.ENGINE_HOST ?? '127.0.0.1'}:${process.env.ENGINE_PORT ?? '4000'}`;
const platformToken = process.env.PLATFORM_ADMIN_TOKEN ?? 'dev-platform-admin-token';

type Problem = { code?: string; detail?: string; errors?: unknown };
type Answer<T> = { status: number; body: T & Problem; etag: string | null };

async function call<T = Record<string, unknown>>(token: string, method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`, 'x-correlation-id': `demo-seed-${Date.now()}`,
      ...(method === 'POST' ? { 'idempotency-key': `demo-seed-${randomUUID()}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T & Problem, etag: res.headers.get('etag') };
}

function fail(step: string, answer: Answer<unknown>): never {
  console.error(`seeding failed at ${step}: ${answer.status} ${JSON.stringify(answer.body, null, 2)}`);
  process.exit(1);
}

// 1. The tenant.
const registered = await call(platformToken, 'POST', '/admin/tenants', { tenantId: TENANT, name: 'Demo Telco' });
if (registered.status === 201) console.log(`registered tenant ${TENANT}`);
else if (registered.status === 409) console.log(`tenant ${TENANT} already present`);
else fail('registering the tenant', registered);

const config = loadConfig();
const ada = await issueToken(config.auth, AUTHOR, 3600);
const ben = await issueToken(config.auth, REVIEWER, 3600);

// 2. The demo release: published when the tenant has none, and published again (a new release
// through the same governed flow) when the demo catalog in this checkout differs from the current
// release's items, so that `npm run platform` after an update runs what the checkout describes.
// Quotes keep the release they were made on (their pin); new quotes get the new one.
type ReleaseHeader = { releaseId: string; releaseNumber: number; contentHash: string; itemCount: number; camundaDeploymentId: string | null };
type ReleaseItem = { kind: string; key: string; content: unknown };
const current = await call<ReleaseHeader>(ada, 'GET', '/metadata/releases/current');
const items = demoCatalog();
if (current.status === 200) {
  const release = await call<{ items: ReleaseItem[] }>(ada, 'GET', `/metadata/releases/${current.body.releaseId}`);
  if (release.status !== 200) fail('reading the current release', release);
  const published = new Map(release.body.items.map((i) => [`${i.kind}/${i.key}`, i.content]));
  const changed = items.filter((i) => !isDeepStrictEqual(published.get(`${i.kind}/${i.key}`), i.content)).map((i) => `${i.kind}/${i.key}`);
  const dropped = [...published.keys()].filter((k) => !items.some((i) => `${i.kind}/${i.key}` === k));
  if (changed.length === 0 && dropped.length === 0) {
    console.log(`tenant ${TENANT} has release ${current.body.releaseNumber} (sha256 ${current.body.contentHash}) with the demo catalog of this checkout: nothing to publish`);
  } else {
    console.log(`release ${current.body.releaseNumber} differs from this checkout's demo catalog (${[...changed, ...dropped.map((k) => `${k} (removed)`)].join(', ')}): publishing an update`);
    await publishDemo(`Demo catalog update (${changed.length + dropped.length} items)`);
  }
} else if (current.status === 404 && current.body.code === 'release-not-found') {
  await publishDemo('Demo catalog');
} else {
  fail('reading the current release', current);
}

async function publishDemo(title: string): Promise<void> {
  let created = 0;
  let reused = 0;
  for (const item of items) {
    const draft = await call(ada, 'POST', '/metadata/drafts', item);
    if (draft.status === 201) {
      created += 1;
      continue;
    }
    if (draft.status !== 409) fail(`creating draft ${item.kind}/${item.key}`, draft);
    const existing = await call<{ content: unknown }>(ada, 'GET', `/metadata/drafts/${item.kind}/${item.key}`);
    if (existing.status !== 200 || !existing.etag) fail(`reading draft ${item.kind}/${item.key}`, existing);
    if (!isDeepStrictEqual(existing.body.content, item.content)) {
      const edited = await call(ada, 'POST', `/metadata/drafts/${item.kind}/${item.key}/commands/edit`, { content: item.content }, { 'if-match': existing.etag });
      if (edited.status !== 200) fail(`editing draft ${item.kind}/${item.key}`, edited);
    }
    reused += 1;
  }
  console.log(`drafts: ${created} created, ${reused} reused from an earlier run (by ada)`);

  type Candidate = { candidateId: string; state: string; issues: unknown[] };
  const candidate = await call<Candidate>(ada, 'POST', '/metadata/release-candidates', {
    title,
    items: items.map(({ kind, key }) => ({ kind, key })),
  });
  if (candidate.status !== 201) fail('creating the release candidate', candidate);
  if (candidate.body.state !== 'validated') fail(`validating the candidate (${candidate.body.state})`, candidate);
  const id = candidate.body.candidateId;
  console.log(`candidate ${id}: validated, ${items.length} items`);

  const review = await call(ada, 'POST', `/metadata/release-candidates/${id}/commands/request-review`);
  if (review.status !== 200) fail('requesting review', review);
  const approval = await call(ben, 'POST', `/metadata/release-candidates/${id}/commands/approve`, { reason: 'Demo catalog reviewed (four-eyes: ben authored none of it)' });
  if (approval.status !== 200) fail('approving as ben', approval);
  const published = await call<ReleaseHeader>(ada, 'POST', `/metadata/release-candidates/${id}/commands/publish`);
  if (published.status !== 201) fail('publishing', published);
  const release = published.body;
  console.log(`published release ${release.releaseNumber} of tenant ${TENANT}: ${release.itemCount} items, sha256 ${release.contentHash}, Camunda deployment ${release.camundaDeploymentId}`);
}

// 3. The accounts quotes are made for.
let accountsCreated = 0;
for (const account of demoAccounts()) {
  const answer = await call(ada, 'POST', '/accounts', account);
  if (answer.status === 201) accountsCreated += 1;
  else if (answer.status !== 409) fail(`creating account ${account.accountId}`, answer);
}
console.log(`accounts: ${accountsCreated} created, ${demoAccounts().length - accountsCreated} already present (${demoAccounts().map((a) => `${a.accountId} ${a.segment}/${a.channel}`).join(', ')})`);

console.log(`demo admins: ada (authors) and ben (reviews). Tokens:
  npm run token -- --user ada --tenant ${TENANT} --roles admin
  npm run token -- --user ben --tenant ${TENANT} --roles admin`);
