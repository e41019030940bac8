import { createRequire } from 'node:module';
import { expect, type Browser, type Page, type TestInfo } from '@playwright/test';
import { SignJWT } from 'jose';

export const tenant = () => process.env.E2E_TENANT as string;
export const engineUrl = () => `http://127.0.0.1:${process.env.E2E_ENGINE_PORT}`;

/** A browser page of its own (cookies included) whose console errors and page errors are kept: any one fails the test. */
export async function watchedPage(browser: Browser): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()} (${page.url()})`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message} (${page.url()})`));
  return { page, errors };
}

export async function signIn(page: Page, user: string, roles: string[] = ['admin']): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('User').fill(user);
  await page.getByLabel('Tenant').fill(tenant());
  for (const role of ['admin', 'rep', 'sales-manager', 'finance', 'ops', 'customer', 'integrator']) {
    await page.getByRole('checkbox', { name: role, exact: true }).setChecked(roles.includes(role));
  }
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('user')).toHaveText(user);
  await expect(page.getByTestId('tenant')).toHaveText(tenant());
}

export async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

/** A bearer token of the engine's local issuer, signed with the run's key: the API as a test client sees it. */
async function apiToken(user: string, roles: string[]): Promise<string> {
  return new SignJWT({ tenant: tenant(), roles })
    .setProtectedHeader({ alg: 'HS256' }).setSubject(user).setIssuer('cpq-local').setAudience('cpq-engine')
    .setIssuedAt().setExpirationTime('10m')
    .sign(new TextEncoder().encode(process.env.E2E_AUTH_SECRET));
}

export type ApiOptions = { body?: unknown; user?: string; roles?: string[]; ifMatch?: number };

/** A call to the engine as a test client; commands get a fresh Idempotency-Key. Any status is returned. */
export async function api<T>(method: 'GET' | 'POST', path: string, options: ApiOptions = {}): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { authorization: `Bearer ${await apiToken(options.user ?? 'checker', options.roles ?? ['rep'])}` };
  if (method === 'POST') headers['idempotency-key'] = `e2e-${crypto.randomUUID()}`;
  if (options.body !== undefined || method === 'POST') headers['content-type'] = 'application/json';
  if (options.ifMatch !== undefined) headers['if-match'] = `"${options.ifMatch}"`;
  const response = await fetch(`${engineUrl()}${path}`, { method, headers, body: method === 'POST' ? JSON.stringify(options.body ?? {}) : undefined });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** A read that must succeed. */
export async function apiGet<T>(path: string, user = 'checker', roles = ['rep']): Promise<T> {
  const reply = await api<T>('GET', path, { user, roles });
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body;
}

/** A command that must succeed. */
export async function apiPost<T>(path: string, body: unknown = {}, user = 'checker', roles = ['rep']): Promise<T> {
  const reply = await api<T>('POST', path, { body, user, roles });
  expect(reply.status, JSON.stringify(reply.body)).toBeLessThan(300);
  return reply.body;
}

type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };

/**
 * axe-core (injected from node_modules, no network) on the page as it is: no serious or critical
 * WCAG 2 A/AA violation may remain. The message names each rule and the first elements at fault.
 */
export async function expectAccessible(page: Page): Promise<void> {
  await page.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target })) }));
  });
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), `axe on ${page.url()}`).toEqual([]);
}
