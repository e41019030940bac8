import { randomUUID } from 'node:crypto';
import { expect, type Page } from '@playwright/test';
import { SignJWT } from 'jose';
import { engineUrl, tenant } from './studio-helpers';

/** The cast of the quote stories: a rep and a sales manager of team north, a rep who is also a sales manager, a customer user. */
export const CAST = {
  rita: { roles: ['rep'], team: 'north' },
  sam: { roles: ['sales-manager'], team: 'north' },
  max: { roles: ['rep', 'sales-manager'], team: 'north' },
  ada: { roles: ['admin'] },
  bert: { roles: ['admin'] },
} as const;

/** Signs in with roles, team and account (the engine's claims) through the sign-in page. */
export async function signInAs(page: Page, user: string, roles: readonly string[], options: { team?: string; account?: string } = {}): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('User').fill(user);
  await page.getByLabel('Tenant').fill(tenant());
  for (const role of ['admin', 'rep', 'sales-manager', 'finance', 'ops', 'customer', 'integrator']) {
    await page.getByRole('checkbox', { name: role, exact: true }).setChecked(roles.includes(role));
  }
  await page.getByLabel('Team', { exact: true }).fill(options.team ?? '');
  await page.getByLabel('Account', { exact: true }).fill(options.account ?? '');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('user')).toHaveText(user);
}

export type ApiReply = { status: number; body: Record<string, unknown> & { [key: string]: unknown } };

/** A token of the run's local issuer for a user (what the studio's sign-in signs). */
export async function tokenFor(user: string, roles: readonly string[], claims: { team?: string; account?: string } = {}): Promise<string> {
  return new SignJWT({ tenant: tenant(), roles, ...(claims.team ? { team: claims.team } : {}), ...(claims.account ? { account: claims.account } : {}) })
    .setProtectedHeader({ alg: 'HS256' }).setSubject(user).setIssuer('cpq-local').setAudience('cpq-engine')
    .setIssuedAt().setExpirationTime('10m')
    .sign(new TextEncoder().encode(process.env.E2E_AUTH_SECRET));
}

/** One call to the engine's API as a user (commands with a fresh Idempotency-Key). */
export async function api(user: string, roles: readonly string[], method: 'GET' | 'POST', path: string, body?: unknown, claims: { team?: string; account?: string } = {}): Promise<ApiReply> {
  const headers: Record<string, string> = { authorization: `Bearer ${await tokenFor(user, roles, claims)}` };
  if (method === 'POST') headers['idempotency-key'] = randomUUID();
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${engineUrl()}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as ApiReply['body']) : {} };
}

/**
 * The account a quote names. Where the engine has accounts (another issue's module), it must
 * exist: created here by an admin; where it has none (404), the rep types a free-text id.
 */
export async function ensureAccount(accountId: string, name: string): Promise<boolean> {
  const created = await api('ada', ['admin'], 'POST', '/accounts', { accountId, name, segment: 'enterprise', channel: 'direct', currency: 'EUR' });
  expect([201, 404, 409], JSON.stringify(created.body)).toContain(created.status);
  return created.status !== 404;
}

/**
 * Publishes items as a new release through the engine's API: drafts by one admin, the candidate
 * reviewed by a second (four-eyes), published. What a business admin does in the studio.
 */
export async function publishItems(items: { kind: string; key: string; content: unknown }[]): Promise<number> {
  const author = ['ada', ['admin']] as const;
  const reviewer = ['bert', ['admin']] as const;
  for (const item of items) {
    const existing = await api(...author, 'GET', `/metadata/drafts/${item.kind}/${item.key}`);
    const saved = existing.status === 200
      ? await fetch(`${engineUrl()}/metadata/drafts/${item.kind}/${item.key}/commands/edit`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await tokenFor(...author)}`, 'idempotency-key': randomUUID(), 'content-type': 'application/json', 'if-match': `"${String(existing.body.version)}"` },
        body: JSON.stringify({ content: item.content }),
      }).then((r) => r.status)
      : (await api(...author, 'POST', '/metadata/drafts', item)).status;
    expect(saved, `draft ${item.kind}/${item.key}`).toBeLessThan(300);
  }
  const candidate = await api(...author, 'POST', '/metadata/release-candidates', { title: 'e2e: quote screen change', items: items.map(({ kind, key }) => ({ kind, key })) });
  expect(candidate.body.state, JSON.stringify(candidate.body)).toBe('validated');
  const path = `/metadata/release-candidates/${String(candidate.body.candidateId)}/commands`;
  const ifMatch = async (user: readonly [string, readonly string[]], step: string, body?: unknown) => {
    const current = await api(...user, 'GET', `/metadata/release-candidates/${String(candidate.body.candidateId)}`);
    const response = await fetch(`${engineUrl()}${path}/${step}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await tokenFor(...user)}`, 'idempotency-key': randomUUID(), 'if-match': `"${String(current.body.version)}"`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    expect(response.status, `${step}: ${await response.clone().text()}`).toBeLessThan(300);
    return (await response.json()) as Record<string, unknown>;
  };
  await ifMatch(author, 'request-review');
  await ifMatch(reviewer, 'approve', { reason: 'e2e review' });
  const release = await ifMatch(reviewer, 'publish');
  return Number(release.releaseNumber);
}
