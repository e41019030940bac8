import { expect, test, type Browser, type Page } from '@playwright/test';
import { engineUrl, expectAccessible, shot, watchedPage } from './studio-helpers';
import { api, ensureAccount, publishItems, signInAs, tokenFor } from './quote-helpers';

// Issue 10 (Studio II): reps quote from screens generated from the published release, against
// the real engine (its own process and database, e2e/engine-fixture.ts). One story in order:
// the steps share the quote the rep makes.

const ACCOUNT = 'acct-e2e-acme';
const CUSTOMER = 'Acme Logistics GmbH';
const pages: { page: Page; errors: string[] }[] = [];
const story: { quoteId?: string; accounts?: boolean; release?: number } = {};

async function open(browser: Browser): Promise<Page> {
  const watched = await watchedPage(browser);
  pages.push(watched);
  return watched.page;
}

test.describe.serial('the rep workspace, configurator, pricing, approvals and the customer view (real engine)', () => {
  test.beforeAll(async () => {
    story.accounts = await ensureAccount(ACCOUNT, CUSTOMER);
    // Other suites of the run publish releases before this one: the current one's number is read, not assumed.
    story.release = Number((await api('ada', ['admin'], 'GET', '/metadata/releases/current')).body.releaseNumber);
  });

  test.afterEach(async () => {
    // Any console error or page error on any page of the step fails it; each step's browsers close with it.
    const errors = pages.flatMap((p) => p.errors);
    await Promise.all(pages.map((p) => p.page.context().close()));
    pages.length = 0;
    expect(errors).toEqual([]);
  });

  test('a rep lists quotes, creates one for an account, currency and term, and adds a line of the current release', async ({ browser }, testInfo) => {
    const page = await open(browser);
    await signInAs(page, 'rita', ['rep'], { team: 'north' });
    await expect(page).toHaveURL(/\/quotes$/);
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link')).toHaveText(['Quotes', 'Accounts', 'Releases']);
    await expect(page.getByTestId('empty')).toContainText('No quotes yet');
    await shot(page, testInfo, '01-quotes-empty');
    await expectAccessible(page);

    await page.getByRole('link', { name: 'New quote' }).click();
    await expect(page.getByRole('heading', { name: 'New quote' })).toBeVisible();
    if (story.accounts) {
      await page.getByLabel('Search accounts by name or id').fill('Acme');
      await page.getByRole('button', { name: new RegExp(CUSTOMER) }).click();
      await expect(page.getByLabel('Account id')).toHaveValue(ACCOUNT);
    } else {
      await expect(page.getByTestId('free-text-account')).toBeVisible();
      await page.getByLabel('Account id').fill(ACCOUNT);
      await page.getByLabel('Customer name').fill(CUSTOMER);
    }
    await page.getByLabel('Currency').fill('EUR');
    await page.getByLabel('Term (months)').fill('24');
    await shot(page, testInfo, '02-new-quote');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Create quote' }).click();

    await expect(page.getByRole('heading', { name: `Quote for ${CUSTOMER}` })).toBeVisible();
    story.quoteId = page.url().split('/quotes/')[1];
    await expect(page.getByLabel('Quote terms')).toContainText('24 months');
    await expect(page.getByTestId('quote-state')).toHaveText('draft');
    await expect(page.getByTestId('no-lines')).toBeVisible();
    await page.getByLabel(`Offering (release ${story.release})`).selectOption({ label: 'Business Internet' });
    await page.getByRole('button', { name: 'Add and configure' }).click();
    // The engine configured the line with the specification's defaults; the rep lands in its configurator.
    await expect(page.getByRole('heading', { name: 'Business Internet: line 1' })).toBeVisible();
    await page.getByRole('link', { name: /^Back to the quote/ }).click();
    await expect(page.getByRole('table', { name: 'Lines' })).toContainText('Business Internet');
    await expect(page.getByTestId('line-L1')).toContainText('valid');
    await shot(page, testInfo, '03-quote-with-line');
    await expectAccessible(page);

    // The list filters in the engine: state, account, validity (the policy keeps it 45 days).
    await page.goto('/quotes');
    await expect(page.getByRole('table', { name: 'Quotes' })).toContainText(CUSTOMER);
    await page.getByLabel('State').selectOption('approved');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect(page.getByTestId('empty')).toContainText('No quotes match these filters');
    await page.getByLabel('State').selectOption('draft');
    await page.getByLabel('Account id').fill(ACCOUNT);
    await page.getByLabel('Validity').selectOption('expiring');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect(page.getByTestId('empty')).toBeVisible();
    await page.getByLabel('Validity').selectOption('valid');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect(page.getByRole('table', { name: 'Quotes' })).toContainText(CUSTOMER);
    await expect(page.getByTestId('quote-count')).toHaveText('1–1 of 1');
    await shot(page, testInfo, '04-quotes-filtered');
    await expectAccessible(page);

    // The account: found by name, its segment and channel, nothing installed yet, the quote just made;
    // a new quote from its page starts with the account chosen.
    if (story.accounts) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
      await page.getByLabel('Name or account id').fill('Acme Log');
      await page.getByRole('button', { name: 'Find' }).click();
      await page.getByRole('table', { name: 'Accounts' }).getByRole('link', { name: CUSTOMER }).click();
      await expect(page.getByRole('heading', { name: CUSTOMER })).toBeVisible();
      await expect(page.getByTestId('no-assets')).toBeVisible();
      await expect(page.getByRole('table', { name: 'Quotes of the account' })).toContainText(CUSTOMER);
      await shot(page, testInfo, '05-account');
      await expectAccessible(page);
      await page.getByRole('link', { name: 'New quote' }).click();
      await expect(page.getByLabel('Account id')).toHaveValue(ACCOUNT);
      await expect(page.getByLabel('Customer name')).toHaveValue(CUSTOMER);
    }
  });

  test('the line\'s form is generated from the release; a rule disables a value and says why; a violation sits at its field and one click applies the engine\'s fix', async ({ browser }, testInfo) => {
    const page = await open(browser);
    await signInAs(page, 'rita', ['rep'], { team: 'north' });
    await page.goto(`/quotes/${story.quoteId}`);
    await page.getByRole('table', { name: 'Lines' }).getByRole('link', { name: 'Business Internet' }).click();
    await expect(page.getByRole('heading', { name: 'Business Internet: line 1' })).toBeVisible();
    // The sections and fields of the published quote screen layout, labels and units from the specification.
    await expect(page.locator('fieldset legend')).toHaveText(['Access', 'Service level', 'Installation']);
    await expect(page.getByTestId('preview-status')).toHaveText('Valid configuration.');
    await page.getByLabel('Access technology').selectOption({ label: 'Copper (VDSL)' });
    // The compatibility table disables the premium SLA on copper: disabled in the select, the rule named.
    await expect(page.getByRole('option', { name: 'Premium (4 hours, 24/7)' })).toBeDisabled();
    await expect(page.getByTestId('disabled-slaTier-premium')).toContainText('rule access-sla');
    await expect(page.getByTestId('allowed-bandwidth')).toContainText('copper-bandwidth');
    await page.getByLabel('Bandwidth (Mbit/s)').fill('500');
    await expect(page.getByTestId('preview-status')).toHaveText('1 rule broken: see the fields below.');
    const issue = page.getByTestId('issue-copper-bandwidth');
    await expect(issue).toContainText('Copper access carries at most 100 Mbit/s');
    await shot(page, testInfo, '05-configurator-violation');
    await expectAccessible(page);
    await issue.getByRole('button', { name: 'Apply fix: Set bandwidth to 100' }).click();
    await expect(page.getByTestId('preview-status')).toHaveText('Valid configuration.');
    await expect(page.getByLabel('Bandwidth (Mbit/s)')).toHaveValue('100');
    await page.getByLabel('Static IP addresses').fill('4');
    await shot(page, testInfo, '06-configurator-fixed');
    await page.getByRole('button', { name: 'Save line' }).click();
    await expect(page.getByRole('heading', { name: `Quote for ${CUSTOMER}` })).toBeVisible();
    await expect(page.getByTestId('line-L1')).toContainText('valid');
    await expect(page.getByTestId('line-L1')).toContainText('access=copper, bandwidth=100, staticIps=4');
  });

  test('the rep prices the quote, reads the totals and each charge\'s waterfall with its rules, and a discount says at once that it needs the sales manager', async ({ browser }, testInfo) => {
    const page = await open(browser);
    await signInAs(page, 'rita', ['rep'], { team: 'north' });
    await page.goto(`/quotes/${story.quoteId}`);
    await page.getByRole('button', { name: 'Price the quote' }).click();
    const price = page.getByRole('region', { name: 'Price' });
    await expect(price.getByTestId('price-freshness')).toContainText(`Current: priced against release ${story.release}`);
    await expect(price.getByRole('table', { name: 'Totals' })).toContainText('Total over the term');
    await expect(price.getByTestId('total-monthly')).toContainText('per month');
    // The monthly fee goes from list to net through the release's rules, each named.
    const fee = price.getByTestId('waterfall-monthly-fee');
    await expect(fee.getByRole('img')).toHaveAttribute('aria-label', /^Monthly fee: list 49\.00 to net [0-9.]+ EUR per unit, [1-9] steps?$/);
    await fee.getByText('Steps of Monthly fee').click();
    await expect(fee.getByRole('table', { name: 'Price steps of Monthly fee' })).toContainText('discount schedule term-discounts');
    await shot(page, testInfo, '07-priced-waterfall');
    await expectAccessible(page);

    // A manual discount: the engine evaluates the approval policy as the rep types.
    const discount = page.getByRole('group', { name: /Manual discount on line 1/ });
    await discount.getByLabel('Percent').fill('5');
    await expect(page.getByTestId('approval-verdict-L1')).toContainText('Within your authority: no approval needed.');
    await discount.getByLabel('Percent').fill('15');
    await expect(page.getByTestId('approval-verdict-L1')).toContainText('Needs approval from Sales manager.');
    await expect(page.getByTestId('required-level-2')).toContainText('Level 2: Sales manager (role sales-manager), because maxDiscountPercent');
    await discount.getByLabel('Reason').fill('Competitive offer from a regional carrier');
    await shot(page, testInfo, '08-discount-needs-approval');
    await expectAccessible(page);
    await discount.getByRole('button', { name: 'Apply discount' }).click();
    await expect(page.getByTestId('price-stale')).toBeVisible();
    await expect(page.getByTestId('line-L1')).toContainText('15 %');
    await page.getByRole('button', { name: 'Price again' }).click();
    await expect(price.getByTestId('price-freshness')).toContainText('Current:');
    // The steps may still be open from before the refresh.
    const steps = fee.getByRole('table', { name: 'Price steps of Monthly fee' });
    if (!(await steps.isVisible())) await fee.getByText('Steps of Monthly fee').click();
    await expect(steps).toContainText('manual discount by rita (rep): Competitive offer from a regional carrier');
    await expect(fee.getByRole('img')).toHaveAttribute('aria-label', /[2-9] steps$/);
    await shot(page, testInfo, '09-repriced-with-discount');
  });

  test('a stale page is refused and explained; the rep submits and the approval status names each level and who holds it', async ({ browser }, testInfo) => {
    const page = await open(browser);
    await signInAs(page, 'rita', ['rep'], { team: 'north' });
    await page.goto(`/quotes/${story.quoteId}`);
    await expect(page.getByRole('button', { name: 'Submit for approval' })).toBeVisible();
    // Someone prices the quote again meanwhile (the API, as another tab would): this page is stale,
    // and pricing from it is refused (If-Match) and explained.
    const before = await api('rita', ['rep'], 'GET', `/quotes/${story.quoteId}`, undefined, { team: 'north' });
    const repriced = await fetch(`${engineUrl()}/quotes/${story.quoteId}/commands/price`, {
      method: 'POST', headers: { authorization: `Bearer ${await tokenFor('rita', ['rep'], { team: 'north' })}`, 'idempotency-key': `e2e-${Date.now()}`, 'if-match': `"${String(before.body.version)}"` },
    });
    expect(repriced.status).toBe(200);
    await page.getByRole('button', { name: 'Price again' }).click();
    const refusal = page.getByTestId('price-command').getByTestId('problem');
    await expect(refusal).toContainText('version-conflict');
    await expect(refusal).toContainText('Someone changed this quote since you opened it');
    await shot(page, testInfo, '10-stale-page-refused');
    await page.reload();
    await page.getByRole('button', { name: 'Submit for approval' }).click();
    await expect(page.getByTestId('quote-state')).toHaveText('submitted');
    // The approval process runs on Camunda: its first level is requested.
    await expect(page.getByTestId('timeline')).toContainText('Approval requested');
    const level = page.getByTestId('approval-level-2');
    await expect(level).toContainText('Level 2: Sales manager (role sales-manager) waiting for a sales-manager');
    await expect(level).toContainText('Required because maxDiscountPercent');
    await expect(level.getByTestId('sla')).toHaveText(/^due in 1 d 23 h|^due in 2 d 0 h/);
    // The entry says what the submission needs (components/quote/quote-events.ts).
    await expect(page.getByTestId('timeline')).toContainText(/Submitted for approval \(needs [^)]*sales-manager\) by rita/);
    await shot(page, testInfo, '11-submitted');
    await expectAccessible(page);
  });

  test('the sales manager finds the quote in the inbox by role with its SLA, claims it, reads the evidence and approves; the outcome shows at once', async ({ browser }, testInfo) => {
    const page = await open(browser);
    await signInAs(page, 'sam', ['sales-manager'], { team: 'north' });
    await expect(page).toHaveURL(/\/inbox$/);
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link')).toHaveText(['Quotes', 'Inbox', 'Accounts', 'Releases']);
    const row = page.getByRole('table', { name: 'Work items for sales-manager' }).getByTestId(`work-item-${story.quoteId}`);
    await expect(row).toContainText(CUSTOMER);
    await expect(row).toContainText('maxDiscountPercent');
    await expect(row.getByTestId('sla')).toHaveText(/^due in (1 d 23 h|2 d 0 h)/);
    await expect(row.getByTestId('escalation')).toHaveText('not escalated');
    await expect(row).toContainText('unclaimed');
    await shot(page, testInfo, '14-inbox');
    await expectAccessible(page);
    await row.getByRole('button', { name: 'Claim' }).click();
    await expect(row).toContainText('you');

    await row.getByRole('link', { name: CUSTOMER }).click();
    await expect(page.getByRole('heading', { name: `Approve level 2 for ${CUSTOMER}` })).toBeVisible();
    await expect(page.getByTestId('held-by')).toHaveText('You hold this item.');
    const authority = page.getByRole('table', { name: 'Requested vs authority' });
    await expect(authority.getByRole('row', { name: /Discount off the standard price/ })).toContainText(/1[45]\.\d+ %\s*up to 25 %\s*yes/);
    await expect(page.getByTestId('your-authority')).toContainText('level 2 (Sales manager, role sales-manager)');
    await expect(page.getByTestId('policy-and-release')).toContainText('standard-approval');
    await expect(page.getByTestId('policy-and-release')).toContainText(`release ${story.release} `);
    await expect(page.getByTestId('changes-since')).toContainText('rita: Line configured: L1');
    await expect(page.getByTestId('waterfall-monthly-fee')).toBeVisible();
    await shot(page, testInfo, '15-work-item-evidence');
    await expectAccessible(page);
    await page.getByLabel('Reason (required to reject)').fill('Regional competitor, strategic account');
    await page.getByRole('button', { name: 'Approve' }).click();
    await expect(page.getByTestId('decision-outcome')).toContainText('Level 2 approved. The quote is now approved.');
    await shot(page, testInfo, '16-approved');
    await page.getByTestId('decision-outcome').getByRole('link', { name: 'Back to the inbox' }).click();
    await expect(page.getByTestId(`work-item-${story.quoteId}`)).toHaveCount(0);
  });

  test('a rep who is also a sales manager cannot approve their own quote, nor finance a level that is not theirs after escalation: both refusals explained; he revises and withdraws it', async ({ browser }, testInfo) => {
    // max (rep and sales manager) quotes a 15 % discount himself and submits.
    const max = ['max', ['rep', 'sales-manager'], { team: 'north' }] as const;
    const created = await api(max[0], max[1], 'POST', '/quotes', { accountId: ACCOUNT, customerName: 'Max own deal', currency: 'EUR', termMonths: 24 }, max[2]);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const own = String(created.body.quoteId);
    const line = await api(max[0], max[1], 'POST', `/quotes/${own}/lines`, { offering: 'business-internet', quantity: 1, selections: { access: 'fiber', bandwidth: 500, slaTier: 'standard' }, manualDiscount: { percent: '15', reason: 'own deal' } }, max[2]);
    expect(line.status, JSON.stringify(line.body)).toBe(201);
    expect((await api(max[0], max[1], 'POST', `/quotes/${own}/commands/price`, undefined, max[2])).status).toBe(200);
    expect((await api(max[0], max[1], 'POST', `/quotes/${own}/commands/submit-for-approval`, undefined, max[2])).body.state).toBe('submitted');

    const page = await open(browser);
    await signInAs(page, 'max', ['rep', 'sales-manager'], { team: 'north' });
    await page.goto('/inbox');
    const row = page.getByTestId(`work-item-${own}`);
    await row.getByRole('link', { name: 'Max own deal' }).click();
    await page.getByRole('button', { name: 'Approve' }).click();
    const refusal = page.getByTestId('problem');
    await expect(refusal).toContainText('An author of the change cannot approve it');
    await expect(refusal).toContainText('four-eyes-violation');
    await expect(refusal).toContainText('Four-eyes: whoever owns, submitted or materially changed this revision cannot approve it.');
    await expect(page.getByTestId('held-by')).toContainText('Nobody holds this item yet');
    await shot(page, testInfo, '17-four-eyes-refused');
    await expectAccessible(page);

    // The SLA timer's worker (here by hand, as the integrator) raises the level to finance.
    const item = (await api('fiona', ['finance'], 'GET', '/work-items')).body.items as { workItemId: string; quoteId: string }[];
    const pending = (await api(max[0], max[1], 'GET', '/work-items', undefined, max[2])).body.items as { workItemId: string; quoteId: string }[];
    const workItemId = pending.find((i) => i.quoteId === own)!.workItemId;
    expect(item.find((i) => i.quoteId === own)).toBeUndefined();
    const escalated = await api('sla-timer', ['integrator'], 'POST', `/work-items/${workItemId}/commands/escalate`);
    expect(escalated.body).toEqual({ escalated: true, to: 'finance' });

    const finance = await open(browser);
    await signInAs(finance, 'fiona', ['finance']);
    await expect(finance).toHaveURL(/\/inbox$/);
    const escalatedRow = finance.getByTestId(`work-item-${own}`);
    await expect(escalatedRow.getByTestId('escalation')).toHaveText('escalated to finance (why you see it)');
    await shot(finance, testInfo, '18-inbox-escalated');
    await expectAccessible(finance);
    await escalatedRow.getByRole('link', { name: 'Max own deal' }).click();
    await expect(finance.getByTestId('your-authority')).toContainText('Level 2 needs the role sales-manager: the engine will refuse your decision.');
    await finance.getByRole('button', { name: 'Approve' }).click();
    const authority = finance.getByTestId('problem');
    await expect(authority).toContainText('approval-authority');
    await expect(authority).toContainText('Your roles do not include the one this approval level needs');
    await shot(finance, testInfo, '19-authority-refused');

    // max takes his quote back: a new revision (the submitted one superseded, its approval ended), then withdrawn.
    await page.goto(`/quotes/${own}`);
    await page.getByRole('button', { name: 'Revise (new revision)' }).click();
    await expect(page.getByLabel('Quote terms')).toContainText('revision 2');
    await expect(page.getByTestId('quote-state')).toHaveText('draft');
    await page.getByLabel('Reason to withdraw').fill('Customer postponed the project');
    await page.getByRole('button', { name: 'Withdraw' }).click();
    await expect(page.getByTestId('quote-state')).toHaveText('withdrawn');
    const timeline = page.getByTestId('timeline');
    await expect(timeline).toContainText('Revised (to revision 2) by max (revision 1)');
    await expect(timeline).toContainText('Withdrawn by max (revision 2): “Customer postponed the project”');
    await shot(page, testInfo, '19b-revised-and-withdrawn');
    await expectAccessible(page);
  });

  test('approved, the rep generates the document, opens the PDF and accepts on the customer\'s behalf; the timeline shows every step', async ({ browser }, testInfo) => {
    const page = await open(browser);
    await signInAs(page, 'rita', ['rep'], { team: 'north' });
    await page.goto(`/quotes/${story.quoteId}`);
    await expect(page.getByTestId('quote-state')).toHaveText('approved');
    await expect(page.getByTestId('approval-level-2')).toContainText('approved by sam');
    await expect(page.getByText('The customer accepts a document: generate it first.')).toBeVisible();
    await page.getByRole('button', { name: 'Generate the document' }).click();
    const pdfLink = page.getByTestId('open-pdf');
    await expect(pdfLink).toBeVisible();
    const pdf = await page.request.get((await pdfLink.getAttribute('href'))!);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
    await shot(page, testInfo, '12-document-generated');
    await expectAccessible(page);

    await page.getByLabel('The customer accepted').selectOption('signed-pdf');
    await page.getByLabel('Evidence (who, when, what they said)').fill('Signed PDF returned by J. Weber, procurement, 3 December');
    await page.getByRole('button', { name: 'Accept for the customer' }).click();
    await expect(page.getByTestId('quote-state')).toHaveText('accepted');
    await expect(page.getByTestId('accepted')).toContainText('Accepted by rita');
    const timeline = page.getByTestId('timeline');
    // Each step in words (the event's type is its title).
    for (const step of ['Created by rita', 'Line added', 'Line configured', 'Priced', 'Submitted for approval', 'Approval granted by sam', 'Document generated', 'Accepted by rita']) {
      await expect(timeline).toContainText(step);
    }
    await shot(page, testInfo, '13-accepted');
    await expectAccessible(page);
  });

  test('a customer user sees its quote\'s terms, totals and document, and nothing internal: not in the page, not in any response the browser gets', async ({ browser }, testInfo) => {
    const page = await open(browser);
    await signInAs(page, 'jane', ['customer'], { account: ACCOUNT });
    // Every response the browser gets from here on (pages, RSC payloads, actions; not the PDF, not static code).
    const pending: Promise<void>[] = [];
    const bodies: { url: string; body: string }[] = [];
    // Read each body once its request has finished: a response still streaming (a prefetch the
    // router keeps open on a loaded machine) would hold response.text() past the test's timeout.
    page.on('requestfinished', (request) => {
      pending.push(request.response().then(async (response) => {
        if (!response || (response.headers()['content-type'] ?? '').includes('pdf') || response.url().includes('/_next/static/')) return;
        bodies.push({ url: response.url(), body: await response.text() });
      }).catch(() => {}));
    });
    await page.goto('/quotes');
    await expect(page).toHaveURL(/\/quotes$/);
    await expect(page.getByRole('heading', { name: 'Your quotes' })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link')).toHaveText(['My quotes']);
    await expect(page.getByRole('table', { name: 'Quotes' })).toContainText(CUSTOMER);
    await expectAccessible(page);
    await page.getByRole('link', { name: CUSTOMER }).click();
    await expect(page.getByRole('heading', { name: `Your quote, ${CUSTOMER}` })).toBeVisible();
    await expect(page.getByLabel('Terms of the offer')).toContainText('24 months');
    await expect(page.getByTestId('quote-state')).toHaveText('accepted');
    await expect(page.getByRole('table', { name: 'Charges of line 1' })).toContainText('Monthly fee');
    await expect(page.getByTestId('customer-term-total')).toContainText(/Total over 24 months\s*\d+\.\d{2}/);
    const pdf = await page.request.get((await page.getByTestId('customer-pdf').getAttribute('href'))!);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    await shot(page, testInfo, '20-customer-view');
    await expectAccessible(page);

    // Nothing internal: no owner, approver, reasons, authority, rules or floors, no trace.
    const internal = [/\brita\b/, /\bsam\b/, /ownerId/, /sales-manager/, /maxDiscountPercent/, /Regional competitor/, /Competitive offer/, /enterprise-discount/,
      /internet-floor/, /term-discounts/, /priceResultId/, /approval/i, /authority/i, /manualDiscount/, /releaseId/, /evidence/i, /J\. Weber/];
    const main = (await page.locator('main').textContent()) ?? '';
    for (const word of internal) expect(main, `the page shows ${word}`).not.toMatch(word);
    await Promise.all(pending);
    expect(bodies.length).toBeGreaterThan(2);
    for (const { url, body } of bodies) {
      for (const word of internal) expect(body, `${url} carries ${word}`).not.toMatch(word);
    }
  });

  test('low code: a characteristic published through the engine\'s API is on the rep\'s form at once, with no deploy and no restart of the studio', async ({ browser }, testInfo) => {
    const current = await api('ada', ['admin'], 'GET', '/metadata/releases/current');
    const items = current.body.items as { kind: string; key: string; content: Record<string, unknown> }[];
    const before = Number(current.body.releaseNumber);
    // A quote made now is pinned to the current release, its line configured on that release's form.
    const rep = ['rita', ['rep'], { team: 'north' }] as const;
    const old = String((await api(rep[0], rep[1], 'POST', '/quotes', { accountId: ACCOUNT, customerName: 'Before the publish', currency: 'EUR', termMonths: 12 }, rep[2])).body.quoteId);
    expect((await api(rep[0], rep[1], 'POST', `/quotes/${old}/lines`, { offering: 'business-internet', quantity: 1, selections: {} }, rep[2])).status).toBe(201);
    const page = await open(browser);
    await signInAs(page, 'rita', ['rep'], { team: 'north' });
    await page.goto(`/quotes/${old}/lines/L1`);
    await expect(page.getByLabel('Access technology')).toBeVisible();
    await expect(page.getByLabel('DDoS protection')).toHaveCount(0);

    // An admin publishes a new characteristic of Business Internet and places it on the quote screen (drafts, review by another admin, publish).
    const spec = items.find((i) => i.kind === 'product-specification' && i.key === 'business-internet')!;
    const layout = items.find((i) => i.kind === 'quote-screen-layout' && i.key === 'business-internet-layout')!;
    const ddos = { key: 'ddosProtection', name: 'DDoS protection', valueType: 'enum', required: false, default: 'none', values: [{ value: 'none', label: 'None' }, { value: 'always-on', label: 'Always on' }] };
    const sections = (layout.content.sections as { key: string; fields: object[] }[]).map((section) => (section.key === 'service' ? { ...section, fields: [...section.fields, { characteristic: 'ddosProtection', help: 'Traffic scrubbing in our network' }] } : section));
    const published = await publishItems([
      { kind: 'product-specification', key: 'business-internet', content: { ...spec.content, characteristics: [...(spec.content.characteristics as object[]), ddos] } },
      { kind: 'quote-screen-layout', key: 'business-internet-layout', content: { ...layout.content, sections } },
    ]);
    expect(published).toBe(before + 1);

    // The same studio process: a new quote is pinned to the new release and its form has the field.
    await page.goto('/quotes/new');
    await expect(page.getByText(`Pinned to release ${published}, the current one`)).toBeVisible();
    await page.getByLabel('Search accounts by name or id').fill('Acme');
    await page.getByRole('button', { name: new RegExp(CUSTOMER) }).click();
    await page.getByLabel('Customer name').fill('After the publish');
    await page.getByRole('button', { name: 'Create quote' }).click();
    await page.getByLabel(`Offering (release ${published})`).selectOption({ label: 'Business Internet' });
    await page.getByRole('button', { name: 'Add and configure' }).click();
    await expect(page.getByText(`Generated from release ${published}`)).toBeVisible();
    const service = page.getByTestId('section-service');
    await expect(service.getByLabel('DDoS protection')).toBeVisible();
    await expect(service.getByText('Traffic scrubbing in our network')).toBeVisible();
    await service.getByLabel('DDoS protection').selectOption({ label: 'Always on' });
    await expect(page.getByTestId('preview-status')).toHaveText('Valid configuration.');
    await shot(page, testInfo, '21-new-characteristic-on-the-form');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Save line' }).click();
    await expect(page.getByTestId('line-L1')).toContainText('ddosProtection=always-on');

    // The quote made before keeps the form of the release it is pinned to.
    await page.goto(`/quotes/${old}/lines/L1`);
    await expect(page.getByText(`Generated from release ${before}`)).toBeVisible();
    await expect(page.getByLabel('DDoS protection')).toHaveCount(0);
  });

  test('a bundle line: the rep sets an option\'s quantity and an option\'s characteristic, and the price lists each option\'s charges', async ({ browser }, testInfo) => {
    const rep = ['rita', ['rep'], { team: 'north' }] as const;
    const quoteId = String((await api(rep[0], rep[1], 'POST', '/quotes', { accountId: ACCOUNT, customerName: 'SD-WAN rollout', currency: 'EUR', termMonths: 24 }, rep[2])).body.quoteId);
    expect((await api(rep[0], rep[1], 'POST', `/quotes/${quoteId}/lines`, { offering: 'sd-wan', quantity: 1, selections: {} }, rep[2])).status).toBe(201);
    const page = await open(browser);
    await signInAs(page, 'rita', ['rep'], { team: 'north' });
    await page.goto(`/quotes/${quoteId}/lines/L1`);
    const options = page.getByRole('table', { name: 'Bundle options' });
    await expect(options.getByLabel('Managed Router')).toHaveValue('2');
    await options.getByLabel('Security add-on').fill('1');
    await page.getByText('Managed Router: characteristics').click();
    await page.getByRole('combobox', { name: /Router model/ }).selectOption({ label: 'Large site (10 Gbit/s)' });
    await expect(page.getByTestId('preview-status')).toHaveText('Valid configuration.');
    await shot(page, testInfo, '25-bundle-options');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Save line' }).click();
    await expect(page.getByRole('heading', { name: 'Quote for SD-WAN rollout' })).toBeVisible();
    await page.getByTestId('price-command').getByRole('button').click();
    await expect(page.getByTestId('waterfall-security-addon-monthly-fee')).toBeVisible();
    await expect(page.getByTestId('waterfall-managed-router-rental')).toContainText('Managed Router: Router rental');
    await shot(page, testInfo, '26-bundle-priced');
    const line = ((await api(rep[0], rep[1], 'GET', `/quotes/${quoteId}`, undefined, rep[2])).body as { revision: { lines: { children?: unknown[] }[] } }).revision.lines[0]!;
    expect(line.children).toEqual(expect.arrayContaining([
      expect.objectContaining({ offering: 'security-addon', quantity: 1 }),
      expect.objectContaining({ offering: 'managed-router', quantity: 2, selections: expect.objectContaining({ model: 'large' }) }),
    ]));
  });

  test('ops: an order the release cannot fulfil is a fallout case in the operators\' inbox (category, reason, SLA, allowed actions), resolved from the studio', async ({ browser }, testInfo) => {
    // An accepted quote with a managed router, which no fulfillment decomposition map covers, becomes an order (API, as the rep's tools would).
    const rep = ['rita', ['rep'], { team: 'north' }] as const;
    const quoteId = String((await api(rep[0], rep[1], 'POST', '/quotes', { accountId: ACCOUNT, customerName: 'Router order', currency: 'EUR', termMonths: 24 }, rep[2])).body.quoteId);
    for (const line of [{ offering: 'business-internet', quantity: 1, selections: { access: 'fiber', bandwidth: 500, slaTier: 'standard' } }, { offering: 'managed-router', quantity: 1, selections: { model: 'small' } }]) {
      expect((await api(rep[0], rep[1], 'POST', `/quotes/${quoteId}/lines`, line, rep[2])).status).toBe(201);
    }
    expect((await api(rep[0], rep[1], 'POST', `/quotes/${quoteId}/commands/price`, undefined, rep[2])).status).toBe(200);
    expect((await api(rep[0], rep[1], 'POST', `/quotes/${quoteId}/commands/submit-for-approval`, undefined, rep[2])).body.state).toBe('approved');
    const documentId = String((await api(rep[0], rep[1], 'POST', `/quotes/${quoteId}/commands/generate-document`, undefined, rep[2])).body.documentId);
    expect((await api(rep[0], rep[1], 'POST', `/quotes/${quoteId}/commands/accept`, { documentId, onBehalfOf: { channel: 'email', evidence: 'mail of 3 December' } }, rep[2])).status).toBe(200);
    const ordered = await api(rep[0], rep[1], 'POST', '/orders/from-accepted-quote', { quoteId }, rep[2]);
    expect(ordered.status, JSON.stringify(ordered.body)).toBe(201);
    const orderId = String(ordered.body.orderId);

    const page = await open(browser);
    await signInAs(page, 'olga', ['ops']);
    await expect(page).toHaveURL(/\/ops$/);
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link')).toHaveText(['Fallout', 'Releases']);
    const row = page.getByTestId(`fallout-${orderId}`);
    await expect(row).toContainText('model-defect');
    await expect(row).toContainText('no fulfillment decomposition map for managed-router');
    await expect(row).toContainText('retry, cancel');
    await expect(row.getByTestId('sla')).toHaveText(/^due in/);
    await shot(page, testInfo, '22-fallout-inbox');
    await expectAccessible(page);
    await row.getByRole('link').click();
    await expect(page.getByTestId('order-state')).toHaveText('created');
    await page.getByRole('radio', { name: /^Cancel/ }).check();
    await page.getByLabel('Reason (kept in the order\'s audit)').fill('Routers cannot be fulfilled until the release maps them');
    await shot(page, testInfo, '23-fallout-case');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Resolve the case' }).click();
    await expect(page.getByTestId('fallout-outcome')).toContainText('Resolved: cancel by olga');
    await page.reload();
    await expect(page.getByTestId('order-state')).toHaveText('cancelled');
    // On the order, and in its timeline in words.
    await expect(page.getByRole('paragraph').filter({ hasText: 'Cancellation requested by olga' })).toBeVisible();
    // What each entry was about (no plan: the case is at the order, nothing to compensate).
    const timeline = page.getByTestId('order-timeline');
    await expect(timeline.getByRole('listitem').filter({ hasText: 'Fallout case opened at the order: model-defect from decomposition; allows retry, cancel by ' })).toContainText('no fulfillment decomposition map for managed-router');
    await expect(timeline.getByRole('listitem').filter({ hasText: 'Cancellation requested (nothing to compensate) by olga' })).toContainText('Routers cannot be fulfilled until the release maps them');
    await expect(timeline.getByRole('listitem').filter({ hasText: 'Fallout case resolved: cancel by olga' })).toBeVisible();
    await expect(timeline).toContainText('Created from quote revision 1: 2 lines by rita');
    // The order's own page: its lines with their actions and its timeline.
    await page.getByRole('link', { name: 'Open the order' }).click();
    await expect(page).toHaveURL(new RegExp(`/orders/${orderId}$`));
    await expect(page.getByTestId('order-state')).toHaveText('cancelled');
    await expect(page.getByRole('table', { name: 'Order lines' })).toContainText('Managed Router');
    await expect(page.getByRole('table', { name: 'Order lines' })).toContainText('add');
    await expect(page.getByTestId('order-timeline').getByRole('listitem').filter({ hasText: 'Cancellation requested (nothing to compensate) by olga' })).toBeVisible();
    await shot(page, testInfo, '24-order');
    await expectAccessible(page);
    await page.goto('/ops');
    await expect(page.getByTestId(`fallout-${orderId}`)).toHaveCount(0);
  });
});
