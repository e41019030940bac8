import { randomUUID } from 'node:crypto';
import type { MetadataItem } from '@cpq/metadata';
import { sampleCatalog } from '@cpq/metadata/samples';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { issueToken, type Principal } from '../src/http/auth';
import type { EngineConfig } from '../src/config';

/** The sample catalog with the platform's real default quote-approval process (bpmn/). */
export function sampleCatalogWithDefaultModels(): MetadataItem[] {
  const xml = readFileSync(new URL('../../bpmn/quote-approval.bpmn', import.meta.url), 'utf8');
  return sampleCatalog().map((item) =>
    item.kind === 'bpmn-model' && item.key === 'quote-approval' ? { ...item, content: { ...(item.content as object), xml } } : item);
}

/** Publishes a release for a tenant through the admin API (two admins: four-eyes). */
export async function publishRelease(app: FastifyInstance, config: EngineConfig, tenantId: string, items: MetadataItem[] = sampleCatalogWithDefaultModels()) {
  const author = await issueToken(config.auth, { userId: 'fixture-author', tenantId, roles: ['admin'] });
  const reviewer = await issueToken(config.auth, { userId: 'fixture-reviewer', tenantId, roles: ['admin'] });
  const post = async (token: string, url: string, payload?: object) => {
    const res = await app.inject({ method: 'POST', url, payload, headers: { authorization: `Bearer ${token}`, 'idempotency-key': `fixture-${randomUUID()}` } });
    if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  for (const item of items) await post(author, '/metadata/drafts', item);
  const candidate = await post(author, '/metadata/release-candidates', { title: 'fixture' });
  if (candidate.state !== 'validated') throw new Error(`fixture release invalid: ${JSON.stringify(candidate.issues)}`);
  await post(author, `/metadata/release-candidates/${candidate.candidateId}/commands/request-review`);
  await post(reviewer, `/metadata/release-candidates/${candidate.candidateId}/commands/approve`);
  return post(reviewer, `/metadata/release-candidates/${candidate.candidateId}/commands/publish`);
}

/** Tokens for a cast of people of one tenant. */
export async function tokensFor(config: EngineConfig, people: Record<string, Omit<Principal, 'userId'>>) {
  const tokens: Record<string, string> = {};
  for (const [userId, principal] of Object.entries(people)) tokens[userId] = await issueToken(config.auth, { userId, ...principal });
  return tokens;
}

/** Removes the Camunda deployments (and their instances) of the given tenants. */
export async function cleanCamunda(camundaUrl: string, tenants: string[]) {
  const deployments = await fetch(`${camundaUrl}/deployment?tenantIdIn=${tenants.join(',')}`).then((r) => r.json() as Promise<{ id: string }[]>);
  for (const d of deployments) await fetch(`${camundaUrl}/deployment/${d.id}?cascade=true`, { method: 'DELETE' }).catch(() => {});
}
