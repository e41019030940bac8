import { randomUUID } from 'node:crypto';
import type { MetadataItem } from '@cpq/metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../test/kafka-helpers';
import { createQuoteFixture, internetLine, type Json, type QuoteFixture } from '../../test/quote-fixture';
import { publishRelease, sampleCatalogWithDefaultModels } from '../../test/release-fixture';

// Seed section 13, quote/pricing and approval drills on the real platform (engine in process,
// real PostgreSQL, Redis, Kafka and Camunda). docs/prr/drills.md lists them.
const inboxItem = async (f: QuoteFixture, as: 'sam' | 'fiona', quoteId: string) =>
  ((await f.call(as, 'GET', '/work-items')).body.items as Json[]).find((i) => i.quoteId === quoteId);

describe('approval and pricing drills', () => {
  let f: QuoteFixture;
  beforeAll(async () => {
    f = await createQuoteFixture('approval_drills');
  }, 180_000);
  afterAll(async () => {
    await f?.close();
  });

  it('drill: quote changes while the approval task is open: the submitted revision refuses edits, a revise ends its process and work item, the approver cannot decide the old one, and the new revision goes through its own approval', async () => {
    const quoteId = await f.pricedQuote('rita', { discountPercent: '18' });
    expect((await f.call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`)).body.state).toBe('submitted');
    const first = await inboxItem(f, 'sam', quoteId);
    expect(first).toMatchObject({ revision: 1, role: 'sales-manager' });

    // The rep changes the quote while sam's task is open: the submitted revision is frozen.
    const edit = await f.call('rita', 'POST', `/quotes/${quoteId}/lines`, internetLine());
    expect(edit.status).toBe(409);
    expect(edit.body.code).toBe('quote-state');
    // Revise: a new draft revision; revision 1 superseded, its approval process ended in Camunda.
    const revised = await f.call('rita', 'POST', `/quotes/${quoteId}/commands/revise`);
    expect(revised.status, JSON.stringify(revised.body)).toBe(200);
    expect(revised.body.revision).toBe(2);
    const businessKey = `quote-approval:${f.tenant}:${quoteId}:1`;
    expect(await f.t.infrastructure.camunda.processInstances({ businessKey, processDefinitionKey: 'quote-approval' })).toEqual([]);
    expect(await inboxItem(f, 'sam', quoteId)).toBeUndefined();

    // sam had the old task open: deciding it now changes nothing.
    const stale = await f.call('sam', 'POST', `/work-items/${first!.workItemId}/commands/approve-quote`, { reason: 'looked fine an hour ago' });
    expect(stale.status).toBe(404);
    expect((await f.t.infrastructure.prisma.quoteRevision.findUniqueOrThrow({ where: { quoteId_revision: { quoteId, revision: 1 } } })).state).toBe('superseded');

    // The new revision changes, is priced and submitted: a new task for revision 2, approved on its own evidence.
    expect((await f.call('rita', 'POST', `/quotes/${quoteId}/lines`, internetLine('15'))).status).toBe(201);
    expect((await f.call('rita', 'POST', `/quotes/${quoteId}/commands/price`)).status).toBe(200);
    expect((await f.call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`)).body.state).toBe('submitted');
    const second = await inboxItem(f, 'sam', quoteId);
    expect(second).toMatchObject({ revision: 2 });
    expect(second!.workItemId).not.toBe(first!.workItemId);
    const approved = await f.call('sam', 'POST', `/work-items/${second!.workItemId}/commands/approve-quote`, { reason: 'ok' });
    expect(approved.body.state).toBe('approved');
    const evidence = (await f.call('rita', 'GET', `/quotes/${quoteId}/approval-evidence`)).body;
    expect(evidence.revision).toBe(2);
    expect(evidence.decisions).toEqual([expect.objectContaining({ level: 2, outcome: 'approved' })]);
    expect((await f.t.infrastructure.prisma.quoteRevision.findUniqueOrThrow({ where: { quoteId_revision: { quoteId, revision: 1 } } })).state).toBe('superseded');
  });

  it('drill: price book publication during active quote edit: the quote keeps its pinned release while it is edited and priced, new quotes get the new prices, and a revise moves it to them explicitly', async () => {
    const draft = async () => {
      const { quoteId } = (await f.call('rita', 'POST', '/quotes', { accountId: 'acct-1', customerName: 'Acme GmbH', currency: 'EUR', termMonths: 24 })).body;
      expect((await f.call('rita', 'POST', `/quotes/${quoteId}/lines`, internetLine())).status).toBe(201);
      return quoteId as string;
    };
    const price = async (quoteId: string) => {
      const res = await f.call('rita', 'POST', `/quotes/${quoteId}/commands/price`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.totals as Json;
    };
    const quoteId = await draft();
    const before = await price(quoteId);
    // A second quote in edit, not priced yet: also pinned to the release of its creation.
    const other = await draft();
    const pinned = (await f.call('rita', 'GET', `/quotes/${quoteId}`)).body.revision.lines[0].releaseId;

    // A price rise on the monthly fee, published by two admins while rita edits and prices.
    const items = sampleCatalogWithDefaultModels().map((item): MetadataItem => {
      if (item.kind !== 'price-book') return item;
      const book = structuredClone(item) as Json;
      for (const entry of book.content.entries as Json[]) {
        if (entry.offering === 'business-internet' && entry.charge === 'monthly-fee') for (const row of entry.rows as Json[]) row.price = (Number(row.price) * 2).toFixed(2);
      }
      return book as MetadataItem;
    });
    const [published] = await Promise.all([
      publishRelease(f.t.app, f.t.config, f.tenant, items),
      (async () => {
        for (let i = 0; i < 3; i++) expect((await f.call('rita', 'POST', `/quotes/${quoteId}/lines`, internetLine())).status).toBe(201);
        await price(quoteId);
      })(),
    ]);
    expect(published.releaseId).not.toBe(pinned);

    // After the publish: the quotes in edit stay on their pinned release, whatever is added.
    expect((await f.call('rita', 'POST', `/quotes/${quoteId}/lines`, internetLine())).status).toBe(201);
    const view = (await f.call('rita', 'GET', `/quotes/${quoteId}`)).body;
    expect(view.revision.lines).toHaveLength(5);
    expect(new Set(view.revision.lines.map((l: Json) => l.releaseId))).toEqual(new Set([pinned]));
    await price(quoteId);
    // The same single line priced now on the other quote: exactly the old price.
    expect(await price(other)).toEqual(before);
    // A quote created now is on the new release: the same line costs more.
    expect(await price(await draft())).not.toEqual(before);
    // The pinned quote submits without a stale-price refusal: its price is fresh for its release.
    expect((await f.call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`)).status).toBe(200);

    // A revise moves the quote to the current release, explicitly (QuoteRevised names it).
    const revised = await f.call('rita', 'POST', `/quotes/${quoteId}/commands/revise`);
    expect(revised.status, JSON.stringify(revised.body)).toBe(200);
    const moved = (await f.call('rita', 'GET', `/quotes/${quoteId}`)).body;
    expect(new Set(moved.revision.lines.map((l: Json) => l.releaseId))).toEqual(new Set([published.releaseId]));
    const timeline = (await f.call('rita', 'GET', `/quotes/${quoteId}/timeline`)).body.entries as Json[];
    expect(timeline.some((e) => e.action === 'quote.QuoteRevised')).toBe(true);
  });
});

describe('approval drill: workflow incident before task creation', () => {
  let f: QuoteFixture;
  const topicPrefix = `test.${randomUUID().slice(0, 8)}.`;
  const camunda = () => f.t.config.camundaUrl;
  const rest = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${camunda()}${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? undefined : (res.json() as Promise<Json>);
  };

  beforeAll(async () => {
    // A tenant's approval model with a defect before its user task: "Open level" runs
    // asynchronously and reads a variable nobody sets, so its job fails into an incident at once
    // (R1: one attempt) before any approval task exists. Topics renamed so no platform worker takes them.
    const items = sampleCatalogWithDefaultModels().map((item) => {
      if (item.kind !== 'bpmn-model' || item.key !== 'quote-approval') return item;
      const content = item.content as { xml: string };
      const xml = content.xml
        .replace(/camunda:topic="quote\./g, `camunda:topic="${topicPrefix}quote.`)
        .replace(
          /<bpmn:serviceTask id="open-level" name="Open level" camunda:expression="\$\{execution\.setVariableLocal\('approved', null\)\}">/,
          '<bpmn:serviceTask id="open-level" name="Open level" camunda:asyncBefore="true" camunda:expression="${execution.setVariableLocal(\'approved\', levelGate)}">'
          + '<bpmn:extensionElements><camunda:failedJobRetryTimeCycle>R1/PT1S</camunda:failedJobRetryTimeCycle></bpmn:extensionElements>',
        );
      expect(xml).toContain('levelGate');
      return { ...item, content: { ...content, xml } };
    });
    f = await createQuoteFixture('approval_incident', {}, { items });
  }, 180_000);
  afterAll(async () => {
    await f?.close();
  });

  it('drill: approval workflow incident before task creation: the submission holds with no work item, the incident is visible, and once the operator fixes and retries it the approver decides as usual', async () => {
    const quoteId = await f.pricedQuote('rita', { discountPercent: '18' });
    const submitted = await f.call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`);
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    expect(submitted.body.state).toBe('submitted');

    const [instance] = await f.t.infrastructure.camunda.processInstances({ businessKey: `quote-approval:${f.tenant}:${quoteId}:1`, processDefinitionKey: 'quote-approval' });
    expect(instance).toBeDefined();
    const incident = await eventually(async () => ((await rest('GET', `/incident?processInstanceId=${instance!.id}`)) as unknown as Json[])[0], 60_000, 500);
    expect(incident).toMatchObject({ incidentType: 'failedJob', activityId: 'open-level' });
    expect(incident.incidentMessage).toMatch(/levelGate/);
    // Nothing to decide yet: no task, no work item; the revision waits submitted (its approval due
    // time still runs: ApprovalsBreachingSla fires if nobody acts, CamundaIncidentsOpen at once).
    expect(await f.t.infrastructure.camunda.tasks({ processInstanceId: instance!.id })).toEqual([]);
    expect(await inboxItem(f, 'sam', quoteId)).toBeUndefined();
    expect((await f.call('rita', 'GET', `/quotes/${quoteId}`)).body.revision.state).toBe('submitted');

    // The operator fixes the cause (the missing variable) and retries this incident's job.
    await rest('PUT', `/process-instance/${instance!.id}/variables/levelGate`, { value: null, type: 'Null' });
    await rest('PUT', `/job/${incident.configuration}/retries`, { retries: 1 });
    const item = await eventually(() => inboxItem(f, 'sam', quoteId), 60_000, 500);
    expect(item).toMatchObject({ revision: 1, role: 'sales-manager' });
    expect(((await rest('GET', `/incident?processInstanceId=${instance!.id}`)) as unknown as Json[])).toEqual([]);
    const approved = await f.call('sam', 'POST', `/work-items/${item!.workItemId}/commands/approve-quote`, { reason: 'ok' });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.state).toBe('approved');
  }, 120_000);
});
