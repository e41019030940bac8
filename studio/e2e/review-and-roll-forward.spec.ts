import { expect, test, type Browser, type Page } from '@playwright/test';
import { api as callApi, apiGet, expectAccessible, shot, signIn, watchedPage, type ApiOptions } from './studio-helpers';

// The reviewer's side of the governed publish, against the real engine: a changed price side by
// side (forms and the field in words), its impact on a priced quote as a table and a chart, the
// audit of the edit and of the release, and a roll forward to release 1's content published
// through the same review. (Runs after the other suites; release numbers are read, never assumed.)

type Item = { kind: string; key: string; content: Record<string, unknown>; contentHash: string };
type Release = { releaseId: string; releaseNumber: number; contentHash: string; items: Item[] };
type Entry = { type: string; offering: string; charge: string; price?: string };
type Impact = { quotes: { quoteId: string; delta: string | null; currency: string }[] };

const NEW_INSTALLATION = '88.80';
/** The review story's rep. */
const api = <T>(method: 'GET' | 'POST', path: string, options: ApiOptions = {}) => callApi<T>(method, path, { user: 'rhea', ...options });

test.describe.serial('reviewing a candidate, its impact, the audit and a roll forward (real engine, PostgreSQL, Camunda)', () => {
  const pageErrors: string[][] = [];
  const opened: Page[] = [];
  let quoteId = '';
  let bookKey = '';
  let installationBefore = '';
  let candidateUrl = '';
  let releaseNumber = 0;

  test.afterEach(async () => {
    // No page may log a console error or throw.
    for (const errors of pageErrors) expect(errors).toEqual([]);
    for (const page of opened.splice(0)) await page.context().close();
    pageErrors.splice(0);
  });
  const open = async (browser: Browser) => {
    const { page, errors } = await watchedPage(browser);
    opened.push(page);
    pageErrors.push(errors);
    return page;
  };

  test('given a priced quote and a draft with a new installation price, the candidate shows the price side by side and its impact on the quote in a table and a chart', async ({ browser }, testInfo) => {
    // A rep prices a Business Internet quote against the current release (the impact replays it);
    // 12 months: the sample's free-installation promotion starts at 24.
    const account = await api('POST', '/accounts', { body: { accountId: 'acct-review', name: 'Review GmbH', segment: 'enterprise', channel: 'direct', currency: 'EUR' }, user: 'ada', roles: ['admin'] });
    expect([201, 409], JSON.stringify(account.body)).toContain(account.status);
    const quote = await api<{ quoteId: string }>('POST', '/quotes', { body: { accountId: 'acct-review', customerName: 'Review GmbH', currency: 'EUR', termMonths: 12 } });
    expect(quote.status, JSON.stringify(quote.body)).toBe(201);
    quoteId = quote.body.quoteId;
    const line = await api('POST', `/quotes/${quoteId}/lines`, { body: { offering: 'business-internet', quantity: 1, selections: { access: 'fiber', bandwidth: 500, slaTier: 'standard' } } });
    expect(line.status, JSON.stringify(line.body)).toBe(201);
    expect((await api('POST', `/quotes/${quoteId}/commands/price`)).status).toBe(200);

    // Admin A drafts the price book with a new installation price (the editor itself is another suite's story).
    const current = await apiGet<Release>('/metadata/releases/current');
    const book = current.items.find((i) => i.kind === 'price-book')!;
    bookKey = book.key;
    const installation = (content: Record<string, unknown>) => (content.entries as Entry[]).find((e) => e.type === 'flat' && e.offering === 'business-internet' && e.charge === 'installation')!;
    installationBefore = installation(book.content).price!;
    const draft = await api<{ version: number; content: Record<string, unknown> }>('GET', `/metadata/drafts/price-book/${bookKey}`, { user: 'ada', roles: ['admin'] });
    // From the release's content, not a draft another story left behind (it may name items since deleted).
    const content = structuredClone(book.content);
    installation(content).price = NEW_INSTALLATION;
    const saved = draft.status === 200
      ? await api('POST', `/metadata/drafts/price-book/${bookKey}/commands/edit`, { body: { content }, user: 'ada', roles: ['admin'], ifMatch: draft.body.version })
      : await api('POST', '/metadata/drafts', { body: { kind: 'price-book', key: bookKey, content }, user: 'ada', roles: ['admin'] });
    expect(saved.status, JSON.stringify(saved.body)).toBeLessThan(300);

    const page = await open(browser);
    await signIn(page, 'ada');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Release candidates' }).click();
    await page.getByLabel('Title').fill('Installation price for review');
    await page.getByText(/^Drafts to include/).click();
    await page.getByRole('checkbox', { name: `price-book / ${bookKey}` }).check();
    await page.getByRole('button', { name: 'Make candidate and validate' }).click();
    await expect(page.getByTestId('candidate-state')).toHaveText('validated');
    candidateUrl = new URL(page.url()).pathname;

    // The side-by-side diff: the field in words with its readable name, both forms with the field marked.
    const change = page.getByTestId(`change-price-book-${bookKey}`);
    await expect(change.getByText('changed', { exact: true })).toBeVisible();
    const row = change.getByRole('table', { name: /Changed fields of/ }).getByRole('row').filter({ hasText: 'business-internet, installation' });
    await expect(row.getByRole('rowheader')).toContainText('Entries');
    await expect(row.getByRole('rowheader')).toContainText('Price');
    await expect(row.getByRole('cell').nth(0)).toHaveText(installationBefore);
    await expect(row.getByRole('cell').nth(1)).toHaveText(NEW_INSTALLATION);
    const pointer = (await row.locator('code').textContent())!;
    const id = pointer.split('/').slice(1).join('_');
    const before = change.getByRole('region', { name: /Current release/ }).locator(`#d0b_${id}`);
    const after = change.getByRole('region', { name: 'This candidate' }).locator(`#d0a_${id}`);
    await expect(before).toHaveValue(installationBefore);
    await expect(after).toHaveValue(NEW_INSTALLATION);
    await expect(after).toHaveCSS('outline-style', 'solid');
    await expect(change.getByRole('region', { name: 'This candidate' }).locator('#d0a_name')).not.toHaveCSS('outline-style', 'solid');
    await change.scrollIntoViewIfNeeded();
    await shot(page, testInfo, 'r01-diff-side-by-side');

    // The impact: the quote's price changes by the installation's difference, in the table and in the chart.
    const impact = await api<Impact>('GET', `${candidateUrl.replace('/candidates/', '/metadata/release-candidates/')}/impact`, { user: 'ada', roles: ['admin'] });
    const mine = impact.body.quotes.find((q) => q.quoteId === quoteId)!;
    // Cheaper installation, cheaper quote (by the difference, less what the account's pricing rules take off).
    expect(Math.sign(Number(mine.delta))).toBe(Math.sign(Number(NEW_INSTALLATION) - Number(installationBefore)));
    const sign = Number(mine.delta) > 0 ? '+' : '−';
    const amount = Math.abs(Number(mine.delta)).toFixed(2);
    await expect(page.getByTestId('impact')).toContainText('recent quotes replayed');
    const tableRow = page.getByRole('table', { name: 'Impact on recent quotes' }).locator(`tr[data-quote="${quoteId}"]`);
    await expect(tableRow).toContainText(`${sign}${amount} EUR`);
    const bar = page.getByTestId('price-delta-chart-EUR').locator(`g[data-quote="${quoteId}"]`);
    await expect(bar.locator('rect')).toHaveCount(1);
    await expect(bar.locator('text').last()).toContainText(`${sign}${amount}`);
    await expect(page.getByTestId('price-delta-chart-EUR').locator('desc')).toContainText(`Quote ${quoteId.slice(0, 8)}`);
    await expect(page.getByTestId('impact-summary-chart')).toContainText('Price changes');
    await page.getByTestId('impact-table').scrollIntoViewIfNeeded();
    await shot(page, testInfo, 'r02-impact-table-and-chart');
    await expectAccessible(page);
  });

  test('reviewed and published, the audit lists the edit with who and when, on the item\'s page and on the release\'s', async ({ browser }, testInfo) => {
    const author = await open(browser);
    await signIn(author, 'ada');
    await author.goto(candidateUrl);
    await author.getByRole('button', { name: 'Request review' }).click();
    await expect(author.getByTestId('candidate-state')).toHaveText('in-review');
    const reviewer = await open(browser);
    await signIn(reviewer, 'ben');
    await reviewer.goto(candidateUrl);
    await reviewer.getByLabel('Review comment').fill('Installation price agreed with sales');
    await reviewer.getByRole('button', { name: 'Approve' }).click();
    await expect(reviewer.getByTestId('candidate-state')).toHaveText('approved');
    await author.reload();
    await author.getByRole('button', { name: 'Publish' }).click();
    await expect(author.getByTestId('published')).toContainText('Published release', { timeout: 60_000 });
    releaseNumber = Number(/Published release (\d+)/.exec((await author.getByTestId('published').textContent()) ?? '')?.[1]);

    // The item's page: who edited it, when, and the field changed by its readable name.
    await author.goto(`/drafts/price-book/${bookKey}`);
    const history = author.getByRole('table', { name: `History of price-book ${bookKey}` });
    await expect(history.getByRole('row').nth(1)).toContainText(`published release ${releaseNumber}`);
    const edit = history.getByRole('row').filter({ hasText: 'ada' }).filter({ hasText: NEW_INSTALLATION }).first();
    await expect(edit).toContainText(/drafted a change of release \d+|edited the draft/);
    await expect(edit.getByRole('listitem').filter({ hasText: NEW_INSTALLATION })).toContainText(/Entries \d+ › Price: /);
    await expect(edit.locator('time')).toHaveAttribute('datetime', /^\d{4}-\d{2}-\d{2}T/);
    await expect(edit.locator('time')).toContainText(new Date().toISOString().slice(0, 10));
    await history.scrollIntoViewIfNeeded();
    await shot(author, testInfo, 'r03-item-history');
    await expectAccessible(author);

    // The release's page: its publish, the approval with the comment, and the edit that went into it.
    await author.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Releases' }).click();
    await author.getByTestId(`release-${releaseNumber}`).getByRole('link').first().click();
    const audit = author.getByRole('table', { name: `Audit of release ${releaseNumber}` });
    await expect(audit.getByRole('row').nth(1)).toContainText(`ada`);
    await expect(audit.getByRole('row').filter({ hasText: 'approved the candidate' })).toContainText('ben');
    await expect(audit.getByRole('row').filter({ hasText: 'approved the candidate' })).toContainText('Installation price agreed with sales');
    await expect(audit.getByRole('row').filter({ hasText: NEW_INSTALLATION })).toContainText('ada');
    await shot(author, testInfo, 'r04-release-audit');
    await expectAccessible(author);
  });

  test('roll forward from release 1: a candidate with release 1\'s content, reviewed by another admin, publishes a new current release with release 1\'s content', async ({ browser }, testInfo) => {
    const releases = await apiGet<{ items: { releaseId: string; releaseNumber: number; contentHash: string }[] }>('/metadata/releases');
    const release1 = releases.items.find((r) => r.releaseNumber === 1)!;
    const release1Book = (await apiGet<Item>(`/metadata/releases/${release1.releaseId}/items/price-book/${bookKey}`)).content;
    const author = await open(browser);
    await signIn(author, 'ada');
    await author.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Releases' }).click();
    await author.getByTestId('release-1').getByRole('link').first().click();
    await expect(author.getByRole('heading', { level: 1 })).toHaveText('Release 1');
    await shot(author, testInfo, 'r05-release-1');
    await author.getByRole('button', { name: 'Make a candidate with release 1\'s content' }).click();
    await expect(author).toHaveURL(/\/candidates\/[0-9a-f-]{36}$/, { timeout: 60_000 });
    await expect(author.getByTestId('candidate-state')).toHaveText('validated');
    await expect(author.getByTestId('rolled-from')).toContainText('release 1');
    // The price book goes back to release 1's installation price, side by side.
    const change = author.getByTestId(`change-price-book-${bookKey}`);
    const row = change.getByRole('table', { name: /Changed fields of/ }).getByRole('row').filter({ hasText: 'business-internet, installation' });
    const release1Price = (release1Book.entries as Entry[]).find((e) => e.type === 'flat' && e.charge === 'installation')!.price!;
    await expect(row.getByRole('cell').nth(0)).toHaveText(NEW_INSTALLATION);
    await expect(row.getByRole('cell').nth(1)).toHaveText(release1Price);
    // Models changed since release 1 (other suites publish BPMN) are compared as diagrams.
    for (const diagram of await author.getByTestId('bpmn-diff').all()) {
      // Both sides for a changed model (and its changes listed), one for a model added or removed.
      const sides = await diagram.locator('.model-diff-canvas').count();
      await expect(diagram.locator('.djs-container')).toHaveCount(sides, { timeout: 30_000 });
      if (sides === 2) await expect(diagram.getByTestId('model-changes')).toBeVisible();
    }
    await shot(author, testInfo, 'r06-roll-forward-candidate');
    await expectAccessible(author);
    await author.getByRole('button', { name: 'Request review' }).click();
    await expect(author.getByTestId('candidate-state')).toHaveText('in-review');
    const rolledUrl = new URL(author.url()).pathname;

    // Who asked for the roll forward cannot approve it: four-eyes holds as for any candidate.
    await author.getByRole('button', { name: 'Approve' }).click();
    await expect(author.getByTestId('problem')).toContainText('An author of the change cannot approve it');

    const reviewer = await open(browser);
    await signIn(reviewer, 'ben');
    await reviewer.goto(rolledUrl);
    await reviewer.getByRole('button', { name: 'Approve' }).click();
    await expect(reviewer.getByTestId('candidate-state')).toHaveText('approved');
    await author.reload();
    await author.getByRole('button', { name: 'Publish' }).click();
    await expect(author.getByTestId('published')).toContainText(`Published release ${releaseNumber + 1}`, { timeout: 60_000 });
    await shot(author, testInfo, 'r07-rolled-forward-published');

    // Through the API: the new current release has release 1's content exactly.
    const current = await apiGet<Release>('/metadata/releases/current');
    expect(current.releaseNumber).toBe(releaseNumber + 1);
    expect(current.contentHash).toBe(release1.contentHash);
    const book = current.items.find((i) => i.kind === 'price-book' && i.key === bookKey)!;
    expect(book.content).toEqual(release1Book);
  });
});
