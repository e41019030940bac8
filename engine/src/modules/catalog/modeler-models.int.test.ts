import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import type { MetadataItem } from '@cpq/metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../../test/env';
import { issueToken, type Principal } from '../../http/auth';
import { createCamundaClient } from '../workflow';
import { cleanCamunda } from '../../../test/release-fixture';
import { createTestApp, type TestApp } from '../../../test/test-app';
import { VALIDATION_SOURCE } from './camunda-validation.service';
import { createCurrentReleasePointer, createReleaseStore } from './release-store';
import { createReleaseService } from './release.service';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test bodies

const fixture = (file: string) => readFileSync(new URL(`../../../../metadata/test-fixtures/camunda-modeler/${file}`, import.meta.url), 'utf8');
const bpmn = (key: string, processKey: string, xml: string): MetadataItem => ({ kind: 'bpmn-model', key, content: { name: key, processKey, xml } });
const dmn = (key: string, decisionKey: string, xml: string): MetadataItem => ({ kind: 'dmn-model', key, content: { name: key, decisionKey, xml } });

/** Files in the shape Camunda Modeler 3, 4 and 5 writes; DMN 1.1, 1.2 and 1.3 (metadata/test-fixtures/camunda-modeler). */
const modelerModels = (): MetadataItem[] => [
  bpmn('order-handling', 'fixture-order-handling', fixture('order-handling.modeler-5.bpmn')),
  bpmn('credit-check', 'fixture-credit-check', fixture('credit-check.modeler-4.bpmn')),
  bpmn('reminder', 'fixture-reminder', fixture('reminder.modeler-3.bpmn')),
  dmn('discount-level', 'fixture-discount-level', fixture('discount-level.dmn11.dmn')),
  dmn('risk-class', 'fixture-risk-class', fixture('risk-class.dmn12.dmn')),
  dmn('region-routing', 'fixture-region-routing', fixture('region-routing.dmn13.dmn')),
];

/**
 * BPMN and DMN made in Camunda Modeler through the governed publish against the real Camunda:
 * they publish with style warnings; what Camunda's own parser refuses is caught before review
 * (a throwaway deployment, deleted at once), with the element named, and every refusal of the
 * invalid candidate carries its problems; models are checked against each other and against
 * the current release; Camunda unreachable during validation is an error issue, not "valid".
 */
