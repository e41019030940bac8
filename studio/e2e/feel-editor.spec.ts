import { randomUUID } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { SignJWT } from 'jose';
import { apiGet, engineUrl, expectAccessible, shot, signIn, tenant, watchedPage } from './studio-helpers';

type PricingRules = { rules: { id: string; condition: string }[] };

const BAD = 'charge = "installation" and and termMonths >= 24';
const FIXED = 'charge = "installation" and termMonths >= 36';

/**
 * Deletes a draft through the engine's API if it is still there: a run that stopped half-way
 * must not leave an invalid draft in the candidates the next specs make of every draft.
 */
async function deleteDraftIfAny(kind: string, key: string): Promise<void> {
  const token = await new SignJWT({ tenant: tenant(), roles: ['admin'] })
    .setProtectedHeader({ alg: 'HS256' }).setSubject('feel-cleanup').setIssuer('cpq-local').setAudience('cpq-engine')
    .setIssuedAt().setExpirationTime('10m')
    .sign(new TextEncoder().encode(process.env.E2E_AUTH_SECRET));
  const url = `${engineUrl()}/metadata/drafts/${kind}/${key}`;
  const draft = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (draft.status === 404) return;
  const { version } = (await draft.json()) as { version: number };
  const deleted = await fetch(`${url}/commands/delete`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'idempotency-key': randomUUID(), 'if-match': `"${version}"` },
  });
  expect(deleted.status, await deleted.text()).toBe(204);
}

/** Makes a candidate of the chosen drafts only (other specs' drafts stay out of it). */
async function makeCandidate(page: Page, title: string, draft: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Release candidates' }).click();
  await page.getByLabel('Title').fill(title);
  await page.getByText(/^Drafts to include/).click();
  await page.getByRole('checkbox', { name: draft }).check();
  await page.getByRole('button', { name: 'Make candidate and validate' }).click();
}

