import { readFileSync } from 'node:fs';
import { expect, test, type Browser, type Locator, type Page, type TestInfo } from '@playwright/test';
import { apiGet, expectAccessible, shot, signIn, tenant, watchedPage } from './studio-helpers';

// BPMN and DMN in the studio, against the real engine and Camunda: an admin adds an external-task
// step in bpmn-js, the engine's issue shows on the element, a second admin approves, the release
// deploys the new process version on Camunda; a Camunda Desktop Modeler file imports and
// publishes byte for byte; a DMN decision table edits in dmn-js. axe checks the modeler pages
// whole, bpmn-js and dmn-js included. (Runs after governed-publish, which expects to publish
// release 2: release numbers here are read, never assumed.)

const CAMUNDA = process.env.TEST_CAMUNDA_URL ?? 'http://127.0.0.1:8080/engine-rest';
const fixture = (file: string) => readFileSync(new URL(`../../metadata/test-fixtures/camunda-modeler/${file}`, import.meta.url), 'utf8');

type Draft = { version: number; content: { xml: string; processKey?: string; name?: string } };
type Release = { releaseNumber: number; camundaDeploymentId: string | null };
type Definition = { id: string; key: string; version: number; deploymentId: string; tenantId: string };

const camunda = async <T>(path: string): Promise<T> => {
  const response = await fetch(`${CAMUNDA}${path}`);
  expect(response.status, `${path}: ${await response.clone().text()}`).toBe(200);
  return (await response.json()) as T;
};
/** A point on a connection's path (65 % along it), on screen: where a shape dropped splices into the flow. */
const pointOnFlow = (page: Page, id: string) => page.locator(`.cpq-canvas .djs-connection[data-element-id="${id}"] .djs-visual > path`).evaluate((path: SVGPathElement) => {
  const at = path.getPointAtLength(path.getTotalLength() * 0.65);
  const screen = new DOMPoint(at.x, at.y).matrixTransform(path.getScreenCTM()!);
  return { x: screen.x, y: screen.y };
});
const center = async (locator: Locator) => {
  const box = await locator.boundingBox();
  if (!box) throw new Error('not on screen');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
};