describe('models made in Camunda Modeler through the governed publish (real PostgreSQL, Camunda)', () => {
  let t: TestApp;
  const tenant = `modeler-${Date.now().toString(36)}`;
  const tokens: Record<string, string> = {};
  const camundaGet = (path: string) => fetch(`${testEnv.camundaUrl}${path}`).then((r) => r.json() as Promise<Json[]>);

  beforeAll(async () => {
    t = await createTestApp('modeler_models');
    await t.infrastructure.prisma.tenant.create({ data: { id: tenant, name: 'Modeler' } });
    for (const name of ['alice', 'bob']) tokens[name] = await issueToken(t.config.auth, { userId: name, tenantId: tenant, roles: ['admin'] });
  }, 120_000);
  afterAll(async () => {
    await cleanCamunda(testEnv.camundaUrl, [tenant]);
    await t?.close();
  });

  const call = async (as: string, url: string, payload?: unknown) => {
    const res = await t.app.inject({ method: 'POST', url, payload: payload as Json, headers: { authorization: `Bearer ${tokens[as]}`, 'idempotency-key': randomUUID() } });
    return { status: res.statusCode, body: res.body ? (res.json() as Json) : {} };
  };
  const createDrafts = async (items: MetadataItem[]) => {
    for (const item of items) {
      const res = await call('alice', '/metadata/drafts', item);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
  };
  const dropDrafts = () => t.infrastructure.prisma.metadataDraft.deleteMany({ where: { tenantId: tenant } });
  const candidate = async (title: string) => {
    const res = await call('alice', '/metadata/release-candidates', { title });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };
  const errorsOf = (c: Json) => c.issues.filter((i: Json) => i.severity === 'error').map((i: Json) => ({ key: i.item.key, code: i.code, message: i.message }));
  /**
   * Throwaway validation deployments still in Camunda: none once this validation is done (other
   * test files validate at the same time; theirs live for milliseconds, a leak stays, so poll).
   */
  const noLeftovers = () => expect.poll(async () => (await camundaGet(`/deployment?source=${VALIDATION_SOURCE}`)).length, { timeout: 5_000, interval: 100 }).toBe(0);

  it('publishes Modeler 3, 4 and 5 BPMN and DMN 1.1, 1.2 and 1.3: style problems are warnings, not blockers', async () => {
    await createDrafts(modelerModels());
    const c = await candidate('Modeler models');
    expect(c.state, JSON.stringify(errorsOf(c))).toBe('validated');
    expect(errorsOf(c)).toEqual([]);
    const warnings = c.issues.map((i: Json) => `${i.item.key} ${i.code} ${i.severity}`);
    expect(warnings).toEqual(expect.arrayContaining([
      'credit-check bpmn.history-ttl warning', 'credit-check bpmn.lint warning', 'discount-level dmn.history-ttl warning',
    ]));
    await noLeftovers();

    expect((await call('alice', `/metadata/release-candidates/${c.candidateId}/commands/request-review`)).status).toBe(200);
    expect((await call('bob', `/metadata/release-candidates/${c.candidateId}/commands/approve`, { reason: 'ok' })).status).toBe(200);
    const published = await call('bob', `/metadata/release-candidates/${c.candidateId}/commands/publish`);
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    expect(published.body.camundaDeploymentId).toEqual(expect.any(String));

    // Camunda runs what was published: every process and decision, at the tenant.
    const processes = (await camundaGet(`/process-definition?tenantIdIn=${tenant}`)).map((d) => d.key).sort();
    expect(processes).toEqual(['fixture-credit-check', 'fixture-order-handling', 'fixture-reminder']);
    const decisions = (await camundaGet(`/decision-definition?tenantIdIn=${tenant}`)).map((d) => d.key).sort();
    expect(decisions).toEqual(['fixture-discount-level', 'fixture-region-of-country', 'fixture-region-routing', 'fixture-risk-class']);
  });

  it('a model only Camunda refuses is caught before review, the element named; every refusal of the candidate lists why', async () => {
    await dropDrafts();
    await createDrafts([bpmn('refused', 'fixture-refused', fixture('event-gateway-to-task.bpmn'))]);
    const c = await candidate('Refused by Camunda');
    expect(c.state).toBe('invalid');
    expect(errorsOf(c)).toEqual([{
      key: 'refused', code: 'camunda.parse',
      message: expect.stringMatching(/^Camunda: element "Gateway_answer": Event based gateway can only be connected to elements of type intermediateCatchEvent \(line \d+, column \d+\)$/),
    }]);
    await noLeftovers();
    expect(await camundaGet(`/process-definition?key=fixture-refused`)).toEqual([]);
    // The element Camunda names travels with the issue (the studio marks it on the canvas).
    expect(c.issues.filter((i: Json) => i.severity === 'error').map((i: Json) => i.elementId)).toEqual(['Gateway_answer']);

    for (const command of ['request-review', 'publish']) {
      const refused = await call('alice', `/metadata/release-candidates/${c.candidateId}/commands/${command}`);
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ code: 'candidate-state', detail: expect.stringContaining('1 problem(s) block it') });
      expect(refused.body.errors).toEqual([{ field: 'items/bpmn-model/refused/xml', rule: 'camunda.parse', message: errorsOf(c)[0].message }]);
    }
  });

  it('Camunda stops at the first file it refuses: each refused model is reported, in rounds', async () => {
    await dropDrafts();
    // A rule with one input entry for two inputs: dmn-moddle reads it, Camunda cannot transform it.
    const short = fixture('discount-level.dmn11.dmn').replace('<inputEntry id="UnaryTests_3"><text></text></inputEntry>', '');
    await createDrafts([
      bpmn('refused', 'fixture-refused', fixture('event-gateway-to-task.bpmn')),
      dmn('discount-level', 'fixture-discount-level', short),
      dmn('risk-class', 'fixture-risk-class', fixture('risk-class.dmn12.dmn').replace('P90D', 'P45D')),
    ]);
    const c = await candidate('Two refused');
    expect(c.state).toBe('invalid');
    const errors = errorsOf(c).sort((a: Json, b: Json) => a.key.localeCompare(b.key));
    expect(errors.map((i: Json) => [i.key, i.code])).toEqual([['discount-level', 'camunda.parse'], ['refused', 'camunda.parse']]);
    expect(errors[0].message).toMatch(/discount-level\.dmn/);
    expect(errors[1].message).toMatch(/element "Gateway_answer"/);
    await noLeftovers();
  });

  it('a model Camunda cannot run (service task without implementation) is caught by the validators, before review', async () => {
    await dropDrafts();
    const xml = fixture('order-handling.modeler-5.bpmn').replace(' camunda:type="external" camunda:topic="order.book"', '');
    await createDrafts([bpmn('order-handling', 'fixture-order-handling', xml)]);
    const c = await candidate('No implementation');
    expect(c.state).toBe('invalid');
    expect(errorsOf(c)).toEqual([{ key: 'order-handling', code: 'bpmn.implementation', message: expect.stringMatching(/^ServiceTask "Activity_book" has no implementation/) }]);
    expect(c.issues.filter((i: Json) => i.severity === 'error').map((i: Json) => i.elementId)).toEqual(['Activity_book']);
    const stored = await t.app.inject({ method: 'GET', url: `/metadata/release-candidates/${c.candidateId}`, headers: { authorization: `Bearer ${tokens.alice}` } });
    expect(stored.json().issues.filter((i: Json) => i.severity === 'error').map((i: Json) => i.elementId)).toEqual(['Activity_book']);
    const refused = await call('alice', `/metadata/release-candidates/${c.candidateId}/commands/request-review`);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'items/bpmn-model/order-handling/xml', rule: 'bpmn.implementation' })]);
  });

  it('cross-model errors within the candidate and against the current release, each naming the element', async () => {
    await dropDrafts();
    const caller = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="fixture-caller" isExecutable="true" camunda:historyTimeToLive="30">
    <bpmn:startEvent id="start" name="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="Call_missing" />
    <bpmn:callActivity id="Call_missing" name="Call" calledElement="fixture-not-there" />
    <bpmn:sequenceFlow id="f2" sourceRef="Call_missing" targetRef="Decide_missing" />
    <bpmn:businessRuleTask id="Decide_missing" name="Decide" camunda:decisionRef="fixture-no-decision" />
    <bpmn:sequenceFlow id="f3" sourceRef="Decide_missing" targetRef="Call_released" />
    <bpmn:callActivity id="Call_released" name="Credit" calledElement="fixture-credit-check" />
    <bpmn:sequenceFlow id="f4" sourceRef="Call_released" targetRef="end" />
    <bpmn:endEvent id="end" name="End" />
  </bpmn:process>
</bpmn:definitions>`;
    await createDrafts([
      bpmn('caller', 'fixture-caller', caller),
      // The released reminder's process key again, under another item.
      bpmn('reminder-copy', 'fixture-reminder', fixture('reminder.modeler-3.bpmn')),
      // The released DMN 1.2 decision key again, under another item.
      dmn('risk-class-copy', 'fixture-risk-class', fixture('risk-class.dmn12.dmn')),
    ]);
    const c = await candidate('Cross-model');
    expect(c.state).toBe('invalid');
    expect(errorsOf(c).map((i: Json) => [i.key, i.code, i.message.split(/ calls| evaluates|: a release/)[0]])).toEqual([
      ['caller', 'bpmn.called-element', 'call activity "Call_missing"'],
      ['caller', 'bpmn.decision-ref', 'business rule task "Decide_missing"'],
      ['reminder-copy', 'bpmn.duplicate-process', 'process "fixture-reminder" is also defined by bpmn-model/reminder'],
      ['risk-class-copy', 'dmn.duplicate-decision', 'decision "fixture-risk-class" is also defined by dmn-model/risk-class'],
    ]);
    const refused = await call('alice', `/metadata/release-candidates/${c.candidateId}/commands/request-review`);
    expect(refused.body.errors.map((e: Json) => e.rule)).toEqual(['bpmn.called-element', 'bpmn.decision-ref', 'bpmn.duplicate-process', 'dmn.duplicate-decision']);
  });

  it('Camunda unreachable while validating: an error issue on each model, the candidate is not valid', async () => {
    await dropDrafts();
    await createDrafts([dmn('risk-class', 'fixture-risk-class', fixture('risk-class.dmn12.dmn').replace('P90D', 'P60D'))]);
    const silent = { warn: () => {}, error: () => {} };
    const store = createReleaseStore(t.infrastructure.prisma, t.infrastructure.redis, silent);
    // A port nothing listens on (taken and given back), so the connection is refused.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as AddressInfo;
        server.close(() => resolve(free));
      });
    });
    const offline = createReleaseService({
      prisma: t.infrastructure.prisma, camunda: createCamundaClient(`http://127.0.0.1:${port}/engine-rest`, { timeoutMs: 1_000 }),
      store, pointer: createCurrentReleasePointer(store), log: silent,
    });
    const principal: Principal = { userId: 'alice', tenantId: tenant, roles: ['admin'] };
    const c = await offline.createCandidate({ title: 'Camunda down' }, { principal, correlationId: 'test-offline', commandId: randomUUID() });
    expect(c.state).toBe('invalid');
    expect(c.issues).toEqual([expect.objectContaining({
      item: { kind: 'dmn-model', key: 'risk-class' }, code: 'camunda.unavailable', severity: 'error',
      message: expect.stringMatching(/^Camunda could not be asked to parse this model, so it is not known to deploy: .*ECONNREFUSED/),
    })]);
  });
});
