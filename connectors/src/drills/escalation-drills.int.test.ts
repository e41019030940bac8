import { randomBytes, randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/env';
import { eventually } from '../../../test/kafka-helpers';
import { sampleCatalogWithDefaultModels, setUpTenant, startEngineProcess, type EngineProcess } from '../../../test/services/engine-process';
import { createCamundaClient } from '../camunda/camunda-rest.client';
import { createEngineClient } from '../camunda/engine-client';
import { ESCALATE_APPROVAL, quoteApprovalWorkers } from '../camunda/quote-approval.workers';
import type { WorkerEntry } from '../camunda/worker-catalog';
import { startWorkerHost, type WorkerHost } from '../camunda/worker-host';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies

const WORKERS = { clientId: 'workers-drill', clientSecret: randomBytes(32).toString('hex') };

/*
 * Seed section 13, "escalation timer fires after task already completed", for real: the SLA
 * timer (2 s) fires, the workers' host fetches and locks the escalation, and the approver decides
 * the level before the handler runs (the handler is held at a gate the test opens). The engine
 * process, Camunda's job executor and the worker host are the real ones.
 */
describe('approval drill: escalation timer fires after the task is completed', () => {
  let engine: EngineProcess;
  let host: WorkerHost | undefined;
  const tokens: Record<string, string> = {};
  const camunda = createCamundaClient(testEnv.camundaUrl);
  const tenant = `esc-${Date.now().toString(36)}`;
  const topicPrefix = `test.${randomUUID().slice(0, 8)}.`;
  // Escalations the host fetched, each waiting for the test to let its handler run.
  const held: { processInstanceId: string; release: () => void }[] = [];

  beforeAll(async () => {
    engine = await startEngineProcess('escalation_drill', {
      serviceClients: [{ clientId: WORKERS.clientId, secret: WORKERS.clientSecret, roles: ['integrator'], tenants: [tenant] }],
    });
    const items = sampleCatalogWithDefaultModels().map((item) => {
      if (item.kind === 'approval-policy') return { ...item, content: { ...(item.content as object), escalationSla: 'PT2S' } };
      if (item.kind === 'bpmn-model') {
        const content = item.content as { xml: string };
        return { ...item, content: { ...content, xml: content.xml.replace(/camunda:topic="quote\./g, `camunda:topic="${topicPrefix}quote.`) } };
      }
      return item;
    });
    await setUpTenant(engine, tenant, items);
    const catalog = quoteApprovalWorkers(createEngineClient(engine.url, WORKERS), testEnv.camundaUrl, { topicPrefix }).map((entry): WorkerEntry => {
      if (entry.topic !== `${topicPrefix}${ESCALATE_APPROVAL}`) return entry;
      const original = entry.handler as unknown as WorkerEntry['handler'];
      return {
        ...entry,
        async handler(input, context) {
          await new Promise<void>((release) => held.push({ processInstanceId: input.processInstanceId, release }));
          return original(input, context);
        },
      } as WorkerEntry;
    });
    host = startWorkerHost({
      baseUrl: testEnv.camundaUrl, catalog, workerId: `drill-${randomUUID().slice(0, 8)}`, maxTasks: 5, asyncResponseTimeout: 1_000,
      stopTimeoutMs: 5_000, logger: pino({ level: 'silent' }),
    });
    [tokens.rita, tokens.sam, tokens.fiona] = await Promise.all([
      engine.userToken('rita', tenant, ['rep'], 'north'),
      engine.userToken('sam', tenant, ['sales-manager'], 'north'),
      engine.userToken('fiona', tenant, ['finance']),
    ]);
  }, 180_000);
  afterAll(async () => {
    for (const h of held) h.release();
    await host?.stop();
    const deployments = await fetch(`${testEnv.camundaUrl}/deployment?tenantIdIn=${tenant}`).then((r) => r.json() as Promise<{ id: string }[]>).catch(() => []);
    for (const d of deployments) await camunda.deleteDeployment(d.id).catch(() => {});
    await engine?.stop();
  });

  const call = async (as: string, method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const res = await fetch(`${engine.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${tokens[as]}`, ...(method === 'POST' ? { 'idempotency-key': `k-${randomUUID()}` } : {}), ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: payload !== undefined ? JSON.stringify(payload) : undefined,
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const submitted = async (discountPercent: string) => {
    const quoteId = (await call('rita', 'POST', '/quotes', { accountId: 'acct-1', customerName: 'Acme', currency: 'EUR', termMonths: 24 })).body.quoteId as string;
    await call('rita', 'POST', `/quotes/${quoteId}/lines`, { offering: 'business-internet', quantity: 1, selections: { access: 'fiber', bandwidth: 500, slaTier: 'standard' }, manualDiscount: { percent: discountPercent, reason: 'competitive' } });
    expect((await call('rita', 'POST', `/quotes/${quoteId}/commands/price`)).status).toBe(200);
    const submit = await call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`);
    expect(submit.body.state, JSON.stringify(submit.body)).toBe('submitted');
    const [instance] = await camunda.processInstances({ businessKey: `quote-approval:${tenant}:${quoteId}:1`, processDefinitionKey: 'quote-approval' });
    return { quoteId, processInstanceId: instance!.id, levels: submit.body.required.length as number };
  };
  const heldFor = (processInstanceId: string) => eventually(async () => held.find((h) => h.processInstanceId === processInstanceId), 60_000, 200);
  const item = async (as: string, quoteId: string) => ((await call(as, 'GET', '/work-items')).body.items as Json[]).find((i) => i.quoteId === quoteId);
  const escalations = async (quoteId: string) => ((await call('rita', 'GET', `/quotes/${quoteId}/timeline`)).body.entries as Json[]).filter((e) => e.action === 'quote.ApprovalEscalated');
  const incidents = async (processInstanceId: string) => (await fetch(`${testEnv.camundaUrl}/incident?processInstanceId=${processInstanceId}`).then((r) => r.json())) as Json[];

  it('drill: escalation timer fires after the task is completed: the late escalation finds no open level, escalates nothing, and the process ends approved without an incident', async () => {
    const { quoteId, processInstanceId, levels } = await submitted('18');
    expect(levels).toBe(1);
    const work = await item('sam', quoteId);
    // The timer fired and the host holds the escalation; sam decides first.
    const escalation = await heldFor(processInstanceId);
    expect((await call('sam', 'POST', `/work-items/${work!.workItemId}/commands/approve-quote`, { reason: 'ok' })).body.state).toBe('approved');
    escalation.release();
    await eventually(async () => (await camunda.historicProcessInstances({ processInstanceId }))[0]?.state === 'COMPLETED', 60_000, 300);
    expect(await escalations(quoteId)).toEqual([]);
    expect(await item('fiona', quoteId)).toBeUndefined();
    expect(await incidents(processInstanceId)).toEqual([]);
    expect((await call('rita', 'GET', `/quotes/${quoteId}`)).body.revision.state).toBe('approved');
  }, 120_000);

  it('drill: escalation timer fires after the task is completed, with a next level opened meanwhile: the late escalation of level 1 leaves the fresh level 2 task alone', async () => {
    const { quoteId, processInstanceId, levels } = await submitted('28');
    expect(levels).toBe(2);
    const first = await item('sam', quoteId);
    expect(first).toMatchObject({ role: 'sales-manager' });
    const escalation = await heldFor(processInstanceId);
    expect((await call('sam', 'POST', `/work-items/${first!.workItemId}/commands/approve-quote`, { reason: 'ok for my level' })).body.state).toBe('submitted');
    // The finance level is open now, with its own task (and its own SLA timer, 2 s later).
    const second = await eventually(() => item('fiona', quoteId), 30_000, 200);
    expect(second!.workItemId).not.toBe(first!.workItemId);
    // Release only level 1's escalation (level 2's own timer, if it fired, stays held).
    escalation.release();
    held.splice(held.indexOf(escalation), 1);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await escalations(quoteId)).toEqual([]);
    expect(await incidents(processInstanceId)).toEqual([]);
    for (const h of held.filter((x) => x.processInstanceId === processInstanceId)) h.release();
    expect((await call('fiona', 'POST', `/work-items/${second!.workItemId}/commands/approve-quote`, { reason: 'ok' })).body.state).toBe('approved');
    expect(await escalations(quoteId)).toEqual([]);
  }, 120_000);
});
