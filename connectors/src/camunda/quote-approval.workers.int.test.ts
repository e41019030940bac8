import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanCamunda, publishRelease, sampleCatalogWithDefaultModels, tokensFor } from '../../../engine/test/release-fixture';
import { createTestApp, type TestApp } from '../../../engine/test/test-app';
import { eventually } from '../../../test/kafka-helpers';
import { createEngineClient } from './engine-client';
import { quoteApprovalWorkers } from './quote-approval.workers';
import { startWorkerHost } from './worker-host';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies

describe('quote-approval workers: escalation after the SLA and the recorded decision (real Camunda, engine over HTTP)', () => {
  let t: TestApp;
  let host: { stop(): Promise<void> } | undefined;
  let startHost: () => { stop(): Promise<void> };
  let tokens: Record<string, string>;
  const tenant = `qw-${Date.now().toString(36)}`;
  const topicPrefix = `test.${randomUUID().slice(0, 8)}.`;

  beforeAll(async () => {
    t = await createTestApp('quote_workers');
    await t.infrastructure.prisma.tenant.create({ data: { id: tenant, name: 'Workers' } });
    // A policy whose SLA is two seconds, so the escalation timer fires during the test; topics
    // of this run only, so a platform `workers` process running on this machine cannot take them.
    const items = sampleCatalogWithDefaultModels().map((item) => {
      if (item.kind === 'approval-policy') return { ...item, content: { ...(item.content as object), escalationSla: 'PT2S' } };
      if (item.kind === 'bpmn-model') {
        const content = item.content as { xml: string };
        return { ...item, content: { ...content, xml: content.xml.replace(/camunda:topic="quote\./g, `camunda:topic="${topicPrefix}quote.`) } };
      }
      return item;
    });
    await publishRelease(t.app, t.config, tenant, items);
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const address = t.app.server.address();
    const engineUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    startHost = () => startWorkerHost({
      baseUrl: t.config.camundaUrl,
      catalog: quoteApprovalWorkers(createEngineClient(engineUrl, t.config.auth, 'test-workers'), t.config.camundaUrl, { topicPrefix }),
      workerId: `test-${randomUUID().slice(0, 8)}`,
      maxTasks: 5,
      asyncResponseTimeout: 2000,
      stopTimeoutMs: 5000,
      logger: pino({ level: 'silent' }),
    });
    host = startHost();
    tokens = await tokensFor(t.config, {
      rita: { tenantId: tenant, roles: ['rep'], team: 'north' },
      sam: { tenantId: tenant, roles: ['sales-manager'], team: 'north' },
      fiona: { tenantId: tenant, roles: ['finance'] },
    });
  }, 180_000);
  afterAll(async () => {
    await host?.stop();
    await cleanCamunda(t.config.camundaUrl, [tenant]);
    await t?.close();
  });

  const call = async (as: string, method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const res = await t.app.inject({ method, url, payload: payload as Json, headers: { authorization: `Bearer ${tokens[as]}`, ...(method === 'POST' ? { 'idempotency-key': `k-${randomUUID()}` } : {}) } });
    return { status: res.statusCode, body: res.json() as Json };
  };

  it('an open approval past its SLA is escalated to the next role; approving it lets the process record the decision and end', async () => {
    const quoteId = (await call('rita', 'POST', '/quotes', { accountId: 'acct-1', customerName: 'Acme', currency: 'EUR', termMonths: 24 })).body.quoteId;
    await call('rita', 'POST', `/quotes/${quoteId}/lines`, { offering: 'business-internet', quantity: 1, selections: { access: 'fiber', bandwidth: 500, slaTier: 'standard' }, manualDiscount: { percent: '18', reason: 'competitive' } });
    await call('rita', 'POST', `/quotes/${quoteId}/commands/price`);
    expect((await call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`)).body.state).toBe('submitted');
    expect((await call('fiona', 'GET', '/work-items')).body.items.some((i: Json) => i.quoteId === quoteId)).toBe(false);

    // The timer fires (job executor), the external task runs in our worker host, the engine escalates.
    const escalated = await eventually(async () => (await call('fiona', 'GET', '/work-items')).body.items.find((i: Json) => i.quoteId === quoteId), 60_000, 500);
    expect(escalated).toMatchObject({ role: 'sales-manager', level: 2 });
    const timeline = await call('rita', 'GET', `/quotes/${quoteId}/timeline`);
    expect(timeline.body.entries.some((e: Json) => e.action === 'quote.ApprovalEscalated' && e.actor.id === 'worker:test-workers')).toBe(true);

    // Workers down: sam approves, the process reaches quote.record-approval-decision and waits.
    await host?.stop();
    host = undefined;
    const item = (await call('sam', 'GET', '/work-items')).body.items.find((i: Json) => i.quoteId === quoteId);
    expect((await call('sam', 'POST', `/work-items/${item.workItemId}/commands/approve-quote`, { reason: 'ok' })).body.state).toBe('approved');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const waiting = await t.infrastructure.camunda.historicProcessInstances({ processInstanceBusinessKey: `quote-approval:${tenant}:${quoteId}:1` });
    expect(waiting[0]?.state).toBe('ACTIVE');
    // Workers back: the waiting task is taken and the process ends.
    host = startHost();
    const history = await eventually(async () => {
      const [instance] = await t.infrastructure.camunda.historicProcessInstances({ processInstanceBusinessKey: `quote-approval:${tenant}:${quoteId}:1` });
      return instance?.state === 'COMPLETED' ? instance : undefined;
    }, 60_000, 500);
    expect(history.endTime).not.toBeNull();

    // A timer or escalation arriving after the decision changes nothing.
    const late = await call('sam', 'POST', `/work-items/${item.workItemId}/commands/escalate`);
    expect(late.status).toBe(404);
    expect((await call('rita', 'GET', `/quotes/${quoteId}`)).body.revision.state).toBe('approved');
  }, 150_000);
});