// Items (a) and (d) of the story, for FEEL: the admin edits a pricing rule's condition in the FEEL
// editor, the engine's compiler marks a bad expression at its position as it is typed, the bad
// expression blocks the candidate with an issue that leads back to the field, and the fixed one
// makes a valid candidate. The draft is deleted at the end, so the other specs' candidates (made
// of every draft) do not carry it.
test.describe.serial('FEEL in the studio: the engine compiles and evaluates as the admin types, and a bad expression blocks the candidate', () => {
  const errors: string[][] = [];
  const opened: Page[] = [];
  let draftKey = '';
  test.afterAll(async () => {
    if (draftKey) await deleteDraftIfAny('pricing-rule-set', draftKey);
  });
  test.afterEach(async () => {
    for (const list of errors) expect(list).toEqual([]);
    for (const page of opened.splice(0)) await page.context().close();
    errors.splice(0);
  });
  const open = async (browser: Parameters<typeof watchedPage>[0]) => {
    const watched = await watchedPage(browser);
    opened.push(watched.page);
    errors.push(watched.errors);
    return watched.page;
  };

  test('a pricing rule\'s condition: highlighted, evaluated on sample values, its syntax error shown at the position, blocking the candidate until fixed', async ({ browser }, testInfo) => {
    const page = await open(browser);
    await signIn(page, 'ada');
    await page.goto('/workspace?kind=pricing-rule-set');
    const link = page.getByRole('table', { name: 'Items' }).getByRole('link').first();
    const itemPath = (await link.getAttribute('href')) ?? '';
    const key = itemPath.split('/').pop() ?? '';
    draftKey = key;
    await link.click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Pricing rule set');

    // The first rule's condition in the FEEL editor, checked by the engine on opening.
    const published = await apiGet<{ items: { kind: string; key: string; content: PricingRules }[] }>('/metadata/releases/current');
    const original = published.items.find((i) => i.kind === 'pricing-rule-set' && i.key === key)!.content.rules[0]!.condition;
    const editor = page.locator('.feel-editor').first();
    const condition = editor.getByRole('textbox', { name: 'condition' });
    const status = page.locator('#root_rules_0_condition__feel-status');
    await expect(condition).toHaveText(original);
    await expect(status).toContainText('Compiles; reads');
    await expect(editor.locator('.cm-content span').first()).toBeVisible();

    // Live evaluation against sample values, by the engine.
    await condition.fill(FIXED);
    await expect(status).toHaveText('Compiles; reads charge, termMonths.');
    await editor.getByLabel('charge').fill('installation');
    await editor.getByLabel('termMonths').fill('36');
    await expect(editor.getByTestId('feel-result')).toContainText('Gives true (boolean)');
    await editor.getByLabel('termMonths').fill('24');
    await expect(editor.getByTestId('feel-result')).toContainText('Gives false (boolean)');
    await shot(page, testInfo, 'feel-01-live-evaluation');
    await expectAccessible(page);

    // A syntax error, at the engine's position (from..to = 28..31: the second "and").
    await condition.fill(BAD);
    await expect(status).toHaveText('Does not compile at characters 29–31: Unrecognized token <and> in <Conjunction>');
    await expect(condition).toHaveAttribute('aria-invalid', 'true');
    await expect(editor.locator('.cm-lintRange-error')).toHaveText('and');
    await shot(page, testInfo, 'feel-02-syntax-error-at-position');
    await expectAccessible(page);

    // The draft saves (drafts are checked for shape), but the candidate is invalid.
    await page.getByRole('button', { name: 'Save draft' }).click();
    await expect(page.getByRole('status').filter({ hasText: /Saved version \d+/ })).toBeVisible();
    await makeCandidate(page, 'FEEL with a syntax error', `pricing-rule-set / ${key}`);
    await expect(page.getByTestId('candidate-state')).toHaveText('invalid');
    const issue = page.getByRole('table', { name: 'Validation issues' }).getByRole('row').filter({ hasText: 'feel.syntax' });
    await expect(issue).toContainText('/rules/0/condition');
    await expect(issue).toContainText('FEEL does not parse at offset 28-31');
    await shot(page, testInfo, 'feel-03-candidate-blocked');
    await expectAccessible(page);

    // The issue leads back to the field: the engine's message under it, the position marked.
    await issue.getByRole('link').click();
    await expect(condition).toHaveText(BAD);
    // The editor asks the engine once it is on screen, as the admin scrolls to it.
    await condition.scrollIntoViewIfNeeded();
    await expect(editor.locator('xpath=ancestor::div[contains(@class, "form-group")][1]').locator('.error-detail')).toContainText('FEEL does not parse at offset 28-31');
    await expect(status).toHaveText('Does not compile at characters 29–31: Unrecognized token <and> in <Conjunction>');
    await shot(page, testInfo, 'feel-04-issue-at-field');

    // Fixed, saved: the candidate is valid.
    await condition.fill(FIXED);
    await expect(status).toHaveText('Compiles; reads charge, termMonths.');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await expect(page.getByRole('status').filter({ hasText: /Saved version \d+/ })).toBeVisible();
    const draft = await apiGet<{ content: PricingRules }>(`/metadata/drafts/pricing-rule-set/${key}`, 'checker', ['admin']);
    expect(draft.content.rules[0]!.condition).toBe(FIXED);
    await makeCandidate(page, 'FEEL fixed', `pricing-rule-set / ${key}`);
    await expect(page.getByTestId('candidate-state')).toHaveText('validated');
    await expect(page.getByText('No issues: every item is valid')).toBeVisible();
    await shot(page, testInfo, 'feel-05-candidate-valid');

    // Leave no draft behind for the other specs.
    await page.goto(itemPath);
    await page.getByRole('button', { name: 'Delete draft' }).click();
    await page.getByRole('button', { name: 'Confirm delete' }).click();
    await expect(page).toHaveURL(/\/workspace$/);
  });

  test('the custom editors of the other kinds open on the published samples and pass axe', async ({ browser }, testInfo) => {
    const page = await open(browser);
    await signIn(page, 'ada');
    const openFirst = async (kind: string) => {
      await page.goto(`/workspace?kind=${kind}`);
      await page.getByRole('table', { name: 'Items' }).getByRole('link').first().click();
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    };
    await openFirst('product-specification');
    await expect(page.getByRole('group', { name: 'Characteristics' })).toBeVisible();
    await expect(page.getByTestId('range-preview').first()).toContainText('Allowed:');
    await shot(page, testInfo, 'widgets-01-characteristics');
    await expectAccessible(page);

    await openFirst('bundle');
    await expect(page.getByRole('list', { name: 'Bundle tree' })).toBeVisible();
    await shot(page, testInfo, 'widgets-02-bundle-tree');
    await expectAccessible(page);

    await openFirst('approval-policy');
    await expect(page.getByRole('table', { name: 'Approval levels' })).toBeVisible();
    await shot(page, testInfo, 'widgets-03-approval-matrix');
    await expectAccessible(page);

    await openFirst('quote-screen-layout');
    const preview = page.getByRole('region', { name: 'Preview of the rep\'s form' });
    await expect(page.getByTestId('layout-source')).toContainText('Characteristics of specification');
    await expect(preview.getByRole('combobox').first()).toBeVisible();
    await shot(page, testInfo, 'widgets-04-screen-layout');
    await expectAccessible(page);

    await openFirst('configuration-rule-set');
    await page.locator('.feel-editor').first().scrollIntoViewIfNeeded();
    await expect(page.locator('.feel-editor').first().locator('.feel-status')).toContainText('Compiles');
    await shot(page, testInfo, 'widgets-05-configuration-rules');
    await expectAccessible(page);
  });
});
