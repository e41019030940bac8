import { expect, test, type Browser, type Page } from '@playwright/test';
import { expectAccessible, shot, watchedPage } from './studio-helpers';
import { api, ensureAccount, signInAs } from './quote-helpers';

// Issue 11, item 10 from a rep's side (ADR 0022): a change quote against an account's installed
// base, on the real engine. The installed base is real: an order of three Business Internet
// lines, placed from an accepted quote and fulfilled by the run's fulfillment workers on Camunda
// against the target-systems process (e2e/engine-fixture.ts), no row written by hand. The assets
// are installed today, so a change today is prorated over the whole of their term (the fraction
// is N/N); mid-term fractions need an asset installed in the past, which only SQL could make
// (engine/src/modules/order/change-order.int.test.ts does that), so this story does not.
// One story in order: the steps share the account and its assets.

const ACCOUNT = 'acct-e2e-nordhafen';
const CUSTOMER = 'Nordhafen Shipping AG';
// A team of its own: the quote story (quotes.spec.ts) starts from rita's empty quote list.
const REP = ['rene', ['rep'], { team: 'east' }] as const;
const FIBER_500 = { access: 'fiber', bandwidth: 500, slaTier: 'standard' };
type Json = Record<string, unknown> & { [key: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

const pages: { page: Page; errors: string[] }[] = [];
const story: { assets: string[]; quoteId?: string; orderId?: string; colleague?: string } = { assets: [] };

async function open(browser: Browser): Promise<Page> {
  const watched = await watchedPage(browser);
  pages.push(watched);
  return watched.page;
}

const rep = (method: 'GET' | 'POST', path: string, body?: unknown) => api(REP[0], REP[1], method, path, body, REP[2]);
async function ok(reply: Promise<{ status: number; body: Json }>, status = 200): Promise<Json> {
  const r = await reply;
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  return r.body;
}

/** Polls the order until it is in the state (the workers fulfil it on Camunda). */
async function orderReaches(orderId: string, state: string, timeoutMs = 90_000): Promise<Json> {
  const deadline = Date.now() + timeoutMs;
  let last: Json = {};
  while (Date.now() < deadline) {
    last = await ok(rep('GET', `/orders/${orderId}`));
    if (last.state === state) return last;
    if (Number(last.openFallout) > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const fallout = (await api('olga', ['ops'], 'GET', `/fallout-work-items?orderId=${orderId}`)).body;
  throw new Error(`order ${orderId} did not reach ${state} in ${timeoutMs} ms: ${JSON.stringify(last)}; fallout: ${JSON.stringify(fallout)}`);
}

const assetRow = (page: Page, assetId: string) => page.getByTestId(`asset-${assetId}`);

test.describe.serial('a change quote against the installed base, from the rep\'s side (real engine, real fulfillment)', () => {
  test.beforeAll(async () => {
    test.setTimeout(180_000);
    expect(await ensureAccount(ACCOUNT, CUSTOMER), 'the engine has accounts').toBe(true);
    // The account's first order, as the rep's tools make it: three sites, priced, approved (no discount), accepted, ordered.
    const { quoteId } = await ok(rep('POST', '/quotes', { accountId: ACCOUNT, customerName: CUSTOMER, currency: 'EUR', termMonths: 24 }), 201);
    for (let i = 0; i < 3; i += 1) await ok(rep('POST', `/quotes/${quoteId}/lines`, { offering: 'business-internet', quantity: 1, selections: FIBER_500 }), 201);
    await ok(rep('POST', `/quotes/${quoteId}/commands/price`));
    expect((await ok(rep('POST', `/quotes/${quoteId}/commands/submit-for-approval`))).state).toBe('approved');
    const { documentId } = await ok(rep('POST', `/quotes/${quoteId}/commands/generate-document`), 201);
    await ok(rep('POST', `/quotes/${quoteId}/commands/accept`, { documentId, onBehalfOf: { channel: 'signed-pdf', evidence: 'framework contract, 3 sites' } }));
    const { orderId } = await ok(rep('POST', '/orders/from-accepted-quote', { quoteId }), 201);
    await orderReaches(orderId as string, 'fulfilled', 150_000);
    const base = await ok(rep('GET', `/installed-base?accountId=${ACCOUNT}`));
    story.assets = (base.items as Json[]).filter((a) => a.orderId === orderId).sort((a, b) => String(a.lineId).localeCompare(String(b.lineId))).map((a) => a.assetId as string);
    expect(story.assets).toHaveLength(3);
    // A colleague's change quote of the first asset, made now (from its version 1): stale once this story's order changes the asset.
    const erik = (method: 'POST', path: string, body: unknown) => api('erik', ['rep'], method, path, body, { team: 'east' });
    story.colleague = (await ok(erik('POST', '/quotes', { accountId: ACCOUNT, customerName: CUSTOMER, currency: 'EUR', termMonths: 24, basis: { kind: 'change', assetIds: [story.assets[0]] } }), 201)).quoteId as string;
    await ok(erik('POST', `/quotes/${story.colleague}/commands/configure-line`, { lineId: 'L1', quantity: 1, selections: { ...FIBER_500, bandwidth: 1000 } }));
  });

  test.afterEach(async () => {
    const errors = pages.flatMap((p) => p.errors);
    await Promise.all(pages.map((p) => p.page.context().close()));
    pages.length = 0;
    expect(errors).toEqual([]);
  });

  test('the rep opens the account, sees its installed assets, and starts a change quote of all three', async ({ browser }, testInfo) => {
    const page = await open(browser);
    await signInAs(page, 'rene', ['rep'], { team: 'east' });
    await page.goto('/accounts');
    await page.getByLabel('Name or account id').fill('Nordhafen');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('link', { name: CUSTOMER }).click();
    await expect(page.getByRole('heading', { name: CUSTOMER })).toBeVisible();
    const base = page.getByRole('table', { name: 'Installed base' });
    await expect(base.getByRole('row')).toHaveCount(4);
    for (const assetId of story.assets) {
      const row = assetRow(page, assetId);
      await expect(row).toContainText('Business Internet');
      await expect(row).toContainText('version 1');
      await expect(row).toContainText('bandwidth: 500');
      await expect(row).toContainText('EUR per month');
      await expect(row).toContainText('(24 months)');
      await expect(row).toContainText('active');
    }
    await expect(page.getByRole('button', { name: 'Change the chosen assets' })).toBeDisabled();
    await expect(page.getByText('Choose the assets to quote.')).toBeVisible();
    await shot(page, testInfo, '01-installed-base');
    await expectAccessible(page);

    for (const assetId of story.assets) await page.getByRole('checkbox', { name: `Choose Business Internet ${assetId.slice(0, 8)}` }).check();
    await page.getByRole('button', { name: 'Change the chosen assets' }).click();
    await expect(page.getByRole('heading', { name: `Quote for ${CUSTOMER}` })).toBeVisible();
    story.quoteId = page.url().split('/quotes/')[1];
    const lines = page.getByRole('table', { name: 'Lines' });
    await expect(lines.getByRole('columnheader', { name: 'Action' })).toBeVisible();
    for (const [i, assetId] of story.assets.entries()) {
      const action = page.getByTestId(`action-L${i + 1}`);
      await expect(action).toContainText('no change');
      await expect(action).toContainText(`(asset ${assetId.slice(0, 8)})`);
      await expect(page.getByTestId(`disconnect-L${i + 1}`).getByRole('button', { name: 'Disconnect' })).toBeVisible();
    }
    await shot(page, testInfo, '02-change-quote');
    await expectAccessible(page);
  });

  test('the rep upgrades one asset\'s bandwidth, disconnects another, leaves the third; a stale tab\'s second disconnect is refused and explained', async ({ browser }, testInfo) => {
    const page = await open(browser);
    await signInAs(page, 'rene', ['rep'], { team: 'east' });
    await page.goto(`/quotes/${story.quoteId}`);
    // A second tab on the same quote, opened now: it stays at this version.
    const stale = await open(browser);
    await stale.context().addCookies(await page.context().cookies());
    await stale.goto(`/quotes/${story.quoteId}`);
    await expect(stale.getByTestId('disconnect-L2').getByRole('button', { name: 'Disconnect' })).toBeVisible();

    // The upgrade: line 1's generated form, 500 -> 2000 Mbit/s.
    await page.getByRole('link', { name: 'Business Internet' }).first().click();
    await expect(page.getByRole('heading', { name: 'Business Internet: line 1' })).toBeVisible();
    await expect(page.getByLabel('Bandwidth (Mbit/s)')).toHaveValue('500');
    await page.getByLabel('Bandwidth (Mbit/s)').fill('2000');
    await expect(page.getByTestId('preview-status')).toHaveText('Valid configuration.');
    await page.getByRole('button', { name: 'Save line' }).click();
    await expect(page.getByRole('heading', { name: `Quote for ${CUSTOMER}` })).toBeVisible();
    await expect(page.getByTestId('action-L1')).toContainText('modify the asset');
    await expect(page.getByTestId('line-L1')).toContainText('bandwidth=2000');

    // The disconnect: the line says so, its button is done and its configurator link gone.
    await page.getByTestId('disconnect-L2').getByRole('button', { name: 'Disconnect' }).click();
    await expect(page.getByTestId('action-L2')).toContainText('disconnect the asset');
    await expect(page.getByTestId('disconnect-L2').getByRole('button', { name: 'Disconnected' })).toBeDisabled();
    await expect(page.getByTestId('line-L2').getByRole('link')).toHaveCount(0);
    await expect(page.getByTestId('action-L3')).toContainText('no change');
    await shot(page, testInfo, '03-modify-disconnect-no-change');
    await expectAccessible(page);

    // The stale tab disconnects line 2 again: refused by If-Match (the version it showed), explained.
    await stale.getByTestId('disconnect-L2').getByRole('button', { name: 'Disconnect' }).click();
    const refusal = stale.getByTestId('disconnect-L2').getByTestId('problem');
    await expect(refusal).toContainText('version-conflict');
    await expect(refusal).toContainText('Someone changed this quote since you opened it');
    // The refused page refreshed meanwhile: it shows the line disconnected, the refusal still in place.
    await expect(stale.getByTestId('action-L2')).toContainText('disconnect the asset');
    await expect(stale.getByTestId('disconnect-L2').getByRole('button', { name: 'Disconnected' })).toBeDisabled();
    await shot(stale, testInfo, '04-stale-tab-disconnect-refused');
    // At the current version the engine refuses a second disconnect of the line by its rule, at the field.
    const quote = await ok(rep('GET', `/quotes/${story.quoteId}`));
    const again = await api(REP[0], REP[1], 'POST', `/quotes/${story.quoteId}/commands/disconnect-line`, { lineId: 'L2' }, REP[2]);
    expect(again.status, JSON.stringify(again.body)).toBe(409);
    expect(again.body).toMatchObject({ code: 'line-disconnected', errors: [{ field: 'body/lineId', rule: 'line-not-disconnected' }] });
    expect((await ok(rep('GET', `/quotes/${story.quoteId}`))).version).toBe(quote.version);

    // The disconnected line's configurator is read-only and says why.
    await page.goto(`/quotes/${story.quoteId}/lines/L2`);
    await expect(page.getByTestId('line-disconnects')).toContainText(`This line disconnects the installed asset ${story.assets[1]!}`);
    await expect(page.getByRole('button', { name: 'Save line' })).toHaveCount(0);
    await shot(page, testInfo, '05-disconnected-line-read-only');
    await expectAccessible(page);
  });

  test('priced: the totals are the prorated delta, and each line says what changes (modify, disconnect, no change)', async ({ browser }, testInfo) => {
    const page = await open(browser);
    await signInAs(page, 'rene', ['rep'], { team: 'east' });
    await page.goto(`/quotes/${story.quoteId}`);
    await page.getByRole('button', { name: 'Price the quote' }).click();
    const price = page.getByRole('region', { name: 'Price' });
    await expect(price.getByTestId('price-freshness')).toContainText('Current: priced against release');
    const today = new Date().toISOString().slice(0, 10);
    await expect(price.getByTestId('change-totals-note')).toHaveText(`The totals are the change to what the account pays today: effective ${today}, prorated for the rest of each asset's term.`);

    // What the engine computed (its trace), as the page must show it.
    const trace = (await ok(rep('GET', `/quotes/${story.quoteId}/price-trace`))).result as Json;
    const change = trace.change as Json;
    expect((change.lines as Json[]).map((l) => [l.lineId, l.action])).toEqual([['L1', 'modify'], ['L2', 'disconnect'], ['L3', 'no-change']]);
    const fee = (l: number) => ((change.lines as Json[])[l - 1]!.charges as Json[]).find((c) => c.charge === 'monthly-fee')!;
    // The upgrade: today's fee, the new one, the difference per month and over the rest of the term.
    expect(Number(fee(1).periodDelta)).toBeGreaterThan(0);
    expect(fee(1).proration).toMatchObject({ changeDate: today, fraction: `${String(fee(1).proration.daysInTerm)}/${String(fee(1).proration.daysInTerm)}` });
    expect(Number(fee(2).termDelta)).toBeLessThan(0);
    expect(fee(2).lineNet).toBe('0.00');
    expect(Number(fee(3).periodDelta)).toBe(0);
    const table = price.getByRole('table', { name: 'Change against the installed base' });
    for (const [l, action] of [[1, 'modify'], [2, 'disconnect'], [3, 'no-change']] as const) {
      const row = table.getByTestId(`change-L${l}-monthly-fee`);
      await expect(row).toContainText(`${l}. Business Internet`);
      await expect(row).toContainText(action);
      await expect(row).toContainText(fee(l).previousLineNet as string);
      await expect(row).toContainText(`${fee(l).termDelta as string} EUR`);
    }
    // Charges by the release's names: the offering's charge names, and the disconnect fee by the name its trace step carries
    // (the pricing rule set's fee); no charge shown by its key.
    const release = await ok(rep('GET', `/metadata/releases/${String(trace.releaseId)}`));
    const offering = (release.items as Json[]).find((i) => i.kind === 'product-offering' && i.key === 'business-internet')!;
    const monthlyFee = (offering.content.charges as Json[]).find((c) => c.key === 'monthly-fee')!.name as string;
    expect(monthlyFee).toBe('Monthly fee');
    const fees = ((change.lines as Json[])[1]!.charges as Json[]).filter((c) => c.fee);
    expect(fees.map((c) => [c.charge, c.fee.name])).toEqual([['early-termination', 'Early termination fee']]);
    for (const l of [1, 2, 3]) {
      await expect(table.getByTestId(`change-L${l}-monthly-fee`).getByRole('cell').nth(2)).toHaveText(`${monthlyFee} (monthly)`);
    }
    const feeRow = table.getByTestId('change-L2-early-termination');
    await expect(feeRow.getByRole('cell').nth(2)).toHaveText('Early termination fee');
    await expect(feeRow).toContainText(`${fees[0]!.termDelta as string} EUR`);
    for (const key of ['monthly-fee', 'early-termination']) await expect(table.getByRole('cell', { name: key, exact: true })).toHaveCount(0);
    await expect(table.getByTestId('change-L1-monthly-fee')).toContainText(fee(1).lineNet as string);
    await expect(table.getByTestId('change-L1-monthly-fee')).toContainText(fee(1).proration.reason as string);
    // The totals are the delta: the sum of every charge's change over the term.
    const totals = trace.totals as Json;
    const sum = (change.lines as Json[]).flatMap((l) => l.charges as Json[]).reduce((s, c) => s + Math.round(Number(c.termDelta) * 100), 0) / 100;
    expect(Number(totals.termTotal)).toBeCloseTo(sum, 2);
    expect(Number(totals.termTotal)).toBeGreaterThan(0);
    await expect(price.getByTestId('total-term')).toContainText(totals.termTotal as string);
    await expect(price.getByTestId('total-monthly')).toContainText(`${totals.monthly as string} per month`);
    // Discounts for the lines that still cost something; none for the disconnected one.
    await expect(page.getByRole('group', { name: 'Manual discount on line 1: Business Internet' })).toBeVisible();
    await expect(page.getByRole('group', { name: 'Manual discount on line 2: Business Internet' })).toHaveCount(0);
    await shot(page, testInfo, '06-priced-delta');
    await expectAccessible(page);
  });

  test('the rep submits (no approval needed), has the document generated and accepted for the customer, and places the order of those actions', async ({ browser }, testInfo) => {
    const page = await open(browser);
    await signInAs(page, 'rene', ['rep'], { team: 'east' });
    // The account page as it is before the order: a tab left open (stale once the order is fulfilled).
    const accountTab = await open(browser);
    await accountTab.context().addCookies(await page.context().cookies());
    await accountTab.goto(`/accounts/${ACCOUNT}`);
    await expect(assetRow(accountTab, story.assets[1]!)).toContainText('active');

    await page.goto(`/quotes/${story.quoteId}`);
    await page.getByRole('button', { name: 'Submit for approval' }).click();
    await expect(page.getByTestId('quote-state')).toHaveText('approved');
    await page.getByRole('button', { name: 'Generate the document' }).click();
    await expect(page.getByTestId('open-pdf')).toBeVisible();
    await page.getByLabel('The customer accepted').selectOption('signed-pdf');
    await page.getByLabel('Evidence (who, when, what they said)').fill('Signed change form: site 1 to 2 Gbit/s, site 2 ends');
    await page.getByRole('button', { name: 'Accept for the customer' }).click();
    await expect(page.getByTestId('quote-state')).toHaveText('accepted');
    await expect(page.getByTestId('no-order')).toBeVisible();
    await shot(page, testInfo, '07-accepted-no-order-yet');
    await expectAccessible(page);
    await page.getByTestId('place-order').getByRole('button', { name: 'Place the order' }).click();
    const placed = page.getByRole('region', { name: 'Order' }).getByRole('link', { name: /^Order / });
    await expect(placed).toBeVisible();
    story.orderId = (await placed.getAttribute('href'))!.split('/orders/')[1];
    // Placing it again (the platform's consumer made it meanwhile, say) is the engine's one-order-per-revision refusal.
    const again = await api(REP[0], REP[1], 'POST', '/orders/from-accepted-quote', { quoteId: story.quoteId }, REP[2]);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'order-exists', errors: [{ field: 'body/quoteId', rule: 'one-primary-order' }] });

    // The order: each line with its action; fulfilled by the workers, the installed base follows.
    await placed.click();
    await expect(page.getByRole('heading', { name: `Order for ${CUSTOMER}` })).toBeVisible();
    const orderLines = page.getByRole('table', { name: 'Order lines' });
    await expect(orderLines.getByRole('row')).toHaveCount(4);
    for (const [i, action] of ['modify', 'disconnect', 'no-change'].entries()) {
      await expect(orderLines.getByRole('row').nth(i + 1).getByRole('cell').nth(3)).toHaveText(action);
    }
    await orderReaches(story.orderId!, 'fulfilled');
    await page.reload();
    await expect(page.getByTestId('order-state')).toHaveText('fulfilled');
    await expect(page.getByTestId('step-L1.modify-service')).toContainText('completed');
    await expect(page.getByTestId('step-L2.deactivate-service')).toContainText('completed');
    // The timeline says which step moved from which state to which, by the plan's step names; no "Step state changed".
    const timeline = page.getByTestId('order-timeline');
    const plan = await ok(rep('GET', `/orders/${story.orderId!}/fulfillment-plan`));
    const stepName = (key: string) => (plan.steps as Json[]).find((s) => s.stepKey === key)!.name as string | null;
    const words = (s: string) => s.replace(/-/g, ' ');
    const moves = ((await ok(rep('GET', `/orders/${story.orderId!}/timeline`))).entries as Json[]).filter((e) => e.action === 'order.OrderStepStateChanged');
    expect(moves.length).toBeGreaterThan(0);
    for (const { details: d } of moves) {
      const step = stepName(d.stepKey as string) ? `${d.stepKey as string} (${stepName(d.stepKey as string)!})` : d.stepKey as string;
      await expect(timeline).toContainText(`${step}: ${d.from === d.to ? `stays ${words(d.to as string)}` : `${words(d.from as string)} → ${words(d.to as string)}`}`);
    }
    await expect(timeline).toContainText(`L1.modify-service (${stepName('L1.modify-service')!}): `);
    await expect(timeline.getByRole('listitem').filter({ hasText: /^.*L2\.deactivate-service \(.*\): .* → completed/ })).not.toHaveCount(0);
    await expect(timeline).toContainText('Installed base changed: L1 modify asset');
    await expect(timeline).not.toContainText('Step state changed');
    await shot(page, testInfo, '08-change-order-fulfilled');
    await expectAccessible(page);

    await page.getByRole('link', { name: `Account ${ACCOUNT}` }).click();
    const upgraded = assetRow(page, story.assets[0]!);
    await expect(upgraded).toContainText('version 2');
    await expect(upgraded).toContainText('bandwidth: 2000');
    await expect(upgraded).toContainText('active');
    await expect(upgraded).toContainText(story.orderId!.slice(0, 8));
    await expect(assetRow(page, story.assets[1]!)).toContainText('disconnected');
    await expect(assetRow(page, story.assets[1]!).getByRole('checkbox')).toHaveCount(0);
    await expect(assetRow(page, story.assets[2]!)).toContainText('version 1');
    await expect(assetRow(page, story.assets[2]!)).toContainText('bandwidth: 500');
    await shot(page, testInfo, '09-installed-base-after-the-change');
    await expectAccessible(page);

    // The tab opened before the order still offers the disconnected asset: a change of it is refused with the engine's message.
    await accountTab.getByRole('checkbox', { name: `Choose Business Internet ${story.assets[1]!.slice(0, 8)}` }).check();
    await accountTab.getByRole('button', { name: 'Change the chosen assets' }).click();
    const refusal = accountTab.getByTestId('problem');
    await expect(refusal).toContainText('asset-not-active');
    await expect(refusal).toContainText(`asset ${story.assets[1]!} is disconnected: there is nothing to change or renew`);
    await expect(refusal).toContainText('An order has changed this asset since the page was opened');
    await expect(accountTab).toHaveURL(new RegExp(`/accounts/${ACCOUNT}$`));
    await shot(accountTab, testInfo, '10-stale-account-refused');
    await expectAccessible(accountTab);
  });

  test('a change quote made from an asset\'s old version is stale: the engine refuses it, and the rep reads why', async ({ browser }, testInfo) => {
    // erik's quote changes the first asset from version 1; this story's order took it to version 2.
    const page = await open(browser);
    await signInAs(page, 'erik', ['rep'], { team: 'east' });
    await page.goto(`/quotes/${story.colleague}`);
    await expect(page.getByTestId('action-L1')).toContainText('modify the asset');
    await page.getByRole('button', { name: 'Price the quote' }).click();
    // The engine checks the asset's version when the quote is priced (ADR 0022): refused, and the page says why, as the engine does.
    const refused = page.getByTestId('price-command').getByTestId('problem');
    await expect(refused).toContainText('409 asset-stale');
    const again = await api('erik', ['rep'], 'POST', `/quotes/${story.colleague}/commands/price`, undefined, { team: 'east' });
    expect(again.status, JSON.stringify(again.body)).toBe(409);
    expect(again.body).toMatchObject({ code: 'asset-stale', errors: [{ field: 'lines/L1', rule: 'asset-version-current' }] });
    await expect(refused).toContainText(String(again.body.title));
    await expect(refused).toContainText(String(again.body.detail));
    await expect(refused).toContainText(`line L1 changes asset ${story.assets[0]!} at version 1; the asset is at version 2 now`);
    await expect(refused).toContainText('Make a new change quote from the account’s installed base as it is now.');
    await expect(page.getByRole('region', { name: 'Price' })).toHaveCount(0);
    await shot(page, testInfo, '11-stale-change-refused-at-pricing');
    await expectAccessible(page);
    // The account is as the first change left it.
    expect((await ok(rep('GET', `/installed-base?accountId=${ACCOUNT}`))).items.find((a: Json) => a.assetId === story.assets[0])).toMatchObject({ version: 2, selections: expect.objectContaining({ bandwidth: 2000 }) });
  });
});