test.describe.serial('BPMN and DMN in the studio (real engine, Camunda)', () => {
  const pageErrors: string[][] = [];
  const opened: Page[] = [];
  let taskId = '';
  let releaseBefore = 0;

  test.afterEach(async () => {
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
  const element = (page: Page, id: string) => page.locator(`.cpq-canvas .djs-element[data-element-id="${id}"]`);
  const group = (page: Page, id: string) => page.locator(`.cpq-properties [data-group-id="group-${id}"]`);
  const openGroup = async (page: Page, id: string) => {
    const header = group(page, id).locator('.bio-properties-panel-group-header');
    if (!(await header.getAttribute('class'))?.includes(' open')) await header.click();
  };

  /** Makes a candidate of the chosen drafts in the studio and returns its page's address. */
  const makeCandidate = async (page: Page, title: string, items: string[]) => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Release candidates' }).click();
    await page.getByLabel('Title').fill(title);
    await page.getByText(/^Drafts to include/).click();
    for (const item of items) await page.getByRole('checkbox', { name: item }).check();
    await page.getByRole('button', { name: 'Make candidate and validate' }).click();
    await expect(page).toHaveURL(/\/candidates\/[0-9a-f-]{36}$/);
    return new URL(page.url()).pathname;
  };

  /** Author requests review, a second admin approves, the author publishes: the release's number. */
  const reviewAndPublish = async (browser: Browser, author: Page, candidateUrl: string, testInfo: TestInfo, step: string) => {
    await expect(author.getByTestId('candidate-state')).toHaveText('validated');
    await author.getByRole('button', { name: 'Request review' }).click();
    await expect(author.getByTestId('candidate-state')).toHaveText('in-review');
    const reviewer = await open(browser);
    await signIn(reviewer, 'noor');
    await reviewer.goto(candidateUrl);
    await reviewer.getByLabel('Review comment').fill('Model checked in the diagram.');
    await reviewer.getByRole('button', { name: 'Approve' }).click();
    await expect(reviewer.getByTestId('candidate-state')).toHaveText('approved');
    await author.reload();
    await author.getByRole('button', { name: 'Publish' }).click();
    const published = author.getByTestId('published');
    await expect(published).toContainText('Published release', { timeout: 60_000 });
    await expect(published).toContainText('Camunda deployment');
    await shot(author, testInfo, `${step}-published`);
    return Number(/Published release (\d+)/.exec((await published.textContent()) ?? '')?.[1]);
  };

  test('(c) an admin adds an external-task step in the modeler; the engine\'s issue shows on it; fixed, approved by a second admin and published, Camunda runs the new version', async ({ browser }, testInfo) => {
    test.setTimeout(240_000);
    releaseBefore = (await apiGet<Release>('/metadata/releases/current')).releaseNumber;
    const versionsBefore = await camunda<Definition[]>(`/process-definition?key=quote-approval&tenantIdIn=${tenant()}`);
    const page = await open(browser);
    await signIn(page, 'mia');
    await page.goto('/drafts/bpmn-model/quote-approval');
    await expect(page.getByRole('tab', { name: 'Modeler' })).toHaveAttribute('aria-selected', 'true');
    await expect(element(page, 'record-approval-decision')).toBeVisible();
    await expect(page.getByTestId('model-keys')).toContainText(/External tasks offer the \d+ topics of the worker catalog/);
    await shot(page, testInfo, 'c01-modeler');
    await expectAccessible(page);

    // Make room after "Record approval decision": the end event moves down.
    const end = await center(element(page, 'approved'));
    await page.mouse.move(end.x, end.y);
    await page.mouse.down();
    await page.mouse.move(end.x, end.y + 100, { steps: 5 });
    await page.mouse.move(end.x, end.y + 200, { steps: 5 });
    await page.mouse.up();
    // A task from the palette, dropped on the flow to the end event: bpmn-js splices it in.
    await page.locator('.djs-palette [data-action="create.task"]').click();
    const flow = await pointOnFlow(page, 'to-approved');
    await page.mouse.move(flow.x - 60, flow.y - 20, { steps: 4 });
    await page.mouse.move(flow.x, flow.y, { steps: 4 });
    await page.mouse.down();
    await page.mouse.up();
    // bpmn-js asks for the new task's label at once.
    await expect(page.locator('.djs-direct-editing-parent')).toBeVisible();
    await page.keyboard.type('Check workers');
    await page.locator('.cpq-canvas').click({ position: { x: 300, y: 560 } });
    const created = page.locator('.cpq-canvas .djs-shape[data-element-id^="Activity_"]');
    await expect(created).toHaveCount(1);
    taskId = (await created.getAttribute('data-element-id')) ?? '';
    // Change it into a service task (context pad, "Change element").
    // The first click can land while bpmn-js still ends the label's direct editing (seen on a
    // loaded CI machine: no context pad): click again until the pad opens.
    const replace = page.locator('.djs-context-pad [data-action="replace"]');
    await expect(async () => {
      await element(page, taskId).click();
      await expect(replace).toBeVisible({ timeout: 3_000 });
    }).toPass({ timeout: 30_000 });
    await replace.click();
    await page.locator('.djs-popup [data-id="replace-with-service-task"]').click();
    await expect(element(page, taskId)).toHaveClass(/selected/);

    // The Camunda 7 properties panel: an external implementation, no topic yet.
    await expect(page.locator('.cpq-properties .bio-properties-panel-header')).toContainText('Check workers');
    await openGroup(page, 'CamundaPlatform__Implementation');
    await page.locator('#bio-properties-panel-implementationType').selectOption('external');
    const catalog = page.locator('#bio-properties-panel-workerCatalogTopic');
    // The engine's worker catalog (GET /metadata/worker-topics), as the workers role runs it.
    await expect(catalog.locator('option').first()).toHaveText('Choose a topic…');
    expect(await catalog.locator('option').allTextContents()).toEqual(expect.arrayContaining(['platform.ping', 'quote.record-approval-decision', 'quote.escalate-approval']));
    await expect(element(page, taskId)).toContainText('Check workers');
    await shot(page, testInfo, 'c02-new-step');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Saved version 1' })).toBeVisible();

    // Connected into the flow: record -> new step -> end, as saved through the engine.
    let draft = await apiGet<Draft>('/metadata/drafts/bpmn-model/quote-approval', 'mia', ['admin']);
    expect(draft.content.xml).toMatch(new RegExp(`<bpmn:serviceTask id="${taskId}" name="Check workers" camunda:type="external"`));
    expect(draft.content.xml).toMatch(new RegExp(`sourceRef="record-approval-decision" targetRef="${taskId}"`));
    expect(draft.content.xml).toMatch(new RegExp(`sourceRef="${taskId}" targetRef="approved"`));

    // The candidate is invalid: the issue links back to the modeler, which marks the element.
    const invalidUrl = await makeCandidate(page, 'New check step', ['bpmn-model / quote-approval']);
    await expect(page.getByTestId('candidate-state')).toHaveText('invalid');
    const issues = page.getByRole('table', { name: 'Validation issues' });
    await expect(issues).toContainText('bpmn.topic');
    await issues.getByRole('row').filter({ hasText: 'bpmn.topic' }).getByRole('link').click();
    await expect(page).toHaveURL(/\/drafts\/bpmn-model\/quote-approval\?.*candidate=/);
    const list = page.getByRole('region', { name: 'Validation issues of this model' });
    await expect(list).toContainText(`external task "${taskId}" has no camunda:topic`);
    await expect(list.getByRole('link', { name: '“New check step”' })).toHaveAttribute('href', invalidUrl);
    await expect(element(page, taskId)).toHaveClass(/cpq-issue-error/);
    await expect(page.locator(`.cpq-issue-badge[data-issue-element="${taskId}"]`)).toHaveAttribute('title', /has no camunda:topic/);
    await page.locator('.cpq-canvas').click({ position: { x: 20, y: 20 } });
    await list.getByRole('button', { name: `Show ${taskId} on the canvas` }).click();
    await expect(element(page, taskId)).toHaveClass(/selected/);
    await shot(page, testInfo, 'c03-issue-on-element');
    await expectAccessible(page);

    // Fixed with a topic from the worker catalog, with what its worker does.
    await openGroup(page, 'CamundaPlatform__Implementation');
    await catalog.selectOption('platform.ping');
    await expect(page.locator('#bio-properties-panel-externalTopic')).toHaveValue('platform.ping');
    await expect(group(page, 'CamundaPlatform__Implementation')).toContainText('Answers { pong: true, at }');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Saved version 2' })).toBeVisible();
    draft = await apiGet<Draft>('/metadata/drafts/bpmn-model/quote-approval', 'mia', ['admin']);
    expect(draft.content.xml).toContain(`<bpmn:serviceTask id="${taskId}" name="Check workers" camunda:type="external" camunda:topic="platform.ping">`);
    await shot(page, testInfo, 'c04-topic-from-catalog');

    const candidateUrl = await makeCandidate(page, 'New check step, with its topic', ['bpmn-model / quote-approval']);
    const release = await reviewAndPublish(browser, page, candidateUrl, testInfo, 'c05');
    expect(release).toBe(releaseBefore + 1);

    // Camunda runs the new version of the process, with the new step.
    const current = await apiGet<Release>('/metadata/releases/current');
    expect(current.releaseNumber).toBe(release);
    const versions = await camunda<Definition[]>(`/process-definition?key=quote-approval&tenantIdIn=${tenant()}&sortBy=version&sortOrder=desc`);
    expect(versions[0]!.version).toBeGreaterThan(Math.max(0, ...versionsBefore.map((v) => v.version)));
    expect(versions[0]!.deploymentId).toBe(current.camundaDeploymentId);
    const deployed = await camunda<{ bpmn20Xml: string }>(`/process-definition/${versions[0]!.id}/xml`);
    expect(deployed.bpmn20Xml).toContain(`<bpmn:serviceTask id="${taskId}" name="Check workers" camunda:type="external" camunda:topic="platform.ping">`);
  });

  test('a file made in Camunda Desktop Modeler imports into a new draft and publishes byte for byte', async ({ browser }, testInfo) => {
    test.setTimeout(180_000);
    const file = 'credit-check.modeler-4.bpmn';
    const bytes = fixture(file);
    const page = await open(browser);
    await signIn(page, 'mia');
    await page.goto('/drafts/new?kind=bpmn-model');
    await expect(page.getByRole('tab', { name: 'Modeler' })).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByText('No diagram yet.')).toBeVisible();
    await page.getByLabel(/Import a BPMN file/).setInputFiles({ name: file, mimeType: 'application/xml', buffer: Buffer.from(bytes) });
    await expect(page.getByRole('status').filter({ hasText: `Imported ${file} as it is` })).toBeVisible();
    await expect(element(page, 'Activity_score')).toBeVisible();
    await expect(page.getByTestId('model-keys')).toContainText('fixture-credit-check');
    await expect(page.getByLabel('Key')).toHaveValue('credit-check-modeler-4');
    await shot(page, testInfo, 'd01-imported');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Create draft' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Saved version 1' })).toBeVisible();
    const draft = await apiGet<Draft>('/metadata/drafts/bpmn-model/credit-check-modeler-4', 'mia', ['admin']);
    expect(draft.content.xml).toBe(bytes);
    expect(draft.content.processKey).toBe('fixture-credit-check');

    const candidateUrl = await makeCandidate(page, 'Credit check from Desktop Modeler', ['bpmn-model / credit-check-modeler-4']);
    // Style findings of Desktop Modeler files are warnings: shown, never blocking.
    await expect(page.getByRole('table', { name: 'Validation issues' })).toContainText('bpmn.lint');
    await reviewAndPublish(browser, page, candidateUrl, testInfo, 'd02');

    // Camunda holds the file as it was made.
    const [definition] = await camunda<Definition[]>(`/process-definition?key=fixture-credit-check&tenantIdIn=${tenant()}&latestVersion=true`);
    const resources = await camunda<{ id: string; name: string }[]>(`/deployment/${definition!.deploymentId}/resources`);
    const resource = resources.find((r) => r.name === 'credit-check-modeler-4.bpmn');
    const deployed = await fetch(`${CAMUNDA}/deployment/${definition!.deploymentId}/resources/${resource!.id}/data`).then((r) => r.text());
    expect(deployed).toBe(bytes);
  });

  test('a DMN decision table opens in dmn-js on its decision; an edited rule is saved to the draft', async ({ browser }, testInfo) => {
    const page = await open(browser);
    await signIn(page, 'mia');
    await page.goto('/drafts/dmn-model/approval-level');
    await expect(page.getByRole('tab', { name: 'Modeler' })).toHaveAttribute('aria-selected', 'true');
    const table = page.locator('.cpq-dmn-canvas .tjs-table');
    await expect(table).toBeVisible();
    await expect(page.locator('.cpq-dmn-canvas .decision-table-name')).toContainText('Approval level');
    await shot(page, testInfo, 'e01-decision-table');
    await expectAccessible(page);
    await page.locator('.cpq-dmn-canvas td.annotation[data-row-id="rep"]').click();
    await page.keyboard.type('Reps approve up to 10 % (checked)');
    await page.locator('.cpq-dmn-canvas .decision-table-name').click();
    await page.getByRole('button', { name: 'Save draft' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Saved version 1' })).toBeVisible();
    const draft = await apiGet<Draft>('/metadata/drafts/dmn-model/approval-level', 'mia', ['admin']);
    expect(draft.content.xml).toMatch(/<rule id="rep">\s*<description>Reps approve up to 10 % \(checked\)<\/description>/);
    await shot(page, testInfo, 'e02-saved');
    // Leave no draft behind for the suites that make candidates of every draft.
    await page.getByRole('button', { name: 'Delete draft' }).click();
    await page.getByRole('button', { name: 'Confirm delete' }).click();
    await expect(page).toHaveURL(/\/workspace$/);
  });
});
