import { expect, test, type Page } from '@playwright/test';
import { apiGet, apiPost, expectAccessible, shot, signIn, tenant, watchedPage } from './studio-helpers';

type PriceEntry = { type: string; price?: string; offering: string; charge: string };
type Release = { releaseNumber: number; publishedBy: string; approvedBy: string; items: { kind: string; key: string; content: { entries?: PriceEntry[] } }[] };

const NEW_PRICE = '77.50';

// One story, in order: A edits and submits, A cannot approve alone, B approves, A publishes.
test.describe.serial('governed publish in the studio (real engine, PostgreSQL, Camunda)', () => {
  let candidateUrl = '';
  let priceBookPath = '';
  let priceField = '';
  const pageErrors: string[][] = [];
  const opened: Page[] = [];

  test.afterEach(async () => {
    // No page may log a console error or throw.
    for (const errors of pageErrors) expect(errors).toEqual([]);
    for (const page of opened.splice(0)) await page.context().close();
    pageErrors.splice(0);
  });
  const open = async (browser: Parameters<typeof watchedPage>[0]) => {
    const { page, errors } = await watchedPage(browser);
    opened.push(page);
    pageErrors.push(errors);
    return page;
  };

  test('admin A edits a price in the generated form, sees the validation error at the field, fixes it, makes the candidate and requests review', async ({ browser }, testInfo) => {
    const page = await open(browser);
    await page.goto('/sign-in');
    await expectAccessible(page);
    await signIn(page, 'ada');
    await expect(page).toHaveURL(/\/workspace$/);
    await expect(page.getByTestId('roles')).toContainText('admin');
    await expect(page.getByRole('table', { name: 'Items' })).toContainText('published in release 1');
    await shot(page, testInfo, '01-workspace');
    await expectAccessible(page);

    await page.getByLabel('Kind').selectOption('price-book');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect(page).toHaveURL(/kind=price-book/);
    const link = page.getByRole('table', { name: 'Items' }).getByRole('link').first();
    priceBookPath = (await link.getAttribute('href')) ?? '';
    await link.click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Price book');

    // The first flat price of the book, in the form generated from the engine's schema.
    const prices = page.locator('input[id^="root_entries_"][id$="_price"]');
    await expect(prices.first()).toBeVisible();
    priceField = (await prices.first().getAttribute('id')) ?? '';
    const price = page.locator(`#${priceField}`);
    await price.fill('12,50');
    await page.getByRole('button', { name: 'Save draft' }).click();
    // ajv (2020-12, the engine's schema) refuses it, and the message sits at the field, its pattern in words.
    const fieldGroup = page.locator(`.form-group:has(> #${priceField}), .form-group:has(#${priceField})`).last();
    await expect(fieldGroup.locator('.error-detail')).toContainText('must be an amount with a dot before the decimals');
    await expect(page.getByTestId('draft-version')).toContainText('As published in release 1');
    await shot(page, testInfo, '02-field-error');
    await expectAccessible(page);

    // Three decimals pass the schema but not the engine's check of EUR's two: the draft saves,
    // the candidate is invalid, and its issue leads back to the field.
    await price.fill('12.505');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Saved version 1' })).toBeVisible();
    await expect(fieldGroup.locator('.error-detail')).toHaveCount(0);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Release candidates' }).click();
    await page.getByLabel('Title').fill('Three decimals');
    await page.getByRole('button', { name: 'Make candidate and validate' }).click();
    await expect(page.getByTestId('candidate-state')).toHaveText('invalid');
    const issue = page.getByRole('table', { name: 'Validation issues' }).getByRole('row').filter({ hasText: 'currency.decimals' });
    await expect(issue).toContainText(`/${priceField.replace(/^root_/, '').replaceAll('_', '/')}`);
    await shot(page, testInfo, '03-candidate-invalid');
    await expectAccessible(page);
    await issue.getByRole('link').click();
    await expect(page.locator(`#${priceField}`)).toHaveValue('12.505');
    await expect(fieldGroup.locator('.error-detail')).toContainText('more than the 2 decimal place(s) of EUR');
    await shot(page, testInfo, '04-issue-at-field');

    await price.fill(NEW_PRICE);
    await page.getByRole('button', { name: 'Save draft' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Saved version 2' })).toBeVisible();
    await expect(fieldGroup.locator('.error-detail')).toHaveCount(0);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Release candidates' }).click();
    await page.getByLabel('Title').fill('New price for the first entry');
    await page.getByRole('button', { name: 'Make candidate and validate' }).click();
    await expect(page.getByTestId('candidate-state')).toHaveText('validated');
    await expect(page.getByText('No issues: every item is valid')).toBeVisible();
    candidateUrl = new URL(page.url()).pathname;
    await page.getByRole('button', { name: 'Request review' }).click();
    await expect(page.getByTestId('candidate-state')).toHaveText('in-review');
    await shot(page, testInfo, '05-in-review');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Workspace' }).click();
    await expect(page.getByRole('table', { name: 'Items' }).getByRole('row').filter({ hasText: 'Price book' }).first())
      .toContainText('in candidate “New price for the first entry” (in-review)');
  });

  test('admin A alone cannot approve their own candidate and the studio says why (four-eyes, enforced by the engine)', async ({ browser }, testInfo) => {
    const page = await open(browser);
    await signIn(page, 'ada');
    await page.goto(candidateUrl);
    await expect(page.getByText(/You authored .*price-book/)).toBeVisible();
    await page.getByRole('button', { name: 'Approve' }).click();
    const problem = page.getByTestId('problem');
    await expect(problem).toContainText('An author of the change cannot approve it');
    await expect(problem).toContainText('four-eyes');
    await expect(problem).toContainText('ada authored price-book/');
    await expect(page.getByTestId('candidate-state')).toHaveText('in-review');
    await shot(page, testInfo, '06-four-eyes-refused');
  });

  test('admin B approves with a comment, admin A publishes, and the release is current through the API with the new price, which a quote priced after it gets', async ({ browser }, testInfo) => {
    const reviewer = await open(browser);
    await signIn(reviewer, 'bert');
    // B opens the candidate by the id A sent.
    // B finds it among the candidates awaiting review.
    await reviewer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Release candidates' }).click();
    const row = reviewer.getByRole('table', { name: 'Candidates' }).getByRole('row').filter({ hasText: 'New price for the first entry' });
    await expect(row).toContainText('awaiting review');
    await expect(row).toContainText('ada');
    await expectAccessible(reviewer);
    await row.getByRole('link').click();
    await expect(reviewer).toHaveURL(new RegExp(`${candidateUrl}$`));
    await expect(reviewer.getByTestId('impact')).toBeVisible();
    await expect(reviewer.getByTestId('candidate-state')).toHaveText('in-review');
    await reviewer.getByLabel('Review comment').fill('Checked the price against the rate card.');
    await reviewer.getByRole('button', { name: 'Approve' }).click();
    await expect(reviewer.getByTestId('candidate-state')).toHaveText('approved');
    await shot(reviewer, testInfo, '07-approved-by-b');
    await expectAccessible(reviewer);

    const author = await open(browser);
    await signIn(author, 'ada');
    await author.goto(candidateUrl);
    await author.getByRole('button', { name: 'Publish' }).click();
    await expect(author.getByTestId('published')).toContainText('Published release 2', { timeout: 60_000 });
    await shot(author, testInfo, '08-published');
    await author.getByRole('link', { name: 'Release history' }).click();
    await expect(author.getByTestId('release-2')).toContainText('ada');
    await expect(author.getByTestId('release-2')).toContainText('bert');
    await expect(author.getByTestId('release-2')).toContainText('current');
    await shot(author, testInfo, '09-release-history');
    await expectAccessible(author);
    await author.getByTestId('release-2').getByRole('link', { name: '2' }).click();
    await expect(author.getByRole('table', { name: 'Changed fields' })).toContainText(NEW_PRICE);
    await expect(author.getByTestId('release-hash')).toHaveText(/^[0-9a-f]{64}$/);

    const current = await apiGet<Release>('/metadata/releases/current');
    expect(current).toMatchObject({ releaseNumber: 2, publishedBy: 'ada', approvedBy: 'bert' });
    const key = priceBookPath.split('/').pop();
    const book = current.items.find((i) => i.kind === 'price-book' && i.key === key);
    const index = Number(/root_entries_(\d+)_price/.exec(priceField)?.[1]);
    expect(book?.content.entries?.[index]?.price).toBe(NEW_PRICE);

    // A quote priced after the publish is priced from release 2: the new list price of that entry.
    const entry = book!.content.entries![index]!;
    expect(entry.offering).toBe('business-internet');
    const { quoteId } = await apiPost<{ quoteId: string }>('/quotes', { accountId: 'acct-1', currency: 'EUR', termMonths: 24 });
    await apiPost(`/quotes/${quoteId}/lines`, { offering: 'business-internet', quantity: 1, selections: { access: 'fiber', bandwidth: 500, slaTier: 'standard' } });
    await apiPost(`/quotes/${quoteId}/commands/price`);
    const trace = JSON.stringify(await apiGet(`/quotes/${quoteId}/price-trace`));
    expect(trace).toContain(`"charge":"${entry.charge}"`);
    expect(trace).toContain(`"unitListPrice":"${NEW_PRICE}"`);
    // Out of the way of the other stories (rep lists, impact previews).
    await apiPost(`/quotes/${quoteId}/commands/withdraw`, { reason: 'e2e check done' });

    await author.goto(priceBookPath.replace(/^(.*)$/, '/workspace?kind=price-book'));
    await expect(author.getByRole('table', { name: 'Items' })).toContainText('published in release 2');
  });

  test('two admins edit the same draft: the second save shows theirs next to yours and keeps yours on request', async ({ browser }, testInfo) => {
    const ada = await open(browser);
    await signIn(ada, 'ada');
    await ada.goto(priceBookPath);
    const name = (page: Page) => page.locator('#root_name');
    await name(ada).fill('EUR list (ada)');
    await ada.getByRole('button', { name: 'Save draft' }).click();
    await expect(ada.getByRole('status').filter({ hasText: 'Saved version 1' })).toBeVisible();

    const bert = await open(browser);
    await signIn(bert, 'bert');
    await bert.goto(priceBookPath);
    await expect(bert.getByTestId('draft-version')).toContainText('Version 1');

    await name(ada).fill('EUR list (ada, again)');
    await ada.getByRole('button', { name: 'Save draft' }).click();
    await expect(ada.getByRole('status').filter({ hasText: 'Saved version 2' })).toBeVisible();

    await name(bert).fill('EUR list (bert)');
    await bert.getByRole('button', { name: 'Save draft' }).click();
    const conflict = bert.getByRole('region', { name: 'Version conflict' });
    await expect(conflict).toContainText('Someone else saved: ada saved version 2');
    // Which fields disagree, by name, with both values.
    const disagreement = conflict.getByRole('table', { name: 'Where theirs and yours differ' }).getByRole('row').filter({ hasText: 'Name' });
    await expect(disagreement.getByRole('cell').nth(0)).toHaveText('EUR list (ada, again)');
    await expect(disagreement.getByRole('cell').nth(1)).toHaveText('EUR list (bert)');
    await expect(conflict.getByTestId('theirs')).toContainText('EUR list (ada, again)');
    await expect(conflict.getByTestId('yours')).toContainText('EUR list (bert)');
    await shot(bert, testInfo, '10-version-conflict');
    await conflict.getByRole('button', { name: 'Keep mine' }).click();
    await expect(bert.getByRole('status').filter({ hasText: 'Saved version 3' })).toBeVisible();
    const draft = await apiGet<{ version: number; content: { name: string }; authors: string[] }>(`/metadata/drafts${priceBookPath.replace(/^\/drafts/, '')}`, 'checker', ['admin']);
    expect(draft).toMatchObject({ version: 3, content: { name: 'EUR list (bert)' } });
    expect(draft.authors).toEqual(expect.arrayContaining(['ada', 'bert']));
  });

  test('duplicating an item: the engine refuses a bad key with its problem title and the field at fault; the copy is created, then deleted', async ({ browser }, testInfo) => {
    const page = await open(browser);
    await signIn(page, 'ada');
    await page.goto('/workspace?kind=product-offering');
    const first = page.getByRole('table', { name: 'Items' }).getByRole('link').first();
    const source = (await first.textContent()) ?? '';
    await first.click();
    await page.getByRole('link', { name: 'Duplicate' }).click();
    await expect(page.locator('#draft-key')).toHaveValue(`${source}-copy`);
    await page.locator('#draft-key').fill('Bad Key');
    await page.getByRole('button', { name: 'Create draft' }).click();
    const problem = page.getByTestId('problem');
    await expect(problem).toContainText('The request is not valid');
    await expect(problem).toContainText('body/key');
    await shot(page, testInfo, '11-engine-problem-at-field');

    await page.locator('#draft-key').fill(`${source}-copy`);
    await page.getByRole('button', { name: 'Create draft' }).click();
    // The draft's own page, told which version was just saved (its notice).
    await expect(page).toHaveURL(new RegExp(`/drafts/product-offering/${source}-copy\\?saved=1$`));
    await expect(page.getByRole('status').filter({ hasText: 'Saved version 1' })).toBeVisible();
    await expect(page.getByTestId('draft-version')).toContainText('Version 1');
    await page.getByRole('button', { name: 'Delete draft' }).click();
    await page.getByRole('button', { name: 'Confirm delete' }).click();
    await expect(page).toHaveURL(/\/workspace$/);
    await page.getByLabel('Search').fill(`${source}-copy`);
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect(page.getByTestId('empty')).toContainText('No items match these filters');
    await shot(page, testInfo, '11b-copy-deleted');
  });

  test('a reviewer rejects with a comment, and the author reads the reason on the candidate', async ({ browser }, testInfo) => {
    const author = await open(browser);
    await signIn(author, 'ada');
    await author.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Release candidates' }).click();
    await author.getByLabel('Title').fill('Renamed price book');
    await author.getByRole('button', { name: 'Make candidate and validate' }).click();
    await expect(author.getByTestId('candidate-state')).toHaveText('validated');
    const url = new URL(author.url()).pathname;
    await author.getByRole('button', { name: 'Request review' }).click();
    await expect(author.getByTestId('candidate-state')).toHaveText('in-review');

    const reviewer = await open(browser);
    await signIn(reviewer, 'cleo');
    await reviewer.goto(url);
    await expect(reviewer.getByRole('button', { name: 'Reject' })).toBeDisabled();
    await reviewer.getByLabel('Review comment').fill('The name must stay as on the rate card.');
    await reviewer.getByRole('button', { name: 'Reject' }).click();
    await expect(reviewer.getByTestId('candidate-state')).toHaveText('rejected');

    await author.reload();
    await expect(author.getByTestId('candidate-state')).toHaveText('rejected');
    await expect(author.getByText('decided by cleo (“The name must stay as on the rate card.”)')).toBeVisible();
    await shot(author, testInfo, '12-rejected');
  });

  test('prices pasted from a spreadsheet update the price book grid and save', async ({ browser }, testInfo) => {
    const page = await open(browser);
    await signIn(page, 'ada');
    await page.goto(priceBookPath);
    const grid = page.getByRole('table', { name: 'Price entries' });
    const offering = await page.locator(`#${priceField.replace(/_price$/, '_offering')}`).inputValue();
    const charge = await page.locator(`#${priceField.replace(/_price$/, '_charge')}`).inputValue();
    await page.getByLabel('Paste from a spreadsheet').fill(`offering\tcharge\tprice\n${offering}\t${charge}\t61.00\nnew-offering\tsetup\t5.00`);
    await page.getByRole('button', { name: 'Apply pasted prices' }).click();
    await expect(page.getByRole('status').filter({ hasText: '1 price updated, 1 added.' })).toBeVisible();
    await expect(page.locator(`#${priceField}`)).toHaveValue('61.00');
    await expect(grid.getByRole('row').last()).toContainText('flat');
    await shot(page, testInfo, '13-price-grid-paste');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await expect(page.getByRole('status').filter({ hasText: /Saved version \d+/ })).toBeVisible();
    const draft = await apiGet<{ content: { entries: PriceEntry[] } }>(`/metadata/drafts${priceBookPath.replace(/^\/drafts/, '')}`, 'checker', ['admin']);
    expect(draft.content.entries.find((e) => e.offering === offering && e.charge === charge && e.type === 'flat')?.price).toBe('61.00');
    expect(draft.content.entries.at(-1)).toEqual({ type: 'flat', offering: 'new-offering', charge: 'setup', price: '5.00' });
  });

  test('a BPMN model opens in the modeler, its JSON tab holds the XML as a fallback; malformed JSON is refused in place and nothing is saved', async ({ browser }, testInfo) => {
    const page = await open(browser);
    await signIn(page, 'ada');
    await page.goto('/workspace?kind=bpmn-model');
    await page.getByRole('table', { name: 'Items' }).getByRole('link').first().click();
    await expect(page.getByRole('tab', { name: 'Modeler' })).toHaveAttribute('aria-selected', 'true');
    await page.getByRole('tab', { name: 'JSON' }).click();
    await expect(page.getByRole('tab', { name: 'JSON' })).toHaveAttribute('aria-selected', 'true');
    const editor = page.getByLabel(/Content as JSON/);
    await expect(editor).toHaveValue(/bpmn:definitions|definitions/);
    await editor.fill('{ "xml": ');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'Not valid JSON' })).toBeVisible();
    await expect(page.getByTestId('draft-version')).toContainText('As published in release');
    await shot(page, testInfo, '14-json-editor');
    await expectAccessible(page);
  });

  test('a rep signs in with the keyboard alone, sees the quotes and the release history in the navigation, and admin pages say they are for admins', async ({ browser }, testInfo) => {
    const page = await open(browser);
    // Keyboard only: every control of the sign-in is labelled and reachable with Tab.
    await page.goto('/sign-in');
    await page.getByLabel('User').focus();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('rita');
    await page.keyboard.press('Tab');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type(tenant());
    await page.keyboard.press('Tab');
    await expect(page.getByRole('checkbox', { name: 'admin', exact: true })).toBeFocused();
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    await expect(page.getByRole('checkbox', { name: 'rep', exact: true })).toBeFocused();
    await page.keyboard.press('Space');
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/\/quotes$/);
    await expect(page.getByTestId('roles')).toHaveText('rep');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect(nav.getByRole('link')).toHaveText(['Quotes', 'Accounts', 'Releases']);
    await nav.getByRole('link', { name: 'Releases' }).click();
    await expect(page.getByRole('table', { name: 'Releases' })).toContainText('bert');
    await page.goto('/workspace');
    await expect(page.getByRole('alert').filter({ hasText: 'This page is for admins' })).toContainText('drafts and release candidates need the role admin');
    await shot(page, testInfo, '15-rep');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/sign-in$/);
  });
});
