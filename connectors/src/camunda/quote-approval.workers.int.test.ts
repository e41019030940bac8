import { randomBytes, randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/env';
import { eventually } from '../../../test/kafka-helpers';
import { sampleCatalogWithDefaultModels, setUpTenant, startEngineProcess, type EngineProcess } from '../../../test/services/engine-process';
import { createCamundaClient } from './camunda-rest.client';
import { createEngineClient, EngineAuthError } from './engine-client';
import { quoteApprovalWorkers } from './quote-approval.workers';
import { startWorkerHost } from './worker-host';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies

// The workers' own credential: the engine knows only its SHA-256 (SERVICE_CLIENTS).
const WORKERS = { clientId: 'workers-test', clientSecret: randomBytes(32).toString('hex') };

describe('quote-approval workers: escalation after the SLA and the recorded decision (real Camunda, engine process over HTTP, service credential)', () => {
  let engine: EngineProcess;
  let host: { stop(): Promise<void> } | undefined;
  let startHost: () => { stop(): Promise<void> };
  const tokens: Record<string, string> = {};
  const camunda = createCamundaClient(testEnv.camundaUrl);
  const tenant = `qw-${Date.now().toString(36)}`;
  const topicPrefix = `test.${randomUUID().slice(0, 8)}.`;

  beforeAll(async () => {
    engine = await startEngineProcess('quote_workers', {
      serviceClients: [{ clientId: WORKERS.clientId, secret: WORKERS.clientSecret, roles: ['integrator'], tenants: [tenant] }],
    });
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
    await setUpTenant(engine, tenant, items);
    startHost = () => startWorkerHost({
      baseUrl: testEnv.camundaUrl,
      catalog: quoteApprovalWorkers(createEngineClient(engine.url, WORKERS), testEnv.camundaUrl, { topicPrefix }),
      workerId: `test-${randomUUID().slice(0, 8)}`,
      maxTasks: 5,
      asyncResponseTimeout: 2000,
      stopTimeoutMs: 5000,
      logger: pino({ level: 'silent' }),
    });
    host = startHost();
    [tokens.rita, tokens.sam, tokens.fiona] = await Promise.all([
      engine.userToken('rita', tenant, ['rep'], 'north'),
      engine.userToken('sam', tenant, ['sales-manager'], 'north'),
      engine.userToken('fiona', tenant, ['finance']),
    ]);
  }, 180_000);
  afterAll(async () => {
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

  it('the workers\' client gets tokens only with its own credential, for its own tenants', async () => {
    // The credential works: the approval-evidence read of an unknown quote reaches the quote module (404, not 401).
    const engineClient = createEngineClient(engine.url, WORKERS);
    await expect(engineClient.get(tenant, `/quotes/${randomUUID()}/approval-evidence`)).rejects.toThrow(/answered 404/);
    // A wrong secret, and a tenant outside the client's list, get no token.
    const wrong = createEngineClient(engine.url, { ...WORKERS, clientSecret: randomBytes(32).toString('hex') });
    await expect(wrong.get(tenant, '/quotes')).rejects.toMatchObject({ name: 'EngineAuthError', status: 401 });
    const other = await engineClient.get('another-tenant', '/quotes').catch((e: unknown) => e);
    expect(other).toBeInstanceOf(EngineAuthError);
    expect(other).toMatchObject({ status: 403, problem: { errors: [{ field: 'body/tenant', rule: 'allowed-tenants' }] } });
  });

  it('an open approval past its SLA is escalated to the next role; approving it lets the process record the decision and end', async () => {
    const quoteId = (await call('rita', 'POST', '/quotes', { accountId: 'acct-1', customerName: 'Acme', currency: 'EUR', termMonths: 24 })).body.quoteId;
    await call('rita', 'POST', `/quotes/${quoteId}/lines`, { offering: 'business-internet', quantity: 1, selections: { access: 'fiber', bandwidth: 500, slaTier: 'standard' }, manualDiscount: { percent: '18', reason: 'competitive' } });
    await call('rita', 'POST', `/quotes/${quoteId}/commands/price`);
    expect((await call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`)).body.state).toBe('submitted');
    expect((await call('fiona', 'GET', '/work-items')).body.items.some((i: Json) => i.quoteId === quoteId)).toBe(false);

    // The timer fires (job executor), the external task runs in our worker host, the engine escalates.
    const escalated = await eventually(async () => (await call('fiona', 'GET', '/work-items')).body.items.find((i: Json) => i.quoteId === quoteId), 60_000, 500);
    expect(escalated).toMatchObject({ role: 'sales-manager', level: 2 });
    // The engine widens the Camunda task before it records the escalation: the inbox can show it a moment before the timeline.
    const escalation = await eventually(async () => (await call('rita', 'GET', `/quotes/${quoteId}/timeline`)).body.entries.find((e: Json) => e.action === 'quote.ApprovalEscalated'), 10_000, 200);
    expect(escalation.actor.id).toBe(`service:${WORKERS.clientId}`);

    // Workers down: sam approves, the process reaches quote.record-approval-decision and waits.
    await host?.stop();
    host = undefined;
    const item = (await call('sam', 'GET', '/work-items')).body.items.find((i: Json) => i.quoteId === quoteId);
    expect((await call('sam', 'POST', `/work-items/${item.workItemId}/commands/approve-quote`, { reason: 'ok' })).body.state).toBe('approved');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const waiting = await camunda.historicProcessInstances({ processInstanceBusinessKey: `quote-approval:${tenant}:${quoteId}:1` });
    expect(waiting[0]?.state).toBe('ACTIVE');
    // Workers back: the waiting task is taken and the process ends.
    host = startHost();
    const history = await eventually(async () => {
      const [instance] = await camunda.historicProcessInstances({ processInstanceBusinessKey: `quote-approval:${tenant}:${quoteId}:1` });
      return instance?.state === 'COMPLETED' ? instance : undefined;
    }, 60_000, 500);
    expect(history.endTime).not.toBeNull();

    // A timer or escalation arriving after the decision changes nothing.
    const late = await call('sam', 'POST', `/work-items/${item.workItemId}/commands/escalate`);
    expect(late.status).toBe(404);
    expect((await call('rita', 'GET', `/quotes/${quoteId}`)).body.revision.state).toBe('approved');
  }, 150_000);
});
